import type { NormalizedRecord } from '@audit-hub/domain';
import { HttpClient } from '@audit-hub/http';
import type { AuditHubPlugin, Batch, Connection, ServiceKeys } from '@audit-hub/plugin-sdk';
import { plugin as cmdbPlugin } from '@audit-hub/plugin-cmdb';
import { plugin as cyberarkPlugin } from '@audit-hub/plugin-cyberark';
import { plugin as gitlabIssuesPlugin } from '@audit-hub/plugin-gitlab-issues';
import { plugin as gitlabPlugin } from '@audit-hub/plugin-gitlab';
import { plugin as jenkinsPlugin } from '@audit-hub/plugin-jenkins';
import { plugin as jiraPlugin } from '@audit-hub/plugin-jira';
import { plugin as servicenowPlugin } from '@audit-hub/plugin-servicenow';
import { plugin as sonarqubePlugin } from '@audit-hub/plugin-sonarqube';
import { plugin as vaultPlugin } from '@audit-hub/plugin-vault';
import { parse } from 'yaml';
import { expectedFindings } from './estate/estate.manifest';
import type { CiBuild } from './estate/estate.model';
import { startSandbox, type Sandbox } from './sandbox.server';

/**
 * The real connector plugins, configured from the sandbox's own config and unchanged, collect
 * from the sandbox: every check passes, every stream reads to its end without a problem, and the
 * records carry what the planted cases say.
 */

const NOW = new Date('2025-03-14T12:00:00.000Z');
const SINCE = new Date(NOW.getTime() - 90 * 86_400_000);

interface ConnectorConfig {
  id: string;
  plugin: string;
  baseUrl: string;
  auth: Record<string, unknown>;
  options?: Record<string, unknown>;
}

const PLUGINS: Record<string, AuditHubPlugin> = {
  gitlab: gitlabPlugin,
  servicenow: servicenowPlugin,
  cmdb: cmdbPlugin,
  jenkins: jenkinsPlugin,
  sonarqube: sonarqubePlugin,
  vault: vaultPlugin,
  cyberark: cyberarkPlugin,
  jira: jiraPlugin,
  'gitlab-issues': gitlabIssuesPlugin,
};

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

async function connect(sandbox: Sandbox, id: string): Promise<Connection> {
  const config = parse(sandbox.configYaml());
  const c: ConnectorConfig = config.connectors.find((x: ConnectorConfig) => x.id === id);
  const plugin = PLUGINS[c.plugin];
  const options = c.options ?? {};
  const http = new HttpClient({
    connector: c.id,
    baseUrl: c.baseUrl,
    auth: plugin.createAuth?.(c.auth as never, options as never),
    headers: plugin.defaultHeaders,
    retry: { retries: 1, baseDelayMs: 1 },
    clock: { now: () => Date.now(), sleep: async () => {} },
  });
  const services: ServiceKeys[] = config.services.map((s: ServiceKeys) => ({ name: s.name, keys: s.keys }));
  return plugin.connect({
    connectorId: c.id,
    baseUrl: c.baseUrl,
    auth: c.auth as never,
    options: options as never,
    http,
    logger: quiet,
    signal: new AbortController().signal,
    now: () => NOW,
    services,
  });
}

async function readAll(connection: Connection, stream: string): Promise<Batch[]> {
  const definition = connection.streams.find((s) => s.name === stream);
  if (!definition) throw new Error(`no stream ${stream}`);
  const batches: Batch[] = [];
  for await (const batch of definition.read({ cursor: null, full: true, since: SINCE })) batches.push(batch);
  return batches;
}

function records(batches: Batch[]): NormalizedRecord[] {
  return batches.flatMap((b) => b.records);
}

function problems(batches: Batch[]): string[] {
  return batches.flatMap((b) => (b.problems ?? []).map((p) => `${p.where}: ${p.error}`));
}

describe('the real connectors against the sandbox', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 42, scale: 1, now: () => NOW });
  });
  afterAll(() => sandbox.close());

  const caseBuild = (id: string): CiBuild => {
    const p = sandbox.estate.planted.find((c) => c.id === id)!;
    const s = p.subject as { job: string; number: number };
    return sandbox.estate.ciBuilds.find((b) => b.job === s.job && b.number === s.number)!;
  };

  it.each([
    'gitlab',
    'servicenow',
    'cmdb',
    'jenkins',
    'sonarqube',
    'vault',
    'cyberark',
    'jira',
    'gitlab-issues',
  ])('%s: connectors check passes every line', async (id) => {
    const connection = await connect(sandbox, id);
    try {
      const results = await connection.check();
      expect(results.filter((r) => !r.ok)).toEqual([]);
      expect(results.length).toBeGreaterThan(0);
    } finally {
      await connection.close?.();
    }
  });

  it('jenkins: deployments and builds, with replays, fingerprints and test results as planted', async () => {
    const connection = await connect(sandbox, 'jenkins');
    const deployments = await readAll(connection, 'deployments');
    const builds = await readAll(connection, 'builds');
    expect(problems(deployments)).toEqual([]);
    expect(problems(builds)).toEqual([]);
    const byId = new Map(records(deployments).map((r) => [r.externalId, r.data as any]));
    const visible = sandbox.estate.ciBuilds.filter(
      (b) => b.job.endsWith('-deploy') && Date.parse(b.startedAt) + b.durationMs <= NOW.getTime(),
    );
    expect(byId.size).toBe(visible.length);

    const replay = caseBuild('RM-PIPE-001/jenkins-replay');
    const replayed = byId.get(`${replay.job}#${replay.number}`);
    expect(replayed).toMatchObject({ environment: 'production', viaPipeline: false, status: 'success' });
    expect(replayed.causes.map((c: { type: string }) => c.type)).toEqual(['replay', 'user']);
    // The deployed commit is the service's repository's, not the shared library's.
    expect(replayed.commitSha).toBe(replay.checkouts[1].sha);
    expect(replayed.variables.CHANGE_ID).toMatch(/^CHG\d{7}$/);
    expect(replayed.variables.DEPLOY_TOKEN).toBe('');

    const never = caseBuild('RM-ART-001/never-built-by-ci');
    expect(byId.get(`${never.job}#${never.number}`).artifacts[0].originBuild).toBe(
      `${never.job}#${never.number}`,
    );
    const noJunit = caseBuild('RM-EVD-001/jenkins-no-junit');
    expect(byId.get(`${noJunit.job}#${noJunit.number}`).testReport).toBeNull();

    const built = new Map(records(builds).map((r) => [r.externalId, r.data as any]));
    const replaced = caseBuild('RM-ART-001/artifact-replaced');
    const upstream = replaced.causes.find((c) => c.type === 'upstream') as { job: string; number: number };
    const deployedArtifact = byId.get(`${replaced.job}#${replaced.number}`).artifacts[0];
    const producedArtifact = built.get(`${upstream.job}#${upstream.number}`).artifacts[0];
    expect(deployedArtifact.fileName).toBe(producedArtifact.fileName);
    expect(deployedArtifact.digest).not.toBe(producedArtifact.md5);
    expect(deployedArtifact.originBuild).toBeUndefined();
  });

  it('sonarqube: one gate per analysis, ERROR and WARN where planted', async () => {
    const connection = await connect(sandbox, 'sonarqube');
    const batches = await readAll(connection, 'quality-gates');
    expect(problems(batches)).toEqual([]);
    const gates = records(batches).map((r) => r.data as any);
    expect(gates.length).toBe(sandbox.estate.analyses.filter((a) => a.at <= NOW.toISOString()).length);
    const deployment = (id: string) => {
      const p = sandbox.estate.planted.find((c) => c.id === id)!;
      return sandbox.estate.deployments.find(
        (d) => d.id === (p.subject as { deploymentId: number }).deploymentId,
      )!;
    };
    expect(
      gates.filter((g) => g.revision === deployment('RM-QG-001/gate-error').sha).map((g) => g.status),
    ).toEqual(['ERROR']);
    expect(
      gates.filter((g) => g.revision === deployment('RM-QG-001/gate-warn').sha).map((g) => g.status),
    ).toEqual(['WARN']);
    expect(gates.some((g) => g.revision === deployment('RM-QG-001/no-analysis').sha)).toBe(false);
  });

  it('vault: entitlements through groups and parent groups, memberships, over LIST', async () => {
    const connection = await connect(sandbox, 'vault');
    const entitlements = await readAll(connection, 'entitlements');
    const groups = await readAll(connection, 'groups');
    expect(problems(entitlements)).toEqual([]);
    expect(problems(groups)).toEqual([]);
    const held = records(entitlements).map((r) => r.externalId);
    const oncall = sandbox.estate.planted.find((c) => c.id === 'RM-ACC-001/developer-vault-oncall')!
      .subject as {
      holder: string;
    };
    expect(held).toContain(`${oncall.holder}:storefront-prod-read`);
    // dev-read comes from the `engineering` parent group to every developer.
    expect(held).toContain(`${oncall.holder}:dev-read`);
    expect(records(groups).length).toBeGreaterThan(10);
  });

  it('cyberark: every member of every safe, predefined ones marked, expiries in epoch seconds', async () => {
    const connection = await connect(sandbox, 'cyberark');
    try {
      const batches = await readAll(connection, 'entitlements');
      expect(problems(batches)).toEqual([]);
      const byId = new Map(records(batches).map((r) => [r.externalId, r.data as any]));
      expect(byId.size).toBe(
        sandbox.estate.access.safeMembers.filter((m) => m.addedAt <= NOW.toISOString()).length,
      );
      expect(byId.get('Master:PROD-Payments')).toMatchObject({ holderType: 'predefined' });
      const planted = sandbox.estate.planted.find((c) => c.id === 'RM-ACC-001/developer-in-production-safe')!
        .subject as { holder: string; resource: string };
      const member = sandbox.estate.access.safeMembers.find(
        (m) => m.memberName === planted.holder && m.safe === planted.resource,
      )!;
      expect(byId.get(`${planted.holder}:${planted.resource}`).expiresAt).toBe(member.expiresAt);
      // A safe whose name has a space: PVWA's safeUrlId is URL-encoded (`Shared%20Services`).
      const sre = sandbox.estate.access.safeMembers.find(
        (m) => m.safe === 'Shared Services' && !m.predefined,
      )!;
      expect(byId.get(`${sre.memberName}:Shared Services`)).toMatchObject({ holderType: 'user' });
    } finally {
      await connection.close?.();
    }
  });

  it('cmdb: every CI, the retired ones included', async () => {
    const connection = await connect(sandbox, 'cmdb');
    const batches = await readAll(connection, 'inventory');
    expect(problems(batches)).toEqual([]);
    const items = records(batches).map((r) => r.data as any);
    expect(items.map((i) => i.name).sort()).toEqual(sandbox.estate.configItems.map((c) => c.name).sort());
    expect(items.find((i) => i.name === 'reporting-batch')).toMatchObject({ installStatus: 'retired' });
    expect(items.find((i) => i.name === 'checkout-web')).toMatchObject({ criticality: 2 });
  });

  it('gitlab: deployment approvals are read (Premium), so dual control can be decided', async () => {
    const connection = await connect(sandbox, 'gitlab');
    const batches = await readAll(connection, 'deployments');
    expect(problems(batches)).toEqual([]);
    const deployments = records(batches).filter((r) => r.kind === 'deployment');
    // The connector reads the single deployment (where Premium puts approvals) of successful ones.
    const succeeded = deployments.filter((d) => (d.data as any).status === 'success');
    expect(succeeded.length).toBeGreaterThan(100);
    expect(succeeded.every((d) => Array.isArray((d.data as any).approvals))).toBe(true);
    const p = sandbox.estate.planted.find((c) => c.id === 'RM-SOD-002/deployer-approved-change')!;
    const id = String((p.subject as { deploymentId: number }).deploymentId);
    expect(
      (deployments.find((d) => d.externalId === id)!.data as any).approvals.map((a: any) => a.user),
    ).toHaveLength(1);
    // The manifest names only subjects the collected records hold.
    const refs = expectedFindings(sandbox.estate)
      .map((f) => f.subjectRef)
      .filter((r) => /^gitlab:acme\/[a-z-]+#\d+$/.test(r));
    for (const ref of refs)
      expect(deployments.map((d) => `gitlab:${(d.data as any).project}#${d.externalId}`)).toContain(ref);
  });
});
