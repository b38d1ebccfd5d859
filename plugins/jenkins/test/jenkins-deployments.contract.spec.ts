/**
 * Contract tests of the `deployments` stream: the real Jenkins samples (and docs-derived fixtures
 * for the `tree=` pages and fingerprints, see fixtures/README.md) replayed through nock as raw text.
 */
import nock from 'nock';
import { buildsQuery, jenkins, JSON_HEADERS, lastCursor, listing, read, recordsOf } from './context';
import { buildsPageOf, fixture, listingOf, parsed, sample } from './samples';

const DEPLOY_JOB = '/job/payments/job/payments-api-deploy';
const SERVICE_SHA_311 = '9f1c2e7a4b6d8f0a1c3e5a7b9d1f3a5c7e9b1d3f';

/** The crawl of the payments estate: root, `payments`, `payments/platform` — one request per level. */
function crawl(scope: nock.Scope, payments = fixture('folder-payments-jobs.json')): void {
  listing(scope, '', fixture('root-jobs.json'));
  listing(scope, '/job/payments', payments);
  listing(scope, '/job/payments/job/platform', fixture('folder-payments-platform-jobs.json'));
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('jenkins deployments stream (contract)', () => {
  it('crawls the folders one request per level, reads the deploy job in one page and maps each finished build field by field', async () => {
    const scope = jenkins();
    crawl(scope);
    // The empty folder `sandbox` and the never-built `ledger-deploy` cost no request; the build job
    // `payments-api-build` is not a deploy job.
    scope
      .get(`${DEPLOY_JOB}/api/json`)
      .query(buildsQuery(0, 50))
      .reply(200, fixture('payments-api-deploy-builds.json'), JSON_HEADERS);

    const batches = await read('deployments');
    scope.done();

    expect(batches).toHaveLength(1);
    expect(batches[0].problems).toBeUndefined();
    // #312 is still running: skipped, and the cursor stays below it so the next run reads it.
    expect(lastCursor(batches)).toEqual({ jobs: { 'payments/payments-api-deploy': 311 } });
    const deployments = recordsOf(batches, 'deployment');
    expect([...deployments.keys()]).toEqual([
      'payments/payments-api-deploy#311',
      'payments/payments-api-deploy#310',
    ]);

    expect(deployments.get('payments/payments-api-deploy#311')?.data).toStrictEqual({
      project: 'payments/payments-api-deploy',
      environment: 'production',
      tier: null,
      status: 'success',
      startedAt: '2024-05-29T16:26:40.000Z',
      // timestamp + duration (123 456 ms)
      finishedAt: '2024-05-29T16:28:43.456Z',
      // The service's BuildData (acme/payments-api, by the naming default), not the shared library's.
      commitSha: SERVICE_SHA_311,
      commitMessage: 'Release 1.4.2 (CHG0030042)\n',
      ref: 'main',
      isTag: false,
      version: '1.4.2',
      triggeredBy: 'jdoe',
      viaPipeline: true,
      variables: {
        ENVIRONMENT: 'production',
        VERSION: '1.4.2',
        CHANGE: 'CHG0030042',
        DRY_RUN: 'false',
        // A password parameter: Jenkins does not export its value, and none is ever kept.
        DEPLOY_PASSWORD: '',
      },
      approvals: [{ user: 'mlee', status: 'approved' }],
      testReport: { total: 148, failed: 0 },
      artifacts: [
        {
          fileName: 'payments-api-1.4.2.jar',
          digest: '5d41402abc4b2a76b9719d911017c592',
          algorithm: 'md5',
          originBuild: 'payments/payments-api-build#88',
        },
      ],
      causes: [{ type: 'user', user: 'jdoe', description: 'Started by user Jane Doe' }],
    });

    expect(deployments.get('payments/payments-api-deploy#310')?.data).toStrictEqual({
      project: 'payments/payments-api-deploy',
      environment: 'production',
      tier: null,
      status: 'canceled',
      startedAt: '2024-05-28T12:40:00.000Z',
      finishedAt: '2024-05-28T12:50:00.000Z',
      commitSha: '7e3b5d9f1a2c4e6b8d0f2a4c6e8b0d2f4a6c8e0b',
      ref: 'v1.4.1',
      isTag: true,
      // A tag wins over the VERSION parameter.
      version: 'v1.4.1',
      triggeredBy: 'jsmith',
      // Replayed: the script ran was edited in the UI, not the reviewed Jenkinsfile (RM-PIPE-001).
      viaPipeline: false,
      variables: {
        ENVIRONMENT: 'production',
        VERSION: '1.4.1',
        CHANGE: 'CHG0030041',
        DRY_RUN: 'false',
        DEPLOY_PASSWORD: '',
      },
      approvals: [{ user: 'mlee', status: 'rejected', at: '2024-05-28T12:45:00.000Z' }],
      testReport: null,
      artifacts: [],
      causes: [
        { type: 'replay', description: 'Replayed #309' },
        { type: 'user', user: 'jsmith', description: 'Started by user John Smith' },
      ],
    });
    const raw = deployments.get('payments/payments-api-deploy#311')?.raw as { number: number };
    expect(raw.number).toBe(311);
  });

  it('on the next run asks only for the builds newer than the saved number, and reads #312 now that it finished', async () => {
    const scope = jenkins();
    crawl(scope, fixture('folder-payments-jobs-later.json'));
    // Saved 311, newest 313: at most two newer builds, so the range stops at the saved build.
    scope
      .get(`${DEPLOY_JOB}/api/json`)
      .query(buildsQuery(0, 2))
      .reply(200, fixture('payments-api-deploy-builds-later.json'), JSON_HEADERS);

    const batches = await read('deployments', {}, { jobs: { 'payments/payments-api-deploy': 311 } });
    scope.done();

    expect(lastCursor(batches)).toEqual({ jobs: { 'payments/payments-api-deploy': 313 } });
    const deployments = recordsOf(batches, 'deployment');
    expect([...deployments.keys()]).toEqual([
      'payments/payments-api-deploy#313',
      'payments/payments-api-deploy#312',
    ]);
    const latest = deployments.get('payments/payments-api-deploy#313')?.data;
    expect(latest).toMatchObject({
      status: 'success',
      commitSha: '3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c',
      commitMessage: 'Bump to 1.4.3\n',
      // VERSION is empty: the short SHA.
      version: '3a5c7e9b',
      viaPipeline: true,
      causes: [
        {
          type: 'upstream',
          upstream: 'payments/payments-api-build#89',
          description: 'Started by upstream project "payments/payments-api-build" build number 89',
        },
      ],
      testReport: { total: 150, failed: 3 },
      // First fingerprinted by the deploy build itself: never built by CI (RM-ART-001).
      artifacts: [
        {
          fileName: 'payments-api-1.4.3.jar',
          digest: 'e99a18c428cb38d5f260853678922e03',
          algorithm: 'md5',
          originBuild: 'payments/payments-api-deploy#313',
        },
      ],
    });
    expect(latest?.triggeredBy).toBeUndefined();
    expect(deployments.get('payments/payments-api-deploy#312')?.data).toMatchObject({
      environment: 'staging',
      status: 'success',
      commitSha: SERVICE_SHA_311,
      causes: [{ type: 'timer', description: 'Started by timer' }],
      approvals: [],
    });
  });

  it('reads on when a build started after the crawl pushed the saved range down', async () => {
    const later = parsed(fixture('payments-api-deploy-builds-later.json'));
    const scope = jenkins();
    // The crawl saw #312 as newest; by the time the builds are asked for, #313 has started. The
    // next page starts again on the last build read (#313), so nothing moved is skipped.
    crawl(scope);
    scope
      .get(`${DEPLOY_JOB}/api/json`)
      .query(buildsQuery(0, 1))
      .reply(200, JSON.stringify({ ...later, allBuilds: [later.allBuilds[0]] }), JSON_HEADERS)
      .get(`${DEPLOY_JOB}/api/json`)
      .query(buildsQuery(0, 2))
      .reply(200, JSON.stringify({ ...later, allBuilds: later.allBuilds.slice(0, 2) }), JSON_HEADERS);

    const batches = await read('deployments', {}, { jobs: { 'payments/payments-api-deploy': 311 } });
    scope.done();

    expect(batches.flatMap((b) => b.records.map((r) => r.externalId))).toEqual([
      'payments/payments-api-deploy#313',
      'payments/payments-api-deploy#312',
    ]);
    expect(lastCursor(batches)).toEqual({ jobs: { 'payments/payments-api-deploy': 313 } });
  });

  it('asks nothing of a job whose newest build was already read', async () => {
    const scope = jenkins();
    crawl(scope);

    const batches = await read('deployments', {}, { jobs: { 'payments/payments-api-deploy': 312 } });
    scope.done();

    expect(batches).toEqual([]);
  });

  describe('the deployed commit of a pipeline with several BuildData (real sample)', () => {
    const JOB = 'DCAPI/DeploymentJobs/DeployFrontendStage/main';
    const EXTERNAL_ID = `${JOB}#721`;
    const LIBRARY_SHAS = [
      'c695d1d1fc99c00683fb81a2e2a5ea18d8eed4ba',
      '38cdd31cdaa3d07d1380cf91d282e08e71bb0e06',
    ];

    function multibranch(): nock.Scope {
      const scope = jenkins();
      listing(
        scope,
        '/job/DCAPI/job/DeploymentJobs/job/DeployFrontendStage',
        fixture('folder-deployfrontendstage-branches.json'),
      );
      scope
        .get('/job/DCAPI/job/DeploymentJobs/job/DeployFrontendStage/job/main/api/json')
        .query(buildsQuery(0, 50))
        .reply(200, buildsPageOf(sample('build-api-json-workflowrun-multi-builddata.json')), JSON_HEADERS);
      return scope;
    }

    const options = {
      folders: ['DCAPI/DeploymentJobs/DeployFrontendStage'],
      versionParameter: 'ARTIFACT_VERSION',
    };
    const since = new Date('2019-08-01T00:00:00.000Z');

    it('takes the BuildData of the service repository named in services[].keys.gitlab', async () => {
      const scope = multibranch();
      const batches = await read('deployments', options, null, since, {
        services: [{ name: 'ara', keys: { jenkins: JOB, gitlab: 'dfsbizops/ara_spec_files' } }],
      });
      scope.done();

      const deployment = recordsOf(batches, 'deployment').get(EXTERNAL_ID)?.data;
      expect(deployment).toStrictEqual({
        project: JOB,
        // The job has no ENVIRONMENT parameter.
        environment: '',
        tier: null,
        status: 'success',
        startedAt: '2019-08-23T18:22:55.431Z',
        finishedAt: '2019-08-23T18:27:37.624Z',
        commitSha: '2becaf9eed865452cee60f25842ca2aa7908ae2c',
        ref: 'main',
        isTag: false,
        version: '1.60.1-SNAPSHOT',
        viaPipeline: true,
        variables: { ARTIFACT_VERSION: '1.60.1-SNAPSHOT' },
        approvals: [],
        testReport: null,
        artifacts: [],
        causes: [
          {
            type: 'upstream',
            upstream: 'DCAPI/DevzoneFrontend/hotfix%2F1.60.1#8',
            description: 'Started by upstream project "DCAPI/DevzoneFrontend/hotfix%2F1.60.1" build number 8',
          },
        ],
      });
    });

    it('without a known repository, never picks a shared library: the first checkout that is not one', async () => {
      const scope = multibranch();
      const batches = await read('deployments', options, null, since);
      scope.done();

      const deployment = recordsOf(batches, 'deployment').get(EXTERNAL_ID)?.data;
      // The first BuildData (infra-jenkins-pipeline-libs) and the second (pipeline-automation-lib)
      // are shared libraries; ara-pipelines is the first checkout that is not.
      expect(LIBRARY_SHAS).not.toContain(deployment?.commitSha);
      expect(deployment?.commitSha).toBe('2c8143d26419e53c1495c9276d49871d7e42ff8f');
      expect(deployment?.ref).toBe('main');
    });

    it('finds no deployed commit when the named repository was not checked out', async () => {
      const scope = multibranch();
      const batches = await read('deployments', options, null, since, {
        services: [{ name: 'ara', keys: { jenkins: JOB, gitlab: 'acme/somewhere-else' } }],
      });
      scope.done();

      const deployment = recordsOf(batches, 'deployment').get(EXTERNAL_ID)?.data;
      expect(deployment).toMatchObject({ commitSha: '', ref: '', version: '1.60.1-SNAPSHOT' });
    });
  });

  it('maps a freestyle build of Jenkins 1.x/2.0 shape (no _class, anonymous user cause, archived file) from the real samples', async () => {
    // The root listing's item is the real job body (no `_class`, no `fullName`, `lastBuild` #7).
    const scope = jenkins();
    listing(scope, '', listingOf(sample('job-api-json-freestyle-params.json')));
    scope
      .get('/job/fish/api/json')
      .query(buildsQuery(0, 50))
      .reply(200, buildsPageOf(sample('build-api-json-params-causes-artifacts.json')), JSON_HEADERS);

    const batches = await read(
      'deployments',
      { deployJobs: ['fish'] },
      null,
      new Date('2016-01-01T00:00:00Z'),
    );
    scope.done();

    expect(recordsOf(batches, 'deployment').get('fish#10')?.data).toStrictEqual({
      project: 'fish',
      environment: '',
      tier: null,
      status: 'success',
      startedAt: '2016-04-19T18:51:32.486Z',
      finishedAt: '2016-04-19T18:52:33.236Z',
      // No git checkout at all: no deployed commit, no ref, no version.
      commitSha: '',
      ref: '',
      isTag: false,
      viaPipeline: true,
      variables: { bear: 'true', fish: 'salmon' },
      approvals: [],
      testReport: null,
      // Archived (`fish.txt`) but not fingerprinted: no digest to record.
      artifacts: [],
      // userId null: an anonymous start names nobody.
      causes: [{ type: 'user', description: 'Started by user anonymous' }],
    });
  });

  it('reads the user of a UserIdCause (real queue item: the build inherits its CauseAction and ParametersAction)', async () => {
    const queued = parsed(sample('queue-item-api-json-usercause.json'));
    // The build Jenkins started from the queue item (`executable.number` 14) carries its actions.
    const build = {
      _class: 'hudson.model.FreeStyleBuild',
      number: queued.executable.number,
      result: 'SUCCESS',
      building: false,
      timestamp: Date.parse('2024-05-20T10:00:00Z'),
      duration: 1000,
      actions: queued.actions,
    };
    const scope = jenkins();
    listing(
      scope,
      '',
      listingOf(
        JSON.stringify({
          _class: 'hudson.model.FreeStyleProject',
          name: 'test-deploy',
          lastBuild: { number: 14 },
        }),
      ),
    );
    scope
      .get('/job/test-deploy/api/json')
      .query(buildsQuery(0, 50))
      .reply(200, buildsPageOf(JSON.stringify(build)), JSON_HEADERS);

    const batches = await read('deployments');
    scope.done();

    expect(recordsOf(batches, 'deployment').get('test-deploy#14')?.data).toMatchObject({
      triggeredBy: 'martin',
      causes: [{ type: 'user', user: 'martin', description: 'Started by user martin' }],
      variables: { a: '4' },
    });
  });

  it('stops at the collection horizon on a first run and saves the newest build read', async () => {
    const scope = jenkins();
    crawl(scope);
    scope
      .get(`${DEPLOY_JOB}/api/json`)
      .query(buildsQuery(0, 50))
      .reply(200, fixture('payments-api-deploy-builds.json'), JSON_HEADERS);

    // #310 started before the horizon: not collected; #311 is.
    const batches = await read('deployments', {}, null, new Date('2024-05-29T00:00:00Z'));
    scope.done();

    expect([...recordsOf(batches, 'deployment').keys()]).toEqual(['payments/payments-api-deploy#311']);
    expect(lastCursor(batches)).toEqual({ jobs: { 'payments/payments-api-deploy': 311 } });
  });

  it('pages with allBuilds{m,n} until a short page, each page starting on the last build of the one before', async () => {
    const page = parsed(fixture('payments-api-deploy-builds.json'));
    const scope = jenkins();
    crawl(scope);
    scope
      .get(`${DEPLOY_JOB}/api/json`)
      .query(buildsQuery(0, 2))
      .reply(200, JSON.stringify({ ...page, allBuilds: page.allBuilds.slice(0, 2) }), JSON_HEADERS)
      .get(`${DEPLOY_JOB}/api/json`)
      .query(buildsQuery(1, 4))
      .reply(200, JSON.stringify({ ...page, allBuilds: page.allBuilds.slice(1, 4) }), JSON_HEADERS);

    const batches = await read('deployments', { pageSize: 2 });
    scope.done();

    expect(batches).toHaveLength(2);
    // The job's number moves only with its last page: a run stopped after page 1 reads it again.
    expect(batches[0].cursor).toEqual({ jobs: {} });
    expect(batches[1].cursor).toEqual({ jobs: { 'payments/payments-api-deploy': 311 } });
    expect(batches.flatMap((b) => b.records.map((r) => r.externalId))).toEqual([
      'payments/payments-api-deploy#311',
      'payments/payments-api-deploy#310',
    ]);
  });
});
