/** Contract tests of the `builds` stream: the builds that produced artifacts, for RM-ART-001 and RM-EVD-001. */
import nock from 'nock';
import { buildsQuery, jenkins, JSON_HEADERS, lastCursor, listing, read, recordsOf } from './context';
import { buildsPageOf, fixture, listingOf, sample } from './samples';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('jenkins builds stream (contract)', () => {
  it('records the builds of non-deploy jobs that archived or fingerprinted files, with their MD5s', async () => {
    const scope = jenkins();
    listing(scope, '', fixture('root-jobs.json'));
    listing(scope, '/job/payments', fixture('folder-payments-jobs.json'));
    listing(scope, '/job/payments/job/platform', fixture('folder-payments-platform-jobs.json'));
    // Only payments-api-build: the other jobs are deploy jobs (`*deploy*`).
    scope
      .get('/job/payments/job/payments-api-build/api/json')
      .query(buildsQuery(0, 50))
      .reply(200, fixture('payments-api-build-builds.json'), JSON_HEADERS);

    const batches = await read('builds');
    scope.done();

    const builds = recordsOf(batches, 'build');
    // #87 failed without artifacts: not a build that produced one.
    expect([...builds.keys()]).toEqual(['payments/payments-api-build#88']);
    expect(builds.get('payments/payments-api-build#88')?.data).toStrictEqual({
      job: 'payments/payments-api-build',
      number: 88,
      result: 'SUCCESS',
      startedAt: '2024-05-29T13:40:00.000Z',
      durationMs: 240000,
      commitSha: '9f1c2e7a4b6d8f0a1c3e5a7b9d1f3a5c7e9b1d3f',
      parameters: {},
      causes: [{ type: 'scm', description: 'Started by an SCM change' }],
      artifacts: [{ fileName: 'payments-api-1.4.2.jar', md5: '5d41402abc4b2a76b9719d911017c592' }],
      testReport: { total: 150, failed: 1 },
    });
    expect(lastCursor(batches)).toEqual({ jobs: { 'payments/payments-api-build': 88 } });
  });

  it('reads only the jobs named by buildJobs when given', async () => {
    const scope = jenkins();
    listing(scope, '/job/payments', fixture('folder-payments-jobs.json'));
    scope
      .get('/job/payments/job/payments-api-deploy/api/json')
      .query(buildsQuery(0, 50))
      .reply(200, fixture('payments-api-deploy-builds.json'), JSON_HEADERS);

    // A pipeline that builds and deploys: named in buildJobs, it is read though it is a deploy job.
    const batches = await read('builds', { folders: ['payments'], maxDepth: 0, buildJobs: ['*-deploy'] });
    scope.done();

    expect(recordsOf(batches, 'build').get('payments/payments-api-deploy#311')?.data.artifacts).toEqual([
      { fileName: 'payments-api-1.4.2.jar', md5: '5d41402abc4b2a76b9719d911017c592' },
    ]);
  });

  it('records an archived but unfingerprinted build of the real freestyle sample without digests', async () => {
    const scope = jenkins();
    listing(scope, '', listingOf(sample('job-api-json-freestyle-params.json')));
    scope
      .get('/job/fish/api/json')
      .query(buildsQuery(0, 50))
      .reply(200, buildsPageOf(sample('build-api-json-params-causes-artifacts.json')), JSON_HEADERS);

    const batches = await read('builds', {}, null, new Date('2016-01-01T00:00:00Z'));
    scope.done();

    expect(recordsOf(batches, 'build').get('fish#10')?.data).toStrictEqual({
      job: 'fish',
      number: 10,
      result: 'SUCCESS',
      startedAt: '2016-04-19T18:51:32.486Z',
      durationMs: 60750,
      parameters: { bear: 'true', fish: 'salmon' },
      causes: [{ type: 'user', description: 'Started by user anonymous' }],
      artifacts: [],
      testReport: null,
    });
  });
});
