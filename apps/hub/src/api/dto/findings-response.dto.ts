/**
 * Findings as the API answers them (findings-read.service.ts), for the OpenAPI document. Each
 * class implements the interface the service returns, so a field added there and not here fails
 * to compile; test/openapi.e2e-spec.ts checks the answers against these schemas.
 */
import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { FINDING_STATUSES, SEVERITIES } from '@audit-hub/domain';
import type { FindingView } from '../../runs/run-report.builder';
import type { ApiFinding, FindingDetail, FindingPage, ListedFinding } from '../findings-read.service';
import { FindingDueDto } from './finding-due.dto';

export const SEVERITY_SCHEMA = { enum: [...SEVERITIES] } as const;
export const FINDING_STATUS_SCHEMA = { enum: [...FINDING_STATUSES] } as const;

/** A count per severity. */
export class BySeverityDto {
  @ApiProperty({ type: 'integer' })
  critical!: number;

  @ApiProperty({ type: 'integer' })
  high!: number;

  @ApiProperty({ type: 'integer' })
  medium!: number;

  @ApiProperty({ type: 'integer' })
  low!: number;
}

export class FindingSubjectDto implements Readonly<FindingView['subject']> {
  @ApiProperty({ description: 'deployment, change, merge_request, commit, entitlement or service' })
  type!: string;

  @ApiProperty({ description: 'The subject ref, e.g. gitlab:acme/payments-api#1042' })
  ref!: string;

  @ApiProperty({ type: String, nullable: true })
  service!: string | null;

  @ApiProperty({ type: String, nullable: true })
  environment!: string | null;
}

export class SubjectRefDto {
  @ApiProperty({ description: 'A subject type, e.g. change' })
  type!: string;

  @ApiProperty({ description: 'Its ref, e.g. servicenow:CHG0030042' })
  ref!: string;
}

export class TicketDto {
  @ApiProperty({ description: 'The tracker connector id' })
  tracker!: string;

  @ApiProperty({ description: "The ticket's key in the tracker, e.g. SEC-12" })
  key!: string;

  @ApiPropertyOptional()
  url?: string;
}

/** A finding as `reconcile --format json` prints it. */
export class FindingViewDto implements FindingView {
  @ApiProperty({
    description: '<controlId>|<subject ref>',
    example: 'RM-CHG-001|gitlab:acme/payments-api#1042',
  })
  key!: string;

  @ApiProperty({ example: 'RM-CHG-001' })
  controlId!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty(SEVERITY_SCHEMA)
  severity!: FindingView['severity'];

  @ApiProperty(FINDING_STATUS_SCHEMA)
  status!: FindingView['status'];

  @ApiProperty({ type: FindingSubjectDto })
  subject!: FindingSubjectDto;

  @ApiProperty({ description: 'A sentence an auditor can read' })
  reason!: string;

  @ApiProperty({ type: [SubjectRefDto], description: 'The records the finding rests on besides its subject' })
  related!: SubjectRefDto[];

  @ApiProperty({ type: [String], example: ['SOX:ITGC-CM', 'PCI-DSS-4.0:6.5.1'] })
  frameworks!: string[];

  @ApiProperty({ format: 'date-time' })
  firstSeenAt!: string;

  @ApiProperty({ format: 'date-time' })
  lastSeenAt!: string;

  @ApiProperty({ type: TicketDto, nullable: true })
  ticket!: TicketDto | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description:
      'The exception that accepts it (accepted findings): where it comes from, who approved it, until when',
  })
  exception?: Record<string, unknown> | null;
}

export class FindingDto extends FindingViewDto implements ApiFinding {
  @ApiProperty({ type: String, nullable: true, description: "The service's team (services[].team)" })
  team!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  resolvedAt!: string | null;
}

/** A finding of GET /findings and GET /findings/{key}: with its age and due date (finding-due.ts). */
export class ListedFindingDto extends IntersectionType(FindingDto, FindingDueDto) implements ListedFinding {}

export class FindingPageDto implements FindingPage {
  @ApiProperty({ type: [ListedFindingDto] })
  items!: ListedFindingDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The `cursor` of the next page; null on the last',
  })
  nextCursor!: string | null;

  @ApiProperty({ type: 'integer' })
  limit!: number;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'The instant statuses are given as of; null for now',
  })
  asOf!: string | null;
}

export class FindingTransitionDto {
  @ApiProperty({ format: 'date-time' })
  at!: string;

  @ApiProperty()
  runId!: string;

  @ApiProperty({
    type: String,
    enum: [...FINDING_STATUSES, null],
    nullable: true,
    description: 'null: the finding was new',
  })
  from!: string | null;

  @ApiProperty(FINDING_STATUS_SCHEMA)
  to!: string;

  @ApiProperty({ type: String, nullable: true })
  reason!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'What it was decided on: the records and parameters the control read',
  })
  input!: unknown;
}

export class FindingLedgerEntryDto {
  @ApiProperty({ type: 'integer' })
  seq!: number;

  @ApiProperty()
  type!: string;

  @ApiProperty({ format: 'date-time' })
  at!: string;

  @ApiProperty({ type: String, nullable: true })
  runId!: string | null;
}

export class FindingEvidenceDto {
  @ApiProperty({ description: 'Whether this server keeps the evidence ledger' })
  ledger!: boolean;

  @ApiProperty({ type: [FindingLedgerEntryDto] })
  entries!: FindingLedgerEntryDto[];
}

export class FindingDetailDto extends ListedFindingDto implements FindingDetail {
  @ApiProperty()
  lastRunId!: string;

  @ApiProperty({ type: String, nullable: true })
  resolvedByRun!: string | null;

  @ApiProperty({ type: [FindingTransitionDto], description: 'Every transition, oldest first' })
  history!: FindingTransitionDto[];

  @ApiProperty({ type: FindingEvidenceDto })
  evidence!: FindingEvidenceDto;
}
