/**
 * Contract tests of Vault Enterprise namespaces (docs/connectors/vault.md "On real instances"):
 * identity is per namespace, read with `X-Vault-Namespace`; a group may hold entities of another
 * namespace; names outside the base carry their namespace. The bodies are the read samples with
 * fields changed (scenario.ts), with the `namespace_id` that `handleEntityReadCommon` adds.
 */
import nock from 'nock';
import type { VaultOptions } from '../src';
import { BASE, JSON_HEADERS, OVER_NOCK, readStream, recordsOf } from './context';
import { vault } from './nock-vault';
import { fixture, parsed, sample } from './samples';
import { entity, group, list } from './scenario';

const ROOT_JANE = '5a1c9e2b-7d3f-4e6a-8b0c-1d2e3f4a5b6c';
const TEAM_JANE = 'c7e1b2a3-4d5e-6f70-8a9b-0c1d2e3f4a5b';
const SRE = '9f8e7d6c-5b4a-3928-1706-f5e4d3c2b1a0';
const OPS = '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';

const ENTERPRISE = JSON.stringify({
  ...parsed(fixture('sys-health.json')),
  version: '1.16.3',
  enterprise: true,
});
const EMPTY = sample('error-404-empty-list.json');

function keys(...ids: string[]): string {
  return JSON.stringify({ data: { keys: ids } });
}

function health(body = ENTERPRISE): nock.Scope {
  return nock(BASE, { badheaders: ['x-vault-token', 'x-vault-namespace'] })
    .get('/v1/sys/health')
    .reply(200, body, JSON_HEADERS);
}

const rootJane = entity(ROOT_JANE, 'jane', { namespace_id: 'root', policies: [] });
/** Another `jane`, in team-a: a policy of its namespace attached to it. */
const teamJane = entity(TEAM_JANE, 'jane', { namespace_id: 'gsudj', policies: ['prod-db'] });
/** A root group holding both janes (Vault lets a group hold entities of any namespace). */
const sre = group(SRE, 'sre', { policies: ['prod-db-admin'], member_entity_ids: [ROOT_JANE, TEAM_JANE] });
/** A team-a group holding both too: its policies reach root's jane only when applied to any namespace. */
const ops = group(OPS, 'ops', { policies: ['deploy'], member_entity_ids: [TEAM_JANE, ROOT_JANE] });

/** The root namespace (no header) and team-a (its header), each answering its own identity. */
function twoNamespaces(): nock.Scope[] {
  const root = vault();
  list(root, 'identity/entity/id').reply(200, keys(ROOT_JANE), JSON_HEADERS);
  list(root, 'identity/group/id').reply(200, keys(SRE), JSON_HEADERS);
  root.get(`/v1/identity/entity/id/${ROOT_JANE}`).reply(200, rootJane, JSON_HEADERS);
  root.get(`/v1/identity/group/id/${SRE}`).reply(200, sre, JSON_HEADERS);
  const teamA = vault('team-a');
  list(teamA, 'identity/entity/id').reply(200, keys(TEAM_JANE), JSON_HEADERS);
  list(teamA, 'identity/group/id').reply(200, keys(OPS), JSON_HEADERS);
  teamA.get(`/v1/identity/entity/id/${TEAM_JANE}`).reply(200, teamJane, JSON_HEADERS);
  teamA.get(`/v1/identity/group/id/${OPS}`).reply(200, ops, JSON_HEADERS);
  return [root, teamA];
}

function read(stream: 'entitlements' | 'groups', options: VaultOptions) {
  return readStream(stream, { ...OVER_NOCK, ...options });
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('vault namespaces (contract)', () => {
  it('reads each namespace with its header, keeps two namespaces’ jane apart, and applies a group’s policies down its namespace only', async () => {
    const edition = health();
    const scopes = twoNamespaces();

    const batches = await read('entitlements', { namespaces: ['', 'team-a'] });
    edition.done();
    scopes.forEach((scope) => scope.done());

    expect(batches.flatMap((b) => b.problems ?? [])).toEqual([]);
    const records = recordsOf(batches, 'entitlement');
    expect([...records.keys()].sort()).toEqual([
      'jane:prod-db-admin',
      'team-a/jane:prod-db-admin',
      'team-a/jane:team-a/deploy',
      'team-a/jane:team-a/prod-db',
    ]);
    // team-a's jane: its own policy and its namespace's group's are team-a's; root's group reaches
    // it (team-a is below root). It still resolves to a person through its plain name.
    expect(records.get('team-a/jane:team-a/prod-db')?.data).toStrictEqual({
      holder: 'team-a/jane',
      holderAliases: ['jane'],
      resource: 'team-a/prod-db',
      holderType: 'user',
    });
    expect(records.get('team-a/jane:team-a/deploy')?.data.via).toBe('team-a/ops');
    expect(records.get('team-a/jane:prod-db-admin')?.data.via).toBe('sre');
    expect(records.get('team-a/jane:team-a/deploy')?.raw).toMatchObject({
      entityId: TEAM_JANE,
      namespace: 'team-a',
      grants: [{ source: 'group', groupId: OPS, groupName: 'ops', path: ['ops'], namespace: 'team-a' }],
    });
  });

  it('applies a group’s policies to members of every namespace when groupPolicyApplication is any', async () => {
    const edition = health();
    twoNamespaces();

    const batches = await read('entitlements', { namespaces: ['', 'team-a'], groupPolicyApplication: 'any' });
    edition.done();
    expect(recordsOf(batches, 'entitlement').get('jane:team-a/deploy')?.data.via).toBe('team-a/ops');
  });

  it('says so when a group lists a member of a namespace not read, instead of dropping its policies', async () => {
    const root = vault();
    list(root, 'identity/entity/id').reply(200, keys(ROOT_JANE), JSON_HEADERS);
    list(root, 'identity/group/id').reply(200, keys(SRE), JSON_HEADERS);
    root.get(`/v1/identity/entity/id/${ROOT_JANE}`).reply(200, rootJane, JSON_HEADERS);
    root.get(`/v1/identity/group/id/${SRE}`).reply(200, sre, JSON_HEADERS);

    const batches = await read('entitlements', {});
    root.done();

    expect([...recordsOf(batches, 'entitlement').keys()]).toEqual(['jane:prod-db-admin']);
    expect(batches.flatMap((b) => b.problems ?? [])).toEqual([
      {
        where: `group sre member ${TEAM_JANE}`,
        error: expect.stringContaining('the member entity is in none of the namespaces read'),
        kinds: ['entitlement'],
        code: 'vault-member-outside-namespaces',
        fix: expect.stringContaining('options.namespaces'),
      },
    ]);
  });

  it('finds the namespaces a glob names with LIST sys/namespaces, level by level', async () => {
    const edition = health();
    const [root, teamA] = twoNamespaces();
    list(root, 'sys/namespaces').reply(200, fixture('sys-namespaces-list.json'), JSON_HEADERS);
    list(teamA, 'sys/namespaces').reply(404, EMPTY, JSON_HEADERS);
    const teamB = vault('team-b');
    list(teamB, 'sys/namespaces').reply(404, EMPTY, JSON_HEADERS);
    list(teamB, 'identity/entity/id').reply(404, EMPTY, JSON_HEADERS);
    list(teamB, 'identity/group/id').reply(404, EMPTY, JSON_HEADERS);

    const batches = await read('entitlements', { namespaces: ['*'] });
    edition.done();
    [root, teamA, teamB].forEach((scope) => scope.done());
    expect(batches.flatMap((b) => b.problems ?? [])).toEqual([]);
    expect(recordsOf(batches, 'entitlement').size).toBe(4);
  });

  it('reads no other namespace of a Vault that is not Enterprise: a lasting problem, the base still read', async () => {
    const edition = health(fixture('sys-health.json'));
    const root = vault();
    list(root, 'identity/entity/id').reply(404, EMPTY, JSON_HEADERS);

    const batches = await read('entitlements', { namespaces: ['', 'team-a'] });
    edition.done();
    root.done();
    expect(batches).toEqual([
      {
        records: [],
        problems: [
          {
            where: 'options.namespaces',
            error: 'Vault 0.9.2 is not Enterprise and has no namespaces: team-a not read',
            kinds: ['entitlement'],
            code: 'vault-namespaces-unsupported',
            fix: expect.stringContaining('remove the namespaces'),
            lasting: true,
          },
        ],
      },
    ]);
  });

  it('reads a group’s member of another namespace in that namespace, for the groups stream', async () => {
    const edition = health();
    const root = vault();
    list(root, 'identity/group/id').reply(200, keys(SRE), JSON_HEADERS);
    list(root, 'identity/entity/id').reply(200, keys(ROOT_JANE), JSON_HEADERS);
    root.get(`/v1/identity/group/id/${SRE}`).reply(200, sre, JSON_HEADERS);
    root.get(`/v1/identity/entity/id/${ROOT_JANE}`).reply(200, rootJane, JSON_HEADERS);
    const teamA = vault('team-a');
    list(teamA, 'identity/group/id').reply(404, EMPTY, JSON_HEADERS);
    list(teamA, 'identity/entity/id').reply(200, keys(TEAM_JANE), JSON_HEADERS);
    teamA.get(`/v1/identity/entity/id/${TEAM_JANE}`).reply(200, teamJane, JSON_HEADERS);

    const batches = await read('groups', { namespaces: ['', 'team-a'] });
    edition.done();
    root.done();
    teamA.done();
    expect(batches.flatMap((b) => b.problems ?? [])).toEqual([]);
    expect([...recordsOf(batches, 'group-membership').keys()].sort()).toEqual([
      'sre/jane',
      'sre/team-a/jane',
    ]);
  });
});
