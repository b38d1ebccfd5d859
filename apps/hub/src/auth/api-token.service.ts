/**
 * API tokens: `ahk_` followed by 32 random bytes in base64url. The database keeps only the token's
 * SHA-256, so a leaked database does not leak usable tokens, and the token is shown once, when it
 * is created. A high-entropy random token needs no slow hash: SHA-256 cannot be brute-forced back.
 */
import { Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { DataSource, IsNull } from 'typeorm';
import { Clock } from '../common/clock';
import { HubError } from '../common/errors';
import { ApiTokenEntity } from './api-token.entity';
import { API_ROLES, ApiRole, isApiRole, Principal } from './principal';

export const TOKEN_PREFIX = 'ahk_';
const TOKEN_SHAPE = /^ahk_[A-Za-z0-9_-]{43}$/;
const NAME_SHAPE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/;
/** last_used_at is written at most this often per token, so reads do not turn into writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Whether a bearer value looks like one of our tokens (else it may be an OIDC JWT). */
export function isApiTokenShape(value: string): boolean {
  return TOKEN_SHAPE.test(value);
}

export interface CreateTokenRequest {
  role: string;
  team?: string | null;
  name?: string;
}

export interface CreatedToken {
  /** Shown once; never stored. */
  token: string;
  id: string;
  name: string;
  role: ApiRole;
  team: string | null;
  createdAt: string;
}

export interface TokenInfo {
  id: string;
  name: string;
  role: ApiRole;
  team: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

@Injectable()
export class ApiTokenService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async create(request: CreateTokenRequest): Promise<CreatedToken> {
    if (!isApiRole(request.role))
      throw new HubError('usage', `--role: must be one of ${API_ROLES.join(', ')}, not "${request.role}"`);
    const team = request.team?.trim() || null;
    if (request.team !== undefined && request.team !== null && !team)
      throw new HubError('usage', '--team: must not be empty');
    const name = request.name?.trim() || `${request.role}-${randomBytes(4).toString('hex')}`;
    if (!NAME_SHAPE.test(name))
      throw new HubError(
        'usage',
        `--name: "${name}" must be 1-100 letters, digits, ".", "_", "@" or "-", starting with a letter or digit`,
      );
    const repo = this.dataSource.getRepository(ApiTokenEntity);
    if (await repo.existsBy({ name }))
      throw new HubError('usage', `--name: a token named "${name}" already exists`);
    const token = generateToken();
    const row: ApiTokenEntity = {
      id: randomUUID(),
      name,
      role: request.role,
      team,
      tokenHash: hashToken(token),
      createdAt: this.clock.now().toISOString(),
      lastUsedAt: null,
      revokedAt: null,
    };
    await repo.insert(row);
    return { token, id: row.id, name, role: row.role, team, createdAt: row.createdAt };
  }

  /** The principal a token stands for; null when it is unknown or revoked. */
  async authenticate(token: string): Promise<Principal | null> {
    if (!isApiTokenShape(token)) return null;
    const hash = hashToken(token);
    const row = await this.dataSource
      .getRepository(ApiTokenEntity)
      .findOneBy({ tokenHash: hash, revokedAt: IsNull() });
    // The lookup is by hash; compare again in constant time so no timing reveals a near match.
    if (!row || !timingSafeEqual(Buffer.from(row.tokenHash, 'hex'), Buffer.from(hash, 'hex'))) return null;
    if (!isApiRole(row.role)) return null;
    const now = this.clock.now();
    if (!row.lastUsedAt || now.getTime() - Date.parse(row.lastUsedAt) > LAST_USED_RESOLUTION_MS) {
      await this.dataSource
        .getRepository(ApiTokenEntity)
        .update({ id: row.id }, { lastUsedAt: now.toISOString() });
    }
    return { id: `token:${row.name}`, name: row.name, role: row.role, team: row.team, kind: 'token' };
  }

  async list(): Promise<TokenInfo[]> {
    const rows = await this.dataSource
      .getRepository(ApiTokenEntity)
      .find({ order: { createdAt: 'ASC', name: 'ASC' } });
    return rows.map(({ id, name, role, team, createdAt, lastUsedAt, revokedAt }) => ({
      id,
      name,
      role,
      team,
      createdAt,
      lastUsedAt,
      revokedAt,
    }));
  }

  /** Revokes a token by name or id; a revoked token is refused from the next call on. */
  async revoke(nameOrId: string): Promise<TokenInfo> {
    const repo = this.dataSource.getRepository(ApiTokenEntity);
    const row = (await repo.findOneBy({ name: nameOrId })) ?? (await repo.findOneBy({ id: nameOrId }));
    if (!row) throw new HubError('not_found', `no API token named "${nameOrId}"`);
    if (!row.revokedAt) {
      row.revokedAt = this.clock.now().toISOString();
      await repo.update({ id: row.id }, { revokedAt: row.revokedAt });
    }
    const { id, name, role, team, createdAt, lastUsedAt, revokedAt } = row;
    return { id, name, role, team, createdAt, lastUsedAt, revokedAt };
  }
}
