import { UpstreamError } from '@audit-hub/http';
import nock from 'nock';
import { CHANGE_FIELDS } from '../src/servicenow-change.mapper';
import { ServiceNowTableClient, bool, instant, reference, text } from '@audit-hub/servicenow-table';
import {
  BASE_URL,
  BASIC_HEADER,
  JSON_HEADERS,
  PASSWORD,
  connect,
  counted,
  drain,
  firstRun,
  stream,
  tablePath,
  tableQuery,
} from './harness';
import { fixture, sample } from './samples';

const FIRST_PAGE = tableQuery({
  query: 'sys_updated_on>=2024-04-01 00:00:00^ORDERBYsys_updated_on^ORDERBYsys_id',
  fields: CHANGE_FIELDS,
  limit: 1000,
});

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('Table API values (real sample table-problem-list.json)', () => {
  it('reads strings, {link, value} references, empty references and UTC times', async () => {
    const scope = nock(BASE_URL)
      .get(tablePath('problem'))
      .query(
        tableQuery({
          query: 'ORDERBYsys_updated_on^ORDERBYsys_id',
          fields: [
            'sys_id',
            'opened_by',
            'cmdb_ci',
            'assigned_to',
            'closed_at',
            'active',
            'made_sla',
            'sys_updated_on',
          ],
          limit: 1,
        }),
      )
      // One row matches: the window of 1 holds it, and the count says so.
      .reply(200, sample('table-problem-list.json'), counted(1));
    const { http } = await connect();
    const client = new ServiceNowTableClient(http, 1);
    const pages = [];
    for await (const page of client.updatedSince({
      table: 'problem',
      fields: ['sys_id', 'opened_by', 'cmdb_ci', 'assigned_to', 'closed_at', 'active', 'made_sla'],
      from: null,
    })) {
      pages.push(page);
    }
    scope.done();

    expect(pages).toHaveLength(1);
    expect(pages[0].watermark).toBe('2016-01-19 04:52:04');
    const [row] = pages[0].rows;
    expect(text(row, 'sys_id')).toBe('04ce72c9c0a8016600b5b7f75ac67b5b');
    expect(reference(row, 'opened_by')).toBe('glide.maint');
    expect(reference(row, 'cmdb_ci')).toBe('55b35562c0a8010e01cff22378e0aea9');
    expect(reference(row, 'assigned_to')).toBeUndefined();
    expect(instant(row, 'closed_at')).toBe('2016-01-19T04:52:04.000Z');
    expect(bool(row, 'active')).toBe(false);
    expect(bool(row, 'made_sla')).toBe(true);
  });
});

describe('rate limits and errors', () => {
  it('waits out a 429 (real sample, Retry-After and X-RateLimit-*) and reads on', async () => {
    const scope = nock(BASE_URL)
      .get(tablePath('change_request'))
      .query(FIRST_PAGE)
      .reply(429, sample('error-429-rate-limit.json'), {
        ...JSON_HEADERS,
        'Retry-After': '7',
        'X-RateLimit-Limit': '100',
        'X-RateLimit-Reset': '1714557600',
        'X-RateLimit-Rule': 'c6a9b6e1db3a2300f0e5f3b7bf9619a1',
      })
      .get(tablePath('change_request'))
      .query(FIRST_PAGE)
      .reply(200, fixture('empty-page.json'), counted(0));
    const { connection, waits } = await connect();
    expect(await drain(stream(connection, 'changes'), firstRun())).toEqual([]);
    scope.done();
    expect(waits).toEqual([7000]);
  });

  it('fails the stream with the ServiceNow error message when a page keeps failing (real 500 sample)', async () => {
    const scope = nock(BASE_URL)
      .get(tablePath('change_request'))
      .query(FIRST_PAGE)
      .times(3)
      .reply(500, sample('error-500-cmdb-instance.json'), JSON_HEADERS);
    const { connection } = await connect();
    const error = await drain(stream(connection, 'changes'), firstRun()).catch((err: unknown) => err);
    scope.done();
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code: 'server', status: 500, path: '/api/now/table/change_request' });
    expect((error as Error).message).toContain('Exception while executing request: null');
  });

  it('sends basic auth, or a bearer token when auth.token is set', async () => {
    const scope = nock(BASE_URL)
      .get(tablePath('change_request'))
      .query(FIRST_PAGE)
      .matchHeader('authorization', BASIC_HEADER)
      .matchHeader('accept', 'application/json')
      .reply(200, fixture('empty-page.json'), counted(0))
      .get(tablePath('change_request'))
      .query(FIRST_PAGE)
      .matchHeader('authorization', 'Bearer oauth-access-token-1')
      .reply(200, fixture('empty-page.json'), counted(0));
    await drain(stream((await connect()).connection, 'changes'), firstRun());
    const bearer = await connect({}, { token: 'oauth-access-token-1' });
    await drain(stream(bearer.connection, 'changes'), firstRun());
    scope.done();
  });
});

describe('malformed pages', () => {
  const cases: [string, string][] = [
    ['a body that is not JSON', '{"result": [ {"sys_id": "1"'],
    ['no result', '{"records": []}'],
    ['a result that is not a list', '{"result": {"sys_id": "1766f1de47410200e90d87e8dee49001"}}'],
    [
      'a row without sys_updated_on',
      '{"result": [{"sys_id": "1766f1de47410200e90d87e8dee49001", "number": "CHG1"}]}',
    ],
  ];

  it.each(cases)(
    '%s makes the stream partial with a problem, never an empty success',
    async (_name, body) => {
      const scope = nock(BASE_URL)
        .get(tablePath('change_request'))
        .query(FIRST_PAGE)
        .reply(200, body, JSON_HEADERS);
      const { connection } = await connect();
      const batches = await drain(stream(connection, 'changes'), firstRun());
      scope.done();
      expect(batches).toEqual([
        {
          records: [],
          problems: [
            {
              where: expect.stringContaining(
                'GET /api/now/table/change_request (sysparm_query=sys_updated_on>=2024-04-01',
              ),
              error: expect.any(String),
              kinds: ['change'],
            },
          ],
        },
      ]);
    },
  );

  it('keeps the batches read before a malformed page and does not move the cursor past it', async () => {
    const pageSize = 3;
    const scope = nock(BASE_URL)
      .get(tablePath('change_request'))
      .query({ ...FIRST_PAGE, sysparm_limit: String(pageSize) })
      .reply(200, fixture('change-request-page-1.json'), counted(5))
      .get(tablePath('sys_user'))
      .query(true)
      .reply(200, fixture('sys-user-lookup.json'), counted(2))
      .get(tablePath('change_request'))
      .query(true)
      .reply(200, '<html><body>Instance Hibernating</body></html>', { 'Content-Type': 'text/html' });
    const { connection } = await connect({ pageSize });
    const batches = await drain(stream(connection, 'changes'), firstRun());
    scope.done();
    expect(batches).toHaveLength(2);
    expect(batches[0]).toMatchObject({ cursor: { updatedOn: '2024-05-02 08:30:00' } });
    expect(batches[0].records).toHaveLength(2);
    expect(batches[1]).toEqual({
      records: [],
      problems: [
        {
          where: expect.stringContaining('sys_updated_on>=2024-05-02 08:30:00'),
          error: expect.stringContaining('not valid JSON'),
          kinds: ['change'],
        },
      ],
    });
  });

  it('surfaces a 200 error envelope with its message', async () => {
    const scope = nock(BASE_URL)
      .get(tablePath('change_request'))
      .query(FIRST_PAGE)
      .reply(200, sample('error-500-cmdb-instance.json'), JSON_HEADERS);
    const { connection } = await connect();
    const [batch] = await drain(stream(connection, 'changes'), firstRun());
    scope.done();
    expect(batch.problems?.[0].error).toBe(
      'ServiceNow answered with an error: Exception while executing request: null Check logs for error trace or enable glide.rest.debug property to verify REST request processing',
    );
  });
});

describe('secrets', () => {
  const echo = JSON.stringify({
    error: {
      message: `Invalid credentials: Authorization: ${BASIC_HEADER}`,
      detail: `password ${PASSWORD} rejected`,
    },
    status: 'failure',
  });

  it('never puts the password or the basic-auth header value in an error', async () => {
    const scope = nock(BASE_URL)
      .get(tablePath('change_request'))
      .query(FIRST_PAGE)
      .reply(400, echo, JSON_HEADERS);
    const { connection } = await connect();
    const error = await drain(stream(connection, 'changes'), firstRun()).catch((err: unknown) => err);
    scope.done();
    expect(error).toBeInstanceOf(UpstreamError);
    const shown = `${(error as Error).message} ${JSON.stringify(error)} ${(error as UpstreamError).detail}`;
    expect(shown).toContain('Invalid credentials');
    expect(shown).not.toContain(PASSWORD);
    expect(shown).not.toContain(BASIC_HEADER.slice('Basic '.length));
  });

  it('never puts them in a problem either', async () => {
    const scope = nock(BASE_URL)
      .get(tablePath('change_request'))
      .query(FIRST_PAGE)
      .reply(200, echo, JSON_HEADERS);
    const { connection } = await connect();
    const batches = await drain(stream(connection, 'changes'), firstRun());
    scope.done();
    const shown = JSON.stringify(batches);
    expect(shown).toContain('Invalid credentials');
    expect(shown).not.toContain(PASSWORD);
    expect(shown).not.toContain(BASIC_HEADER.slice('Basic '.length));
  });
});
