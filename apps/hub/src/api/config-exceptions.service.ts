/** The config file's `exceptions`, as GET /exceptions/config shows them next to the API's own. */
import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { expiryEnd } from '../findings/exception.matcher';
import type { ConfigExceptionListDto } from './dto/config-exceptions.dto';

@Injectable()
export class ConfigExceptionsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  list(): ConfigExceptionListDto {
    const now = this.clock.now().getTime();
    return {
      items: this.config.exceptions.map((e) => ({
        source: 'config',
        control: e.control,
        subject: e.subject,
        reason: e.reason,
        requestedBy: e.requestedBy,
        approvedBy: e.approvedBy,
        expires: e.expires,
        status: now <= expiryEnd(e.expires).getTime() ? 'approved' : 'expired',
      })),
    };
  }
}
