/**
 * Contract tests of what real Jenkins instances do to the history the streams read: the build
 * discarder deletes builds before they are read, jobs move to other folders, multibranch branches
 * are pruned after their merge, jobs are hidden from the user, the list of builds moves while it is
 * paged, and a Jenkins may have no Folders plugin. Fixtures are derived from Jenkins' source (see
 * fixtures/README.md).
 */
import nock from 'nock';
import {
  buildsQuery,
  HTML_HEADERS,
  jenkins,
  JSON_HEADERS,
  lastCursor,
  listing,
  read,
  recordsOf,
} from './context';
import { fixture, parsed } from './samples';

const DEPLOY = 'payments/payments-api-deploy';
const DEPLOY_PATH = '/job/payments/job/payments-api-deploy';
const MOVED_PATH = '/job/payments/job/platform/job/payments-api-deploy';
const T313 = 1717200000000;
const HOUR = 3600000;

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

function problemsOf(batches: { problems?: unknown[] }[]): any[] {
  return batches.flatMap((batch) => batch.problems ?? []);
}

/** `{ allBuilds: [...] }` of a fixture, changed by `edit`. */
function page(name: string, edit: (builds: any[]) => any[]): string {
  const body = parsed(fixture(name));
  return JSON.stringify({ ...body, allBuilds: edit(body.allBuilds) });
}

describe('builds the discarder deleted before they were read (LogRotator)', () => {
  function crawl(scope: nock.Scope, folder = fixture('folder-payments-jobs-rotated.json')): void {
    listing(scope, '', fixture('root-jobs.json'));
    listing(scope, '/job/payments', folder);
    listing(scope, '/job/payments/job/platform', fixture('folder-payments-platform-jobs.json'));
  }

  it('reports the numbers between the saved build and the oldest kept one, and the holes, once, as lasting', async () => {
    const scope = jenkins();
    crawl(scope);
    // Saved #313; Jenkins hands out #321 next-but-one (nextBuildNumber 322): at most 8 new builds.
    scope
      .get(`${DEPLOY_PATH}/api/json`)
      .query(buildsQuery(0, 8))
      .reply(200, fixture('payments-api-deploy-builds-rotated.json'), JSON_HEADERS);

    const batches = await read('deployments', {}, { jobs: { [DEPLOY]: 313 } });
    scope.done();

    expect([...recordsOf(batches, 'deployment').keys()]).toEqual([
      `${DEPLOY}#320`,
      `${DEPLOY}#319`,
      `${DEPLOY}#318`,
      `${DEPLOY}#316`,
    ]);
    // numToKeep 3 kept #318–#320 and the last successful #316 (LogRotator.shouldKeepRun): #314,
    // #315 and #317 are gone, and #321, handed out, was deleted by a user.
    expect(problemsOf(batches)).toEqual([
      {
        where: `job ${DEPLOY} builds #314–#315, #317, #321`,
        error: expect.stringMatching(/^Jenkins no longer has these 4 builds: the job's build discarder/),
        kinds: ['deployment'],
        code: 'jenkins-builds-discarded',
        fix: expect.stringContaining('Discard old builds'),
        lasting: true,
      },
    ]);
    // The number moves past the gap: it can never be filled, and is not reported again.
    expect(lastCursor(batches)).toMatchObject({ jobs: { [DEPLOY]: 321 } });
  });

  it('reports a hole below a running build now, and one above it with the run that reads past it', async () => {
    const scope = jenkins();
    crawl(scope);
    scope
      .get(`${DEPLOY_PATH}/api/json`)
      .query(buildsQuery(0, 8))
      .reply(
        200,
        page('payments-api-deploy-builds-rotated.json', (builds) =>
          builds
            .filter((b) => b.number !== 319)
            .map((b) => (b.number === 318 ? { ...b, building: true, result: null } : b)),
        ),
        JSON_HEADERS,
      );

    const batches = await read('deployments', {}, { jobs: { [DEPLOY]: 313 } });
    scope.done();

    // #318 still runs: the number holds at #317; #319 and #321 lie above it and are read again.
    expect(problemsOf(batches).map((p) => p.where)).toEqual([`job ${DEPLOY} builds #314–#315, #317`]);
    expect(lastCursor(batches)).toMatchObject({ jobs: { [DEPLOY]: 317 } });
  });

  it('on a first run reports the holes the list shows, not what was discarded before audit-hub first read the job', async () => {
    const scope = jenkins();
    crawl(scope);
    scope
      .get(`${DEPLOY_PATH}/api/json`)
      .query(buildsQuery(0, 50))
      .reply(200, fixture('payments-api-deploy-builds-rotated.json'), JSON_HEADERS);

    const batches = await read('deployments');
    scope.done();

    expect(problemsOf(batches).map((p) => p.where)).toEqual([`job ${DEPLOY} builds #317, #321`]);
    expect(recordsOf(batches, 'deployment').size).toBe(4);
  });
});

describe('a job moved to another folder (Items.move)', () => {
  const known = {
    [DEPLOY]: { last: [313, T313, 4711] },
    'payments/payments-api-build': { last: [88, 1716990000000, 4520] },
  };
  const cursor = { jobs: { [DEPLOY]: 313 }, known };

  function crawl(scope: nock.Scope, platform = fixture('folder-payments-platform-jobs-moved.json')): void {
    listing(scope, '', fixture('root-jobs.json'));
    listing(scope, '/job/payments', fixture('folder-payments-jobs-moved.json'));
    listing(scope, '/job/payments/job/platform', platform);
  }

  it('keeps its builds under the identity they had, recognised by the build seen newest, and reads on from its number', async () => {
    const scope = jenkins();
    crawl(scope);
    // Newest now #314: is #313 of the new job the #313 read before? Same start and queue id: yes.
    scope
      .get(`${MOVED_PATH}/313/api/json`)
      .query({ tree: 'number,timestamp,queueId' })
      .reply(200, fixture('build-313-pointer.json'), JSON_HEADERS)
      .get(`${MOVED_PATH}/api/json`)
      .query(buildsQuery(0, 1))
      .reply(200, fixture('payments-api-deploy-builds-moved.json'), JSON_HEADERS);

    const batches = await read('deployments', {}, cursor);
    scope.done();

    const deployments = recordsOf(batches, 'deployment');
    // Not `payments/platform/payments-api-deploy#…`: no build comes back as a new deployment.
    expect([...deployments.keys()]).toEqual([`${DEPLOY}#314`]);
    expect(deployments.get(`${DEPLOY}#314`)?.data).toMatchObject({
      project: DEPLOY,
      causes: [expect.objectContaining({ type: 'upstream', upstream: 'payments/payments-api-build#89' })],
      artifacts: [
        expect.objectContaining({
          fileName: 'payments-api-1.4.4.jar',
          originBuild: 'payments/payments-api-build#89',
        }),
        // Jenkins renamed the fingerprint's original to the new name: it is still this build.
        expect.objectContaining({ fileName: 'deploy-manifest.yaml', originBuild: `${DEPLOY}#314` }),
      ],
    });
    expect(problemsOf(batches)).toEqual([]);
    expect(lastCursor(batches)).toEqual({
      jobs: { [DEPLOY]: 314 },
      known: {
        [DEPLOY]: { at: 'payments/platform/payments-api-deploy', last: [314, T313 + HOUR, 4722] },
        'payments/payments-api-build': known['payments/payments-api-build'],
      },
    });
  });

  it('recognises it from the listing alone when it has not built since, and remembers where it is', async () => {
    const platform = parsed(fixture('folder-payments-platform-jobs-moved.json'));
    platform.jobs[1] = {
      ...platform.jobs[1],
      lastBuild: { number: 313, timestamp: T313, queueId: 4711 },
      nextBuildNumber: 314,
    };
    const scope = jenkins();
    crawl(scope, JSON.stringify(platform));

    const batches = await read('deployments', {}, cursor);
    scope.done();

    expect(recordsOf(batches, 'deployment').size).toBe(0);
    expect(lastCursor(batches)).toEqual({
      jobs: { [DEPLOY]: 313 },
      known: { ...known, [DEPLOY]: { at: 'payments/platform/payments-api-deploy', last: [313, T313, 4711] } },
    });
  });

  it('takes a job as new when the build seen newest is another one (a job re-created elsewhere)', async () => {
    const scope = jenkins();
    crawl(scope);
    scope
      .get(`${MOVED_PATH}/313/api/json`)
      .query({ tree: 'number,timestamp,queueId' })
      .reply(200, JSON.stringify({ number: 313, timestamp: T313 + 5, queueId: 9001 }), JSON_HEADERS)
      .get(`${MOVED_PATH}/api/json`)
      .query(buildsQuery(0, 50))
      .reply(200, fixture('payments-api-deploy-builds-moved.json'), JSON_HEADERS)
      // The job at its old place is gone.
      .get(`${DEPLOY_PATH}/api/json`)
      .query({ tree: 'name,fullName' })
      .reply(404, '<html><head><title>Error 404 Not Found</title></head></html>', HTML_HEADERS);

    const batches = await read('deployments', {}, cursor);
    scope.done();

    expect([...recordsOf(batches, 'deployment').keys()]).toEqual([
      'payments/platform/payments-api-deploy#314',
    ]);
    expect(problemsOf(batches).map((p) => p.code)).toEqual(['jenkins-job-gone']);
  });
});

describe('jobs no longer listed', () => {
  const options = { folders: ['payments/payments-deploy'], maxDepth: 0 };
  const cursor = {
    jobs: { 'payments/payments-deploy/main': 12, 'payments/payments-deploy/release-1.4': 3 },
    known: {
      'payments/payments-deploy/main': { last: [12, T313, 4712] },
      'payments/payments-deploy/release-1.4': { last: [3, T313 - HOUR, 4700] },
    },
  };
  const probe = (scope: nock.Scope) =>
    scope.get('/job/payments/job/payments-deploy/job/release-1.4/api/json').query({ tree: 'name,fullName' });

  it('reports a multibranch branch pruned after its merge once, and forgets it', async () => {
    const scope = jenkins();
    listing(scope, '/job/payments/job/payments-deploy', fixture('folder-payments-deploy-branches.json'));
    probe(scope).reply(404, '<html><head><title>Error 404 Not Found</title></head></html>', HTML_HEADERS);

    const batches = await read('deployments', options, cursor);
    scope.done();

    expect(problemsOf(batches)).toEqual([
      {
        where: 'job payments/payments-deploy/release-1.4',
        error: expect.stringContaining('is gone (404): deleted'),
        kinds: ['deployment'],
        code: 'jenkins-job-gone',
        fix: expect.any(String),
        lasting: true,
      },
    ]);
    expect(lastCursor(batches)).toEqual({
      jobs: { 'payments/payments-deploy/main': 12 },
      known: { 'payments/payments-deploy/main': cursor.known['payments/payments-deploy/main'] },
    });
  });

  it('reports a job the user may no longer read (403) every run, and keeps its number for when it can', async () => {
    const scope = jenkins();
    listing(scope, '/job/payments/job/payments-deploy', fixture('folder-payments-deploy-branches.json'));
    probe(scope).reply(403, fixture('error-403-job-discover-only.html'), HTML_HEADERS);

    const batches = await read('deployments', options, cursor);
    scope.done();

    expect(problemsOf(batches)).toEqual([
      expect.objectContaining({
        where: 'job payments/payments-deploy/release-1.4',
        code: 'jenkins-job-forbidden',
        fix: expect.stringContaining('Job/Read on job payments/payments-deploy/release-1.4'),
        kinds: ['deployment'],
        lasting: true,
      }),
    ]);
    expect(lastCursor(batches)).toEqual(cursor);
  });
});

describe('the job that produced a deployed artifact is hidden from the user', () => {
  it('names it (403: Job/Discover without Job/Read) as a lasting problem that leaves no kind incomplete', async () => {
    const scope = jenkins();
    listing(scope, '/job/payments', fixture('folder-payments-jobs-build-hidden.json'));
    scope
      .get(`${DEPLOY_PATH}/api/json`)
      .query(buildsQuery(0, 50))
      .reply(200, fixture('payments-api-deploy-builds.json'), JSON_HEADERS)
      // #311's jar was first fingerprinted by payments-api-build#88, a job the folder did not list.
      .get('/job/payments/job/payments-api-build/api/json')
      .query({ tree: 'name,fullName' })
      .reply(403, fixture('error-403-job-discover-only.html'), HTML_HEADERS);

    const batches = await read('deployments', { folders: ['payments'], maxDepth: 0 });
    scope.done();

    expect(recordsOf(batches, 'deployment').size).toBe(2);
    // RM-ART-001 leaves the deployments whose producing build is missing undecided by itself.
    expect(problemsOf(batches)).toEqual([
      {
        where: 'job payments/payments-api-build',
        error: expect.stringContaining('Jenkins refuses it (403'),
        kinds: [],
        code: 'jenkins-origin-job-forbidden',
        fix: expect.stringContaining('Job/Read on job payments/payments-api-build'),
        lasting: true,
      },
    ]);
  });
});

describe('the list of builds moves while it is paged', () => {
  function crawl(scope: nock.Scope): void {
    listing(scope, '/job/payments', fixture('folder-payments-jobs.json'));
  }
  const options = { folders: ['payments'], maxDepth: 0, pageSize: 2 };

  it('skips the builds a build started meanwhile pushed onto the next page', async () => {
    const later = parsed(fixture('payments-api-deploy-builds-later.json')).allBuilds;
    const scope = jenkins();
    crawl(scope);
    scope
      .get(`${DEPLOY_PATH}/api/json`)
      .query(buildsQuery(0, 2))
      .reply(
        200,
        page('payments-api-deploy-builds.json', (builds) => builds.slice(0, 2)),
        JSON_HEADERS,
      )
      // #313 started: every entry moved down one place.
      .get(`${DEPLOY_PATH}/api/json`)
      .query(buildsQuery(1, 4))
      .reply(
        200,
        page('payments-api-deploy-builds.json', (builds) => [later[0], ...builds].slice(1, 4)),
        JSON_HEADERS,
      )
      .get(`${DEPLOY_PATH}/api/json`)
      .query(buildsQuery(3, 6))
      .reply(
        200,
        page('payments-api-deploy-builds.json', (builds) => builds.slice(2)),
        JSON_HEADERS,
      );

    const batches = await read('deployments', options);
    scope.done();

    expect(problemsOf(batches)).toEqual([]);
    expect(batches.flatMap((b) => b.records.map((r) => r.externalId))).toEqual([
      `${DEPLOY}#311`,
      `${DEPLOY}#310`,
    ]);
  });

  it('reads a page again further up when builds above it were deleted, instead of skipping builds', async () => {
    const extra = (builds: any[]) => [
      ...builds,
      { ...builds[2], number: 309, timestamp: builds[2].timestamp - HOUR },
    ];
    const scope = jenkins();
    crawl(scope);
    scope
      .get(`${DEPLOY_PATH}/api/json`)
      .query(buildsQuery(0, 2))
      .reply(
        200,
        page('payments-api-deploy-builds.json', (builds) => extra(builds).slice(0, 2)),
        JSON_HEADERS,
      )
      // #312 was deleted: #309 and #310 moved up, the page holds no build already read.
      .get(`${DEPLOY_PATH}/api/json`)
      .query(buildsQuery(1, 4))
      .reply(
        200,
        page('payments-api-deploy-builds.json', (builds) => extra(builds).slice(2, 4)),
        JSON_HEADERS,
      )
      .get(`${DEPLOY_PATH}/api/json`)
      .query(buildsQuery(0, 2))
      .reply(
        200,
        page('payments-api-deploy-builds.json', (builds) => extra(builds).slice(1, 3)),
        JSON_HEADERS,
      )
      .get(`${DEPLOY_PATH}/api/json`)
      .query(buildsQuery(1, 4))
      .reply(
        200,
        page('payments-api-deploy-builds.json', (builds) => extra(builds).slice(2, 4)),
        JSON_HEADERS,
      );

    const batches = await read('deployments', options);
    scope.done();

    expect(problemsOf(batches)).toEqual([]);
    expect(batches.flatMap((b) => b.records.map((r) => r.externalId))).toEqual([
      `${DEPLOY}#311`,
      `${DEPLOY}#310`,
      `${DEPLOY}#309`,
    ]);
  });
});

describe('a Jenkins without the Folders plugin (cloudbees-folder)', () => {
  it('makes a configured folder a lasting problem that says why it may be missing', async () => {
    const scope = jenkins();
    listing(scope, '/job/payments', '<html><head><title>Error 404 Not Found</title></head></html>', 404);

    const batches = await read('deployments', { folders: ['payments'] });
    scope.done();

    expect(problemsOf(batches)).toEqual([
      {
        where: 'folder payments',
        error: expect.stringContaining('this Jenkins has no Folders plugin (cloudbees-folder)'),
        kinds: ['deployment'],
        code: 'jenkins-folder-not-found',
        fix: expect.stringContaining('check options.folders'),
        lasting: true,
      },
    ]);
  });
});
