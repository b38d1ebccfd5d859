import { DAY, HOUR } from '../estate/estate.clock';
import { generateEstate } from '../estate/estate.generator';
import { EstateIndex } from '../estate/estate.index';
import type { Deployment, Estate } from '../estate/estate.model';
import { startSandbox, type Sandbox } from '../sandbox.server';
import {
  createGitlabFake,
  GITLAB_LOSSY_BEHAVIOURS,
  GITLAB_TRANSPARENT_BEHAVIOURS,
  MERGE_REQUESTS_LINKED_AFTER_MS,
  type GitlabBehaviours,
} from './gitlab.fake';

const NOW = new Date('2025-03-14T12:00:00.000Z');

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

async function get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
}

describe('GitLab fake over HTTP', () => {
  let clock = NOW;
  let sandbox: Sandbox;
  let api: string;
  let auth: Record<string, string>;
  const gl = (path: string) => get(`${api}${path}`, auth);

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 42, scale: 1, now: () => clock });
    api = `${sandbox.url}/gitlab/api/v4`;
    auth = { 'PRIVATE-TOKEN': sandbox.credentials.gitlabToken };
  });
  afterAll(() => sandbox.close());
  afterEach(() => {
    clock = NOW;
  });

  const planted = (id: string): Deployment => {
    const p = sandbox.estate.planted.find((c) => c.id === id)!;
    return EstateIndex.of(sandbox.estate).deploymentsById.get(
      (p.subject as { deploymentId: number }).deploymentId,
    )!;
  };

  it("answers 401 with GitLab's body without a token or with a wrong one, and accepts Bearer", async () => {
    const attempts: Record<string, string>[] = [
      {},
      { 'PRIVATE-TOKEN': 'glpat-wrong' },
      { Authorization: 'Bearer glpat-wrong' },
    ];
    for (const headers of attempts) {
      const r = await get(`${api}/user`, headers);
      expect(r.status).toBe(401);
      expect(r.text).toBe('{"message":"401 Unauthorized"}');
    }
    const bearer = await get(`${api}/user`, { Authorization: `Bearer ${sandbox.credentials.gitlabToken}` });
    expect(bearer.status).toBe(200);
    expect(bearer.body).toMatchObject({ username: 'svc-audit-hub', state: 'active' });
  });

  it('lists member projects, without the archived one when archived=false, in the simple shape', async () => {
    const all = await gl('/projects?membership=true&simple=true&per_page=100');
    expect(all.body.map((p: any) => p.path_with_namespace)).toContain('acme/legacy-billing');
    const active = await gl('/projects?membership=true&simple=true&archived=false&per_page=100');
    const paths = active.body.map((p: any) => p.path_with_namespace).sort();
    expect(paths).toEqual([
      'acme/checkout-web',
      'acme/identity-gateway',
      'acme/kyc-service',
      'acme/ledger-service',
      'acme/notifications-worker',
      'acme/payments-api',
      'acme/reporting-batch',
      'acme/settlement-engine',
    ]);
    expect(active.body[0]).not.toHaveProperty('_links');
    expect(active.body[0].namespace).toMatchObject({ path: 'acme', kind: 'group' });
  });

  it('finds a project by numeric id or URL-encoded path, and 404s an unknown one with a message', async () => {
    const byPath = await gl('/projects/acme%2Fpayments-api');
    const byId = await gl(`/projects/${byPath.body.id}`);
    expect(byId.body).toEqual(byPath.body);
    expect(byPath.body).toMatchObject({
      path_with_namespace: 'acme/payments-api',
      archived: false,
      default_branch: 'main',
    });
    const missing = await gl('/projects/acme%2Fnope');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ message: '404 Project Not Found' });
  });

  it('answers unknown routes with GitLab\'s {"error"} body', async () => {
    const r = await gl('/projects/acme%2Fpayments-api/nothing-here');
    expect(r.status).toBe(404);
    expect(r.text).toBe('{"error":"404 Not Found"}');
  });

  it('serves environments with the tier only there: live is production, prod-sandbox is other', async () => {
    const ledger = await gl('/projects/acme%2Fledger-service/environments');
    expect(ledger.body.map((e: any) => [e.name, e.tier])).toEqual([
      ['live', 'production'],
      ['staging', 'staging'],
    ]);
    expect(Object.keys(ledger.body[0]).sort()).toEqual(
      [
        'id',
        'name',
        'slug',
        'external_url',
        'state',
        'tier',
        'created_at',
        'updated_at',
        'enable_advanced_logs_querying',
        'logs_api_path',
        'auto_stop_at',
        'kubernetes_namespace',
        'flux_resource_path',
      ].sort(),
    );
    const identity = await gl('/projects/acme%2Fidentity-gateway/environments');
    expect(identity.body.find((e: any) => e.name === 'prod-sandbox').tier).toBe('other');
  });

  it('shows deployment approvals on the single deployment only, each once it was given', async () => {
    const d = planted('RM-CHG-001/no-reference');
    expect(d.approvals).toHaveLength(2);
    const one = await gl(`/projects/acme%2Fpayments-api/deployments/${d.id}`);
    expect(one.body.approvals).toEqual(
      d.approvals.map((a) => ({
        user: expect.objectContaining({ username: a.userName }),
        status: 'approved',
        created_at: a.at,
        comment: a.comment,
      })),
    );
    const list = await gl(`/projects/acme%2Fpayments-api/deployments?per_page=100`);
    expect(list.body.every((x: any) => !('approvals' in x))).toBe(true);
    clock = new Date(Date.parse(d.approvals[1].at) - 1);
    const earlier = await gl(`/projects/acme%2Fpayments-api/deployments/${d.id}`);
    expect(earlier.body.approvals.map((a: any) => a.user.username)).toEqual([d.approvals[0].userName]);
  });

  it('renders deployments in the documented shape, deployable job and pipeline included', async () => {
    const d = planted('RM-CHG-001/no-reference');
    const r = await gl(`/projects/acme%2Fpayments-api/deployments/${d.id}`);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(
      [
        'id',
        'iid',
        'ref',
        'sha',
        'created_at',
        'updated_at',
        'status',
        'user',
        'environment',
        'deployable',
        // GitLab Premium: the single deployment carries the protected environment's approvals.
        'approvals',
        'pending_approval_count',
      ].sort(),
    );
    expect(r.body).toMatchObject({
      id: d.id,
      iid: d.iid,
      status: 'success',
      environment: { name: 'production' },
    });
    expect(Object.keys(r.body.deployable).sort()).toEqual(
      [
        'id',
        'status',
        'stage',
        'name',
        'ref',
        'tag',
        'coverage',
        'created_at',
        'started_at',
        'finished_at',
        'project',
        'user',
        'commit',
        'pipeline',
        'runner',
      ].sort(),
    );
    expect(r.body.deployable.started_at).toBe(d.job.startedAt);
    expect(Object.keys(r.body.deployable.pipeline).sort()).toEqual(
      ['created_at', 'id', 'ref', 'sha', 'status', 'updated_at', 'web_url'].sort(),
    );
    expect(typeof r.body.deployable.pipeline.id).toBe('number');
    expect(r.body.deployable.commit.id).toBe(d.sha);
  });

  it('pages deployments with X-Next-Page empty on the last page and a consistent Link header', async () => {
    const base = '/projects/acme%2Fpayments-api/deployments?order_by=id&sort=asc&per_page=7';
    const first = await gl(base);
    const total = Number(first.headers.get('x-total'));
    const pages = Number(first.headers.get('x-total-pages'));
    expect(total).toBeGreaterThan(14);
    expect(pages).toBe(Math.ceil(total / 7));
    expect(first.headers.get('x-page')).toBe('1');
    expect(first.headers.get('x-per-page')).toBe('7');
    expect(first.headers.get('x-prev-page')).toBe('');
    expect(first.headers.get('x-next-page')).toBe('2');
    expect(first.headers.get('link')).toContain('rel="next"');
    const lastLink = /<([^>]+)>; rel="last"/.exec(first.headers.get('link') ?? '')?.[1];
    expect(new URL(lastLink!).searchParams.get('page')).toBe(String(pages));

    const ids: number[] = [];
    let page = '1';
    let last: Reply | undefined;
    while (page) {
      last = await gl(`${base}&page=${page}`);
      ids.push(...last.body.map((d: any) => d.id));
      page = last.headers.get('x-next-page') ?? '';
    }
    expect(last!.headers.get('x-next-page')).toBe('');
    expect(last!.headers.get('x-prev-page')).toBe(String(pages - 1));
    expect(last!.headers.get('link')).not.toContain('rel="next"');
    expect(ids).toHaveLength(total);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });

  it('caps per_page at 100', async () => {
    const r = await gl('/projects/acme%2Fpayments-api/deployments?per_page=500');
    expect(r.headers.get('x-per-page')).toBe('100');
  });

  it('filters by updated_after (inclusive) only together with order_by=updated_at', async () => {
    const refused = await gl('/projects/acme%2Fpayments-api/deployments?updated_after=2025-03-01T00:00:00Z');
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      message: '400 Bad request - `updated_at` filter requires `updated_at` sort',
    });

    const all = await gl('/projects/acme%2Fpayments-api/deployments?order_by=updated_at&per_page=100');
    const cut = all.body[Math.floor(all.body.length / 2)].updated_at;
    const after = await gl(
      `/projects/acme%2Fpayments-api/deployments?order_by=updated_at&sort=asc&per_page=100&updated_after=${encodeURIComponent(cut)}`,
    );
    expect(after.body.length).toBeGreaterThan(0);
    expect(after.body[0].updated_at).toBe(cut);
    expect(after.body.every((d: any) => d.updated_at >= cut)).toBe(true);
    expect(after.body.length).toBe(all.body.filter((d: any) => d.updated_at >= cut).length);
    const updated = after.body.map((d: any) => d.updated_at);
    expect([...updated].sort()).toEqual(updated);
  });

  it('filters by environment and status', async () => {
    const failed = await gl(
      '/projects/acme%2Fnotifications-worker/deployments?status=failed&environment=production&per_page=100',
    );
    expect(failed.body.length).toBeGreaterThan(0);
    expect(failed.body.every((d: any) => d.status === 'failed' && d.environment.name === 'production')).toBe(
      true,
    );
    expect(failed.body.map((d: any) => d.id)).toContain(planted('RM-CHG-001/failed-no-change').id);
    const bad = await gl('/projects/acme%2Fnotifications-worker/deployments?status=exploded');
    expect(bad.status).toBe(400);
  });

  it('shows a deployment as the clock sees it: absent before creation, waiting on its manual job, then finished', async () => {
    const d = planted('RM-CHG-002/approved-1-minute-before');
    const url = `/projects/acme%2Fnotifications-worker/deployments/${d.id}`;
    clock = new Date(Date.parse(d.createdAt) - 1000);
    expect((await gl(url)).status).toBe(404);
    clock = new Date(Date.parse(d.job.startedAt) - 1000);
    const waiting = await gl(url);
    expect(waiting.body).toMatchObject({
      status: 'created',
      deployable: { status: 'manual', started_at: null },
    });
    clock = NOW;
    expect((await gl(url)).body.status).toBe('success');
  });

  it('lists the MRs shipped with a deployment, carrying the CHG number only in a description', async () => {
    const d = planted('RM-CHG-001/via-mr-description-only');
    const r = await gl(`/projects/acme%2Fidentity-gateway/deployments/${d.id}/merge_requests`);
    expect(r.status).toBe(200);
    expect(r.body.map((m: any) => m.iid).sort()).toEqual([...d.mergeRequestIids].sort());
    expect(r.body.some((m: any) => /\bCHG\d{7}\b/.test(m.description))).toBe(true);
    expect(r.body.every((m: any) => !/\bCHG\d{7}\b/.test(m.title) && m.state === 'merged')).toBe(true);
    const failed = planted('RM-CHG-001/failed-no-change');
    const none = await gl(`/projects/acme%2Fnotifications-worker/deployments/${failed.id}/merge_requests`);
    expect(none.body).toEqual([]);
  });

  it('wraps MR approvers as {user: …} on /approvals', async () => {
    const d = planted('RM-CHG-001/no-reference');
    const r = await gl(`/projects/acme%2Fpayments-api/merge_requests/${d.mergeRequestIids[0]}/approvals`);
    expect(Object.keys(r.body).sort()).toEqual(
      [
        'id',
        'iid',
        'project_id',
        'title',
        'description',
        'state',
        'created_at',
        'updated_at',
        'merge_status',
        'approvals_required',
        'approvals_left',
        'approved_by',
      ].sort(),
    );
    expect(r.body.approvals_left).toBe(0);
    expect(r.body.approved_by).toHaveLength(1);
    expect(Object.keys(r.body.approved_by[0])).toEqual(['user']);
    expect(r.body.approved_by[0].user).toMatchObject({
      username: expect.any(String),
      id: expect.any(Number),
    });
  });

  it('serves the pipeline, its variables (variable_type sometimes absent) and its test report summary', async () => {
    const d = planted('RM-CHG-001/unknown-change');
    const pipeline = await gl(`/projects/acme%2Fnotifications-worker/pipelines/${d.pipelineId}`);
    expect(pipeline.body).toMatchObject({ id: d.pipelineId, sha: d.sha, status: 'success', source: 'web' });
    expect(typeof pipeline.body.duration).toBe('number');
    const vars = await gl(`/projects/acme%2Fnotifications-worker/pipelines/${d.pipelineId}/variables`);
    expect(vars.body).toContainEqual({ key: 'CHANGE_ID', variable_type: 'env_var', value: 'CHG0999901' });
    expect(vars.body).toContainEqual({ key: 'VERSION', value: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
    const report = await gl(
      `/projects/acme%2Fnotifications-worker/pipelines/${d.pipelineId}/test_report_summary`,
    );
    expect(report.body.total.count).toBeGreaterThan(0);
    expect(report.body.test_suites[0]).toMatchObject({
      total_count: report.body.total.count,
      failed_count: 0,
    });
  });

  it('serves commits, a 404 signature body for unsigned ones and raw 39-digit X.509 serials', async () => {
    const estate = sandbox.estate;
    const path = (service: string) => encodeURIComponent(`acme/${service}`);
    const unsigned = estate.commits.find((c) => c.signature === null && c.committedAt <= estate.now)!;
    const commit = await gl(`/projects/${path(unsigned.service)}/repository/commits/${unsigned.sha}`);
    expect(commit.body).toMatchObject({
      id: unsigned.sha,
      short_id: unsigned.sha.slice(0, 8),
      message: unsigned.message,
    });
    const missing = await gl(
      `/projects/${path(unsigned.service)}/repository/commits/${unsigned.sha}/signature`,
    );
    expect(missing.status).toBe(404);
    expect(missing.text).toBe('{"message":"404 GPG Signature Not Found"}');

    const gpg = estate.commits.find((c) => c.signature?.type === 'gpg' && c.signature.status === 'verified')!;
    const pgp = await gl(`/projects/${path(gpg.service)}/repository/commits/${gpg.sha}/signature`);
    expect(pgp.body).toMatchObject({
      signature_type: 'PGP',
      verification_status: 'verified',
      commit_source: 'gitaly',
    });

    const x509 = estate.commits.find((c) => c.signature?.type === 'x509' && c.committedAt <= estate.now)!;
    const cert = await gl(`/projects/${path(x509.service)}/repository/commits/${x509.sha}/signature`);
    expect(cert.body.signature_type).toBe('X509');
    const serial = /"serial_number":(\d+)/.exec(cert.text)?.[1];
    expect(serial).toBeDefined();
    expect(BigInt(serial!) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
  });
});

describe('GitLab fake above 10,000 rows', () => {
  let sandbox: Sandbox;

  /** One project with 10,050 deployments, grown by copying a real one under fresh ids. */
  function crowded(): Estate {
    const estate = generateEstate({ seed: 5, scale: 1, now: new Date('2025-03-14T12:00:00.000Z') });
    const template = estate.deployments.find(
      (d) => d.service === 'reporting-batch' && d.status === 'success',
    )!;
    const existing = estate.deployments.filter((d) => d.service === 'reporting-batch').length;
    let nextId = estate.cursor.nextDeploymentId;
    for (let i = existing; i < 10_050; i++) {
      const at = new Date(
        Date.parse(template.createdAt) - (i % 500) * HOUR - Math.floor(i / 500) * DAY,
      ).toISOString();
      estate.deployments.push({
        ...template,
        id: nextId++,
        iid: 100_000 + i,
        createdAt: at,
        updatedAt: at,
        finishedAt: at,
        job: { ...template.job, createdAt: at, startedAt: at, finishedAt: at },
      });
    }
    return estate;
  }

  beforeAll(async () => {
    sandbox = await startSandbox({
      seed: 5,
      scale: 1,
      estate: crowded(),
      now: () => new Date('2025-03-14T12:00:00.000Z'),
    });
  });
  afterAll(() => sandbox.close());

  it('omits X-Total, X-Total-Pages and rel="last" but keeps X-Next-Page until the last page', async () => {
    const url = `${sandbox.url}/gitlab/api/v4/projects/acme%2Freporting-batch/deployments?per_page=100`;
    const headers = { 'PRIVATE-TOKEN': sandbox.credentials.gitlabToken };
    const first = await get(url, headers);
    expect(first.body).toHaveLength(100);
    expect(first.headers.get('x-total')).toBeNull();
    expect(first.headers.get('x-total-pages')).toBeNull();
    expect(first.headers.get('x-next-page')).toBe('2');
    expect(first.headers.get('link')).toContain('rel="next"');
    expect(first.headers.get('link')).not.toContain('rel="last"');
    const last = await get(`${url}&page=101`, headers);
    expect(last.body).toHaveLength(50);
    expect(last.headers.get('x-next-page')).toBe('');
    expect(last.headers.get('x-total')).toBeNull();
  });
});

describe('GitLab fake real-instance behaviours', () => {
  const NOW_B = new Date('2025-03-14T12:00:00.000Z');
  const TOKEN = 'glpat-behaviours';
  const estate = generateEstate({ seed: 42, scale: 1, now: NOW_B });
  const index = EstateIndex.of(estate);
  const tierOf = (d: Deployment) => index.environmentsById.get(d.environmentId)!.tier;

  /** A fake with the given switches and clock, asked as the connector asks. */
  function fake(behaviours: GitlabBehaviours = {}, now: () => Date = () => NOW_B) {
    const handler = createGitlabFake({
      estate: () => estate,
      token: TOKEN,
      now,
      userName: 'svc-audit-hub',
      behaviours,
    });
    return (path: string, query: Record<string, string> = {}) => {
      const res = handler({
        method: 'GET',
        path: `/api/v4${path}`,
        query: new URLSearchParams(query),
        headers: { 'private-token': TOKEN },
        baseUrl: 'http://127.0.0.1/gitlab',
      });
      return { status: res.status, headers: res.headers, text: res.body, body: JSON.parse(res.body) };
    };
  }

  const project = (d: Deployment) => encodeURIComponent(index.servicesByName.get(d.service)!.gitlabPath);
  /** A successful deployment that shipped MRs, of the given tier, finished before the clock. */
  const shipping = (tier: string) =>
    estate.deployments.find(
      (d) =>
        d.status === 'success' &&
        d.mergeRequestIids.length > 0 &&
        tierOf(d) === tier &&
        d.finishedAt < estate.now,
    )!;
  const isFirst = (d: Deployment) =>
    !estate.deployments.some(
      (p) => p.environmentId === d.environmentId && p.status === 'success' && p.id < d.id,
    );

  it('classifies each deployment switch as transparent or lossy, once', () => {
    const transparent = [
      'mergeRequestsFilledLate',
      'mergeRequestsSkipped',
      'firstDeploymentLinksAllMerged',
      'rowsMoveWhilePaging',
    ];
    for (const key of transparent) {
      expect(GITLAB_TRANSPARENT_BEHAVIOURS).toContain(key);
      expect(GITLAB_LOSSY_BEHAVIOURS).not.toContain(key);
    }
    // A Reporter's token truly cannot read variables: lossy.
    expect(GITLAB_LOSSY_BEHAVIOURS).toContain('variablesNeedMaintainer');
    expect(GITLAB_TRANSPARENT_BEHAVIOURS).not.toContain('variablesNeedMaintainer');
  });

  it('variablesNeedMaintainer: every pipeline variables read answers GitLab’s 403 body, nothing else changes', async () => {
    const d = shipping('production');
    const path = `/projects/${project(d)}/pipelines/${d.pipelineId}/variables`;
    expect(fake()(path).status).toBe(200);
    const refused = fake({ variablesNeedMaintainer: true })(path);
    expect(refused.status).toBe(403);
    expect(refused.text).toBe('{"message":"403 Forbidden"}');
    expect(
      fake({ variablesNeedMaintainer: true })(`/projects/${project(d)}/pipelines/${d.pipelineId}`).status,
    ).toBe(200);
  });

  it('mergeRequestsFilledLate: a deployment’s MR list is empty for its first two reads and for 10 minutes after it finished', async () => {
    const d = shipping('production');
    const path = `/projects/${project(d)}/deployments/${d.id}/merge_requests`;
    const late = fake({ mergeRequestsFilledLate: true });
    expect(late(path).body).toEqual([]);
    expect(late(path).body).toEqual([]);
    expect(
      late(path)
        .body.map((m: { iid: number }) => m.iid)
        .sort(),
    ).toEqual([...d.mergeRequestIids].sort());

    let clock = new Date(Date.parse(d.finishedAt) + MERGE_REQUESTS_LINKED_AFTER_MS - 60_000);
    const early = fake({ mergeRequestsFilledLate: true }, () => clock);
    for (let read = 0; read < 4; read++) expect(early(path).body).toEqual([]);
    clock = new Date(Date.parse(d.finishedAt) + MERGE_REQUESTS_LINKED_AFTER_MS);
    expect(early(path).body).toHaveLength(d.mergeRequestIids.length);
  });

  it('mergeRequestsSkipped: production-tier deployments list no MR, others theirs', async () => {
    const skipped = fake({ mergeRequestsSkipped: true });
    const prod = shipping('production');
    const staging = shipping('staging');
    expect(skipped(`/projects/${project(prod)}/deployments/${prod.id}/merge_requests`).body).toEqual([]);
    expect(
      skipped(`/projects/${project(staging)}/deployments/${staging.id}/merge_requests`).body,
    ).toHaveLength(staging.mergeRequestIids.length);
  });

  it('firstDeploymentLinksAllMerged: a first deployment to an environment lists every MR merged into its ref by then; later ones theirs', async () => {
    const all = fake({ firstDeploymentLinksAllMerged: true });
    const mergedBy = (d: Deployment) =>
      estate.mergeRequests
        .filter(
          (m) =>
            m.service === d.service && m.targetBranch === d.ref && m.mergedAt && m.mergedAt <= d.finishedAt,
        )
        .map((m) => m.iid)
        .sort((a, b) => a - b);
    // A first deployment that shipped less than all of main's merged MRs (an environment added later).
    const first = estate.deployments.find(
      (d) =>
        d.status === 'success' &&
        !d.tag &&
        isFirst(d) &&
        d.finishedAt < estate.now &&
        mergedBy(d).length > d.mergeRequestIids.length,
    )!;
    expect(first).toBeDefined();
    const iids = (r: { body: { iid: number }[] }) => r.body.map((m) => m.iid).sort((a, b) => a - b);
    const path = `/projects/${project(first)}/deployments/${first.id}/merge_requests`;
    expect(iids(all(path, { per_page: '100' }))).toEqual(mergedBy(first));
    expect(iids(fake()(path, { per_page: '100' }))).toEqual(
      [...first.mergeRequestIids].sort((a, b) => a - b),
    );
    const later = estate.deployments.find(
      (d) => d.status === 'success' && !isFirst(d) && d.mergeRequestIids.length > 0,
    )!;
    expect(all(`/projects/${project(later)}/deployments/${later.id}/merge_requests`).body).toHaveLength(
      later.mergeRequestIids.length,
    );
  });

  it('rowsMoveWhilePaging: a page’s first deployment is updated before the next page, so offset paging skips one and restarting at the watermark does not', async () => {
    const service = 'payments-api';
    const path = `/projects/${encodeURIComponent(`acme/${service}`)}/deployments`;
    const query = {
      order_by: 'updated_at',
      sort: 'asc',
      per_page: '5',
      updated_after: '2000-01-01T00:00:00Z',
    };
    const visible = (index.deploymentsByService.get(service) ?? []).filter((d) => d.createdAt <= estate.now);
    const offset = fake({ rowsMoveWhilePaging: true });
    const ids: number[] = [];
    for (let page = 1; ; page++) {
      const r = offset(path, { ...query, page: String(page) });
      ids.push(...r.body.map((d: { id: number }) => d.id));
      if (!r.headers['x-next-page']) break;
    }
    // Each moved deployment is seen again at the end; one deployment per move is never seen.
    expect(new Set(ids).size).toBeLessThan(visible.length);

    // As the connector reads: from the highest updated_at read, by position only inside one instant.
    const restart = fake({ rowsMoveWhilePaging: true });
    const seen = new Set<number>();
    let after = query.updated_after;
    let page = 1;
    for (let requests = 0; requests < 500; requests++) {
      const r = restart(path, {
        ...query,
        updated_after: after,
        ...(page > 1 ? { page: String(page) } : {}),
      });
      r.body.forEach((d: { id: number }) => seen.add(d.id));
      if (!r.headers['x-next-page']) break;
      const highest = r.body[r.body.length - 1].updated_at;
      const mixed = r.body[0].updated_at !== highest;
      page = highest > after ? (mixed ? 1 : 2) : page + 1;
      after = highest;
    }
    expect(seen.size).toBe(visible.length);
    const moved = restart(`${path}/${visible[0].id}`).body;
    expect(moved.updated_at).toBe(NOW_B.toISOString());
  });

  it('lists the commits reachable from a commit since an instant, newest first, and 404s a branch name', async () => {
    const gl = fake();
    const d = shipping('production');
    const since = new Date(Date.parse(d.finishedAt) - 3 * DAY).toISOString();
    const r = gl(`/projects/${project(d)}/repository/commits`, { ref_name: d.sha, since, per_page: '100' });
    expect(r.status).toBe(200);
    expect(r.body[0].id).toBe(d.sha);
    const dates = r.body.map((c: { committed_date: string }) => Date.parse(c.committed_date));
    expect([...dates].sort((a, b) => b - a)).toEqual(dates);
    expect(dates.every((t: number) => t >= Date.parse(since))).toBe(true);
    expect(gl(`/projects/${project(d)}/repository/commits`, { ref_name: 'main' }).status).toBe(404);
  });
});
