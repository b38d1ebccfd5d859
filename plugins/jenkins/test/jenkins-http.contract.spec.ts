/** Contract tests of how the streams meet Jenkins' failures: waits, HTML error pages, malformed pages, refusals. */
import { UpstreamError } from '@audit-hub/http';
import nock from 'nock';
import {
  BASIC,
  buildsQuery,
  HTML_HEADERS,
  jenkins,
  JSON_HEADERS,
  lastCursor,
  listing,
  read,
  recordsOf,
  TOKEN,
} from './context';
import { fixture } from './samples';

const DEPLOY_JOB = '/job/payments/job/payments-api-deploy';
const BUILD_JOB = '/job/payments/job/payments-api-build';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

describe('jenkins HTTP behaviour (contract)', () => {
  it('waits out a 429 (Retry-After) from a proxy in front of Jenkins and reads on', async () => {
    const sleeps: number[] = [];
    const scope = jenkins();
    scope
      .get(`/job/payments/api/json`)
      .query(true)
      .reply(429, '<html><head><title>429 Too Many Requests</title></head></html>', {
        ...HTML_HEADERS,
        'Retry-After': '3',
      });
    listing(scope, '/job/payments', fixture('folder-payments-jobs.json'));
    scope
      .get(`${DEPLOY_JOB}/api/json`)
      .query(buildsQuery(0, 50))
      .reply(200, fixture('payments-api-deploy-builds.json'), JSON_HEADERS);

    const batches = await read('deployments', { folders: ['payments'], maxDepth: 0 }, null, undefined, {
      sleeps,
    });
    scope.done();

    expect(sleeps).toEqual([3000]);
    expect(recordsOf(batches, 'deployment').size).toBe(2);
  });

  it('turns Jenkins’ HTML "Oops!" page (500) into an error that says what failed and where', async () => {
    const scope = jenkins();
    listing(scope, '/job/payments', fixture('folder-payments-jobs.json'));
    scope
      .get(`${DEPLOY_JOB}/api/json`)
      .query(buildsQuery(0, 50))
      .times(2)
      .reply(500, fixture('error-500-oops.html'), HTML_HEADERS);

    const error = await failure(read('deployments', { folders: ['payments'], maxDepth: 0 }));
    scope.done();

    expect(error).toMatchObject({
      code: 'server',
      status: 500,
      retryable: true,
      path: '/job/payments/job/payments-api-deploy/api/json',
    });
    expect(error.message).toBe(
      'jenkins: GET /job/payments/job/payments-api-deploy/api/json failed (server 500): ' +
        'Jenkins answered its internal error page ("Oops!"); the Jenkins system log has the stack trace ' +
        '(while reading builds {0,50} of job payments/payments-api-deploy)',
    );
  });

  it('makes a malformed page a problem (partial), never an empty result, and reads the other jobs', async () => {
    const scope = jenkins();
    listing(scope, '/job/payments', fixture('folder-payments-jobs.json'));
    scope
      // A single-sign-on proxy answering its login page with 200.
      .get(`${BUILD_JOB}/api/json`)
      .query(buildsQuery(0, 50))
      .reply(200, '<html><head><title>Sign in</title></head><body>…</body></html>', HTML_HEADERS)
      .get(`${DEPLOY_JOB}/api/json`)
      .query(buildsQuery(0, 50))
      .reply(200, fixture('payments-api-deploy-builds.json'), JSON_HEADERS);

    const batches = await read('deployments', { folders: ['payments'], maxDepth: 0, deployJobs: ['*'] });
    scope.done();

    expect(batches[0]).toEqual({
      records: [],
      cursor: { jobs: {} },
      problems: [
        {
          where: 'job payments/payments-api-build builds',
          error: expect.stringMatching(
            /^jenkins: GET \/job\/payments\/job\/payments-api-build\/api\/json failed \(malformed 200\): the body is not valid JSON .*text\/html.*\(while reading builds \{0,50\} of job payments\/payments-api-build\)$/,
          ),
          kinds: ['deployment'],
        },
      ],
    });
    expect(recordsOf(batches, 'deployment').size).toBe(2);
    // The unreadable job keeps no number: the next run reads it again.
    expect(lastCursor(batches)).toEqual({ jobs: { 'payments/payments-api-deploy': 311 } });
  });

  it('makes a JSON page without "allBuilds" and an unreadable folder listing problems naming them', async () => {
    const scope = jenkins();
    listing(scope, '', fixture('root-jobs.json'));
    listing(scope, '/job/payments', fixture('folder-payments-jobs.json'));
    listing(scope, '/job/payments/job/platform', '{"_class":"com.cloudbees.hudson.plugins.folder.Folder"}');
    scope
      .get(`${DEPLOY_JOB}/api/json`)
      .query(buildsQuery(0, 50))
      .reply(200, '{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowJob"}', JSON_HEADERS);

    const batches = await read('deployments');
    scope.done();

    const problems = batches.flatMap((batch) => batch.problems ?? []);
    expect(problems).toEqual([
      {
        where: 'folder payments/platform',
        error: expect.stringContaining('folder payments/platform answered without a "jobs" list'),
        kinds: ['deployment'],
        code: 'jenkins-malformed-page',
      },
      {
        where: 'job payments/payments-api-deploy builds',
        error: expect.stringContaining(
          'job payments/payments-api-deploy answered without an "allBuilds" list (builds {0,50})',
        ),
        kinds: ['deployment'],
      },
    ]);
    expect(recordsOf(batches, 'deployment').size).toBe(0);
  });

  it('stops a job with a problem when Jenkins does not honour the allBuilds{m,n} range', async () => {
    const scope = jenkins();
    listing(scope, '/job/payments', fixture('folder-payments-jobs.json'));
    scope
      .get(`${DEPLOY_JOB}/api/json`)
      .query(buildsQuery(0, 2))
      .reply(200, fixture('payments-api-deploy-builds.json'), JSON_HEADERS);

    const batches = await read('deployments', { folders: ['payments'], maxDepth: 0, pageSize: 2 });
    scope.done();

    expect(batches).toEqual([
      {
        records: [],
        problems: [
          {
            where: 'job payments/payments-api-deploy builds {0,2}',
            error: 'Jenkins answered 3 builds for a range of 2: it does not honour allBuilds{m,n}',
            kinds: ['deployment'],
          },
        ],
        cursor: { jobs: {} },
      },
    ]);
  });

  it('makes a folder Jenkins refuses (403) a lasting problem naming the folder and the fix, and reads the others', async () => {
    const scope = jenkins();
    listing(scope, '/job/restricted', fixture('error-403-access-denied.html'), 403);
    listing(scope, '/job/payments', fixture('folder-payments-jobs.json'));
    scope
      .get(`${DEPLOY_JOB}/api/json`)
      .query(buildsQuery(0, 50))
      .reply(200, fixture('payments-api-deploy-builds.json'), JSON_HEADERS);

    const batches = await read('deployments', { folders: ['restricted', 'payments'], maxDepth: 0 });
    scope.done();

    expect(batches[0].problems).toEqual([
      {
        where: 'folder restricted',
        error: expect.stringMatching(
          /^Jenkins refused to list folder restricted \(403\): the user lacks Job\/Read on it \(.*Access Denied - Jenkins/,
        ),
        kinds: ['deployment'],
        code: 'jenkins-folder-forbidden',
        fix: expect.stringContaining('Job/Read on folder restricted'),
        // A missing permission: reading again cannot help, so the other jobs' numbers move on.
        lasting: true,
      },
    ]);
    expect(recordsOf(batches, 'deployment').size).toBe(2);
    expect(lastCursor(batches)).toEqual({ jobs: { 'payments/payments-api-deploy': 311 } });
  });

  it('sends the API token only in the basic header, and never prints it, even when Jenkins echoes it', async () => {
    const echo = `<html><head><title>Unauthorized: Authorization: ${BASIC} (user audit-bot, token ${TOKEN})</title></head></html>`;
    const scope = jenkins().get('/api/json').query(true).reply(401, echo, HTML_HEADERS);

    const error = await failure(read('deployments'));
    scope.done();

    expect(error.code).toBe('unauthorized');
    const shown = `${error.message} ${JSON.stringify(error)} ${error.detail}`;
    expect(shown).toContain('Unauthorized');
    expect(shown).not.toContain(TOKEN);
    expect(shown).not.toContain(BASIC.slice('Basic '.length));
  });

  it('never prints the token in a problem either', async () => {
    const echo = `<html><head><title>Access denied for ${TOKEN}</title></head></html>`;
    const scope = jenkins();
    listing(scope, '/job/restricted', echo, 403);

    const batches = await read('deployments', { folders: ['restricted'] });
    scope.done();

    const problems = JSON.stringify(batches.flatMap((batch) => batch.problems ?? []));
    expect(problems).toContain('Access denied for [REDACTED]');
    expect(problems).not.toContain(TOKEN);
  });
});
