import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpClient } from '@audit-hub/http';
import type { AuditHubPlugin, Batch, Connection } from '@audit-hub/plugin-sdk';
import { plugin as cmdbPlugin } from '@audit-hub/plugin-cmdb';
import { plugin as servicenowPlugin } from '@audit-hub/plugin-servicenow';
import { generateEstate } from '../estate/estate.generator';
import {
  SERVICENOW_LOSSY_BEHAVIOURS,
  SERVICENOW_TRANSPARENT_BEHAVIOURS,
  createServicenowFake,
  type ServicenowBehaviours,
} from './servicenow.fake';

/**
 * The real servicenow and cmdb connectors against the ServiceNow fake with each real-instance
 * switch on: a transparent switch leaves every record exactly as without it and adds no problem;
 * a lossy one is reported, never read as "nothing there".
 */

const NOW = new Date('2025-03-14T12:00:00.000Z');
const SINCE = new Date(NOW.getTime() - 90 * 86_400_000);
const estate = generateEstate({ seed: 42, scale: 1, now: NOW });
const PAGE_SIZE = 25;
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** The fake on loopback, as the sandbox mounts it (`/servicenow`). */
async function serve(behaviours: ServicenowBehaviours): Promise<{ url: string; close: () => Promise<void> }> {
  const handler = createServicenowFake({
    estate: () => estate,
    user: 'audit',
    password: 'pw',
    now: () => NOW,
    behaviours,
  });
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const answer = handler({
      method: req.method ?? 'GET',
      path: url.pathname.replace(/^\/servicenow/, ''),
      query: url.searchParams,
      headers: req.headers,
      baseUrl: `http://${req.headers.host}/servicenow`,
    });
    res.writeHead(answer.status, answer.headers).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/servicenow`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function connect(plugin: AuditHubPlugin, baseUrl: string, options: object = {}): Promise<Connection> {
  const auth = { username: 'audit', password: 'pw' };
  const http = new HttpClient({
    connector: plugin.manifest.id,
    baseUrl,
    auth: plugin.createAuth?.(auth as never, options as never),
    headers: plugin.defaultHeaders,
    retry: { retries: 0, baseDelayMs: 1 },
    clock: { now: () => Date.now(), sleep: async () => {} },
  });
  return plugin.connect({
    connectorId: plugin.manifest.id,
    baseUrl,
    auth: auth as never,
    options: options as never,
    http,
    logger: quiet,
    signal: new AbortController().signal,
    now: () => NOW,
    services: [],
  });
}

interface StreamRead {
  /** Distinct records, as `externalId data`. */
  records: string[];
  problems: { code?: string; error: string }[];
  error?: string;
}

/** Every stream of both connectors, read to its end: records as `externalId data`, and problems. */
async function collect(behaviours: ServicenowBehaviours): Promise<Record<string, StreamRead>> {
  const fake = await serve(behaviours);
  try {
    const read: Record<string, StreamRead> = {};
    for (const plugin of [servicenowPlugin, cmdbPlugin]) {
      // Small pages, so that the estate's 110 changes and 205 approvals take several windows.
      const connection = await connect(plugin, fake.url, { pageSize: PAGE_SIZE });
      for (const stream of connection.streams) {
        const batches: Batch[] = [];
        let error: string | undefined;
        try {
          for await (const batch of stream.read({ cursor: null, full: true, since: SINCE }))
            batches.push(batch);
        } catch (err) {
          error = (err as Error).message;
        }
        read[`${plugin.manifest.id}/${stream.name}`] = {
          // A row updated during the read is read again (the core dedupes it by content hash).
          records: [
            ...new Set(
              batches.flatMap((b) => b.records.map((r) => `${r.externalId} ${JSON.stringify(r.data)}`)),
            ),
          ].sort(),
          problems: batches.flatMap((b) =>
            (b.problems ?? []).map(({ code, error: e }) => ({ code, error: e })),
          ),
          ...(error ? { error } : {}),
        };
      }
    }
    return read;
  } finally {
    await fake.close();
  }
}

describe('the ServiceNow connectors against the fake’s real-instance behaviours', () => {
  let baseline: Record<string, StreamRead>;
  beforeAll(async () => {
    baseline = await collect({});
  });

  it('read every stream without a problem when no switch is on', () => {
    for (const [stream, read] of Object.entries(baseline)) {
      expect([stream, read.problems, read.error]).toEqual([stream, [], undefined]);
      expect(read.records.length).toBeGreaterThan(0);
    }
  });

  it.each(SERVICENOW_TRANSPARENT_BEHAVIOURS.map((b) => [b]))(
    '%s leaves every record as it was, without a problem',
    async (behaviour) => {
      expect(await collect({ [behaviour]: true })).toEqual(baseline);
    },
  );

  it('every transparent switch at once leaves every record as it was', async () => {
    const all = Object.fromEntries(SERVICENOW_TRANSPARENT_BEHAVIOURS.map((b) => [b, true]));
    expect(await collect(all)).toEqual(baseline);
  });

  it('aclHiddenSnapshotRows: both snapshots keep their records and say they are not whole', async () => {
    expect(SERVICENOW_LOSSY_BEHAVIOURS).toContain('aclHiddenSnapshotRows');
    const read = await collect({ aclHiddenSnapshotRows: true });
    for (const stream of ['servicenow/groups', 'cmdb/inventory']) {
      expect(read[stream].records).toEqual(baseline[stream].records);
      expect(read[stream].problems).toEqual([
        expect.objectContaining({
          code: 'servicenow-rows-hidden',
          error: expect.stringMatching(/^1,500 rows of /),
        }),
      ]);
    }
    expect(read['servicenow/changes']).toEqual(baseline['servicenow/changes']);
  });

  it('membershipsForbidden: the groups stream fails and connectors check names the fix', async () => {
    expect(SERVICENOW_LOSSY_BEHAVIOURS).toContain('membershipsForbidden');
    const read = await collect({ membershipsForbidden: true });
    expect(read['servicenow/groups'].error).toMatch(/403.*Insufficient rights to query records/);
    expect(read['servicenow/users']).toEqual(baseline['servicenow/users']);
    const fake = await serve({ membershipsForbidden: true });
    try {
      const results = await (await connect(servicenowPlugin, fake.url)).check();
      expect(results.find((r) => r.name === 'read:sys_user_grmember')).toEqual({
        name: 'read:sys_user_grmember',
        ok: false,
        detail: expect.stringContaining('no read ACL on sys_user_grmember'),
        affects: { kinds: ['group-membership'] },
        fix: expect.stringContaining('itil'),
      });
      expect(results.filter((r) => !r.ok).map((r) => r.name)).toEqual(['read:sys_user_grmember']);
    } finally {
      await fake.close();
    }
  });
});
