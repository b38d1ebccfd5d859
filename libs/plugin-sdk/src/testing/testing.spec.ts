import * as path from 'node:path';
import { headerAuth, isUpstreamError } from '@audit-hub/http';
import nock from 'nock';
import { definePlugin, SDK_VERSION, type Batch, type Connection, type PluginContext } from '../index';
import {
  connectForTest,
  listOf,
  parsed,
  pluginTestContext,
  readBatches,
  recordsByKind,
  sampleReader,
  samplesDir,
} from './index';

describe('plugin test helpers', () => {
  it('finds the shared samples above a folder and reads them as raw text', () => {
    const dir = samplesDir('gitlab', __dirname);
    expect(dir.endsWith(path.join('shared', 'upstream-samples', 'gitlab'))).toBe(true);
    const reader = sampleReader('gitlab', __dirname);
    // The X.509 serial number stays as the vendor wrote it (JSON.parse would round it).
    expect(reader.sample('commits-signature-x509.json')).toContain('278969561018901340486471282831158785578');
  });

  it('names the system and the folder when the samples are missing', () => {
    expect(() => samplesDir('no-such-vendor', __dirname)).toThrow(/no-such-vendor samples not found/);
  });

  it('joins bodies into a list page', () => {
    expect(parsed(listOf('{"a":1}', '{"b":2}'))).toEqual([{ a: 1 }, { b: 2 }]);
  });
});

interface DemoAuth {
  token: string;
}
interface DemoOptions {
  project?: string;
}

const BASE = 'https://demo.example.com';
const TOKEN = 'demo-TestTokenNeverPrinted';

/** A plugin whose check reads one page, so a test sees what its context's client sends. */
const demo = definePlugin<DemoAuth, DemoOptions>({
  manifest: {
    id: 'demo',
    name: 'Demo',
    version: '0.0.0',
    sdkVersion: SDK_VERSION,
    capabilities: ['tracker'],
  },
  configSchema: {},
  createAuth: (auth) => headerAuth({ 'Private-Token': auth.token }),
  defaultHeaders: { Accept: 'application/json' },
  connect: (ctx: PluginContext<DemoAuth, DemoOptions>) => ({
    streams: [],
    check: async () => {
      const res = await ctx.http.request<{ ok: boolean }>({ path: '/api/ping' });
      return [{ name: 'reachable', ok: res.data.ok }];
    },
  }),
});

describe('plugin test context', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  function demoApi(): nock.Scope {
    return nock(BASE, { reqheaders: { 'private-token': TOKEN, accept: 'application/json' } });
  }

  it("sends the plugin's auth and default headers, and records a 429's wait instead of waiting", async () => {
    const scope = demoApi()
      .get('/api/ping')
      .reply(429, '', { 'Retry-After': '3' })
      .get('/api/ping')
      .reply(200, { ok: true });
    const sleeps: number[] = [];
    const debug: string[] = [];
    const connection = await connectForTest(demo, {
      connectorId: 'demo-prod',
      baseUrl: BASE,
      auth: { token: TOKEN },
      sleeps,
      logger: { debug: (m) => debug.push(m), info: () => {}, warn: () => {}, error: () => {} },
    });
    expect(await connection.check()).toEqual([{ name: 'reachable', ok: true }]);
    expect(sleeps).toEqual([3000]);
    // The logger given is the client's too: it hears the retry.
    expect(debug).toEqual([expect.stringContaining('retrying')]);
    scope.done();
  });

  it('retries once by default, and as often as asked', async () => {
    const once = demoApi().get('/api/ping').times(2).reply(503, 'down');
    const failure = await connectForTest(demo, { connectorId: 'demo', baseUrl: BASE, auth: { token: TOKEN } })
      .then((c) => c.check())
      .catch((err: unknown) => err);
    expect(isUpstreamError(failure) && failure.status).toBe(503);
    once.done();

    const sleeps: number[] = [];
    const thrice = demoApi()
      .get('/api/ping')
      .times(3)
      .reply(503, 'down')
      .get('/api/ping')
      .reply(200, { ok: true });
    const connection = await connectForTest(demo, {
      connectorId: 'demo',
      baseUrl: BASE,
      auth: { token: TOKEN },
      retries: 3,
      sleeps,
    });
    expect(await connection.check()).toEqual([{ name: 'reachable', ok: true }]);
    expect(sleeps).toHaveLength(3);
    thrice.done();
  });

  it('gives the plugin its id, options, services and a fixed clock', () => {
    const services = [{ name: 'payments', keys: { demo: 'acme/payments' } }];
    const ctx = pluginTestContext(demo, {
      connectorId: 'demo-prod',
      baseUrl: BASE,
      auth: { token: TOKEN },
      options: { project: 'acme' },
      now: new Date('2020-02-02T00:00:00.000Z'),
      services,
    });
    expect(ctx).toMatchObject({
      connectorId: 'demo-prod',
      baseUrl: BASE,
      options: { project: 'acme' },
      services,
    });
    expect(ctx.now().toISOString()).toBe('2020-02-02T00:00:00.000Z');
    expect(ctx.signal.aborted).toBe(false);
    expect(
      pluginTestContext(demo, { connectorId: 'demo', baseUrl: BASE, auth: { token: TOKEN } }),
    ).toMatchObject({
      options: {},
      services: [],
    });
  });

  it('reads every batch of a stream, and keys the records of one kind by id (the last one wins)', async () => {
    const record = (kind: 'config-item' | 'identity', externalId: string, name: string) =>
      ({ kind, externalId, data: { name }, raw: {} }) as unknown as Batch['records'][number];
    const seen: unknown[] = [];
    const connection: Connection = {
      check: async () => [],
      streams: [
        {
          name: 'inventory',
          kinds: ['config-item', 'identity'],
          mode: 'snapshot',
          async *read(input) {
            seen.push(input);
            yield { records: [record('config-item', 'ci1', 'first'), record('identity', 'u1', 'ann')] };
            yield {
              records: [record('config-item', 'ci1', 'renamed'), record('config-item', 'ci2', 'second')],
              cursor: 2,
            };
          },
        },
      ],
    };
    const input = { cursor: null, full: false, since: new Date('2024-01-01T00:00:00Z') };
    const batches = await readBatches(connection, 'inventory', input);
    expect(seen).toEqual([input]);
    expect(batches.map((b) => b.cursor)).toEqual([undefined, 2]);
    const items = recordsByKind(batches, 'config-item');
    expect([...items.keys()]).toEqual(['ci1', 'ci2']);
    expect(items.get('ci1')?.data).toEqual({ name: 'renamed' });
    await expect(readBatches(connection, 'users', input)).rejects.toThrow(
      'the connection has no users stream (it has: inventory)',
    );
  });
});
