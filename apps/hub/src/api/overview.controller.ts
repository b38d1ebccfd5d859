import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../auth/principal';
import { API_V1 } from './api-routes';
import { CurrentPrincipal } from './auth.decorators';
import { Overview, OverviewService } from './overview.service';

@ApiTags('overview')
@ApiBearerAuth()
@Controller(`${API_V1}/overview`)
export class OverviewController {
  constructor(private readonly overview: OverviewService) {}

  @Get()
  @ApiOperation({
    summary: 'The dashboard summary: open findings by severity, family and team; trend; traceability; health',
  })
  get(@CurrentPrincipal() principal: Principal): Promise<Overview> {
    return this.overview.build(principal);
  }
}
