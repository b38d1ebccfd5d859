import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../auth/principal';
import type { RunReport } from '../runs/run-report.builder';
import { API_V1 } from './api-routes';
import { CompanyWide, CurrentPrincipal, Roles } from './auth.decorators';
import type { Page } from './cursor';
import { RunsQueryDto, StartRunDto } from './dto/runs.dto';
import { ApiBodyErrors, ApiCommonErrors, ApiErrors } from './dto/api-error.dto';
import { RunPageDto, RunReportDto, StartedRunDto } from './dto/runs-response.dto';
import { RunsApiService, RunSummaryView, StartedRun } from './runs-api.service';

@ApiTags('runs')
@ApiBearerAuth()
@ApiCommonErrors()
@Controller(`${API_V1}/runs`)
export class RunsController {
  constructor(private readonly runs: RunsApiService) {}

  @Get()
  @ApiOperation({ operationId: 'listRuns', summary: 'Reconcile runs, newest first' })
  @ApiOkResponse({ type: RunPageDto })
  @ApiErrors(400)
  list(@Query() query: RunsQueryDto): Promise<Page<RunSummaryView>> {
    return this.runs.list(query);
  }

  @Get(':id')
  @ApiOperation({
    operationId: 'getRun',
    summary: 'One run: its sources, control results and the findings it touched',
  })
  @ApiOkResponse({ type: RunReportDto, description: 'The `reconcile --format json` document' })
  @ApiErrors(404)
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<RunReport> {
    return this.runs.get(id, principal);
  }

  @Post()
  @HttpCode(202)
  @Roles('admin', 'operator')
  @CompanyWide('a run collects and evaluates every team')
  @ApiOperation({
    operationId: 'startRun',
    summary: 'Start a reconcile run now; answers 202 at once with the run id',
  })
  @ApiAcceptedResponse({ type: StartedRunDto })
  @ApiBodyErrors()
  @ApiErrors(409, 503)
  start(@Body() body: StartRunDto): Promise<StartedRun> {
    return this.runs.start(body.full ?? false);
  }
}
