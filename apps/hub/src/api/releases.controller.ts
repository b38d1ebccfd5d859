import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../auth/principal';
import { API_V1 } from './api-routes';
import { CurrentPrincipal } from './auth.decorators';
import type { Page } from './cursor';
import { ReleasesQueryDto } from './dto/releases-query.dto';
import { ApiCommonErrors, ApiErrors } from './dto/api-error.dto';
import { ReleaseDetailDto, ReleasePageDto } from './dto/releases-response.dto';
import { ReleaseDetail, ReleasesReadService, ReleaseSummary } from './releases-read.service';

@ApiTags('releases')
@ApiBearerAuth()
@ApiCommonErrors()
@Controller(`${API_V1}/releases`)
export class ReleasesController {
  constructor(private readonly releases: ReleasesReadService) {}

  @Get()
  @ApiOperation({ operationId: 'listReleases', summary: 'Successful production deployments, newest first' })
  @ApiOkResponse({ type: ReleasePageDto })
  @ApiErrors(400)
  list(
    @Query() query: ReleasesQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<ReleaseSummary>> {
    return this.releases.list(query, principal);
  }

  @Get(':ref')
  @ApiOperation({
    operationId: 'getRelease',
    summary:
      'One release (URL-encoded deployment ref): changes, approvals, MRs, quality gate, findings, evidence',
  })
  @ApiOkResponse({ type: ReleaseDetailDto })
  @ApiErrors(404)
  get(@Param('ref') ref: string, @CurrentPrincipal() principal: Principal): Promise<ReleaseDetail> {
    return this.releases.get(ref, principal);
  }
}
