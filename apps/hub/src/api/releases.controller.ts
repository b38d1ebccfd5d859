import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../auth/principal';
import { API_V1 } from './api-routes';
import { CurrentPrincipal } from './auth.decorators';
import type { Page } from './cursor';
import { ReleasesQueryDto } from './dto/releases-query.dto';
import { ReleaseDetail, ReleasesReadService, ReleaseSummary } from './releases-read.service';

@ApiTags('releases')
@ApiBearerAuth()
@Controller(`${API_V1}/releases`)
export class ReleasesController {
  constructor(private readonly releases: ReleasesReadService) {}

  @Get()
  @ApiOperation({ summary: 'Successful production deployments, newest first' })
  list(
    @Query() query: ReleasesQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<ReleaseSummary>> {
    return this.releases.list(query, principal);
  }

  @Get(':ref')
  @ApiOperation({
    summary:
      'One release (URL-encoded deployment ref): changes, approvals, MRs, quality gate, findings, evidence',
  })
  get(@Param('ref') ref: string, @CurrentPrincipal() principal: Principal): Promise<ReleaseDetail> {
    return this.releases.get(ref, principal);
  }
}
