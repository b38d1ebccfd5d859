import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../auth/principal';
import type { RunReport } from '../runs/run-report.builder';
import { API_V1 } from './api-routes';
import { CompanyWide, CurrentPrincipal, Roles } from './auth.decorators';
import type { Page } from './cursor';
import { RunsQueryDto, StartRunDto } from './dto/runs.dto';
import { RunsApiService, RunSummaryView, StartedRun } from './runs-api.service';

@ApiTags('runs')
@ApiBearerAuth()
@Controller(`${API_V1}/runs`)
export class RunsController {
  constructor(private readonly runs: RunsApiService) {}

  @Get()
  @ApiOperation({ summary: 'Reconcile runs, newest first' })
  list(@Query() query: RunsQueryDto): Promise<Page<RunSummaryView>> {
    return this.runs.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One run: its sources, control results and the findings it touched' })
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<RunReport> {
    return this.runs.get(id, principal);
  }

  @Post()
  @HttpCode(202)
  @Roles('admin', 'operator')
  @CompanyWide('a run collects and evaluates every team')
  @ApiOperation({ summary: 'Start a reconcile run now; answers 202 at once with the run id' })
  start(@Body() body: StartRunDto): Promise<StartedRun> {
    return this.runs.start(body.full ?? false);
  }
}
