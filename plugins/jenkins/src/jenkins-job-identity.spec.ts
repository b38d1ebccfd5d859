import type { PluginLogger } from '@audit-hub/plugin-sdk';
import type { JenkinsClient } from './jenkins.client';
import { identifyJobs, parseCursor } from './jenkins-job-identity';
import type { DiscoveredJob } from './jenkins-jobs.resolver';

const T = 1717200000000;
const logger: PluginLogger = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };
/** A client that must not be called: these cases are decided from the listings alone. */
const offline = {
  buildPointer: () => {
    throw new Error('no request expected');
  },
} as unknown as JenkinsClient;

function job(fullName: string, number: number, extra: Partial<DiscoveredJob> = {}): DiscoveredJob {
  return {
    fullName,
    lastBuild: number,
    newest: { number, timestamp: T + number, queueId: 4000 + number },
    ...extra,
  };
}

describe('job identities', () => {
  it('reads a cursor of an earlier version (jobs only): each job is its own identity', async () => {
    const cursor = parseCursor({ jobs: { 'team/app-deploy': 12 } });
    const ids = await identifyJobs(offline, cursor, [job('team/app-deploy', 13)], logger);
    expect(ids.jobs.map((j) => j.identity)).toEqual(['team/app-deploy']);
    expect(ids.known).toEqual({ 'team/app-deploy': { last: [13, T + 13, 4013] } });
  });

  it('recognises a moved job whose build seen newest was discarded since, by its name and its numbering', async () => {
    const cursor = parseCursor({
      jobs: { 'team/app-deploy': 12 },
      known: { 'team/app-deploy': { last: [12, T, 1] } },
    });
    const moved = job('legacy/team/app-deploy', 40, { firstBuild: 30 });
    const other = job('legacy/team/other-deploy', 40, { firstBuild: 30 });
    const ids = await identifyJobs(offline, cursor, [other, moved], logger);
    expect(ids.moves).toEqual([
      {
        identity: 'team/app-deploy',
        from: 'team/app-deploy',
        to: 'legacy/team/app-deploy',
        evidence: 'numbering',
      },
    ]);
    expect(ids.identityOf('legacy/team/app-deploy')).toBe('team/app-deploy');
    expect(ids.identityOf('legacy/team/other-deploy')).toBe('legacy/team/other-deploy');
  });

  it('does not read a new job where a moved job used to be: its builds would take that job’s ids', async () => {
    const cursor = parseCursor({
      jobs: { 'team/app-deploy': 12 },
      known: { 'team/app-deploy': { at: 'legacy/team/app-deploy', last: [12, T + 12, 4012] } },
    });
    const ids = await identifyJobs(
      offline,
      cursor,
      [job('legacy/team/app-deploy', 12), job('team/app-deploy', 1)],
      logger,
    );
    expect(ids.jobs.map((j) => [j.fullName, j.identity])).toEqual([
      ['legacy/team/app-deploy', 'team/app-deploy'],
    ]);
    expect(ids.clashes.map((j) => j.fullName)).toEqual(['team/app-deploy']);
  });

  it('keeps what it knew of a job no longer listed until the stream forgets it', async () => {
    const cursor = parseCursor({ jobs: { gone: 3 }, known: { gone: { last: [3, T, 9] } } });
    const ids = await identifyJobs(offline, cursor, [], logger);
    expect(ids.missing).toEqual([{ identity: 'gone', at: 'gone' }]);
    expect(ids.known).toEqual({ gone: { last: [3, T, 9] } });
  });
});
