/**
 * The outbox and its relay against the sandbox's trackers, on SQLite and PostgreSQL: once only when
 * the relay dies after a create, queued actions through a tracker outage, reminders, grouping,
 * accepted risk, and secrets kept out of tickets and errors.
 */
import type { DataSource } from 'typeorm';
import type { TicketRef } from '@audit-hub/plugin-sdk';
import { DB_KINDS, dropTestDataSource, testDataSource } from '../../../../test/support/database';
import {
  createHarness,
  findingKey,
  flag,
  plain,
  SEARCH_LAG_MS,
  TRACKER_TOKEN,
  EMAIL,
  type Harness,
  type HarnessOptions,
} from '../../../../test/support/remediation-harness';
import { RemediationActionEntity } from './remediation-action.entity';
import { RemediationOutboxStore } from './remediation-outbox.store';
import {
  REMEDIATION_RELAY_INTERVAL,
  RemediationRelayScheduler,
  relayIntervalFromEnv,
} from './remediation-relay.scheduler';
import { SchedulerRegistry } from '@nestjs/schedule';

const DAY = 86_400_000;

/** Dies (throws) once between the tracker's answer and the commit that records the ticket. */
class KilledAfterCreate extends RemediationOutboxStore {
  kills = 1;
  override async recordFiled(
    action: RemediationActionEntity,
    ref: TicketRef,
    tracker: string,
    at: string,
  ): Promise<void> {
    if (this.kills-- > 0) throw new Error('relay killed after the create request');
    return super.recordFiled(action, ref, tracker, at);
  }
}

describe.each(DB_KINDS)('remediation relay on %s', (kind) => {
  let ds: DataSource;
  let h: Harness | undefined;
  beforeAll(async () => {
    ds = await testDataSource(kind);
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  afterAll(() => dropTestDataSource(ds));

  const harness = async (opts: Omit<HarnessOptions, 'ds'>) => {
    h = await createHarness({ ds, ...opts });
    return h;
  };

  describe('once only', () => {
    it('files one Jira Cloud ticket when the relay is killed right after the create, despite the search lag', async () => {
      const store = new KilledAfterCreate(ds);
      const h = await harness({ tracker: 'jira-cloud', store: () => store });
      await h.apply('run-1', [flag(1)]);

      await expect(h.relay.run()).rejects.toThrow('relay killed after the create request');
      expect(h.tickets()).toHaveLength(1);
      const [action] = await h.actions();
      expect(action).toMatchObject({ action: 'file', status: 'pending', leaseUntil: null });
      expect(action.createAttemptedAt).not.toBeNull();

      // At once, Jira Cloud's search does not see the new issue yet: the relay waits instead of creating.
      expect(await h.relay.run()).toEqual({ sent: 0, failed: 0, skipped: 0, pending: 1 });
      expect(h.tickets()).toHaveLength(1);
      expect((await h.actions())[0].nextAttemptAt).toBe(
        new Date(Date.parse(action.createAttemptedAt!) + SEARCH_LAG_MS).toISOString(),
      );

      h.clock.advance(SEARCH_LAG_MS);
      expect(await h.relay.run()).toEqual({ sent: 1, failed: 0, skipped: 0, pending: 0 });
      expect(h.tickets()).toHaveLength(1);
      expect(h.requests().filter((r) => r === 'POST /rest/api/3/issue')).toHaveLength(1);
      expect(await h.ticketRows()).toEqual([expect.objectContaining({ ticketKey: 'SEC-1', state: 'open' })]);
      expect((await h.finding(findingKey(1)))?.ticket).toMatchObject({ key: 'SEC-1' });
    });

    it('files one GitLab issue when the relay is killed right after the create', async () => {
      const h = await harness({ tracker: 'gitlab-issues', store: (d) => new KilledAfterCreate(d) });
      await h.apply('run-1', [flag(1)]);
      await expect(h.relay.run()).rejects.toThrow('killed');
      expect(await h.relay.run()).toMatchObject({ sent: 1, pending: 0 });
      expect(h.tickets()).toHaveLength(1);
      expect(h.requests().filter((r) => r === 'POST /api/v4/projects/acme%2Fsecurity/issues')).toHaveLength(
        1,
      );
    });

    it('files one ticket when Jira created the issue but its answer was lost (504)', async () => {
      const h = await harness({ tracker: 'jira-cloud' });
      h.jira.loseCreateAnswers = 1;
      await h.apply('run-1', [flag(1)]);

      expect(await h.relay.run()).toMatchObject({ sent: 0, pending: 1 });
      const [action] = await h.actions();
      expect(action.attempts).toBe(1);
      expect(action.lastError).toMatch(
        /create ticket: tracker: POST .*\/rest\/api\/3\/issue failed \(server 504\): Gateway Timeout/,
      );

      h.clock.advance(2 * 60_000);
      expect(await h.relay.run()).toMatchObject({ sent: 1, pending: 0 });
      expect(h.tickets()).toHaveLength(1);
    });

    it('adopts a ticket that already carries the marker (a database restored from backup) instead of creating one', async () => {
      const first = await harness({ tracker: 'gitlab-issues' });
      await first.apply('run-1', [flag(1)]);
      await first.finish('run-1');
      await first.apply('run-2', []);
      await first.finish('run-2');
      const gitlabIssues = first.gitlab.issues;
      await first.close();

      // A new database (empty tables), the same GitLab project: the closed issue is found, reopened and kept.
      const h = await harness({ tracker: 'gitlab-issues' });
      h.gitlab.issues.push(...gitlabIssues);
      await h.apply('run-3', [flag(1)]);
      await h.finish('run-3');
      expect(h.tickets()).toHaveLength(1);
      expect(h.tickets()[0].open).toBe(true);
      expect(h.tickets()[0].comments.at(-1)).toBe(
        'Reopened by audit-hub: its finding is open again (run run-3).',
      );
    });
  });

  describe('tracker outage', () => {
    it('keeps actions queued while the tracker is down, sends nothing during the backoff, and sends them in order after', async () => {
      const h = await harness({ tracker: 'jira-datacenter' });
      h.outage(503);
      await h.apply('run-1', [flag(1), flag(2)]);
      await h.finish('run-1');

      let actions = await h.actions();
      expect(actions.map((a) => [a.action, a.status, a.attempts])).toEqual([
        ['file', 'pending', 1],
        ['file', 'pending', 0],
      ]);
      // One refused call ends the pass: the tracker is not hammered.
      expect(h.requests()).toHaveLength(1);
      expect(actions[0].lastError).toContain('failed (server 503)');
      expect(actions[0].nextAttemptAt).toBe(new Date(h.clock.now().getTime() + 60_000).toISOString());

      // A day later the tracker is back; meanwhile finding 1 was resolved, which queued its close.
      h.clock.advance(DAY);
      await h.apply('run-2', [flag(2)]);
      h.outage(null);
      await h.finish('run-2');
      actions = await h.actions();
      expect(actions.map((a) => `${a.action}:${a.status}`)).toEqual([
        'file:sent',
        'file:sent',
        'comment_close:sent',
      ]);
      const tickets = h.tickets();
      expect(tickets).toHaveLength(2);
      const byTitle = Object.fromEntries(tickets.map((t) => [t.title.split(': ')[1], t]));
      expect(byTitle['gitlab:acme/pay#1'].open).toBe(false);
      expect(byTitle['gitlab:acme/pay#2'].open).toBe(true);
    });

    it('waits out a backoff without calling the tracker', async () => {
      const h = await harness({ tracker: 'gitlab-issues' });
      h.outage(502);
      await h.apply('run-1', [flag(1)]);
      await h.relay.run();
      h.outage(null);
      const before = h.requests().length;
      expect(await h.relay.run()).toEqual({ sent: 0, failed: 0, skipped: 0, pending: 1 });
      expect(h.requests()).toHaveLength(before);
      h.clock.advance(60_000);
      expect(await h.relay.run()).toMatchObject({ sent: 1, pending: 0 });
      expect((await h.actions())[0]).toMatchObject({ status: 'sent', attempts: 1, lastError: null });
    });

    it('between runs, the scheduled relay sends what came due after an outage — one pass at a time', async () => {
      const h = await harness({ tracker: 'gitlab-issues' });
      const registry = new SchedulerRegistry();
      const scheduler = new RemediationRelayScheduler(h.planner, h.relay, registry, h.logger);
      h.outage(502);
      await h.apply('run-1', [flag(1)]);
      await h.finish('run-1');
      expect((await h.actions())[0]).toMatchObject({ status: 'pending', attempts: 1 });
      h.outage(null);
      h.clock.advance(60_000);
      // No run in between: the scheduler's pass files the ticket; a pass asked for meanwhile shares it.
      await Promise.all([scheduler.pass(), scheduler.pass()]);
      expect((await h.actions())[0]).toMatchObject({ status: 'sent' });
      expect(h.tickets()).toHaveLength(1);
      // With a tracker configured it registers its interval; the test does not wait for it.
      process.env.AUDIT_HUB_REMEDIATION_RELAY_MS = '60000';
      try {
        scheduler.onApplicationBootstrap();
        expect(registry.getIntervals()).toEqual([REMEDIATION_RELAY_INTERVAL]);
      } finally {
        registry.deleteInterval(REMEDIATION_RELAY_INTERVAL);
        delete process.env.AUDIT_HUB_REMEDIATION_RELAY_MS;
      }
    });

    it('names a bad AUDIT_HUB_REMEDIATION_RELAY_MS', () => {
      expect(relayIntervalFromEnv({})).toBe(300_000);
      expect(relayIntervalFromEnv({ AUDIT_HUB_REMEDIATION_RELAY_MS: '0' })).toBe(0);
      expect(() => relayIntervalFromEnv({ AUDIT_HUB_REMEDIATION_RELAY_MS: '5m' })).toThrow(
        /AUDIT_HUB_REMEDIATION_RELAY_MS: "5m" is not a whole number of milliseconds/,
      );
    });

    it('fails an action the tracker refuses for good, and files it again after a later run', async () => {
      let refuse = true;
      const h = await harness({
        tracker: 'gitlab-issues',
        // A title GitLab refuses: the create is a client error, which no retry can fix.
        wrap: (handler) => (req) =>
          req.method === 'POST' && req.path.endsWith('/issues') && refuse
            ? {
                status: 400,
                headers: { 'content-type': 'application/json' },
                body: '{"message":{"title":["is invalid"]}}',
              }
            : handler(req),
      });
      await h.apply('run-1', [flag(1)]);
      await h.finish('run-1');
      expect((await h.actions())[0]).toMatchObject({ status: 'failed', attempts: 1 });
      expect((await h.actions())[0].lastError).toContain('title: is invalid');

      refuse = false;
      await h.finish('run-2');
      expect((await h.actions()).map((a) => `${a.action}:${a.status}`)).toEqual(['file:failed', 'file:sent']);
      expect(h.tickets()).toHaveLength(1);
    });
  });

  describe('lifecycle details', () => {
    it('reminds at most once per reminderDays while the finding stays open', async () => {
      const h = await harness({ tracker: 'jira-datacenter', remediation: { reminderDays: 7 } });
      const day = async (n: number) => {
        await h.apply(`run-${n}`, [flag(1)]);
        await h.finish(`run-${n}`);
        h.clock.advance(DAY);
      };
      for (let n = 1; n <= 15; n++) await day(n);
      const comments = h.tickets()[0].comments;
      expect(comments).toHaveLength(2);
      expect(plain(comments[0])).toMatch(
        /^Still open: audit-hub run run-8 still flags this at 2026-03-09 02:00 UTC \(first seen 2026-03-02 02:00 UTC\)\./,
      );
      expect(plain(comments[1])).toMatch(/^Still open: audit-hub run run-15 /);
      expect((await h.ticketRows())[0].lastReminderAt).toBe('2026-03-16T02:00:00.000Z');
    });

    it('sends no reminder for a ticket whose finding was resolved', async () => {
      const h = await harness({ tracker: 'gitlab-issues', remediation: { reminderDays: 1 } });
      await h.apply('run-1', [flag(1)]);
      await h.finish('run-1');
      await h.apply('run-2', []);
      h.clock.advance(3 * DAY);
      await h.finish('run-2');
      await h.finish('run-3');
      expect(h.tickets()[0].comments).toHaveLength(1);
      expect((await h.actions()).map((a) => a.action)).toEqual(['file', 'comment_close']);
    });

    it('groups per control and service: one ticket for the service, comments as findings come and go, closed when none is left', async () => {
      const h = await harness({ tracker: 'gitlab-issues', remediation: { grouping: 'per-control-service' } });
      await h.apply('run-1', [
        flag(1),
        flag(2),
        flag(3, { service: 'web', subjectRef: 'gitlab:acme/web#3' }),
      ]);
      await h.finish('run-1');
      let tickets = h.tickets();
      expect(tickets.map((t) => t.title).sort()).toEqual([
        '[audit-hub] RM-CHG-001 Unlinked production deployment: service pay',
        '[audit-hub] RM-CHG-001 Unlinked production deployment: service web',
      ]);
      const pay = () => h.tickets().find((t) => t.title.endsWith('service pay'))!;
      expect(pay().body).toContain(findingKey(1));
      expect(pay().body).toContain(findingKey(2));
      expect(pay().body).toContain('Group `RM-CHG-001|pay`');

      await h.apply('run-2', [flag(1), flag(3, { service: 'web', subjectRef: 'gitlab:acme/web#3' })]);
      await h.finish('run-2');
      expect(pay().open).toBe(true);
      expect(plain(pay().comments[0])).toBe(
        'Resolved: audit-hub run run-2 evaluated gitlab:acme/pay#2 at 2026-03-02 02:00 UTC and no longer flags it. 1 other finding of this ticket is still open.',
      );

      await h.apply('run-3', [
        flag(1),
        flag(4),
        flag(3, { service: 'web', subjectRef: 'gitlab:acme/web#3' }),
      ]);
      await h.finish('run-3');
      expect(plain(pay().comments[1])).toContain('Also flagged by audit-hub run run-3');
      expect(plain(pay().comments[1])).toContain('gitlab:acme/pay#4 (high)');
      expect((await h.finding(findingKey(4)))?.ticket).toMatchObject({ key: 'acme/security#1' });

      await h.apply('run-4', [flag(3, { service: 'web', subjectRef: 'gitlab:acme/web#3' })]);
      await h.finish('run-4');
      expect(pay().open).toBe(false);
      tickets = h.tickets();
      expect(tickets).toHaveLength(2);
      expect(tickets.find((t) => t.title.endsWith('service web'))!.open).toBe(true);
    });

    it('comments an accepted finding with reason, approver and expiry, closes it, and reopens it once the exception expired', async () => {
      const h = await harness({ tracker: 'jira-cloud' });
      await h.apply('run-1', [flag(1)]);
      await h.finish('run-1');
      h.clock.advance(DAY);

      const withException = h.findingsWith(`
exceptions:
  - control: RM-CHG-001
    subject: "gitlab:acme/pay#1"
    reason: Vendor hotfix tracked outside ServiceNow
    requestedBy: ops@acme.com
    approvedBy: ciso@acme.com
    expires: 2026-03-31
`);
      await h.apply('run-2', [flag(1)], withException);
      await h.finish('run-2');
      let [t] = h.tickets();
      expect(t.open).toBe(false);
      expect(t.comments[0]).toBe(
        [
          'Accepted risk, recorded by audit-hub run run-2:',
          'gitlab:acme/pay#1: reason "Vendor hotfix tracked outside ServiceNow", approved by ciso@acme.com, requested by ops@acme.com, expires 2026-03-31 (through 23:59:59 UTC).',
          'Closing this ticket; audit-hub reopens it if the finding is flagged again once the exception has expired.',
        ].join('\n'),
      );

      h.clock.set(new Date('2026-04-01T02:00:00.000Z'));
      await h.apply('run-3', [flag(1)], withException);
      await h.finish('run-3');
      [t] = h.tickets();
      expect(h.tickets()).toHaveLength(1);
      expect(t.open).toBe(true);
      expect(t.comments[1]).toMatch(/^Reopened: audit-hub run run-3/);
    });

    it('files a ticket at run end for an open finding that rose to the threshold without a transition', async () => {
      const h = await harness({ tracker: 'gitlab-issues' });
      await h.apply('run-1', [flag(1, { severity: 'medium' })]);
      await h.finish('run-1');
      expect(h.tickets()).toHaveLength(0);
      await h.apply('run-2', [flag(1, { severity: 'critical' })]);
      await h.finish('run-2');
      expect(h.tickets()).toHaveLength(1);
      expect(h.tickets()[0].labels).toContain('severity-critical');
    });

    it('rolls the ticket action back with the transition when the transaction fails', async () => {
      const h = await harness({
        tracker: 'gitlab-issues',
        moreListeners: [
          {
            onTransitions: async () => {
              throw new Error('ledger unavailable');
            },
          },
        ],
      });
      await expect(h.apply('run-1', [flag(1)])).rejects.toThrow('ledger unavailable');
      expect(await ds.getRepository(RemediationActionEntity).count()).toBe(0);
      expect(await h.finding(findingKey(1))).toBeNull();
    });

    it('skips a close for a group whose ticket was never filed', async () => {
      const h = await harness({ tracker: 'jira-datacenter' });
      h.outage(503);
      await h.apply('run-1', [flag(1)]);
      await h.relay.run();
      await h.apply('run-2', []);
      // The create is given up on (as if refused for good) after the close was queued behind it.
      await ds.getRepository(RemediationActionEntity).update({ action: 'file' }, { status: 'failed' });
      h.outage(null);
      expect(await h.relay.run()).toEqual({ sent: 0, failed: 0, skipped: 1, pending: 0 });
      expect((await h.actions()).map((a) => `${a.action}:${a.status}`)).toEqual([
        'file:failed',
        'comment_close:skipped',
      ]);
      expect(h.tickets()).toHaveLength(0);
    });
  });

  describe('secrets', () => {
    it('never puts a configured secret in ticket text, stored errors or logs', async () => {
      const basic = Buffer.from(`${EMAIL}:${TRACKER_TOKEN}`).toString('base64');
      let echo = true;
      const h = await harness({
        tracker: 'jira-cloud',
        // A proxy that echoes the request's credentials in its error page.
        wrap: (handler) => (req) =>
          echo && req.method === 'POST' && req.path === '/rest/api/3/issue'
            ? {
                status: 502,
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({
                  errorMessages: [`upstream refused ${req.headers.authorization} (${TRACKER_TOKEN})`],
                }),
              }
            : handler(req),
      });
      await h.apply('run-1', [
        flag(1, { reason: `Pipeline variable DEPLOY_TOKEN=${TRACKER_TOKEN} was printed.` }),
      ]);
      await h.finish('run-1');
      const [action] = await h.actions();
      expect(action.lastError).toContain('failed (server 502)');
      echo = false;
      h.clock.advance(DAY);
      await h.finish('run-2');

      const [t] = h.tickets();
      expect(t.body).toContain('DEPLOY_TOKEN=[REDACTED] was printed.');
      const everything = JSON.stringify({ tickets: h.tickets(), actions: await h.actions(), logs: h.logs });
      expect(everything).not.toContain(TRACKER_TOKEN);
      expect(everything).not.toContain(basic);
    });
  });
});
