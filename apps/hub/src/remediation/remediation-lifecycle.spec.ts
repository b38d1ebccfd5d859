/**
 * The ticket follows its finding for its whole life, against the sandbox's Jira (Cloud and Data
 * Center) and GitLab issues, on SQLite and PostgreSQL: one ticket per finding across reruns, closed
 * with the resolving run on resolve, reopened on regression.
 */
import type { DataSource } from 'typeorm';
import { DB_KINDS, dropTestDataSource, testDataSource } from '../../../../test/support/database';
import {
  createHarness,
  findingKey,
  flag,
  plain,
  SEARCH_LAG_MS,
  TRACKERS,
  type Harness,
} from '../../../../test/support/remediation-harness';
import { dedupeMarker } from './remediation.marker';

describe.each(DB_KINDS)('remediation lifecycle on %s', (kind) => {
  let ds: DataSource;
  beforeAll(async () => {
    ds = await testDataSource(kind);
  });
  afterAll(() => dropTestDataSource(ds));

  describe.each(TRACKERS)('with %s', (tracker) => {
    let h: Harness;

    beforeEach(async () => {
      h = await createHarness({ ds, tracker });
    });
    afterEach(() => h.close());

    /** A reconcile run: evaluate, then the run-end step (reminders, relay). */
    const run = async (runId: string, flags: ReturnType<typeof flag>[]) => {
      await h.apply(runId, flags);
      await h.finish(runId);
      // Cloud's search lags; the next run comes long after it caught up.
      h.clock.advance(tracker === 'jira-cloud' ? SEARCH_LAG_MS : 1000);
    };

    it('files one ticket per finding at or above minSeverity, once, across reruns', async () => {
      const flags = [flag(1), flag(2, { severity: 'medium' })];
      await run('run-1', flags);
      await run('run-2', flags);
      await run('run-3', flags);

      const tickets = h.tickets();
      expect(tickets).toHaveLength(1);
      const [t] = tickets;
      expect(t.open).toBe(true);
      expect(t.title).toBe('[audit-hub] RM-CHG-001 Unlinked production deployment: gitlab:acme/pay#1');
      const marker = dedupeMarker(findingKey(1));
      expect(t.labels).toContain(
        tracker === 'gitlab-issues' ? `audit-hub::${marker}` : `audit-hub-${marker}`,
      );
      expect(t.body).toContain(findingKey(1));
      expect(t.body).toContain('Deployment 1 reached production with no linked change.');
      expect(t.body).toContain('SOX:ITGC-CM');
      expect(t.comments).toEqual([]);

      const f1 = await h.finding(findingKey(1));
      expect(f1?.ticket).toMatchObject({
        tracker: 'tracker',
        key: tracker === 'gitlab-issues' ? 'acme/security#1' : 'SEC-1',
      });
      expect((await h.finding(findingKey(2)))?.ticket).toBeNull();
      expect((await h.actions()).map((a) => [a.action, a.status])).toEqual([['file', 'sent']]);
    });

    it('closes the ticket with the resolving run, and reopens it with a comment when the finding comes back', async () => {
      await run('run-1', [flag(1)]);
      await run('run-2', []);
      let [t] = h.tickets();
      expect(t.open).toBe(false);
      expect(t.comments).toHaveLength(1);
      expect(plain(t.comments[0])).toBe(
        'Resolved: audit-hub run run-2 evaluated gitlab:acme/pay#1 at 2026-03-02 02:00 UTC and no longer flags it. Closing this ticket.',
      );

      await run('run-3', [flag(1)]);
      [t] = h.tickets();
      expect(h.tickets()).toHaveLength(1);
      expect(t.open).toBe(true);
      expect(plain(t.comments[1])).toMatch(
        /^Reopened: audit-hub run run-3 flags this again at 2026-03-02 02:00 UTC\./,
      );
      expect(plain(t.comments[1])).toContain(
        'gitlab:acme/pay#1 (reopened): Deployment 1 reached production with no linked change.',
      );

      await run('run-4', [flag(1)]);
      expect(h.tickets()).toHaveLength(1);
      expect(h.tickets()[0].comments).toHaveLength(2);
      expect((await h.actions()).map((a) => `${a.action}:${a.status}`)).toEqual([
        'file:sent',
        'comment_close:sent',
        'reopen:sent',
      ]);
      expect((await h.ticketRows()).map((r) => r.state)).toEqual(['open']);
    });
  });
});
