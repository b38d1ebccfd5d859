/**
 * Contract tests of the `groups` stream: the real Vault samples (and the read samples with fields
 * changed, see scenario.ts) replayed through nock as raw text.
 */
import nock from 'nock';
import type { VaultOptions } from '../src';
import { CONNECTOR, JSON_HEADERS, OVER_NOCK, readStream, recordsOf, TOKEN } from './context';
import { vault } from './nock-vault';
import { fixture, sample } from './samples';
import { E, ENTITY_BODIES, G, GROUP_BODIES, list, tokenAccepted } from './scenario';

/** The entities that are direct members of a scenario group. */
const MEMBERS = [E.jane, E.ciRunner, E.bob, E.dave];

function read(options: VaultOptions = {}) {
  return readStream('groups', { ...OVER_NOCK, ...options });
}

/** The group list sample, every group read, and the reads of the member entities but `skipped`. */
function store(scope: nock.Scope, skipped?: string): nock.Scope {
  list(scope, 'identity/group/id').reply(200, sample('identity-group-id-list.json'), JSON_HEADERS);
  for (const [id, body] of Object.entries(GROUP_BODIES))
    scope.get(`/v1/identity/group/id/${id}`).reply(200, body, JSON_HEADERS);
  for (const id of MEMBERS)
    if (id !== skipped) scope.get(`/v1/identity/entity/id/${id}`).reply(200, ENTITY_BODIES[id], JSON_HEADERS);
  return scope;
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('vault groups stream (contract)', () => {
  it('records each direct (group, member entity) pair, reading each member once for its name', async () => {
    const scope = store(vault());

    const batches = await read();
    scope.done();

    expect(batches).toHaveLength(1);
    expect(batches[0].problems).toBeUndefined();
    const records = recordsOf(batches, 'group-membership');
    // engineering has only a subgroup and the sample group no member: no direct membership; bob is
    // not recorded in engineering or all-staff (what they pass on is in the entitlements).
    expect([...records.keys()].sort()).toEqual([
      'all-staff/dave',
      'deployers/ci-runner',
      'sre/jane',
      'team-payments/bob',
    ]);
    expect(records.get('sre/jane')).toStrictEqual({
      kind: 'group-membership',
      externalId: 'sre/jane',
      data: { group: 'sre', member: 'jane', source: CONNECTOR },
      raw: {
        group: { id: G.sre, name: 'sre', type: 'internal' },
        entity: {
          id: E.jane,
          name: 'jane',
          disabled: false,
          aliases: [
            { name: 'jane.doe@acme.com', mountType: 'oidc', mountAccessor: 'auth_oidc_4b42d1a4' },
            { name: 'jdoe', mountType: 'ldap', mountAccessor: 'auth_ldap_bd90f507' },
          ],
        },
      },
    });
    // An external group (members follow the auth method's groups) is recorded the same way.
    expect(records.get('deployers/ci-runner')?.raw).toMatchObject({ group: { type: 'external' } });
    // A disabled member is still a member.
    expect(records.get('team-payments/bob')?.raw).toMatchObject({ entity: { disabled: true } });
    expect(JSON.stringify(batches)).not.toContain(TOKEN);
  });

  it('reads an empty group list (404 {"errors":[]}) as complete with no records', async () => {
    const scope = vault();
    list(scope, 'identity/group/id').reply(404, sample('error-404-empty-list.json'), JSON_HEADERS);

    const batches = await read();
    scope.done();

    expect(batches).toEqual([{ records: [] }]);
  });

  it('sends X-Vault-Namespace on every request', async () => {
    const scope = store(vault('admin'));

    const batches = await read({ namespace: 'admin' });
    scope.done();

    expect(recordsOf(batches, 'group-membership').size).toBe(4);
  });

  it('names a member entity it could not read (partial) and keeps the other memberships', async () => {
    const scope = store(vault(), E.bob);
    scope
      .get(`/v1/identity/entity/id/${E.bob}`)
      .reply(404, sample('error-404-empty-list.json'), JSON_HEADERS);

    const batches = await read();
    scope.done();

    expect([...recordsOf(batches, 'group-membership').keys()].sort()).toEqual([
      'all-staff/dave',
      'deployers/ci-runner',
      'sre/jane',
    ]);
    expect(batches.flatMap((b) => b.problems ?? [])).toEqual([
      {
        where: `entity ${E.bob}`,
        error: `${CONNECTOR}: GET /v1/identity/entity/id/${E.bob} failed (not_found 404): {"errors":[]} (not in namespace (base): deleted since it was listed, or it belongs to another namespace)`,
        kinds: ['group-membership'],
      },
    ]);
  });

  it('makes a group body without a name a problem naming the group (partial)', async () => {
    const scope = vault();
    list(scope, 'identity/group/id').reply(200, sample('identity-group-id-list.json'), JSON_HEADERS);
    for (const [id, body] of Object.entries(GROUP_BODIES)) {
      const answer = id === G.sre ? '{"data":{"id":"' + G.sre + '","member_entity_ids":["x"]}}' : body;
      scope.get(`/v1/identity/group/id/${id}`).reply(200, answer, JSON_HEADERS);
    }
    for (const id of MEMBERS)
      if (id !== E.jane)
        scope.get(`/v1/identity/entity/id/${id}`).reply(200, ENTITY_BODIES[id], JSON_HEADERS);

    const batches = await read();
    scope.done();

    expect(recordsOf(batches, 'group-membership').size).toBe(3);
    expect(batches.flatMap((b) => b.problems ?? [])).toEqual([
      {
        where: `group ${G.sre}`,
        error: `GET /v1/identity/group/id/${G.sre} answered a malformed group: name is not a non-empty string`,
        kinds: ['group-membership'],
      },
    ]);
  });

  it('makes a 403 of the group list a lasting problem naming the capability to add', async () => {
    const scope = vault();
    list(scope, 'identity/group/id').reply(403, fixture('error-403-permission-denied.json'), JSON_HEADERS);
    tokenAccepted(scope);

    const batches = await read();
    scope.done();
    expect(batches).toEqual([
      {
        records: [],
        problems: [
          {
            where: 'GET /v1/identity/group/id?list=true',
            error: `${CONNECTOR}: GET /v1/identity/group/id failed (forbidden 403): the token's policies must grant the "list" capability on "identity/group/id" (Vault said: 1 error occurred: * permission denied)`,
            kinds: ['group-membership'],
            code: 'vault-capability-missing',
            fix: 'add to a policy of the token: path "identity/group/id" { capabilities = ["list"] }',
            lasting: true,
          },
        ],
      },
    ]);
  });
});
