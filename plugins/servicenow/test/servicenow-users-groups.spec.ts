import nock from 'nock';
import { GROUP_MEMBER_FIELDS } from '../src/servicenow-group-member.mapper';
import { USER_FIELDS } from '../src/servicenow-user.mapper';
import { BASE_URL, JSON_HEADERS, connect, drain, firstRun, stream, tablePath, tableQuery } from './harness';
import { fixture } from './samples';

const ORDER = 'ORDERBYsys_updated_on^ORDERBYsys_id';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('users stream (sys_user)', () => {
  it('reads every user on a first run (no since horizon) and maps strings to booleans', async () => {
    const scope = nock(BASE_URL)
      .get(tablePath('sys_user'))
      .query(tableQuery({ query: ORDER, fields: USER_FIELDS, limit: 3 }))
      .reply(200, fixture('sys-user-page-1.json'), JSON_HEADERS)
      .get(tablePath('sys_user'))
      .query(
        tableQuery({ query: `sys_updated_on>=2024-02-01 12:00:00^${ORDER}`, fields: USER_FIELDS, limit: 3 }),
      )
      .reply(200, fixture('sys-user-page-2.json'), JSON_HEADERS)
      .get(tablePath('sys_user'))
      .query(
        tableQuery({
          query: `sys_updated_on>=2024-02-01 12:00:00^${ORDER}`,
          fields: USER_FIELDS,
          limit: 3,
          offset: 3,
        }),
      )
      .reply(200, fixture('empty-page.json'), JSON_HEADERS);

    const { connection } = await connect({ pageSize: 3 });
    const batches = await drain(stream(connection, 'users'), firstRun());
    scope.done();

    expect(batches).toHaveLength(1);
    expect(batches[0].cursor).toEqual({ updatedOn: '2024-02-01 12:00:00' });
    expect(batches[0].problems).toBeUndefined();
    expect(batches[0].records.map(({ kind, externalId, data }) => ({ kind, externalId, data }))).toEqual([
      {
        kind: 'identity',
        externalId: 'jdoe',
        data: { userName: 'jdoe', email: 'Jane.Doe@acme.com', name: 'Jane Doe', active: true },
      },
      {
        kind: 'identity',
        externalId: 'asmith',
        data: { userName: 'asmith', name: 'Alex Smith', active: false },
      },
    ]);
  });

  it('reads only users updated since the watermark on the next run', async () => {
    const scope = nock(BASE_URL)
      .get(tablePath('sys_user'))
      .query(
        tableQuery({
          query: `sys_updated_on>=2024-02-01 12:00:00^${ORDER}`,
          fields: USER_FIELDS,
          limit: 1000,
        }),
      )
      .reply(200, fixture('empty-page.json'), JSON_HEADERS);
    const { connection } = await connect();
    const input = {
      cursor: { updatedOn: '2024-02-01 12:00:00' },
      full: false,
      since: new Date('2024-04-01T00:00:00Z'),
    };
    expect(await drain(stream(connection, 'users'), input)).toEqual([]);
    scope.done();
  });
});

describe('groups stream (sys_user_grmember)', () => {
  it('pages the snapshot by sys_id past a short page, dropping orphans and duplicates', async () => {
    const scope = nock(BASE_URL)
      .get(tablePath('sys_user_grmember'))
      .query(tableQuery({ query: 'ORDERBYsys_id', fields: GROUP_MEMBER_FIELDS, limit: 3 }))
      .reply(200, fixture('sys-user-grmember-page-1.json'), JSON_HEADERS)
      .get(tablePath('sys_user_grmember'))
      .query(
        tableQuery({
          query: 'sys_id>0a52d3dcd7011200f2d224837e6103f3^ORDERBYsys_id',
          fields: GROUP_MEMBER_FIELDS,
          limit: 3,
        }),
      )
      .reply(200, fixture('sys-user-grmember-page-2.json'), JSON_HEADERS)
      .get(tablePath('sys_user_grmember'))
      .query(
        tableQuery({
          query: 'sys_id>0a52d3dcd7011200f2d224837e6103f4^ORDERBYsys_id',
          fields: GROUP_MEMBER_FIELDS,
          limit: 3,
        }),
      )
      .reply(200, fixture('empty-page.json'), JSON_HEADERS);

    const { connection } = await connect({ pageSize: 3 });
    const def = stream(connection, 'groups');
    expect(def).toMatchObject({ kinds: ['group-membership'], mode: 'snapshot' });
    const batches = await drain(def, firstRun());
    scope.done();

    expect(batches.every((b) => b.problems === undefined && b.cursor === undefined)).toBe(true);
    expect(
      batches.flatMap((b) => b.records.map(({ kind, externalId, data }) => ({ kind, externalId, data }))),
    ).toEqual([
      {
        kind: 'group-membership',
        externalId: 'Developers/jdoe',
        data: { group: 'Developers', member: 'jdoe', source: 'servicenow' },
      },
      {
        kind: 'group-membership',
        externalId: 'Network/asmith',
        data: { group: 'Network', member: 'asmith', source: 'servicenow' },
      },
    ]);
  });
});
