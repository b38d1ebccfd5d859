import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../auth/principal';
import { API_V1 } from './api-routes';
import { CurrentPrincipal } from './auth.decorators';
import { FindingsQueryDto } from './dto/findings-query.dto';
import { FindingDetail, FindingPage, FindingsReadService } from './findings-read.service';

@ApiTags('findings')
@ApiBearerAuth()
@Controller(`${API_V1}/findings`)
export class FindingsController {
  constructor(private readonly findings: FindingsReadService) {}

  @Get()
  @ApiOperation({
    summary: 'Stored findings, filtered and keyset-paginated; with asOf, each as it stood then',
  })
  list(@Query() query: FindingsQueryDto, @CurrentPrincipal() principal: Principal): Promise<FindingPage> {
    return this.findings.list(query, principal);
  }

  @Get(':key')
  @ApiOperation({ summary: 'One finding (URL-encoded key) with its history and evidence-ledger entries' })
  get(@Param('key') key: string, @CurrentPrincipal() principal: Principal): Promise<FindingDetail> {
    return this.findings.get(key, principal);
  }
}
