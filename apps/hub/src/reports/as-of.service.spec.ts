import type { FindingEntity } from '../store/entities/finding.entity';
import type { FindingEventEntity } from '../store/entities/finding-event.entity';
import { replayFinding, statusAt } from './as-of.service';

const event = (
  id: number,
  at: string,
  from: string | null,
  to: string,
  reason = `event ${id}`,
  input: unknown = null,
) =>
  ({
    id,
    findingKey: 'RM-CHG-001|gitlab:x#1',
    runId: `run-${id}`,
    at,
    fromStatus: from,
    toStatus: to,
    reason,
    input,
  }) as FindingEventEntity;

const finding = {
  key: 'RM-CHG-001|gitlab:x#1',
  status: 'open',
  reason: 'current reason',
  exception: null,
} as unknown as FindingEntity;

describe('as of an instant', () => {
  const events = [
    event(3, '2026-10-20T00:00:00.000Z', 'resolved', 'reopened', 'flagged again'),
    event(1, '2026-10-01T00:00:00.000Z', null, 'open', 'first flagged'),
    event(2, '2026-10-10T00:00:00.000Z', 'open', 'resolved', 'Evaluated by run run-2 and no longer flagged.'),
  ];

  it('gives the status of the last transition at or before the instant', () => {
    expect(statusAt(events, '2026-09-30T23:59:59.999Z')).toBeNull();
    expect(statusAt(events, '2026-10-01T00:00:00.000Z')).toBe('open');
    expect(statusAt(events, '2026-10-15T00:00:00.000Z')).toBe('resolved');
    expect(statusAt(events, '2026-12-01T00:00:00.000Z')).toBe('reopened');
  });

  it('replays a finding: status, since when, first seen, resolution and the flagging reason then', () => {
    expect(replayFinding(finding, events, '2026-09-01T00:00:00.000Z')).toBeUndefined();
    const resolved = replayFinding(finding, events, '2026-10-15T00:00:00.000Z')!;
    expect(resolved).toMatchObject({
      status: 'resolved',
      statusSince: '2026-10-10T00:00:00.000Z',
      firstSeenAt: '2026-10-01T00:00:00.000Z',
      resolvedAt: '2026-10-10T00:00:00.000Z',
      reason: 'first flagged',
      exception: null,
    });
    expect(resolved.events.map((e) => e.id)).toEqual([1, 2]);
    expect(replayFinding(finding, events, '2026-10-21T00:00:00.000Z')).toMatchObject({
      status: 'reopened',
      resolvedAt: null,
      reason: 'flagged again',
    });
  });

  it('orders transitions of the same instant by id, and keeps the exception of an accepted one', () => {
    const exception = { approvedBy: 'ciso@acme.example', expires: '2027-01-31' };
    const same = [
      event(5, '2026-10-01T00:00:00.000Z', 'open', 'accepted', 'covered', { exception }),
      event(4, '2026-10-01T00:00:00.000Z', null, 'open'),
    ];
    expect(replayFinding(finding, same, '2026-10-01T00:00:00.000Z')).toMatchObject({
      status: 'accepted',
      exception,
      reason: 'event 4',
    });
  });
});
