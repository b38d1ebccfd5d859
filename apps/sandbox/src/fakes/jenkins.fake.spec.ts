import type { Batch, Cursor } from '@audit-hub/plugin-sdk';
import { pluginTestContext, readBatches } from '@audit-hub/plugin-sdk/testing';
import { plugin as jenkinsPlugin } from '@audit-hub/plugin-jenkins';
import type { Estate } from '../estate/estate.model';
import { advanceEstate, generateEstate } from '../estate/estate.generator';
import { startSandbox, type Sandbox } from '../sandbox.server';
import {
  createJenkinsFake,
  JENKINS_LOSSY_BEHAVIOURS,
  JENKINS_ROTATION_NUM_TO_KEEP,
  JENKINS_TRANSPARENT_BEHAVIOURS,
  jenkinsJobName,
  type JenkinsBehaviours,
} from './jenkins.fake';
import { applyTree, parseTree } from './jenkins-tree.util';
import { serveFake } from './fake-server.testing';

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

describe('Jenkins fake behaviours', () => {
  const estate = generateEstate({ seed: 42, scale: 1, now: NOW });
  const T0 = new Date(estate.generatedAt);
  const LATER = new Date(T0.getTime() + 60_000);
  const USER = 'svc-audit-hub';
  const TOKEN = '11behaviour-token';
  const authorization = `Basic ${Buffer.from(`${USER}:${TOKEN}`).toString('base64')}`;
  const service = estate.services.find((s) => s.jenkins)!.jenkins!;
  const LISTING =
    'jobs[name,fullName,_class,lastBuild[number,timestamp,queueId],firstBuild[number],nextBuildNumber,jobs[name]]';
  const BUILDS =
    'allBuilds[number,timestamp,queueId,result,fingerprint[original[name,number]],actions[causes[upstreamProject]]]';
  const path = (fullName: string) =>
    fullName
      .split('/')
      .map((n) => `/job/${encodeURIComponent(n)}`)
      .join('');
  const fake = (behaviours: JenkinsBehaviours, at: Date) => {
    const handler = createJenkinsFake({
      estate: () => estate,
      user: USER,
      token: TOKEN,
      now: () => at,
      behaviours,
    });
    return (url: string, tree?: string) => {
      const response = handler({
        method: 'GET',
        path: url,
        query: new URLSearchParams(tree ? { tree } : {}),
        headers: { authorization },
        baseUrl: 'http://jenkins.invalid',
      });
      const body = response.headers['content-type'].includes('json')
        ? JSON.parse(response.body)
        : response.body;
      return { status: response.status, body };
    };
  };
  const numbers = (page: { body: { allBuilds: { number: number }[] } }) =>
    page.body.allBuilds.map((b) => b.number);

  it('classifies every switch once', () => {
    expect([...JENKINS_TRANSPARENT_BEHAVIOURS, ...JENKINS_LOSSY_BEHAVIOURS].sort()).toEqual(
      ['hiddenJobs', 'jobMoved', 'logRotation', 'noFoldersPlugin'].sort(),
    );
  });

  it('serves a unique queue id, the start and the oldest kept build on the listing, as Jenkins exports them', () => {
    const get = fake({}, T0);
    const folder = service.deployJob.split('/')[0];
    const listing = get(`/job/${folder}/api/json`, LISTING).body.jobs;
    const deploy = listing.find((j: any) => j.fullName === service.deployJob);
    const all = numbers(get(`${path(service.deployJob)}/api/json`, BUILDS));
    expect(deploy).toMatchObject({
      lastBuild: { number: all[0], timestamp: expect.any(Number), queueId: expect.any(Number) },
      firstBuild: { number: all[all.length - 1] },
      nextBuildNumber: all[0] + 1,
    });
    const build = listing.find((j: any) => j.fullName === service.buildJob);
    expect(build.lastBuild.queueId).not.toBe(deploy.lastBuild.queueId);
  });

  it('logRotation: from after the generation on, keeps the newest, the last successful and stable and the running builds; the rest answer 404', () => {
    const before = numbers(fake({ logRotation: true }, T0)(`${path(service.deployJob)}/api/json`, BUILDS));
    const get = fake({ logRotation: true }, LATER);
    const after = get(`${path(service.deployJob)}/api/json`, BUILDS);
    const kept = numbers(after);
    expect(kept.length).toBeGreaterThanOrEqual(JENKINS_ROTATION_NUM_TO_KEEP);
    expect(kept.length).toBeLessThanOrEqual(JENKINS_ROTATION_NUM_TO_KEEP + 2);
    expect(kept[0]).toBe(before[0]);
    const discarded = before.find((n) => !kept.includes(n))!;
    expect(get(`${path(service.deployJob)}/${discarded}/api/json`).status).toBe(404);
    // nextBuildNumber still counts what was handed out.
    const folder = get(`/job/${service.deployJob.split('/')[0]}/api/json`, LISTING).body.jobs;
    expect(folder.find((j: any) => j.fullName === service.deployJob)).toMatchObject({
      nextBuildNumber: before[0] + 1,
      firstBuild: { number: kept[kept.length - 1] },
    });
  });

  it('jobMoved: after the generation the folder is under legacy/, with the same builds; fingerprints name the new place, causes the old one', () => {
    const atT0 = fake({ jobMoved: true }, T0);
    const old = atT0(`${path(service.deployJob)}/api/json`, BUILDS).body.allBuilds;
    const get = fake({ jobMoved: true }, LATER);
    const movedName = `legacy/${service.deployJob}`;
    expect(jenkinsJobName(estate, service.deployJob, { jobMoved: true }, LATER.toISOString())).toBe(
      movedName,
    );
    expect(get(`${path(service.deployJob)}/api/json`, BUILDS).status).toBe(404);
    const root = get('/api/json', LISTING).body.jobs.map((j: any) => j.fullName);
    expect(root).toContain('legacy');
    expect(root).not.toContain(service.deployJob.split('/')[0]);
    const moved = get(`${path(movedName)}/api/json`, BUILDS).body.allBuilds;
    const keyOf = (b: any) => `${b.number}|${b.timestamp}|${b.queueId}`;
    expect(moved.map(keyOf)).toEqual(old.map(keyOf));
    const originals = moved
      .flatMap((b: any) => b.fingerprint.map((f: any) => f.original?.name))
      .filter(Boolean);
    expect(originals.length).toBeGreaterThan(0);
    expect(originals.every((name: string) => name.startsWith('legacy/'))).toBe(true);
    const upstream = moved
      .flatMap((b: any) => b.actions.flatMap((a: any) => (a.causes ?? []).map((c: any) => c.upstreamProject)))
      .filter(Boolean);
    expect(upstream.length).toBeGreaterThan(0);
    expect(upstream.every((name: string) => !name.startsWith('legacy/'))).toBe(true);
  });

  it('noFoldersPlugin: every job at the root by its last segment, no item with jobs, folder paths 404', () => {
    const get = fake({ noFoldersPlugin: true }, T0);
    const root = get('/api/json', LISTING).body.jobs;
    expect(root.some((j: any) => 'jobs' in j)).toBe(false);
    const flat = service.deployJob.split('/').pop()!;
    expect(root.map((j: any) => j.fullName)).toContain(flat);
    expect(get(`${path(service.deployJob)}/api/json`, BUILDS).status).toBe(404);
    const builds = get(`/job/${flat}/api/json`, BUILDS).body.allBuilds;
    const originals = builds
      .flatMap((b: any) => b.fingerprint.map((f: any) => f.original?.name))
      .filter(Boolean);
    expect(originals.every((name: string) => !name.includes('/'))).toBe(true);
  });

  it('hiddenJobs: the build job is left out of its folder and refused (403, Discover only), but fingerprints still name it', () => {
    const get = fake({ hiddenJobs: true }, T0);
    const folder = get(`/job/${service.buildJob.split('/')[0]}/api/json`, LISTING).body.jobs;
    expect(folder.map((j: any) => j.fullName)).toEqual([service.deployJob]);
    const refused = get(`${path(service.buildJob)}/api/json`, 'name,fullName');
    expect(refused.status).toBe(403);
    expect(refused.body).toContain(`Please login to access job ${service.buildJob.split('/').pop()}`);
    const builds = get(`${path(service.deployJob)}/api/json`, BUILDS).body.allBuilds;
    const originals = builds.flatMap((b: any) => b.fingerprint.map((f: any) => f.original?.name));
    expect(originals).toContain(service.buildJob);
  });
});

describe('the jenkins connector against the fake’s behaviours', () => {
  const USER = 'svc-audit-hub';
  const TOKEN = '11connector-token';
  const DAY = 86_400_000;
  type Stream = 'deployments' | 'builds';
  interface Run {
    ids: Record<Stream, string[]>;
    /** The records' data, for comparing what was read. */
    data: Record<Stream, unknown[]>;
    problems: Record<Stream, any[]>;
    cursors: Record<Stream, Cursor | null>;
  }

  /** Both streams read once at `at` from the cursors given, the fake on a loopback port. */
  async function run(estate: Estate, behaviours: JenkinsBehaviours, at: Date, from?: Run): Promise<Run> {
    const handler = createJenkinsFake({
      estate: () => estate,
      user: USER,
      token: TOKEN,
      now: () => at,
      behaviours,
    });
    const fake = await serveFake(handler);
    try {
      const ctx = pluginTestContext(jenkinsPlugin, {
        connectorId: 'jenkins',
        baseUrl: fake.baseUrl,
        auth: { username: USER, token: TOKEN },
        options: { deployJobs: ['*-deploy'] },
        services: estate.services
          .filter((s) => s.jenkins)
          .map((s) => ({ name: s.name, keys: { gitlab: s.gitlabPath, jenkins: s.jenkins!.deployJob } })),
        now: at,
      });
      const connection = await jenkinsPlugin.connect(ctx);
      const out: Run = { ids: {} as any, data: {} as any, problems: {} as any, cursors: {} as any };
      for (const stream of ['deployments', 'builds'] as Stream[]) {
        const batches: Batch[] = await readBatches(connection, stream, {
          cursor: from?.cursors[stream] ?? null,
          full: false,
          since: new Date(at.getTime() - 90 * DAY),
        });
        out.ids[stream] = batches.flatMap((b) => b.records.map((r) => r.externalId));
        out.data[stream] = batches.flatMap((b) => b.records.map((r) => r.data));
        out.problems[stream] = batches.flatMap((b) => b.problems ?? []);
        out.cursors[stream] =
          batches.filter((b) => b.cursor !== undefined).pop()?.cursor ?? from?.cursors[stream] ?? null;
      }
      return out;
    } finally {
      await fake.close();
    }
  }

  /** Two runs: at the estate's generation, then `days` later (the estate grown meanwhile). */
  async function twoRuns(behaviours: JenkinsBehaviours, days: number) {
    const estate = generateEstate({ seed: 42, scale: 1, now: NOW });
    const first = await run(estate, behaviours, NOW);
    const later = new Date(NOW.getTime() + days * DAY);
    advanceEstate(estate, later);
    const second = await run(estate, behaviours, later, first);
    return { estate, first, second };
  }

  it('jobMoved is transparent: the moved jobs’ builds keep their ids, none comes back, and no problem is raised', async () => {
    const plain = await twoRuns({}, 3);
    const moved = await twoRuns({ jobMoved: true }, 3);
    expect(plain.second.ids.deployments.length).toBeGreaterThan(0);
    for (const stream of ['deployments', 'builds'] as Stream[]) {
      expect([...plain.first.problems[stream], ...plain.second.problems[stream]]).toEqual([]);
      expect(moved.first.ids[stream]).toEqual(plain.first.ids[stream]);
      expect(moved.second.ids[stream]).toEqual(plain.second.ids[stream]);
      // Fingerprint origins renamed by Jenkins, upstream causes written after the move: read back
      // to the jobs' identities, the records are the same — but for Jenkins' own wording of a cause.
      const wording = (data: unknown[]) =>
        JSON.parse(JSON.stringify(data).replace(/project \\"legacy\//g, 'project \\"'));
      expect(wording(moved.second.data[stream])).toEqual(plain.second.data[stream]);
      expect([...moved.first.problems[stream], ...moved.second.problems[stream]]).toEqual([]);
    }
    expect(JSON.stringify(moved.second.cursors.deployments)).toContain('"at":"legacy/');
  });

  it('noFoldersPlugin is transparent: the same builds, under the names Jenkins gives them, and no problem', async () => {
    const plain = await twoRuns({}, 0);
    const flat = await twoRuns({ noFoldersPlugin: true }, 0);
    const renamed = (id: string) => {
      const at = id.lastIndexOf('#');
      return `${jenkinsJobName(flat.estate, id.slice(0, at), { noFoldersPlugin: true })}${id.slice(at)}`;
    };
    expect(flat.first.ids.deployments).toEqual(plain.first.ids.deployments.map(renamed));
    expect(flat.first.ids.builds).toEqual(plain.first.ids.builds.map(renamed));
    expect([...flat.first.problems.deployments, ...flat.first.problems.builds]).toEqual([]);
  });

  it('logRotation is lossy and said so: every build discarded before the second read is in a lasting gap, none is silently missing', async () => {
    const plain = await twoRuns({}, 5);
    const rotated = await twoRuns({ logRotation: true }, 5);
    expect(rotated.first.ids).toEqual(plain.first.ids);
    let lost = 0;
    for (const stream of ['deployments', 'builds'] as Stream[]) {
      const problems = rotated.second.problems[stream];
      expect(problems.every((p) => p.code === 'jenkins-builds-discarded' && p.lasting === true)).toBe(true);
      for (const id of plain.second.ids[stream].filter((x) => !rotated.second.ids[stream].includes(x))) {
        lost++;
        const [job, number] = [id.slice(0, id.lastIndexOf('#')), Number(id.slice(id.lastIndexOf('#') + 1))];
        const gap = problems.find((p) => p.where.startsWith(`job ${job} builds `));
        expect(gap).toBeDefined();
        const ranges = [...gap.where.matchAll(/#(\d+)(?:–#(\d+))?/g)].map((m) => [
          Number(m[1]),
          Number(m[2] ?? m[1]),
        ]);
        expect(ranges.some(([a, b]) => a <= number && number <= b)).toBe(true);
      }
    }
    expect(lost).toBeGreaterThan(0);
  });

  it('hiddenJobs is lossy and said so: the deployments name the hidden build job as a lasting problem, the builds stream lacks its builds', async () => {
    const plain = await twoRuns({}, 0);
    const hidden = await twoRuns({ hiddenJobs: true }, 0);
    const estate = generateEstate({ seed: 42, scale: 1, now: NOW });
    const buildJob = estate.services.find((s) => s.jenkins)!.jenkins!.buildJob;
    expect(hidden.first.ids.deployments).toEqual(plain.first.ids.deployments);
    expect(hidden.first.ids.builds.some((id) => id.startsWith(`${buildJob}#`))).toBe(false);
    expect(plain.first.ids.builds.some((id) => id.startsWith(`${buildJob}#`))).toBe(true);
    expect(hidden.first.problems.deployments).toEqual([
      expect.objectContaining({
        where: `job ${buildJob}`,
        code: 'jenkins-origin-job-forbidden',
        kinds: [],
        lasting: true,
      }),
    ]);
  });
});
