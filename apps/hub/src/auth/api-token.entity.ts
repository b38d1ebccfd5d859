import { Entity, Index } from 'typeorm';
import { InstantColumn, VarcharColumn, VarcharPrimaryColumn } from '../store/entities/columns';
import type { ApiRole } from './principal';

/**
 * An API token (`tokens create`). Only the SHA-256 of the token is kept: the token itself is
 * printed once and cannot be recovered from the database.
 */
@Entity({ name: 'api_token' })
@Index('UQ_api_token_hash', ['tokenHash'], { unique: true })
@Index('UQ_api_token_name', ['name'], { unique: true })
export class ApiTokenEntity {
  /** A UUID. */
  @VarcharPrimaryColumn('id', 36)
  id!: string;

  @VarcharColumn('name', 100)
  name!: string;

  @VarcharColumn('role', 10)
  role!: ApiRole;

  @VarcharColumn('team', 255, { nullable: true })
  team!: string | null;

  /** Hex SHA-256 of the whole token string (`ahk_…`). */
  @VarcharColumn('token_hash', 64)
  tokenHash!: string;

  @InstantColumn('created_at')
  createdAt!: string;

  @InstantColumn('last_used_at', { nullable: true })
  lastUsedAt!: string | null;

  @InstantColumn('revoked_at', { nullable: true })
  revokedAt!: string | null;
}
