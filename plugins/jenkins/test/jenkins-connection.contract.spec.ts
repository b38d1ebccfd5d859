/** Contract tests of `connection.check()` (used by `connectors check`). */
import nock from 'nock';
import { connect, FOLDER_TREE, HTML_HEADERS, jenkins, JSON_HEADERS, listing, TOKEN } from './context';
import { fixture } from './samples';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

function root(scope: nock.Scope, status = 200, body = fixture('root-mode.json')): nock.Scope {
  return scope
    .get('/api/json')
    .query({ tree: 'mode,nodeDescription' })
    .reply(status, body, status === 200 ? JSON_HEADERS : HTML_HEADERS);
}

function me(scope: nock.Scope, body = fixture('me.json')): nock.Scope {
  return scope.get('/me/api/json').query({ tree: 'id,fullName' }).reply(200, body, JSON_HEADERS);
}

describe('jenkins connection check (contract)', () => {
  it('names the version and the user, and checks Job/Read on each configured folder', async () => {
    const scope = jenkins();
    root(scope);
    me(scope);
    listing(scope, '/job/payments', fixture('folder-payments-jobs.json'));
    listing(scope, '/job/restricted', fixture('error-403-access-denied.html'), 403);
    listing(scope, '/job/gone', '<html><head><title>Not Found - Jenkins</title></head></html>', 404);
    // A 404: does this Jenkins have folders at all? The root lists one.
    listing(scope, '', fixture('root-jobs.json'));

    const results = await (await connect({ folders: ['payments', 'restricted', 'gone'] })).check();
    scope.done();

    expect(results).toEqual([
      { name: 'reachable', ok: true, detail: 'Jenkins 2.462.3' },
      { name: 'credentials', ok: true, detail: 'authenticated as audit-bot (Audit Bot)' },
      { name: 'read:overall', ok: true, detail: 'the user holds Overall/Read' },
      { name: 'folder:payments', ok: true, detail: '3 items visible (Job/Read)' },
      {
        name: 'folder:restricted',
        ok: false,
        detail: expect.stringMatching(
          /^the user lacks Job\/Read on folder restricted \(.*Access Denied - Jenkins/,
        ),
        affects: { kinds: ['deployment', 'build'] },
        fix: expect.stringContaining('Job/Read on folder restricted'),
      },
      {
        name: 'folder:gone',
        ok: false,
        detail: expect.stringMatching(
          /^folder gone not found, or not visible to the user \(.*Not Found - Jenkins/,
        ),
        affects: { kinds: ['deployment', 'build'] },
        fix: expect.stringContaining('check options.folders'),
      },
    ]);
  });

  it('without folders, checks that top-level items are visible', async () => {
    const scope = jenkins();
    root(scope);
    me(scope);
    listing(scope, '', fixture('root-jobs.json'));

    const results = await (await connect()).check();
    scope.done();

    expect(results[3]).toEqual({
      name: 'read:jobs',
      ok: true,
      detail: '2 top-level items visible (Job/Read)',
    });
  });

  it('says the credentials were refused on a 401, stops there, and never prints the token', async () => {
    const scope = jenkins();
    root(scope, 401, `<html><head><title>Invalid token ${TOKEN}</title></head></html>`);

    const results = await (await connect()).check();
    scope.done();

    expect(results).toEqual([
      { name: 'reachable', ok: true, detail: 'Jenkins answered 401' },
      {
        name: 'credentials',
        ok: false,
        detail: 'Jenkins refused the user name or API token (revoked, expired or mistyped)',
        affects: { kinds: ['deployment', 'build'] },
        fix: expect.stringContaining('API Token'),
      },
    ]);
    expect(JSON.stringify(results)).not.toContain(TOKEN);
  });

  it('flags a user without Overall/Read and goes no further than naming the user', async () => {
    const scope = jenkins();
    root(scope, 403, fixture('error-403-access-denied.html'));
    me(scope);

    const results = await (await connect({ folders: ['payments'] })).check();
    scope.done();

    expect(results).toEqual([
      { name: 'reachable', ok: true, detail: 'Jenkins answered 403' },
      { name: 'credentials', ok: true, detail: 'authenticated as audit-bot (Audit Bot)' },
      {
        name: 'read:overall',
        ok: false,
        detail: expect.stringMatching(/^the user lacks Overall\/Read \(/),
        affects: { kinds: ['deployment', 'build'] },
        fix: expect.stringContaining('Overall/Read'),
      },
    ]);
  });

  it('flags credentials that were not applied (Jenkins sees anonymous)', async () => {
    const scope = jenkins();
    root(scope);
    me(scope, '{"_class":"hudson.model.User","id":"anonymous","fullName":"anonymous"}');
    scope.get('/api/json').query({ tree: FOLDER_TREE }).reply(200, fixture('root-jobs.json'), JSON_HEADERS);

    const results = await (await connect()).check();
    scope.done();

    expect(results[1]).toEqual({
      name: 'credentials',
      ok: false,
      detail: 'Jenkins sees an anonymous user: the credentials were not applied',
      affects: { kinds: ['deployment', 'build'] },
      fix: expect.stringContaining('Authorization header'),
    });
  });

  it('reports an unreachable server as such, with the reason', async () => {
    const scope = jenkins().get('/api/json').query(true).times(2).replyWithError('connect ECONNREFUSED');

    const results = await (await connect()).check();
    scope.done();

    expect(results).toEqual([
      {
        name: 'reachable',
        ok: false,
        detail: expect.stringContaining('ECONNREFUSED'),
        affects: { kinds: ['deployment', 'build'] },
      },
    ]);
  });

  it('probes Job/Read on each job the catalog or a glob names: readable, Discover only (403), or not found (404)', async () => {
    const scope = jenkins();
    root(scope);
    me(scope);
    listing(scope, '', fixture('root-jobs.json'));
    const probe = (path: string) => scope.get(`${path}/api/json`).query({ tree: 'name,fullName' });
    probe('/job/payments/job/payments-api-deploy').reply(
      200,
      fixture('job-payments-api-deploy.json'),
      JSON_HEADERS,
    );
    probe('/job/payments/job/payments-api-build').reply(
      403,
      fixture('error-403-job-discover-only.html'),
      HTML_HEADERS,
    );
    probe('/job/ledger-deploy').reply(
      404,
      '<html><head><title>Error 404 Not Found</title></head></html>',
      HTML_HEADERS,
    );

    const results = await (
      await connect(
        { deployJobs: ['*-deploy'], buildJobs: ['payments/payments-api-build'] },
        {
          services: [
            { name: 'payments-api', keys: { jenkins: 'payments/payments-api-deploy' } },
            // The key of a job in a folder must be its full name.
            { name: 'ledger', keys: { jenkins: 'ledger-deploy' } },
          ],
        },
      )
    ).check();
    scope.done();

    expect(results.slice(4)).toEqual([
      {
        name: 'job:payments/payments-api-deploy',
        ok: true,
        detail: 'job payments/payments-api-deploy is readable (Job/Read)',
      },
      {
        name: 'job:ledger-deploy',
        ok: false,
        detail: expect.stringContaining('there is no such job, or the user may not see it'),
        affects: { kinds: ['deployment'] },
        fix: expect.stringContaining('full name'),
      },
      {
        name: 'job:payments/payments-api-build',
        ok: false,
        detail: expect.stringContaining('exists but the user lacks Job/Read on it'),
        affects: { kinds: ['build'] },
        fix: expect.stringContaining('Job/Read on job payments/payments-api-build'),
      },
    ]);
  });

  it('says a configured folder is missing because the Folders plugin is, when the root lists no folder', async () => {
    const scope = jenkins();
    root(scope);
    me(scope);
    listing(scope, '/job/payments', '<html><head><title>Error 404 Not Found</title></head></html>', 404);
    listing(scope, '', fixture('root-jobs-no-folders.json'));

    const results = await (await connect({ folders: ['payments'] })).check();
    scope.done();

    expect(results[3]).toEqual({
      name: 'folder:payments',
      ok: false,
      detail: expect.stringContaining('the Folders plugin (cloudbees-folder) is probably not installed'),
      affects: { kinds: ['deployment', 'build'] },
      fix: expect.stringContaining('remove options.folders'),
    });
  });
});
