import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ParamValue, Severity } from '@audit-hub/domain';
import { ControlRegistry } from '../controls/control.registry';
import { API_V1 } from './api-routes';

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
@Controller(`${API_V1}/controls`)
export class ControlsController {
  constructor(private readonly controls: ControlRegistry) {}

  @Get()
  @ApiOperation({
    summary: 'The control catalog with the parameters in effect (as `controls --format json`)',
  })
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
