/** Releases as the API answers them (releases-read.service.ts), for the OpenAPI document. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Page } from '../cursor';
import type { ReleaseDetail, ReleaseSummary } from '../releases-read.service';
import { FindingDto } from './findings-response.dto';

export class ReleaseSummaryDto implements ReleaseSummary {
  @ApiProperty({ description: 'The deployment ref', example: 'gitlab:acme/payments-api#1042' })
  ref!: string;

  @ApiProperty()
  connector!: string;

  @ApiProperty({ description: 'GitLab project path or Jenkins job' })
  project!: string;

  @ApiProperty({ type: String, nullable: true })
  service!: string | null;

  @ApiProperty()
  environment!: string;

  @ApiProperty({ type: String, nullable: true })
  version!: string | null;

  @ApiProperty()
  commitSha!: string;

  @ApiProperty({ format: 'date-time' })
  startedAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: string | null;

  @ApiProperty({ type: String, nullable: true })
  triggeredBy!: string | null;

  @ApiProperty({ description: 'Whether it came from a pipeline' })
  viaPipeline!: boolean;

  @ApiProperty({
    type: [String],
    description: 'Change numbers it references (whether or not they exist in the change source)',
  })
  changeNumbers!: string[];

  @ApiProperty({ type: 'integer', description: 'Open or reopened findings about the deployment itself' })
  openFindings!: number;
}

export class ReleasePageDto implements Page<ReleaseSummary> {
  @ApiProperty({ type: [ReleaseSummaryDto], description: 'Newest first' })
  items!: ReleaseSummaryDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The `cursor` of the next page; null on the last',
  })
  nextCursor!: string | null;

  @ApiProperty({ type: 'integer' })
  limit!: number;
}

export class ReleaseChangeDto {
  @ApiProperty({ example: 'servicenow:CHG0030042' })
  ref!: string;

  @ApiProperty({ example: 'CHG0030042' })
  number!: string;

  @ApiProperty({ description: 'normal, standard or emergency' })
  type!: string;

  @ApiProperty()
  state!: string;

  @ApiProperty()
  approval!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  approvalSetAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  plannedStart!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  plannedEnd!: string | null;

  @ApiProperty({ type: String, nullable: true })
  requestedBy!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  closedAt!: string | null;

  @ApiProperty()
  emergency!: boolean;

  @ApiProperty({ type: [String], description: 'Where the number was found (e.g. the MR title, a variable)' })
  foundIn!: string[];
}

export class ReleaseApprovalDto {
  @ApiProperty({
    enum: ['change', 'deployment'],
    description: "A change's approval record, or the deployment's own",
  })
  source!: 'change' | 'deployment';

  @ApiPropertyOptional({ description: 'The change number (source change)' })
  change?: string;

  @ApiProperty()
  approver!: string;

  @ApiProperty()
  state!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  at!: string | null;
}

export class ReleaseMergeRequestDto {
  @ApiProperty({ example: 'gitlab:acme/payments-api!88' })
  ref!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty()
  author!: string;

  @ApiProperty({ type: String, nullable: true })
  mergedBy!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  mergedAt!: string | null;

  @ApiProperty({ type: [String], nullable: true })
  approvedBy!: string[] | null;

  @ApiProperty({ type: 'integer', nullable: true })
  approvalsLeft!: number | null;
}

export class QualityGateDto {
  @ApiProperty({ description: 'Whether quality gates are collected here' })
  available!: boolean;

  @ApiProperty({ type: String, nullable: true, description: 'The analysis status of the deployed commit' })
  status!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  analysedAt!: string | null;

  @ApiProperty({ type: String, nullable: true })
  projectKey!: string | null;
}

export class TestReportDto {
  @ApiProperty({ type: 'integer' })
  total!: number;

  @ApiProperty({ type: 'integer' })
  failed!: number;
}

export class ReleaseLedgerEntryDto {
  @ApiProperty({ type: 'integer' })
  seq!: number;

  @ApiProperty()
  type!: string;

  @ApiProperty({ description: 'The deployment or one of its findings' })
  subject!: string;

  @ApiProperty({ format: 'date-time' })
  at!: string;
}

export class ReleaseEvidenceDto {
  @ApiProperty({ description: 'Whether this server keeps the evidence ledger' })
  ledger!: boolean;

  @ApiProperty({ type: [ReleaseLedgerEntryDto] })
  entries!: ReleaseLedgerEntryDto[];
}

export class ReleaseDetailDto extends ReleaseSummaryDto implements ReleaseDetail {
  @ApiProperty({ type: String, nullable: true })
  pipelineId!: string | null;

  @ApiProperty({ type: String, nullable: true })
  jobName!: string | null;

  @ApiProperty()
  gitRef!: string;

  @ApiProperty()
  isTag!: boolean;

  @ApiProperty({ type: TestReportDto, nullable: true })
  testReport!: TestReportDto | null;

  @ApiProperty({ type: [ReleaseChangeDto], description: 'The linked change requests' })
  changes!: ReleaseChangeDto[];

  @ApiProperty({
    type: [String],
    description: 'Change numbers referenced but not found in any change source',
  })
  unknownChanges!: string[];

  @ApiProperty({ type: [ReleaseApprovalDto] })
  approvals!: ReleaseApprovalDto[];

  @ApiProperty({ type: [ReleaseMergeRequestDto], description: 'The merge requests shipped with it' })
  mergeRequests!: ReleaseMergeRequestDto[];

  @ApiProperty({ type: QualityGateDto })
  qualityGate!: QualityGateDto;

  @ApiProperty({ type: [FindingDto], description: 'About the deployment, its changes, MRs and commit' })
  findings!: FindingDto[];

  @ApiProperty({ type: ReleaseEvidenceDto })
  evidence!: ReleaseEvidenceDto;
}
