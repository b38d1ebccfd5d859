import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../auth/principal';
import { API_V1 } from './api-routes';
import { CurrentPrincipal } from './auth.decorators';
import { ApiCommonErrors } from './dto/api-error.dto';
import { OverviewDto } from './dto/overview-response.dto';
import { Overview, OverviewService } from './overview.service';

@ApiTags('overview')
@ApiBearerAuth()
@ApiCommonErrors()
@Controller(`${API_V1}/overview`)
export class OverviewController {
  constructor(private readonly overview: OverviewService) {}

  @Get()
  @ApiOperation({
    operationId: 'getOverview',
    summary: 'The dashboard summary: open findings by severity, family and team; trend; traceability; health',
  })
  @ApiOkResponse({ type: OverviewDto })
  get(@CurrentPrincipal() principal: Principal): Promise<Overview> {
    return this.overview.build(principal);
  }
}
