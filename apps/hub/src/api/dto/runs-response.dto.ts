/** Runs as the API answers them (runs-api.service.ts, run-report.builder.ts), for the OpenAPI document. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { RunReport } from '../../runs/run-report.builder';
import type { Page } from '../cursor';
import type { RunSummaryView, StartedRun } from '../runs-api.service';
import { BySeverityDto, FindingViewDto } from './findings-response.dto';
import { RUN_STATUSES } from './runs.dto';

const RUN_STATUS_SCHEMA = { enum: [...RUN_STATUSES] } as const;
const SOURCE_STATUS_SCHEMA = {
  enum: ['running', 'complete', 'partial', 'failed'],
} as const;
const CONTROL_STATUS_SCHEMA = {
  enum: ['evaluated', 'partial', 'not_evaluated', 'disabled'],
} as const;

/** How many of a run's sources (streams) ended each way, by status. */
export const SOURCE_COUNTS_SCHEMA = {
  type: 'object',
  additionalProperties: { type: 'integer' },
  description: 'How many of its sources ended each way, by status (running, complete, partial, failed)',
  example: { complete: 12, partial: 1 },
} as const;

export class RunSummaryDto implements RunSummaryView {
  @ApiProperty()
  id!: string;

  @ApiProperty({ enum: ['cli', 'schedule', 'api', 'demo'], description: 'What started it' })
  trigger!: string;

  @ApiProperty(RUN_STATUS_SCHEMA)
  status!: string;

  @ApiProperty({ format: 'date-time' })
  startedAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: string | null;

  @ApiProperty({ type: 'integer', nullable: true })
  durationMs!: number | null;

  @ApiProperty({ description: 'Every stream resynchronized from scratch' })
  full!: boolean;

  @ApiProperty({ type: String, nullable: true })
  error!: string | null;

  @ApiProperty(SOURCE_COUNTS_SCHEMA)
  sources!: Record<string, number>;
}

export class RunPageDto implements Page<RunSummaryView> {
  @ApiProperty({ type: [RunSummaryDto] })
  items!: RunSummaryDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The `cursor` of the next page; null on the last',
  })
  nextCursor!: string | null;

  @ApiProperty({ type: 'integer' })
  limit!: number;
}

export class RunSourceDto {
  @ApiProperty({ description: 'The connector id' })
  connector!: string;

  @ApiProperty()
  stream!: string;

  @ApiProperty(SOURCE_STATUS_SCHEMA)
  status!: string;

  @ApiProperty({ type: 'integer' })
  records!: number;

  @ApiProperty({ type: String, nullable: true })
  error!: string | null;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'What could not be read, where (absent when nothing)',
  })
  problems?: unknown[];
}

export class RunDto {
  @ApiProperty()
  id!: string;

  @ApiProperty({ format: 'date-time' })
  startedAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: string | null;

  @ApiProperty(RUN_STATUS_SCHEMA)
  status!: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  error?: string | null;

  @ApiProperty({ type: [RunSourceDto] })
  sources!: RunSourceDto[];
}

export class UndecidedSubjectDto {
  @ApiProperty()
  subjectRef!: string;

  @ApiProperty({ description: 'Why it could not be decided' })
  why!: string;
}

export class RunControlDto {
  @ApiProperty({ example: 'RM-CHG-001' })
  id!: string;

  @ApiProperty(CONTROL_STATUS_SCHEMA)
  status!: string;

  @ApiProperty({ type: String, nullable: true })
  reason!: string | null;

  @ApiProperty({ type: 'integer', description: 'Its open findings' })
  open!: number;

  @ApiPropertyOptional({
    type: [UndecidedSubjectDto],
    description: "A partial control's undecided subjects, each with why (absent when none)",
  })
  undecided?: UndecidedSubjectDto[];
}

export class RunTotalsDto {
  @ApiProperty({ type: 'integer' })
  open!: number;

  @ApiProperty({ type: 'integer' })
  new!: number;

  @ApiProperty({ type: 'integer' })
  resolved!: number;

  @ApiProperty({ type: 'integer' })
  accepted!: number;

  @ApiProperty({ type: BySeverityDto })
  bySeverity!: BySeverityDto;
}

/** The `reconcile --format json` document (interfaces.md). */
export class RunReportDto implements RunReport {
  @ApiProperty({ type: RunDto })
  run!: RunDto;

  @ApiProperty({ type: [RunControlDto] })
  controls!: RunControlDto[];

  @ApiProperty({ type: [FindingViewDto], description: 'Every finding the run touched' })
  findings!: FindingViewDto[];

  @ApiProperty({ type: RunTotalsDto })
  summary!: RunTotalsDto;
}

export class StartedRunDto implements StartedRun {
  @ApiProperty()
  id!: string;

  @ApiProperty({ enum: ['running'] })
  status!: 'running';

  @ApiProperty({ format: 'date-time' })
  startedAt!: string;

  @ApiProperty({ type: 'integer', description: 'Collect jobs planned' })
  collectJobs!: number;

  @ApiProperty({ description: 'Where to follow it', example: '/api/v1/runs/01J…' })
  href!: string;
}
