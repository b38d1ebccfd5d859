/**
 * The answers of GET /controls/results (each control's last result, population and trend) and
 * GET /controls/readiness (each framework clause: its controls passing, failing, partial or not
 * evaluated), as classes so the OpenAPI document types them.
 */
import { ApiProperty } from '@nestjs/swagger';
import { SEVERITIES, type Severity } from '@audit-hub/domain';

/**
 * A control's result in one run, in the words a compliance lead reads it: `failing` (open
 * findings after the run), `passing` (every subject checked, none open), `partial` (nothing open,
 * but some subjects could not be checked), `not_evaluated` (a source it needs failed), `disabled`,
 * `not_run` (no finished run has a result for it).
 */
export const CONTROL_OUTCOMES = [
  'passing',
  'failing',
  'partial',
  'not_evaluated',
  'disabled',
  'not_run',
] as const;
export type ControlOutcome = (typeof CONTROL_OUTCOMES)[number];

const CONTROL_STATUSES = ['evaluated', 'partial', 'not_evaluated', 'disabled'];

export class ControlRunResultDto {
  @ApiProperty({ description: 'The run' })
  runId!: string;

  @ApiProperty({ description: 'When the run started (ISO instant)' })
  startedAt!: string;

  @ApiProperty({ description: "The control's status in the run (interfaces.md)", enum: CONTROL_STATUSES })
  status!: string;

  @ApiProperty({
    description: 'passing, failing, partial, not_evaluated or disabled',
    enum: CONTROL_OUTCOMES,
  })
  outcome!: ControlOutcome;

  @ApiProperty({
    description: 'Subjects the control flagged in the run (exceptions included)',
    type: 'integer',
  })
  flagged!: number;

  @ApiProperty({ description: 'Open or reopened findings of the control after the run', type: 'integer' })
  open!: number;

  @ApiProperty({
    description: 'Subjects it could not decide (their data is missing upstream)',
    type: 'integer',
  })
  undecided!: number;
}

export class ControlLastResultDto extends ControlRunResultDto {
  @ApiProperty({ description: 'Why it was partial, not evaluated or disabled', type: String, nullable: true })
  reason!: string | null;
}

export class ControlPopulationDto {
  @ApiProperty({ description: 'How many there are on record now', type: 'integer' })
  count!: number;

  @ApiProperty({
    description: "What is counted: the records of the control's subject type in scope",
    example: 'successful production deployments',
  })
  of!: string;
}

export class ControlResultDto {
  @ApiProperty({ example: 'RM-CHG-001' })
  id!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty({ enum: SEVERITIES })
  severity!: Severity;

  @ApiProperty({ description: 'On in config' })
  enabled!: boolean;

  @ApiProperty({ description: 'The subject type of its findings', example: 'deployment' })
  subject!: string;

  @ApiProperty({ type: [String], example: ['SOX:ITGC-CM', 'PCI-DSS-4.0:6.5.1'] })
  frameworks!: string[];

  @ApiProperty({ type: ControlPopulationDto })
  population!: ControlPopulationDto;

  @ApiProperty({
    description: 'Its result in the last finished run; null when none has one',
    type: ControlLastResultDto,
    nullable: true,
  })
  lastRun!: ControlLastResultDto | null;

  @ApiProperty({
    description: 'Its result in each recent finished run, oldest first (runs without a result left out)',
    type: [ControlRunResultDto],
  })
  trend!: ControlRunResultDto[];
}

export class TrendRunDto {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  startedAt!: string;

  @ApiProperty({ type: String, nullable: true })
  finishedAt!: string | null;

  @ApiProperty({ enum: ['complete', 'incomplete', 'failed'] })
  status!: string;
}

export class ControlResultsDto {
  @ApiProperty({ description: 'When this answer was computed' })
  generatedAt!: string;

  @ApiProperty({
    description: 'The recent finished runs the trends cover, oldest first',
    type: [TrendRunDto],
  })
  runs!: TrendRunDto[];

  @ApiProperty({ type: [ControlResultDto] })
  controls!: ControlResultDto[];
}

export class ClauseControlDto {
  @ApiProperty({ example: 'RM-CHG-001' })
  id!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty({ enum: CONTROL_OUTCOMES })
  outcome!: ControlOutcome;

  @ApiProperty({ type: 'integer' })
  open!: number;
}

export class ReadinessCountsDto {
  @ApiProperty({ type: 'integer' })
  passing!: number;

  @ApiProperty({ type: 'integer' })
  failing!: number;

  @ApiProperty({ description: 'Nothing open, but some subjects could not be checked', type: 'integer' })
  partial!: number;

  @ApiProperty({ description: 'Not evaluated, disabled or not run yet', type: 'integer' })
  notEvaluated!: number;
}

export class ReadinessClauseDto extends ReadinessCountsDto {
  @ApiProperty({ example: 'SOX:ITGC-CM' })
  token!: string;

  @ApiProperty({ example: 'ITGC-CM' })
  clause!: string;

  @ApiProperty({ type: [ClauseControlDto] })
  controls!: ClauseControlDto[];
}

export class ReadinessFrameworkDto {
  @ApiProperty({ example: 'SOX' })
  framework!: string;

  @ApiProperty({ example: 'SOX IT general controls' })
  name!: string;

  @ApiProperty({ description: 'Over its distinct controls', type: ReadinessCountsDto })
  controls!: ReadinessCountsDto;

  @ApiProperty({ type: [ReadinessClauseDto] })
  clauses!: ReadinessClauseDto[];
}

export class ReadinessDto {
  @ApiProperty()
  generatedAt!: string;

  @ApiProperty({
    description: 'The run the outcomes come from; null before the first',
    type: String,
    nullable: true,
  })
  runId!: string | null;

  @ApiProperty({ type: String, nullable: true })
  runStartedAt!: string | null;

  @ApiProperty({ type: [ReadinessFrameworkDto] })
  frameworks!: ReadinessFrameworkDto[];
}
