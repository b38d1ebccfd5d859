/** Contract tests of the `inventory` snapshot stream against the Table API, replayed through nock. */
import type { NormalizedRecord } from '@audit-hub/domain';
import type { Batch } from '@audit-hub/plugin-sdk';
import nock from 'nock';
import { CONFIG_ITEM_FIELDS, configItemFields } from '../src';
import {
  BASE,
  BASIC_HEADER,
  connect,
  counted,
  JSON_HEADERS,
  PASSWORD,
  readInventory,
  tablePath,
  tableQuery,
} from './context';
import { fixture, sample } from './samples';

const APPL = tablePath('cmdb_ci_appl');
const FIELDS = [...CONFIG_ITEM_FIELDS];
const FIRST = tableQuery({ query: 'ORDERBYsys_id', fields: FIELDS, limit: 1000 });

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
// nock's interceptor patches node's shared `http` module: restore it, or the next test file in this
// jest worker runs under two interceptors and a socket error (replyWithError) goes unhandled.
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

function instance(): nock.Scope {
  return nock(BASE, { reqheaders: { authorization: BASIC_HEADER } });
}

function records(batches: Batch[]): Omit<NormalizedRecord, 'raw'>[] {
  return batches.flatMap((b) =>
    b.records.map(({ kind, externalId, data }) => ({ kind, externalId, data }) as never),
  );
}

describe('cmdb inventory stream (contract)', () => {
  it('reads every CI of cmdb_ci_appl by sys_id past a short page, and maps each field', async () => {
    // Six CIs match (X-Total-Count counts before ACLs); the window of 3 returns 2, one hidden
    // between them; after …0702 three match and the window holds them all: the read ends there.
    const scope = instance()
      .get(APPL)
      .query(tableQuery({ query: 'ORDERBYsys_id', fields: FIELDS, limit: 3 }))
      .reply(200, fixture('cmdb_ci_appl-page-1.json'), counted(6))
      .get(APPL)
      .query(
        tableQuery({
          query: 'sys_id>0c43b5e0db5e1010a1b2c3d4e5f60702^ORDERBYsys_id',
          fields: FIELDS,
          limit: 3,
        }),
      )
      .reply(200, fixture('cmdb_ci_appl-page-2.json'), counted(3));

    const { connection } = await connect({ pageSize: 3 });
    expect(connection.streams.map(({ name, kinds, mode }) => ({ name, kinds, mode }))).toEqual([
      { name: 'inventory', kinds: ['config-item'], mode: 'snapshot' },
    ]);
    const batches = await readInventory(connection);
    scope.done();

    expect(batches.every((b) => b.cursor === undefined)).toBe(true);
    expect(records(batches)).toEqual([
      {
        kind: 'config-item',
        externalId: '0c43b5e0db5e1010a1b2c3d4e5f60701',
        data: {
          name: 'payments-api',
          class: 'cmdb_ci_appl',
          version: '2.4.1',
          environment: 'Production',
          installStatus: 'installed',
          criticality: 1,
          ownerGroup: 'Payments Team',
        },
      },
      // support_group as {link, value} (an instance ignoring sysparm_exclude_reference_link); empty version.
      {
        kind: 'config-item',
        externalId: '0c43b5e0db5e1010a1b2c3d4e5f60702',
        data: {
          name: 'orders',
          class: 'cmdb_ci_appl',
          environment: 'Staging',
          installStatus: 'retired',
          criticality: 3,
          ownerGroup: 'Order Management',
        },
      },
      // install_status 100 (Absent) is `other`; empty criticality, environment and group are left out.
      {
        kind: 'config-item',
        externalId: '0c43b5e0db5e1010a1b2c3d4e5f60704',
        data: { name: 'legacy-batch', class: 'cmdb_ci_appl', version: '1.0', installStatus: 'other' },
      },
      // The nameless CI (…0705) is skipped; `web` has a criticality outside the out-of-box choices.
      {
        kind: 'config-item',
        externalId: '0c43b5e0db5e1010a1b2c3d4e5f60706',
        data: {
          name: 'web',
          class: 'cmdb_ci_appl',
          version: '5.0.0',
          environment: 'Development',
          installStatus: 'other',
          ownerGroup: 'Payments Team',
        },
      },
    ]);
    // The CI hidden in the first window cannot be told from a deleted one: the snapshot is not whole.
    expect(batches.flatMap((b) => b.problems ?? [])).toEqual([
      {
        where: 'cmdb_ci_appl 0c43b5e0db5e1010a1b2c3d4e5f60706 (web)',
        error: 'business_criticality "high" is not one of "1 - most critical" … "4 - not critical"',
        kinds: ['config-item'],
      },
      {
        where: 'GET /api/now/table/cmdb_ci_appl',
        error: expect.stringMatching(/^1 row of cmdb_ci_appl counted by the instance but hidden/),
        kinds: ['config-item'],
        code: 'servicenow-rows-hidden',
        fix: expect.stringContaining('cmdb_ci_appl read ACL'),
        lasting: true,
      },
    ]);
  });

  it('reads the real Table API list shape (table-problem-list.json): strings, {link, value} references, sys_class_name', async () => {
    const fields = configItemFields('number');
    const scope = instance()
      .get(tablePath('problem'))
      .query(tableQuery({ query: 'ORDERBYsys_id', fields, limit: 1000 }))
      .reply(200, sample('table-problem-list.json'), counted(1));

    const { connection } = await connect({ table: 'problem', nameField: 'number' });
    const batches = await readInventory(connection);
    scope.done();
    expect(batches.flatMap((b) => b.problems ?? [])).toEqual([]);
    expect(records(batches)).toEqual([
      {
        kind: 'config-item',
        externalId: '04ce72c9c0a8016600b5b7f75ac67b5b',
        data: { name: 'PRB0000050', class: 'problem', installStatus: 'other' },
      },
    ]);
  });

  it('reports every CI as a problem when the name field does not come back, so nothing is marked deleted', async () => {
    const fields = configItemFields('u_service_key');
    expect(fields).toEqual([...FIELDS, 'u_service_key']);
    const scope = instance()
      .get(APPL)
      .query(tableQuery({ query: 'ORDERBYsys_id', fields, limit: 1000 }))
      .reply(200, fixture('cmdb_ci_appl-page-1.json'), counted(2));

    const { connection } = await connect({ nameField: 'u_service_key' });
    const batches = await readInventory(connection);
    scope.done();
    expect(records(batches)).toEqual([]);
    expect(batches.flatMap((b) => b.problems ?? []).map((p) => p.error)).toEqual([
      'the row has no u_service_key field (not a field of cmdb_ci_appl, or hidden by a field ACL)',
      'the row has no u_service_key field (not a field of cmdb_ci_appl, or hidden by a field ACL)',
    ]);
  });

  it('waits out a 429 (real sample, Retry-After) and reads on', async () => {
    const scope = instance()
      .get(APPL)
      .query(FIRST)
      .reply(429, sample('error-429-rate-limit.json'), {
        ...JSON_HEADERS,
        'Retry-After': '7',
        'X-RateLimit-Limit': '100',
        'X-RateLimit-Reset': '1714557600',
      })
      .get(APPL)
      .query(FIRST)
      .reply(200, fixture('empty-page.json'), counted(0));
    const { connection, waits } = await connect();
    expect(await readInventory(connection)).toEqual([]);
    scope.done();
    expect(waits).toEqual([7000]);
  });

  it('fails the stream with ServiceNow’s own message when a page keeps failing (real 500 sample)', async () => {
    const scope = instance()
      .get(APPL)
      .query(FIRST)
      .times(2)
      .reply(500, sample('error-500-cmdb-instance.json'), JSON_HEADERS);
    const { connection } = await connect();
    await expect(readInventory(connection)).rejects.toThrow(
      /\(server 500\): .*Exception while executing request: null/,
    );
    scope.done();
  });

  it('ends the snapshot partial, naming the request, on a page that is not a Table API page', async () => {
    const second = tableQuery({
      query: 'sys_id>0c43b5e0db5e1010a1b2c3d4e5f60702^ORDERBYsys_id',
      fields: FIELDS,
      limit: 1000,
    });
    const scope = instance()
      .get(APPL)
      .query(FIRST)
      .reply(200, fixture('cmdb_ci_appl-page-1.json'), counted(1500))
      .get(APPL)
      .query(second)
      .reply(200, sample('error-500-cmdb-instance.json'), JSON_HEADERS);
    const { connection } = await connect();
    const batches = await readInventory(connection);
    scope.done();

    expect(records(batches).map((r) => r.externalId)).toHaveLength(2);
    expect(batches[batches.length - 1]).toEqual({
      records: [],
      problems: [
        {
          where:
            'GET /api/now/table/cmdb_ci_appl (sysparm_query=sys_id>0c43b5e0db5e1010a1b2c3d4e5f60702^ORDERBYsys_id, sysparm_offset=0)',
          error: expect.stringMatching(
            /^ServiceNow answered with an error: .*Exception while executing request/,
          ),
          kinds: ['config-item'],
        },
      ],
    });
  });

  it('ends partial on an HTML page (hibernating instance) and on an instance that ignores sys_id>', async () => {
    const html = instance()
      .get(APPL)
      .query(FIRST)
      .reply(200, '<html><body>Your instance is hibernating</body></html>', { 'Content-Type': 'text/html' });
    let batches = await readInventory((await connect()).connection);
    html.done();
    expect(batches).toEqual([
      {
        records: [],
        problems: [expect.objectContaining({ error: expect.stringContaining('not valid JSON') })],
      },
    ]);

    const loop = instance()
      .get(APPL)
      .query(FIRST)
      .reply(200, fixture('cmdb_ci_appl-page-1.json'), counted(1500))
      .get(APPL)
      .query(
        tableQuery({
          query: 'sys_id>0c43b5e0db5e1010a1b2c3d4e5f60702^ORDERBYsys_id',
          fields: FIELDS,
          limit: 1000,
        }),
      )
      .reply(200, fixture('cmdb_ci_appl-page-1.json'), JSON_HEADERS);
    batches = await readInventory((await connect()).connection);
    loop.done();
    expect(batches.flatMap((b) => b.problems ?? []).map((p) => p.error)).toEqual([
      'the answer repeats sys_id 0c43b5e0db5e1010a1b2c3d4e5f60702: the sys_id> condition was not applied',
    ]);
  });

  it('fails on rejected credentials without printing the password', async () => {
    const scope = instance()
      .get(APPL)
      .query(FIRST)
      .reply(
        401,
        JSON.stringify({
          error: { message: 'User Not Authenticated', detail: `password ${PASSWORD} refused` },
          status: 'failure',
        }),
        JSON_HEADERS,
      );
    const failure = await readInventory((await connect()).connection).catch((err: unknown) => err);
    scope.done();
    expect((failure as Error).message).toMatch(/unauthorized 401.*User Not Authenticated/);
    expect((failure as Error).message).not.toContain(PASSWORD);
  });

  it('sends an OAuth token as Authorization: Bearer', async () => {
    const scope = nock(BASE, { reqheaders: { authorization: 'Bearer sn-oauth-token-1234' } })
      .get(APPL)
      .query(FIRST)
      .reply(200, fixture('empty-page.json'), counted(0));
    expect(await readInventory((await connect({}, { token: 'sn-oauth-token-1234' })).connection)).toEqual([]);
    scope.done();
  });

  it('reads past a window of CIs hidden by row ACLs, and never calls that snapshot whole', async () => {
    // Table API reference: sysparm_limit "is applied before ACL evaluation", X-Total-Count is a
    // select count(*). The first window of 3 holds only hidden CIs and comes back empty while 5
    // match: the old client took it for the end and reported an empty, whole inventory — and the
    // core marked every CI deleted. The rest of the range is split by sys_id and read half by half.
    const query = (q: string) => tableQuery({ query: q, fields: FIELDS, limit: 3 });
    const mid = '7fffffffffffffffffffffffffffffff';
    const scope = instance()
      .get(APPL)
      .query(query('ORDERBYsys_id'))
      .reply(200, fixture('empty-page.json'), counted(5))
      .get(APPL)
      .query(query(`sys_id<=${mid}^ORDERBYsys_id`))
      .reply(200, fixture('empty-page.json'), counted(3))
      .get(APPL)
      .query(query(`sys_id>${mid}^ORDERBYsys_id`))
      .reply(200, fixture('cmdb_ci_appl-after-hidden-block.json'), counted(2));
    const batches = await readInventory((await connect({ pageSize: 3 })).connection);
    scope.done();
    expect(records(batches).map((r) => r.externalId)).toEqual([
      'a0c43b5e0db5e1010a1b2c3d4e5f6071',
      'a0c43b5e0db5e1010a1b2c3d4e5f6072',
    ]);
    expect(batches.flatMap((b) => b.problems ?? [])).toEqual([
      expect.objectContaining({
        error: expect.stringMatching(/^3 rows of cmdb_ci_appl counted by the instance but hidden/),
        code: 'servicenow-rows-hidden',
        kinds: ['config-item'],
      }),
    ]);
  });

  it('does not call the inventory whole when the instance sends no X-Total-Count', async () => {
    const scope = instance().get(APPL).query(FIRST).reply(200, fixture('empty-page.json'), JSON_HEADERS);
    const batches = await readInventory((await connect()).connection);
    scope.done();
    expect(batches.flatMap((b) => b.problems ?? [])).toEqual([
      expect.objectContaining({ code: 'servicenow-read-unproven', kinds: ['config-item'] }),
    ]);
  });

  it('reads an application service retired in operational_status as retired, whatever install_status says', async () => {
    // CMDB CI Lifecycle Management: operational states come from cmdb_ci.operational_status, whose
    // base choices include Retired (6); application services often keep install_status Installed.
    const table = 'cmdb_ci_service_auto';
    const scope = instance()
      .get(tablePath(table))
      .query(FIRST)
      .reply(200, fixture('cmdb_ci_service_auto-operational-retired.json'), counted(1));
    const batches = await readInventory((await connect({ table })).connection);
    scope.done();
    expect(records(batches)).toEqual([
      {
        kind: 'config-item',
        externalId: 'b7c43b5e0db5e1010a1b2c3d4e5f6081',
        data: expect.objectContaining({ name: 'checkout', class: table, installStatus: 'retired' }),
      },
    ]);
  });
});
