import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../auth/principal';
import { API_V1 } from './api-routes';
import { CurrentPrincipal } from './auth.decorators';
import { ApiCommonErrors, ApiErrors } from './dto/api-error.dto';
import { FindingDetailDto, FindingPageDto } from './dto/findings-response.dto';
import { FindingsQueryDto } from './dto/findings-query.dto';
import { FindingDetail, FindingPage, FindingsReadService } from './findings-read.service';

@ApiTags('findings')
@ApiBearerAuth()
@ApiCommonErrors()
@Controller(`${API_V1}/findings`)
export class FindingsController {
  constructor(private readonly findings: FindingsReadService) {}

  @Get()
  @ApiOperation({
    operationId: 'listFindings',
    summary: 'Stored findings, filtered and keyset-paginated; with asOf, each as it stood then',
  })
  @ApiOkResponse({ type: FindingPageDto })
  @ApiErrors(400)
  list(@Query() query: FindingsQueryDto, @CurrentPrincipal() principal: Principal): Promise<FindingPage> {
    return this.findings.list(query, principal);
  }

  @Get(':key')
  @ApiOperation({
    operationId: 'getFinding',
    summary: 'One finding (URL-encoded key) with its history and evidence-ledger entries',
  })
  @ApiOkResponse({ type: FindingDetailDto })
  @ApiErrors(404)
  get(@Param('key') key: string, @CurrentPrincipal() principal: Principal): Promise<FindingDetail> {
    return this.findings.get(key, principal);
  }
}
