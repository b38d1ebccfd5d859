/**
 * Contract tests of the `entitlements` stream: the real Vault samples (and the read samples with
 * fields changed, see scenario.ts) replayed through nock as raw text.
 */
import nock from 'nock';
import type { VaultOptions } from '../src';
import { CONNECTOR, JSON_HEADERS, OVER_NOCK, readStream, recordsOf, TOKEN, type TestHooks } from './context';
import { vault } from './nock-vault';
import { fixture, sample } from './samples';
import {
  E,
  ENTITY_BODIES,
  ENTITY_IDS,
  G,
  GROUP_BODIES,
  list,
  SAMPLE_ENTITY_ID,
  SAMPLE_ENTITY_NAME,
  tokenAccepted,
  wholeStore,
} from './scenario';

/** The stream read over nock (lists as `GET ?list=true`, see OVER_NOCK). */
function read(options: VaultOptions = {}, hooks: TestHooks = {}) {
  return readStream('entitlements', { ...OVER_NOCK, ...options }, hooks);
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

/** Every entity read but one, answered as in the scenario. */
function entitiesExcept(scope: nock.Scope, skipped: string): void {
  for (const [id, body] of Object.entries(ENTITY_BODIES)) {
    if (id !== skipped) scope.get(`/v1/identity/entity/id/${id}`).reply(200, body, JSON_HEADERS);
  }
}

function groupsAll(scope: nock.Scope): void {
  for (const [id, body] of Object.entries(GROUP_BODIES))
    scope.get(`/v1/identity/group/id/${id}`).reply(200, body, JSON_HEADERS);
}

describe('vault entitlements stream (contract)', () => {
  it('records every (entity, policy) pair: direct, through a group, through parent groups, cycles ended', async () => {
    const scope = wholeStore(vault());

    const batches = await read();
    scope.done();

    expect(batches).toHaveLength(1);
    expect(batches[0].problems).toBeUndefined();
    expect(batches[0].cursor).toBeUndefined();
    const records = recordsOf(batches, 'entitlement');
    expect([...records.keys()].sort()).toEqual(
      [
        `${SAMPLE_ENTITY_NAME}:eng-dev`,
        `${SAMPLE_ENTITY_NAME}:infra-dev`,
        'bob:default-kv',
        'bob:payments-kv',
        'bob:prod-read',
        'ci-runner:prod-deploy',
        'dave:default-kv',
        'dave:payments-kv',
        'dave:prod-read',
        'jane:prod-db-admin',
        'jane:prod-deploy',
        'svc-reporting:default',
        'svc-reporting:prod-read',
      ].sort(),
    );

    // The real read sample: policies attached to the entity, no alias.
    expect(records.get(`${SAMPLE_ENTITY_NAME}:eng-dev`)).toStrictEqual({
      kind: 'entitlement',
      externalId: `${SAMPLE_ENTITY_NAME}:eng-dev`,
      data: { holder: SAMPLE_ENTITY_NAME, holderAliases: [], resource: 'eng-dev', holderType: 'user' },
      raw: {
        entityId: SAMPLE_ENTITY_ID,
        disabled: false,
        grants: [{ source: 'entity' }],
        entity: expect.objectContaining({
          bucket_key_hash: '177553e4c58987f4cc5d7e530136c642',
          metadata: { organization: 'hashicorp', team: 'vault' },
        }),
      },
    });

    // Attached to the entity and granted by sre too: direct wins, both sources kept in raw.
    const direct = records.get('jane:prod-db-admin');
    expect(direct?.data).toStrictEqual({
      holder: 'jane',
      holderAliases: ['jane.doe@acme.com', 'jdoe'],
      resource: 'prod-db-admin',
      holderType: 'user',
    });
    expect((direct?.raw as { grants: unknown }).grants).toEqual([
      { source: 'entity' },
      { source: 'group', groupId: G.sre, groupName: 'sre', path: ['sre'] },
    ]);
    expect(records.get('jane:prod-deploy')?.data).toStrictEqual({
      holder: 'jane',
      holderAliases: ['jane.doe@acme.com', 'jdoe'],
      resource: 'prod-deploy',
      via: 'sre',
      holderType: 'user',
    });

    // Only AppRole aliases: a machine.
    expect(records.get('ci-runner:prod-deploy')?.data).toStrictEqual({
      holder: 'ci-runner',
      holderAliases: ['34c71e5f-49d9-a042-70bc-66e823a8789b'],
      resource: 'prod-deploy',
      via: 'deployers',
      holderType: 'service',
    });

    // Through the direct group, its parent (parent_group_ids) and the parent's parent
    // (member_group_ids of all-staff); all-staff's own parent loops back and is not walked again.
    expect(records.get('bob:payments-kv')?.data.via).toBe('team-payments');
    expect(records.get('bob:prod-read')?.data.via).toBe('engineering');
    expect(records.get('bob:default-kv')?.data).toStrictEqual({
      holder: 'bob',
      holderAliases: [],
      resource: 'default-kv',
      via: 'all-staff',
      holderType: 'user',
    });
    // Disabled: the access is still held; raw says so.
    expect(records.get('bob:default-kv')?.raw).toMatchObject({
      entityId: E.bob,
      disabled: true,
      grants: [
        {
          source: 'group',
          groupId: G.allStaff,
          groupName: 'all-staff',
          path: ['team-payments', 'engineering', 'all-staff'],
        },
      ],
    });

    // Entering the cycle from the top: the nearest group wins for prod-read, the loop ends.
    expect(records.get('dave:prod-read')?.data.via).toBe('all-staff');
    expect(records.get('dave:default-kv')?.data.via).toBe('all-staff');
    expect(records.get('dave:payments-kv')?.data.via).toBe('team-payments');
    expect((records.get('dave:prod-read')?.raw as { grants: unknown }).grants).toEqual([
      { source: 'group', groupId: G.allStaff, groupName: 'all-staff', path: ['all-staff'] },
      {
        source: 'group',
        groupId: G.engineering,
        groupName: 'engineering',
        path: ['all-staff', 'team-payments', 'engineering'],
      },
    ]);

    // Mixed AppRole and LDAP aliases: a user; the alias named like the entity is not another name;
    // the built-in default policy is kept (listed twice by Vault: once here).
    expect(records.get('svc-reporting:default')?.data).toStrictEqual({
      holder: 'svc-reporting',
      holderAliases: ['5f0e8a1c-6d2b-4b43-9a5e-0c2f4f6e2b11'],
      resource: 'default',
      holderType: 'user',
    });

    // carol holds nothing; the sample group (grouppolicy1/2) has no member: nothing from either.
    expect([...records.keys()].some((id) => id.startsWith('carol:') || id.includes('grouppolicy'))).toBe(
      false,
    );
    expect(JSON.stringify(batches)).not.toContain(TOKEN);
  });

  it('reads an empty identity store (404 {"errors":[]}) as complete with no records, not as a failure', async () => {
    const scope = vault();
    list(scope, 'identity/entity/id').reply(404, sample('error-404-empty-list.json'), JSON_HEADERS);

    const batches = await read();
    scope.done();

    expect(batches).toEqual([{ records: [] }]);
  });

  it('takes an empty group list as no groups: direct policies only, complete', async () => {
    const scope = vault();
    list(scope, 'identity/entity/id').reply(200, sample('identity-entity-id-list.json'), JSON_HEADERS);
    list(scope, 'identity/group/id').reply(404, sample('error-404-empty-list.json'), JSON_HEADERS);
    for (const [id, body] of Object.entries(ENTITY_BODIES))
      scope.get(`/v1/identity/entity/id/${id}`).reply(200, body, JSON_HEADERS);

    const batches = await read();
    scope.done();

    expect(batches[0].problems).toBeUndefined();
    expect([...recordsOf(batches, 'entitlement').keys()].sort()).toEqual([
      `${SAMPLE_ENTITY_NAME}:eng-dev`,
      `${SAMPLE_ENTITY_NAME}:infra-dev`,
      'jane:prod-db-admin',
      'svc-reporting:default',
      'svc-reporting:prod-read',
    ]);
  });

  it('sends X-Vault-Namespace on every request when a namespace is configured', async () => {
    const scope = wholeStore(vault('admin/team-a'));

    const batches = await read({ namespace: ' /admin/team-a/ ' });
    scope.done();

    expect(recordsOf(batches, 'entitlement').size).toBe(13);
  });

  it('sends no namespace header for an empty namespace', async () => {
    const scope = vault();
    list(scope, 'identity/entity/id').reply(404, sample('error-404-empty-list.json'), JSON_HEADERS);

    await read({ namespace: '' });
    scope.done();
  });

  it('waits as Vault asks after a 429 (resource quota) and goes on', async () => {
    const sleeps: number[] = [];
    const scope = vault();
    list(scope, 'identity/entity/id').reply(200, sample('identity-entity-id-list.json'), JSON_HEADERS);
    list(scope, 'identity/group/id').reply(200, sample('identity-group-id-list.json'), JSON_HEADERS);
    scope
      .get(`/v1/identity/entity/id/${E.jane}`)
      .reply(429, '{"errors":["request path \\"identity/entity/id\\": rate limit quota exceeded"]}', {
        ...JSON_HEADERS,
        'Retry-After': '2',
      });
    for (const [id, body] of Object.entries(ENTITY_BODIES))
      scope.get(`/v1/identity/entity/id/${id}`).reply(200, body, JSON_HEADERS);
    groupsAll(scope);

    const batches = await read({}, { sleeps });
    scope.done();

    expect(sleeps).toEqual([2000]);
    expect(batches[0].problems).toBeUndefined();
    expect(recordsOf(batches, 'entitlement').get('jane:prod-deploy')?.data.via).toBe('sre');
  });

  it('names an entity it could not read (5xx after the retry) and keeps the others: partial', async () => {
    const scope = vault();
    list(scope, 'identity/entity/id').reply(200, sample('identity-entity-id-list.json'), JSON_HEADERS);
    list(scope, 'identity/group/id').reply(200, sample('identity-group-id-list.json'), JSON_HEADERS);
    scope
      .get(`/v1/identity/entity/id/${E.jane}`)
      .times(2)
      .reply(500, sample('error-response.json'), JSON_HEADERS);
    entitiesExcept(scope, E.jane);
    groupsAll(scope);

    const batches = await read();
    scope.done();

    const records = recordsOf(batches, 'entitlement');
    expect(records.has('jane:prod-deploy')).toBe(false);
    expect(records.has('bob:prod-read')).toBe(true);
    expect(batches.flatMap((b) => b.problems ?? [])).toEqual([
      {
        where: `entity ${E.jane}`,
        error: `${CONNECTOR}: GET /v1/identity/entity/id/${E.jane} failed (server 500): message; another message`,
        kinds: ['entitlement'],
      },
    ]);
  });

  it('makes a malformed entity or group body a problem naming it (partial), never a silent drop', async () => {
    const scope = vault();
    list(scope, 'identity/entity/id').reply(200, sample('identity-entity-id-list.json'), JSON_HEADERS);
    list(scope, 'identity/group/id').reply(200, sample('identity-group-id-list.json'), JSON_HEADERS);
    scope
      .get(`/v1/identity/entity/id/${E.jane}`)
      .reply(200, '{"data":{"id":"x","name":"jane","policies":"prod-db-admin"}}', JSON_HEADERS);
    entitiesExcept(scope, E.jane);
    scope
      .get(`/v1/identity/group/id/${G.sre}`)
      .reply(200, '<html>maintenance</html>', { 'Content-Type': 'text/html' });
    for (const [id, body] of Object.entries(GROUP_BODIES))
      if (id !== G.sre) scope.get(`/v1/identity/group/id/${id}`).reply(200, body, JSON_HEADERS);

    const batches = await read();
    scope.done();

    const problems = batches.flatMap((b) => b.problems ?? []);
    expect(problems).toEqual([
      {
        where: `entity ${E.jane}`,
        error: `GET /v1/identity/entity/id/${E.jane} answered a malformed entity: policies is not a list`,
        kinds: ['entitlement'],
      },
      {
        where: `group ${G.sre}`,
        error: expect.stringMatching(
          new RegExp(
            `^${CONNECTOR}: GET /v1/identity/group/id/${G.sre} failed \\(malformed 200\\): the body is not valid JSON`,
          ),
        ),
        kinds: ['entitlement'],
      },
    ]);
    expect(recordsOf(batches, 'entitlement').has('ci-runner:prod-deploy')).toBe(true);
  });

  it('makes an entity list that is not a list a problem (partial, nothing recorded), not an empty success', async () => {
    const scope = vault();
    list(scope, 'identity/entity/id').reply(200, '{"data":{"keys":"02fe5a88"}}', JSON_HEADERS);

    const batches = await read();
    scope.done();

    expect(batches).toEqual([
      {
        records: [],
        problems: [
          {
            where: 'GET /v1/identity/entity/id?list=true',
            error: `${CONNECTOR}: GET /v1/identity/entity/id failed (malformed 200): the body has no data.keys list of strings`,
            kinds: ['entitlement'],
          },
        ],
      },
    ]);
  });

  it('makes a 403 of the list a lasting problem naming the capability to add (partial, nothing recorded), without printing a token the body echoes', async () => {
    const scope = vault();
    list(scope, 'identity/entity/id').reply(
      403,
      JSON.stringify({ errors: [`permission denied for token ${TOKEN}`] }),
      JSON_HEADERS,
    );
    tokenAccepted(scope);

    const batches = await read();
    scope.done();

    expect(batches).toEqual([
      {
        records: [],
        problems: [
          {
            where: 'GET /v1/identity/entity/id?list=true',
            error: `${CONNECTOR}: GET /v1/identity/entity/id failed (forbidden 403): the token's policies must grant the "list" capability on "identity/entity/id" (Vault said: permission denied for token [REDACTED])`,
            kinds: ['entitlement'],
            code: 'vault-capability-missing',
            fix: 'add to a policy of the token: path "identity/entity/id" { capabilities = ["list"] }',
            lasting: true,
          },
        ],
      },
    ]);
    expect(JSON.stringify(batches)).not.toContain(TOKEN);
  });

  it('fails the stream when the token itself is refused (the list and lookup-self both 403): nothing was read', async () => {
    const scope = vault();
    list(scope, 'identity/entity/id').reply(403, fixture('error-403-permission-denied.json'), JSON_HEADERS);
    scope
      .get('/v1/auth/token/lookup-self')
      .reply(403, fixture('error-403-permission-denied.json'), JSON_HEADERS);

    await expect(read()).rejects.toThrow(
      `${CONNECTOR}: GET /v1/auth/token/lookup-self failed (forbidden 403): the token was refused: it is invalid, expired or revoked, or no policy of it grants "read" on "auth/token/lookup-self" (the default policy does) (Vault said: 1 error occurred: * permission denied)`,
    );
    scope.done();
  });

  it('makes a 403 of the entity reads one lasting problem for the namespace, not one per entity', async () => {
    const scope = vault();
    list(scope, 'identity/entity/id').reply(200, sample('identity-entity-id-list.json'), JSON_HEADERS);
    list(scope, 'identity/group/id').reply(200, sample('identity-group-id-list.json'), JSON_HEADERS);
    scope
      .get(/^\/v1\/identity\/entity\/id\/.+$/)
      .times(ENTITY_IDS.length)
      .reply(403, fixture('error-403-permission-denied.json'), JSON_HEADERS);
    groupsAll(scope);

    const batches = await read();
    scope.done();

    expect(recordsOf(batches, 'entitlement').size).toBe(0);
    expect(batches.flatMap((b) => b.problems ?? [])).toEqual([
      {
        where: 'entity reads (GET /v1/identity/entity/id/:id)',
        error: expect.stringMatching(
          /failed \(forbidden 403\): the token's policies must grant the "read" capability on "identity\/entity\/id\/\*" \(Vault said: 1 error occurred: \* permission denied\)/,
        ),
        kinds: ['entitlement'],
        code: 'vault-capability-missing',
        fix: 'add to a policy of the token: path "identity/entity/id/*" { capabilities = ["read"] }',
        lasting: true,
      },
    ]);
  });

  it('makes a 404 of the list that carries a message (an unknown namespace) a lasting problem: not an empty list', async () => {
    const scope = vault('nowhere');
    list(scope, 'identity/entity/id').reply(
      404,
      '{"errors":["no handler for route \\"nowhere/identity/entity/id\\""]}',
      JSON_HEADERS,
    );

    const batches = await read({ namespace: 'nowhere' });
    scope.done();

    expect(batches).toEqual([
      {
        records: [],
        problems: [
          {
            where: 'GET /v1/identity/entity/id?list=true',
            error: `${CONNECTOR}: GET /v1/identity/entity/id failed (not_found 404): no handler for route "nowhere/identity/entity/id"`,
            kinds: ['entitlement'],
            code: 'vault-namespace-unknown',
            fix: expect.stringContaining('namespace nowhere exists'),
            lasting: true,
          },
        ],
      },
    ]);
  });
});
