/** The dashboard summary as the API answers it (overview.service.ts), for the OpenAPI document. */
import { ApiProperty } from '@nestjs/swagger';
import type { EmergencyRelease, EmergencyReview } from '../../reports/report.model';
import type { Overview } from '../overview.service';
import { CONNECTOR_HEALTH_SCHEMA } from './catalog-response.dto';
import { BySeverityDto } from './findings-response.dto';
import { SOURCE_COUNTS_SCHEMA } from './runs-response.dto';

export class OpenFindingsDto {
  @ApiProperty({ type: 'integer' })
  total!: number;

  @ApiProperty({ type: BySeverityDto })
  bySeverity!: BySeverityDto;
}

export class FamilyOpenDto {
  @ApiProperty({ description: 'The middle part of control ids, e.g. CHG' })
  family!: string;

  @ApiProperty({ example: 'Change management' })
  title!: string;

  @ApiProperty({ type: 'integer' })
  open!: number;

  @ApiProperty({ type: BySeverityDto })
  bySeverity!: BySeverityDto;
}

export class TeamOpenDto {
  @ApiProperty({ type: String, nullable: true, description: 'null: findings of services without a team' })
  team!: string | null;

  @ApiProperty({ type: 'integer' })
  open!: number;
}

export class TrendPointDto {
  @ApiProperty()
  runId!: string;

  @ApiProperty({ format: 'date-time' })
  startedAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: string | null;

  @ApiProperty()
  status!: string;

  @ApiProperty({ type: 'integer', description: 'Open findings right after the run' })
  open!: number;
}

export class TraceabilityDto {
  @ApiProperty({ format: 'date' })
  from!: string;

  @ApiProperty({ format: 'date' })
  to!: string;

  @ApiProperty({ type: 'integer', description: 'Successful production deployments in the window' })
  deployments!: number;

  @ApiProperty({ type: 'integer', description: 'Of those, linked to a change approved before they started' })
  traced!: number;

  @ApiProperty({
    type: 'number',
    nullable: true,
    description: 'traced / deployments, 0-1; null without deployments',
  })
  rate!: number | null;
}

export class EmergencyReleaseDto implements EmergencyRelease {
  @ApiProperty({ description: 'The deployment ref' })
  deployment!: string;

  @ApiProperty({ type: String, nullable: true })
  service!: string | null;

  @ApiProperty()
  environment!: string;

  @ApiProperty({ format: 'date-time' })
  finishedAt!: string;

  @ApiProperty({ description: 'The emergency change number' })
  change!: string;

  @ApiProperty()
  changeState!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  closedAt!: string | null;

  @ApiProperty({ type: 'number' })
  reviewHours!: number;

  @ApiProperty({ format: 'date-time', description: 'finishedAt + reviewHours' })
  reviewDue!: string;

  @ApiProperty({ enum: ['in_time', 'late', 'overdue', 'pending'] })
  review!: EmergencyReview;
}

export class ConnectorHealthDto {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  plugin!: string;

  @ApiProperty()
  enabled!: boolean;

  @ApiProperty(CONNECTOR_HEALTH_SCHEMA)
  health!: 'ok' | 'degraded' | 'failing' | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastSuccessAt!: string | null;
}

export class LastRunDto {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  status!: string;

  @ApiProperty({ format: 'date-time' })
  startedAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: string | null;

  @ApiProperty(SOURCE_COUNTS_SCHEMA)
  sources!: Record<string, number>;
}

export class OverviewDto implements Overview {
  @ApiProperty({ format: 'date-time' })
  generatedAt!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: "The caller's team: every figure is that team's",
  })
  team!: string | null;

  @ApiProperty({ type: OpenFindingsDto })
  open!: OpenFindingsDto;

  @ApiProperty({ type: [FamilyOpenDto] })
  byFamily!: FamilyOpenDto[];

  @ApiProperty({ type: [TeamOpenDto] })
  byTeam!: TeamOpenDto[];

  @ApiProperty({ type: [TrendPointDto], description: 'The open count after each of the last 15 runs' })
  trend!: TrendPointDto[];

  @ApiProperty({ type: TraceabilityDto, description: 'Over the last 30 days' })
  traceability!: TraceabilityDto;

  @ApiProperty({ type: [EmergencyReleaseDto], description: 'Those whose review is pending or overdue' })
  emergencyReleases!: EmergencyReleaseDto[];

  @ApiProperty({ type: [ConnectorHealthDto] })
  connectors!: ConnectorHealthDto[];

  @ApiProperty({ type: LastRunDto, nullable: true })
  lastRun!: LastRunDto | null;
}
