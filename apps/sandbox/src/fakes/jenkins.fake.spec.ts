import { startSandbox, type Sandbox } from '../sandbox.server';
import { applyTree, parseTree } from './jenkins-tree.util';

const NOW = new Date('2025-03-14T12:00:00.000Z');
const DEPLOY = 'finance/settlement-engine-deploy';

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

describe('Jenkins fake over HTTP', () => {
  let clock = NOW;
  let sandbox: Sandbox;
  let auth: Record<string, string>;
  const jk = async (path: string, tree?: string, headers = auth): Promise<Reply> => {
    const query = tree ? `?tree=${encodeURIComponent(tree)}` : '';
    const res = await fetch(`${sandbox.url}/jenkins${path}${query}`, { headers });
    const text = await res.text();
    const json = (res.headers.get('content-type') ?? '').includes('json');
    return { status: res.status, headers: res.headers, text, body: json ? JSON.parse(text) : undefined };
  };
  const jobPath = (fullName: string) =>
    fullName
      .split('/')
      .map((n) => `/job/${n}`)
      .join('');

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 42, scale: 1, now: () => clock });
    const { jenkinsUser, jenkinsToken } = sandbox.credentials;
    auth = { Authorization: `Basic ${Buffer.from(`${jenkinsUser}:${jenkinsToken}`).toString('base64')}` };
  });
  afterAll(() => sandbox.close());
  afterEach(() => {
    clock = NOW;
  });

  it('refuses anonymous requests (403) and a wrong token (401) with HTML pages, and names its version', async () => {
    const anonymous = await jk('/api/json', undefined, {});
    expect(anonymous.status).toBe(403);
    expect(anonymous.headers.get('content-type')).toMatch(/text\/html/);
    const wrong = await jk('/api/json', undefined, {
      Authorization: `Basic ${Buffer.from(`${sandbox.credentials.jenkinsUser}:nope`).toString('base64')}`,
    });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('Invalid password/token');
    const root = await jk('/api/json', 'mode,nodeDescription');
    expect(root.headers.get('x-jenkins')).toMatch(/^2\.\d+/);
    expect(root.body).toEqual({
      _class: 'hudson.model.Hudson',
      mode: 'NORMAL',
      nodeDescription: "the Jenkins controller's built-in node",
    });
    const me = await jk('/me/api/json', 'id,fullName');
    expect(me.body).toMatchObject({ id: 'svc-audit-hub', fullName: 'Audit Hub' });
  });

  it('lists folders level by level: folders carry jobs, jobs a lastBuild (null when never built)', async () => {
    const tree = 'jobs[name,fullName,url,_class,lastBuild[number],jobs[name]]';
    const root = await jk('/api/json', tree);
    const names = root.body.jobs.map((j: any) => j.fullName).sort();
    expect(names).toEqual(['finance', 'platform', 'seed-job']);
    expect(root.body.jobs.find((j: any) => j.name === 'seed-job')).toMatchObject({
      _class: 'hudson.model.FreeStyleProject',
      lastBuild: null,
    });
    const finance = root.body.jobs.find((j: any) => j.name === 'finance');
    expect(finance._class).toBe('com.cloudbees.hudson.plugins.folder.Folder');
    expect(finance.jobs.map((j: any) => j.name).sort()).toEqual([
      'settlement-engine-build',
      'settlement-engine-deploy',
    ]);
    const platform = await jk('/job/platform/api/json', tree);
    expect(platform.body.jobs).toEqual([
      expect.objectContaining({ fullName: 'platform/tools', jobs: expect.any(Array) }),
    ]);
    const tools = await jk('/job/platform/job/tools/api/json', tree);
    expect(tools.body.jobs[0]).toMatchObject({
      fullName: 'platform/tools/workspace-cleanup',
      lastBuild: { number: expect.any(Number) },
    });
    expect(tools.body.jobs[0]).not.toHaveProperty('jobs');
  });

  it('pages builds newest first with allBuilds{m,n}, and hides fingerprints without tree=', async () => {
    const builds = sandbox.estate.ciBuilds
      .filter((b) => b.job === DEPLOY && b.startedAt <= NOW.toISOString())
      .sort((a, b) => b.number - a.number);
    const page = await jk(
      `${jobPath(DEPLOY)}/api/json`,
      'allBuilds[number,fingerprint[fileName,hash,original[name,number]]]{2,5}',
    );
    expect(page.body.allBuilds.map((b: any) => b.number)).toEqual(builds.slice(2, 5).map((b) => b.number));
    expect(page.body.allBuilds[0].fingerprint[0]).toEqual({
      _class: 'hudson.model.Fingerprint',
      fileName: builds[2].fingerprints[0].fileName,
      hash: builds[2].fingerprints[0].md5,
      original: expect.objectContaining({ name: expect.stringMatching(/^finance\//) }),
    });
    const plain = await jk(`${jobPath(DEPLOY)}/${builds[0].number}/api/json`);
    expect(plain.body).not.toHaveProperty('fingerprint');
    expect(plain.body).toMatchObject({ number: builds[0].number, building: false, result: 'SUCCESS' });
  });

  it('renders a deploy build the way Jenkins does: parameters, causes, one BuildData per checkout, JUnit, approver', async () => {
    const p = sandbox.estate.planted.find((c) => c.id === 'RM-PIPE-001/jenkins-replay')!;
    const number = (p.subject as { number: number }).number;
    const r = await jk(`${jobPath(DEPLOY)}/${number}/api/json`);
    expect(r.body._class).toBe('org.jenkinsci.plugins.workflow.job.WorkflowRun');
    const byClass = (cls: string) => r.body.actions.filter((a: any) => a._class === cls);
    const [parameters] = byClass('hudson.model.ParametersAction');
    expect(parameters.parameters.map((x: any) => x.name)).toEqual([
      'ENVIRONMENT',
      'VERSION',
      'CHANGE_ID',
      'DRY_RUN',
      'DEPLOY_TOKEN',
    ]);
    expect(parameters.parameters.find((x: any) => x.name === 'DEPLOY_TOKEN')).not.toHaveProperty('value');
    const [causes] = byClass('hudson.model.CauseAction');
    expect(causes.causes.map((c: any) => c._class)).toEqual([
      'org.jenkinsci.plugins.workflow.cps.replay.ReplayCause',
      'hudson.model.Cause$UserIdCause',
    ]);
    const checkouts = byClass('hudson.plugins.git.util.BuildData');
    expect(checkouts.map((c: any) => c.remoteUrls[0])).toEqual([
      'https://gitlab.acme.com/platform/jenkins-shared-library.git',
      'git@gitlab.acme.com:acme/settlement-engine.git',
    ]);
    expect(checkouts[1].lastBuiltRevision.branch[0].name).toBe('origin/main');
    expect(byClass('hudson.tasks.junit.TestResultAction')[0]).toMatchObject({
      failCount: 0,
      totalCount: expect.any(Number),
    });
    expect(byClass('org.jenkinsci.plugins.workflow.support.steps.input.ApproverAction')).toHaveLength(1);
    expect(r.body.actions).toContainEqual({});
  });

  it('shows a build still running as building, without result, tests or fingerprints', async () => {
    const build = sandbox.estate.ciBuilds.find((b) => b.job === DEPLOY && b.environment === 'production')!;
    clock = new Date(Date.parse(build.startedAt) + 1000);
    const r = await jk(
      `${jobPath(DEPLOY)}/${build.number}/api/json`,
      'building,result,duration,fingerprint[hash],actions[totalCount]',
    );
    expect(r.body).toMatchObject({ building: true, result: null, duration: 0, fingerprint: [] });
    expect(r.body.actions.some((a: any) => 'totalCount' in a)).toBe(false);
    const newer = await jk(`${jobPath(DEPLOY)}/${build.number + 1}/api/json`);
    expect(newer.status).toBe(404);
  });

  it('answers unknown jobs and a missing test report with Jetty 404 pages', async () => {
    const job = await jk('/job/finance/job/nope/api/json');
    expect(job.status).toBe(404);
    expect(job.text).toContain('HTTP ERROR 404');
    const p = sandbox.estate.planted.find((c) => c.id === 'RM-EVD-001/jenkins-no-junit')!;
    const number = (p.subject as { number: number }).number;
    expect((await jk(`${jobPath(DEPLOY)}/${number}/testReport/api/json`)).status).toBe(404);
    expect((await jk(`${jobPath(DEPLOY)}/${number - 1}/testReport/api/json`)).body).toMatchObject({
      _class: 'hudson.tasks.junit.TestResult',
      failCount: 0,
    });
  });
});

describe('tree= parameter', () => {
  it('parses nesting and every range form', () => {
    expect(parseTree('a,b[c,d[e]]{1,3},f{2},g{,4},h{5,}')).toEqual([
      { name: 'a' },
      {
        name: 'b',
        children: [{ name: 'c' }, { name: 'd', children: [{ name: 'e' }] }],
        range: { from: 1, to: 3 },
      },
      { name: 'f', range: { from: 2, to: 3 } },
      { name: 'g', range: { from: 0, to: 4 } },
      { name: 'h', range: { from: 5 } },
    ]);
    expect(() => parseTree('a[b')).toThrow(/"\]" expected/);
    expect(() => parseTree('a{x}')).toThrow(/not a range/);
  });

  it('keeps _class, leaves out absent fields, keeps nulls, and filters lists element by element', () => {
    const value = { _class: 'X', a: 1, b: null, c: [{ _class: 'Y', d: 1, e: 2 }, { d: 3 }], f: 'no' };
    expect(applyTree(value, parseTree('a,b,c[d]{0,1},z'))).toEqual({
      _class: 'X',
      a: 1,
      b: null,
      c: [{ _class: 'Y', d: 1 }],
    });
  });
});
