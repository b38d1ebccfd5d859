/**
 * Contract tests of the `group-members` stream: the members of each configured group (inherited
 * ones included) with their access level, from docs-derived fixtures replayed through nock.
 */
import nock from 'nock';
import type { Batch } from '@audit-hub/plugin-sdk';
import { BASE, connect, SINCE, TOKEN } from './context';
import { fixture } from './samples';

const JSON_HEADERS = { 'Content-Type': 'application/json' };
const LAST_PAGE = { ...JSON_HEADERS, 'X-Page': '1', 'X-Per-Page': '100', 'X-Next-Page': '' };

function gitlab(): nock.Scope {
  return nock(BASE, { reqheaders: { 'private-token': TOKEN } });
}

async function readMembers(groups: string[]): Promise<Batch[]> {
  const connection = await connect({ groups });
  const stream = connection.streams.find((s) => s.name === 'group-members')!;
  expect(stream).toMatchObject({ kinds: ['group-membership'], mode: 'snapshot' });
  const batches: Batch[] = [];
  for await (const batch of stream.read({ cursor: null, full: false, since: SINCE })) batches.push(batch);
  return batches;
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('gitlab group-members stream (contract)', () => {
  it('maps each member to <group full path>/<user name> with its access level, leaving out expired memberships', async () => {
    const scope = gitlab()
      .get('/api/v4/groups/twitter')
      .reply(200, fixture('group-get.json'), JSON_HEADERS)
      .get('/api/v4/groups/twitter/members/all')
      .query({ per_page: '100' })
      .reply(200, fixture('groups-members-all.json'), LAST_PAGE);
    const batches = await readMembers(['twitter']);
    scope.done();
    expect(batches.flatMap((b) => b.problems ?? [])).toEqual([]);
    // The tests' clock is 2016-09-01: foo_bar's membership expired on 2016-08-22.
    expect(batches.flatMap((b) => b.records.map((r) => [r.externalId, r.data]))).toEqual([
      [
        'twitter/raymond_smith',
        { group: 'twitter', member: 'raymond_smith', source: 'gitlab', accessLevel: 'developer' },
      ],
      [
        'twitter/john_doe',
        { group: 'twitter', member: 'john_doe', source: 'gitlab', accessLevel: 'maintainer' },
      ],
    ]);
  });

  it('a group it may not read, or a page that is not a list, makes the snapshot partial — never an empty group', async () => {
    const scope = gitlab()
      .get('/api/v4/groups/twitter')
      .reply(200, fixture('group-get.json'), JSON_HEADERS)
      .get('/api/v4/groups/twitter/members/all')
      .query({ per_page: '100' })
      .reply(200, '{"message":"oops"}', LAST_PAGE)
      .get('/api/v4/groups/secret')
      .reply(404, '{"message":"404 Group Not Found"}', JSON_HEADERS);
    const batches = await readMembers(['twitter', 'secret']);
    scope.done();
    expect(batches.flatMap((b) => b.records)).toEqual([]);
    expect(batches.flatMap((b) => (b.problems ?? []).map((p) => p.where))).toEqual([
      'group twitter members',
      'group "secret"',
    ]);
    expect(JSON.stringify(batches)).not.toContain(TOKEN);
  });

  it("leaves out an import's placeholder user and the shared Import User: neither can sign in or act in the group", async () => {
    const scope = gitlab()
      .get('/api/v4/groups/twitter')
      .reply(200, fixture('group-get.json'), JSON_HEADERS)
      .get('/api/v4/groups/twitter/members/all')
      .query({ per_page: '100' })
      .reply(200, fixture('groups-members-all-import-accounts.json'), LAST_PAGE);
    const batches = await readMembers(['twitter']);
    scope.done();
    expect(batches.flatMap((b) => b.problems ?? [])).toEqual([]);
    expect(batches.flatMap((b) => b.records.map((r) => r.externalId))).toEqual(['twitter/raymond_smith']);
  });

  it('with no group configured, reads nothing', async () => {
    expect(await readMembers([])).toEqual([]);
  });
});
