import nock from 'nock';
import { CHANGE_FIELDS } from '../src/servicenow-change.mapper';
import { BASE_URL, connect, counted, drain, firstRun, stream, tablePath, tableQuery } from './harness';
import { fixture, sample } from './samples';

const ORDER = 'ORDERBYsys_updated_on^ORDERBYsys_id';
const JDOE = 'a8f98bb0eb32010045e1a5115206fe3a';
const ASMITH = '62826bf03710200044e0bfc8bcbe5df1';
const GONE = '0a826bf03710200044e0bfc8bcbe5d00';

function changesPage(from: string, offset = 0, limit = 3) {
  return tableQuery({ query: `sys_updated_on>=${from}^${ORDER}`, fields: CHANGE_FIELDS, limit, offset });
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('changes stream (change_request)', () => {
  it('maps every field, continues past a short page, skips re-read rows and ends on the count', async () => {
    // Five rows match from the horizon (one hidden after the limit): the first window of 3 returns 2.
    // From the watermark, 3 rows match and the window of 3 holds them all: no further page.
    const scope = nock(BASE_URL)
      .get(tablePath('change_request'))
      .query(changesPage('2024-04-01 00:00:00'))
      .reply(200, fixture('change-request-page-1.json'), counted(5))
      .get(tablePath('sys_user'))
      .query(
        tableQuery({ query: `sys_idIN${JDOE},${ASMITH},${GONE}`, fields: ['sys_id', 'user_name'], limit: 3 }),
      )
      .reply(200, fixture('sys-user-lookup.json'), counted(2))
      .get(tablePath('change_request'))
      .query(changesPage('2024-05-02 08:30:00'))
      .reply(200, fixture('change-request-page-2.json'), counted(3));

    const { connection } = await connect({ pageSize: 3, stateMap: { '7': 'review' } });
    const batches = await drain(stream(connection, 'changes'), firstRun());
    scope.done();

    expect(batches).toHaveLength(2);
    const [first, second] = batches;
    expect(first.cursor).toEqual({ updatedOn: '2024-05-02 08:30:00' });
    expect(first.records.map((r) => r.externalId)).toEqual(['CHG0030001', 'CHG0030002']);
    expect(first.records[0]).toMatchObject({ kind: 'change', externalId: 'CHG0030001' });
    expect(first.records[0].data).toEqual({
      number: 'CHG0030001',
      sysId: '1766f1de47410200e90d87e8dee49001',
      type: 'normal',
      state: 'implement',
      approval: 'approved',
      approvalSetAt: '2024-04-30T16:00:00.000Z',
      plannedStart: '2024-05-01T09:00:00.000Z',
      plannedEnd: '2024-05-01T11:00:00.000Z',
      requestedBy: 'jdoe',
      assignedTo: 'asmith',
      ci: { sysId: '3a27f1520a0a0bb400ecd6ff7afcf036', name: 'payments-api' },
      shortDescription: 'Deploy payments-api 2.4.0',
      description: 'Release 2.4.0 of payments-api to production.\r\n\r\nBackout: redeploy 2.3.9.',
    });
    // Empty strings are absent fields; a requester missing from sys_user is a problem, not a sys_id.
    expect(first.records[1].data).toEqual({
      number: 'CHG0030002',
      sysId: '1766f1de47410200e90d87e8dee49002',
      type: 'emergency',
      state: 'closed',
      approval: 'not_requested',
      closedAt: '2024-05-02T08:30:00.000Z',
      closeCode: 'successful',
      shortDescription: 'Hotfix ledger rounding',
      description: '',
    });
    // sys_user does not count GONE among the rows of the lookup: deleted, not hidden.
    expect(first.problems).toEqual([
      {
        where: 'change_request CHG0030002 (sys_id 1766f1de47410200e90d87e8dee49002) requested_by',
        error: `sys_user ${GONE} no longer exists (deleted): who or what it was cannot be read`,
        kinds: ['change'],
        code: 'servicenow-reference-deleted',
        fix: expect.stringContaining('sys_audit_delete'),
        lasting: true,
      },
    ]);

    // CHG0030002 was served again (same second as the watermark) and is not emitted twice; the
    // requesters of page 2 were resolved on page 1 and are not looked up again.
    expect(second.cursor).toEqual({ updatedOn: '2024-05-03 09:00:00' });
    expect(second.records.map((r) => r.externalId)).toEqual(['CHG0030003']);
    expect(second.records[0].data).toMatchObject({ type: 'standard', state: 'review', requestedBy: 'jdoe' });
    expect(second.problems).toEqual([
      {
        where: 'change_request CHG0030004 (sys_id 1766f1de47410200e90d87e8dee49004)',
        error: expect.stringContaining('unknown state code "99": map it in options.stateMap'),
        kinds: ['change'],
      },
    ]);
  });

  it('starts the next run at the saved watermark, inclusive', async () => {
    const scope = nock(BASE_URL)
      .get(tablePath('change_request'))
      .query(changesPage('2024-05-03 09:00:00'))
      .reply(200, fixture('empty-page.json'), counted(0));
    const { connection } = await connect({ pageSize: 3 });
    const batches = await drain(stream(connection, 'changes'), {
      cursor: { updatedOn: '2024-05-03 09:00:00' },
      full: false,
      since: new Date('2024-04-01T00:00:00Z'),
    });
    scope.done();
    expect(batches).toEqual([]);
  });

  it('ANDs options.changeQuery in front of the watermark, once its fields are known to exist', async () => {
    const scope = nock(BASE_URL)
      .get(tablePath('change_request'))
      .query(tableQuery({ fields: ['active', 'type'], limit: 1 }))
      .reply(200, fixture('change-request-query-fields.json'), counted(40))
      .get(tablePath('change_request'))
      .query(
        tableQuery({
          query: `active=true^ORtype=emergency^sys_updated_on>=2024-04-01 00:00:00^${ORDER}`,
          fields: CHANGE_FIELDS,
          limit: 1000,
        }),
      )
      .reply(200, fixture('empty-page.json'), counted(0));
    const { connection } = await connect({ changeQuery: 'active=true^ORtype=emergency' });
    expect(await drain(stream(connection, 'changes'), firstRun())).toEqual([]);
    scope.done();
  });

  it('reports a changeQuery naming a field change_request does not have, instead of reading it silently', async () => {
    // Table API reference: an invalid part of sysparm_query is ignored (every row matches), or with
    // glide.invalid_query.returns_no_rows=true no row matches; sysparm_fields ignores invalid fields.
    const query = 'active=true^ORtyp=emergency';
    const scope = nock(BASE_URL)
      .get(tablePath('change_request'))
      .query(tableQuery({ fields: ['active', 'typ'], limit: 1 }))
      .reply(200, fixture('change-request-query-fields-misspelt.json'), counted(40))
      .get(tablePath('change_request'))
      .query(
        tableQuery({
          query: `${query}^sys_updated_on>=2024-04-01 00:00:00^${ORDER}`,
          fields: CHANGE_FIELDS,
          limit: 1000,
        }),
      )
      .reply(200, fixture('empty-page.json'), counted(0));
    const { connection } = await connect({ changeQuery: query });
    const batches = await drain(stream(connection, 'changes'), firstRun());
    scope.done();
    expect(batches).toEqual([
      {
        records: [],
        problems: [
          expect.objectContaining({
            where: 'options.changeQuery',
            error: expect.stringContaining('typ is not a field of change_request'),
            kinds: ['change'],
            code: 'servicenow-change-query-invalid',
          }),
        ],
      },
    ]);
    expect(batches[0].problems?.[0].lasting).toBeUndefined();
  });

  it('reads on past a window of changes hidden by ACLs, to the readable changes after it', async () => {
    // sysparm_limit "is applied before ACL evaluation" (Table API reference): with a page of 2, the
    // window after CHG0030101 holds two hidden changes and comes back empty, while X-Total-Count
    // still counts them and CHG0030104 follows. The old client stopped there, for good.
    const gt = (after: string, upTo?: string) =>
      tableQuery({
        query: `sys_updated_on>${after}${upTo ? `^sys_updated_on<=${upTo}` : ''}^${ORDER}`,
        fields: CHANGE_FIELDS,
        limit: 2,
      });
    const first = '1766f1de47410200e90d87e8dee49101';
    const scope = nock(BASE_URL)
      .get(tablePath('change_request'))
      .query(changesPage('2024-04-01 00:00:00', 0, 2))
      .reply(200, fixture('change-request-hidden-block-1.json'), counted(4))
      .get(tablePath('change_request'))
      .query(changesPage('2024-05-01 10:00:00', 0, 2))
      .reply(200, fixture('change-request-hidden-block-1.json'), counted(4))
      .get(tablePath('change_request'))
      .query(
        tableQuery({
          query: `sys_updated_on=2024-05-01 10:00:00^sys_id>${first}^ORDERBYsys_id`,
          fields: CHANGE_FIELDS,
          limit: 2,
        }),
      )
      .reply(200, fixture('empty-page.json'), counted(0))
      .get(tablePath('change_request'))
      .query(gt('2024-05-01 10:00:00'))
      .reply(200, fixture('empty-page.json'), counted(3))
      // Split a day past the run's clock (2024-06-01), then halfway.
      .get(tablePath('change_request'))
      .query(gt('2024-05-01 10:00:00', '2024-06-02 00:00:00'))
      .reply(200, fixture('empty-page.json'), counted(3))
      .get(tablePath('change_request'))
      .query(gt('2024-05-01 10:00:00', '2024-05-17 05:00:00'))
      .reply(200, fixture('empty-page.json'), counted(2))
      .get(tablePath('change_request'))
      .query(gt('2024-05-17 05:00:00', '2024-06-02 00:00:00'))
      .reply(200, fixture('change-request-hidden-block-2.json'), counted(1))
      .get(tablePath('change_request'))
      .query(gt('2024-06-02 00:00:00'))
      .reply(200, fixture('empty-page.json'), counted(0));

    const { connection } = await connect({ pageSize: 2 });
    const batches = await drain(stream(connection, 'changes'), firstRun());
    scope.done();
    expect(batches.map((b) => [b.records.map((r) => r.externalId), b.cursor, b.problems])).toEqual([
      [['CHG0030101'], { updatedOn: '2024-05-01 10:00:00' }, undefined],
      [['CHG0030104'], { updatedOn: '2024-05-20 09:00:00' }, undefined],
    ]);
  });

  it('says a requester hidden by a sys_user ACL is a permission to grant, not a deleted user', async () => {
    const scope = nock(BASE_URL)
      .get(tablePath('change_request'))
      .query(changesPage('2024-04-01 00:00:00'))
      .reply(200, fixture('change-request-page-1.json'), counted(2))
      .get(tablePath('sys_user'))
      .query(
        tableQuery({ query: `sys_idIN${JDOE},${ASMITH},${GONE}`, fields: ['sys_id', 'user_name'], limit: 3 }),
      )
      .reply(200, fixture('sys-user-lookup.json'), counted(3));
    const { connection } = await connect({ pageSize: 3 });
    const [batch] = await drain(stream(connection, 'changes'), firstRun());
    scope.done();
    expect(batch.problems).toEqual([
      {
        where: 'change_request CHG0030002 (sys_id 1766f1de47410200e90d87e8dee49002) requested_by',
        error: `sys_user ${GONE} exists but a read ACL hides it from the integration user`,
        kinds: ['change'],
        code: 'servicenow-reference-hidden',
        fix: expect.stringContaining('read ACL on sys_user'),
      },
    ]);
  });

  it('asks only for change_request fields the vendor change record has', () => {
    const vendor = JSON.parse(sample('chg-rest-change-get.json')) as {
      result: Record<string, unknown>;
    };
    const ownFields = CHANGE_FIELDS.filter((field) => !field.includes('.'));
    expect(ownFields.filter((field) => !(field in vendor.result))).toEqual([]);
  });
});
