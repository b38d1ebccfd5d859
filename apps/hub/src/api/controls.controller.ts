import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ParamValue, Severity } from '@audit-hub/domain';
import { ControlRegistry } from '../controls/control.registry';
import { API_V1 } from './api-routes';
import { CompanyWide } from './auth.decorators';
import { ControlResultsService } from './control-results.service';
import { ControlResultsDto, ReadinessDto } from './dto/control-results.dto';
import { ApiCommonErrors } from './dto/api-error.dto';
import { ControlDto } from './dto/catalog-response.dto';

export interface ControlView {
  id: string;
  title: string;
  severity: Severity;
  enabled: boolean;
  params: Record<string, ParamValue>;
  frameworks: string[];
  subject: string;
  needs: string[];
  description: string;
}

@ApiTags('controls')
@ApiBearerAuth()
@ApiCommonErrors()
@Controller(`${API_V1}/controls`)
export class ControlsController {
  constructor(
    private readonly controls: ControlRegistry,
    private readonly results: ControlResultsService,
  ) {}

  @Get('results')
  @CompanyWide("a control's result covers every team")
  @ApiOperation({
    operationId: 'listControlResults',
    summary: "Each control's result in the last finished run, its population and its trend over recent runs",
  })
  @ApiOkResponse({ type: ControlResultsDto })
  lastResults(): Promise<ControlResultsDto> {
    return this.results.results();
  }

  @Get('readiness')
  @CompanyWide("a control's result covers every team")
  @ApiOperation({
    operationId: 'getFrameworkReadiness',
    summary:
      'Readiness per framework clause: its controls passing, failing, partial or not evaluated in the last run',
  })
  @ApiOkResponse({ type: ReadinessDto })
  readiness(): Promise<ReadinessDto> {
    return this.results.readiness();
  }

  @Get()
  @ApiOperation({
    operationId: 'listControls',
    summary: 'The control catalog with the parameters in effect (as `controls --format json`)',
  })
  @ApiOkResponse({ type: [ControlDto] })
  list(): ControlView[] {
    return this.controls.effective().map((c) => ({
      id: c.definition.id,
      title: c.definition.title,
      severity: c.severity,
      enabled: c.enabled,
      params: c.params,
      frameworks: c.definition.frameworks,
      subject: c.definition.subjectType,
      needs: c.definition.needs,
      description: c.definition.description,
    }));
  }
}
