/**
 * The caller, the control catalog, the connectors and the ledger check as the API answers them,
 * for the OpenAPI document.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { API_ROLES, ApiRole, Principal } from '../../auth/principal';
import type { ExportSealResult, FirstBad, VerifyResult } from '../../evidence/ledger.types';
import type { ConnectorStatusView } from '../connectors-status.service';
import type { ControlView } from '../controls.controller';
import { SEVERITY_SCHEMA } from './findings-response.dto';

export class PrincipalDto implements Principal {
  @ApiProperty({ description: 'token:<name> or oidc:<subject>; recorded as requester and approver' })
  id!: string;

  @ApiProperty({ description: "The token's name, or the OIDC e-mail or name" })
  name!: string;

  @ApiProperty({ enum: [...API_ROLES] })
  role!: ApiRole;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The one team it is scoped to; null: every team',
  })
  team!: string | null;

  @ApiProperty({ enum: ['token', 'oidc'] })
  kind!: 'token' | 'oidc';
}

export class ControlDto implements ControlView {
  @ApiProperty({ example: 'RM-CHG-001' })
  id!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty({ ...SEVERITY_SCHEMA, description: 'In effect (config may override the default)' })
  severity!: ControlView['severity'];

  @ApiProperty()
  enabled!: boolean;

  @ApiProperty({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
    description: 'The parameters in effect, by name',
  })
  params!: ControlView['params'];

  @ApiProperty({ type: [String], example: ['SOX:ITGC-CM', 'PCI-DSS-4.0:6.5.1'] })
  frameworks!: string[];

  @ApiProperty({ description: 'The subject type it decides on, e.g. deployment' })
  subject!: string;

  @ApiProperty({ type: [String], description: 'The capabilities it needs from the connectors' })
  needs!: string[];

  @ApiProperty()
  description!: string;
}

export class ConnectorLastRunDto {
  @ApiProperty()
  id!: string;

  @ApiProperty({ format: 'date-time' })
  startedAt!: string;
}

export class ConnectorStreamDto {
  @ApiProperty()
  stream!: string;

  @ApiProperty({ type: String, nullable: true, description: "Its status in the connector's last run" })
  status!: string | null;

  @ApiProperty({ type: 'integer', nullable: true })
  records!: number | null;

  @ApiProperty({ type: String, nullable: true })
  error!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastSuccessAt!: string | null;
}

export const CONNECTOR_HEALTH_SCHEMA = {
  type: String,
  // null listed too: with an enum, OpenAPI 3.0 validators accept null only when the enum has it.
  enum: ['ok', 'degraded', 'failing', null],
  nullable: true,
  description: 'ok: every stream of its last run completed; failing: every one failed; null: never collected',
} as const;

export class ConnectorStatusDto implements ConnectorStatusView {
  @ApiProperty()
  id!: string;

  @ApiProperty({ description: 'The plugin id or npm package' })
  plugin!: string;

  @ApiProperty()
  enabled!: boolean;

  @ApiProperty({ description: 'Without user-info, query or fragment' })
  baseUrl!: string;

  @ApiProperty({ type: [String], nullable: true, description: 'null: its config is invalid' })
  capabilities!: string[] | null;

  @ApiProperty(CONNECTOR_HEALTH_SCHEMA)
  health!: ConnectorStatusView['health'];

  @ApiProperty({ type: ConnectorLastRunDto, nullable: true })
  lastRun!: ConnectorLastRunDto | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastSuccessAt!: string | null;

  @ApiProperty({ type: [ConnectorStreamDto] })
  streams!: ConnectorStreamDto[];
}

export class ExportSealDto implements ExportSealResult {
  @ApiProperty({ type: 'integer' })
  version!: number;

  @ApiProperty()
  signed!: boolean;

  @ApiProperty({ type: String, nullable: true })
  keyId!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  exportedAt!: string | null;
}

export class FirstBadDto implements FirstBad {
  @ApiProperty({ type: 'integer', description: 'The first entry missing, altered or not covered' })
  seq!: number;

  @ApiPropertyOptional({ type: String })
  type?: FirstBad['type'];

  @ApiPropertyOptional({ type: 'integer', description: 'The checkpoint at fault' })
  checkpoint?: number;

  @ApiPropertyOptional({ enum: ['header', 'seal'] })
  exportLine?: 'header' | 'seal';

  @ApiProperty()
  reason!: string;
}

export class VerifyResultDto implements VerifyResult {
  @ApiProperty()
  ok!: boolean;

  @ApiProperty({ description: 'Where the ledger was read from' })
  source!: string;

  @ApiProperty({ type: 'integer', description: 'Entries read and verified (up to the first bad one)' })
  entries!: number;

  @ApiProperty({ type: 'integer', nullable: true })
  firstSeq!: number | null;

  @ApiProperty({ type: 'integer', nullable: true })
  lastSeq!: number | null;

  @ApiProperty({ type: 'integer' })
  checkpoints!: number;

  @ApiProperty({ description: 'Every checkpoint carries a valid signature (and there is at least one)' })
  signed!: boolean;

  @ApiProperty({ type: 'integer' })
  unsignedCheckpoints!: number;

  @ApiProperty({ type: [String], description: 'Hex SHA-256 of the keys the checkpoints were signed with' })
  keyIds!: string[];

  @ApiProperty({ type: [String], description: 'The keys checkpoints must be signed with; none: not pinned' })
  trustedKeyIds!: string[];

  @ApiProperty({ type: 'integer', description: 'The recomputed Merkle tree: size' })
  treeSize!: number;

  @ApiProperty({ type: String, nullable: true, description: 'The recomputed Merkle root' })
  rootHash!: string | null;

  @ApiProperty({ type: 'integer', description: 'Entries after the last checkpoint' })
  unanchored!: number;

  @ApiProperty({ type: 'integer', description: 'Entries 1..prunedThrough were removed by retention pruning' })
  prunedThrough!: number;

  @ApiProperty({ type: String, nullable: true })
  comparedWith!: string | null;

  @ApiProperty({ type: ExportSealDto, nullable: true, description: 'null for the database' })
  exportSeal!: ExportSealDto | null;

  @ApiPropertyOptional({ type: FirstBadDto })
  firstBad?: FirstBadDto;
}
