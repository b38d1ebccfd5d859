import { DataSource } from 'typeorm';
import { dropTestDataSource, testDataSource } from '../../../../test/support/database';
import type { Clock } from '../common/clock';
import { HubError } from '../common/errors';
import { ApiTokenEntity } from './api-token.entity';
import { ApiTokenService, hashToken, isApiTokenShape } from './api-token.service';

describe('ApiTokenService', () => {
  let ds: DataSource;
  let now = new Date('2026-11-02T10:00:00Z');
  let tokens: ApiTokenService;

  beforeAll(async () => {
    ds = await testDataSource('sqlite');
    tokens = new ApiTokenService(ds, { now: () => now } as Clock);
  });
  afterAll(() => dropTestDataSource(ds));

  it('creates ahk_ + 32 random bytes, stores only its SHA-256, and authenticates it', async () => {
    const created = await tokens.create({ role: 'auditor', team: 'payments', name: 'jane' });
    expect(created.token).toMatch(/^ahk_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(created.token.slice(4), 'base64url')).toHaveLength(32);
    expect(isApiTokenShape(created.token)).toBe(true);
    const row = await ds.getRepository(ApiTokenEntity).findOneByOrFail({ name: 'jane' });
    expect(row.tokenHash).toBe(hashToken(created.token));
    expect(JSON.stringify(row)).not.toContain(created.token.slice(4));
    await expect(tokens.authenticate(created.token)).resolves.toEqual({
      id: 'token:jane',
      name: 'jane',
      role: 'auditor',
      team: 'payments',
      kind: 'token',
    });
    expect((await ds.getRepository(ApiTokenEntity).findOneByOrFail({ name: 'jane' })).lastUsedAt).toBe(
      now.toISOString(),
    );
  });

  it('refuses unknown, malformed and revoked tokens', async () => {
    const created = await tokens.create({ role: 'operator', name: 'ops-bot' });
    const other = `ahk_${Buffer.alloc(32, 7).toString('base64url')}`;
    await expect(tokens.authenticate(other)).resolves.toBeNull();
    await expect(tokens.authenticate('ahk_short')).resolves.toBeNull();
    now = new Date('2026-11-02T11:00:00Z');
    const revoked = await tokens.revoke('ops-bot');
    expect(revoked.revokedAt).toBe(now.toISOString());
    await expect(tokens.authenticate(created.token)).resolves.toBeNull();
  });

  it('names a default token by role and refuses bad roles, names and duplicates', async () => {
    const created = await tokens.create({ role: 'admin' });
    expect(created.name).toMatch(/^admin-[0-9a-f]{8}$/);
    expect(created.team).toBeNull();
    await expect(tokens.create({ role: 'root' })).rejects.toThrow(
      new HubError('usage', '--role: must be one of admin, operator, auditor, not "root"'),
    );
    await expect(tokens.create({ role: 'auditor', name: 'jane' })).rejects.toThrow(
      /--name: a token named "jane" already exists/,
    );
    await expect(tokens.create({ role: 'auditor', name: 'has space' })).rejects.toThrow(
      /--name: "has space" must be/,
    );
    await expect(tokens.create({ role: 'auditor', team: '  ' })).rejects.toThrow(/--team: must not be empty/);
  });

  it('lists tokens without their secrets', async () => {
    const list = await tokens.list();
    expect(list.map((t) => t.name)).toEqual(expect.arrayContaining(['jane', 'ops-bot']));
    for (const t of list)
      expect(Object.keys(t).sort()).toEqual([
        'createdAt',
        'id',
        'lastUsedAt',
        'name',
        'revokedAt',
        'role',
        'team',
      ]);
  });
});
