/** Contract tests of `connection.check()` (used by `connectors check`). */
import nock from 'nock';
import { CONFIG_ITEM_FIELDS, configItemFields } from '../src';
import { PROBE_QUERY } from '../src/cmdb-access.check';
import { BASE, connect, counted, JSON_HEADERS, PASSWORD, tablePath, tableQuery } from './context';
import { fixture } from './samples';

/** One CI, with the stream's fields and its keyset condition and order (what query ACLs govern). */
const PROBE = tableQuery({ query: PROBE_QUERY, fields: [...CONFIG_ITEM_FIELDS], limit: 1 });
const FIRST_ROW = JSON.stringify({ result: [JSON.parse(fixture('cmdb_ci_appl-page-1.json')).result[0]] });

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
// nock's interceptor patches node's shared `http` module: restore it, or the next test file in this
// jest worker runs under two interceptors and a socket error (replyWithError) goes unhandled.
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

describe('cmdb connection.check()', () => {
  it('reads one CI of the table with the stream’s fields', async () => {
    const scope = nock(BASE).get(tablePath('cmdb_ci_appl')).query(PROBE).reply(200, FIRST_ROW, counted(6));
    const results = await (await connect()).connection.check();
    scope.done();
    expect(results).toEqual([
      { name: 'reachable', ok: true },
      { name: 'credentials', ok: true },
      { name: 'read:cmdb_ci_appl', ok: true },
    ]);
  });

  it('flags a name field that does not come back, and lists other fields that do not', async () => {
    const row = JSON.parse(FIRST_ROW).result[0];
    delete row.version;
    delete row['support_group.name'];
    const body = JSON.stringify({ result: [row] });
    const scope = nock(BASE)
      .get(tablePath('cmdb_ci_appl'))
      .query(PROBE)
      .reply(200, body, counted(6))
      .get(tablePath('cmdb_ci_appl'))
      .query(tableQuery({ query: PROBE_QUERY, fields: configItemFields('u_service_key'), limit: 1 }))
      .reply(200, body, counted(6));

    expect((await (await connect()).connection.check())[2]).toEqual({
      name: 'read:cmdb_ci_appl',
      ok: false,
      severity: 'warn',
      detail: expect.stringMatching(/fields not returned .*: version, support_group\.name$/),
      affects: { fields: ['config-item.version', 'config-item.ownerGroup'] },
      fix: 'read ACLs on cmdb_ci_appl.version, cmdb_ci_appl.support_group.name for the integration user',
    });
    expect((await (await connect({ nameField: 'u_service_key' })).connection.check())[2]).toEqual({
      name: 'read:cmdb_ci_appl',
      ok: false,
      detail: expect.stringContaining('the name field u_service_key is not returned'),
      affects: { kinds: ['config-item'] },
      fix: expect.stringContaining('options.nameField'),
    });
    scope.done();
  });

  it('says the credentials were rejected on a 401, without the password', async () => {
    const scope = nock(BASE)
      .get(tablePath('cmdb_ci_appl'))
      .query(PROBE)
      .reply(401, fixture('error-401-not-authenticated.json'), JSON_HEADERS);
    const results = await (await connect()).connection.check();
    scope.done();
    expect(results).toEqual([
      { name: 'reachable', ok: true },
      { name: 'credentials', ok: false, detail: expect.stringContaining('credentials rejected (401)') },
    ]);
    expect(results[1].detail).toContain('User Not Authenticated');
    expect(JSON.stringify(results)).not.toContain(PASSWORD);
  });

  it('names the table, what it costs and what grants it on a 403 (read ACL) and on an unknown table', async () => {
    const acl = nock(BASE)
      .get(tablePath('cmdb_ci_appl'))
      .query(PROBE)
      .reply(403, fixture('error-403-acl.json'), JSON_HEADERS)
      .get(tablePath('cmdb_ci_appl'))
      .query(tableQuery({ fields: ['sys_id'], limit: 1 }))
      .reply(403, fixture('error-403-acl.json'), JSON_HEADERS);
    expect((await (await connect()).connection.check())[2]).toEqual({
      name: 'read:cmdb_ci_appl',
      ok: false,
      detail: expect.stringMatching(/^forbidden \(403\): .* no read ACL on cmdb_ci_appl/),
      affects: { kinds: ['config-item'] },
      fix: 'the cmdb_read role, or a read ACL on cmdb_ci_appl for the integration user',
    });
    acl.done();

    // The table reads, but the keyset query is refused: a query ACL (or a field ACL on sys_id).
    const query = nock(BASE)
      .get(tablePath('cmdb_ci_appl'))
      .query(PROBE)
      .reply(403, fixture('error-403-acl.json'), JSON_HEADERS)
      .get(tablePath('cmdb_ci_appl'))
      .query(tableQuery({ fields: ['sys_id'], limit: 1 }))
      .reply(200, FIRST_ROW, counted(6));
    expect((await (await connect()).connection.check())[2]).toEqual({
      name: 'read:cmdb_ci_appl',
      ok: false,
      detail: expect.stringContaining('may not query cmdb_ci_appl by sys_id as the snapshot pages it'),
      affects: { kinds: ['config-item'] },
      fix: expect.stringContaining('cmdb_ci_appl.sys_id'),
    });
    query.done();

    const unknown = nock(BASE)
      .get(tablePath('u_cmdb_ci_apps'))
      .query(PROBE)
      .reply(400, fixture('error-400-invalid-table.json'), JSON_HEADERS);
    expect((await (await connect({ table: 'u_cmdb_ci_apps' })).connection.check())[2]).toEqual({
      name: 'read:u_cmdb_ci_apps',
      ok: false,
      detail:
        'table u_cmdb_ci_apps not found (400): check options.table (ServiceNow: Invalid table u_cmdb_ci_apps)',
      affects: { kinds: ['config-item'] },
      fix: expect.stringContaining('options.table'),
    });
    unknown.done();
  });

  it('tells an empty table from one whose first CI a row ACL hides, and fails without a count', async () => {
    const check = async (headers: Record<string, string>) => {
      const scope = nock(BASE)
        .get(tablePath('cmdb_ci_appl'))
        .query(PROBE)
        .reply(200, fixture('empty-page.json'), headers);
      const [, , read] = await (await connect()).connection.check();
      scope.done();
      return read;
    };
    expect(await check(counted(0))).toEqual({
      name: 'read:cmdb_ci_appl',
      ok: true,
      detail: 'readable, but the table holds no CI yet',
    });
    expect(await check(counted(4))).toEqual({
      name: 'read:cmdb_ci_appl',
      ok: false,
      detail: expect.stringContaining('row-level read ACLs hide CIs of cmdb_ci_appl'),
      affects: { kinds: ['config-item'] },
      fix: expect.stringContaining('every cmdb_ci_appl read ACL admits'),
    });
    expect(await check(JSON_HEADERS)).toEqual(
      expect.objectContaining({ ok: false, detail: expect.stringContaining('without X-Total-Count') }),
    );
  });
});
