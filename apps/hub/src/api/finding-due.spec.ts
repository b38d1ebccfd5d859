import { findingDue } from './finding-due';

const SLA = { critical: '7d', high: '30d' };
const at = new Date('2026-11-20T12:00:00.000Z');

describe('findingDue', () => {
  it('is due the SLA after first seen, overdue once that has passed while open', () => {
    const f = {
      severity: 'high' as const,
      status: 'open' as const,
      firstSeenAt: '2026-10-01T00:00:00.000Z',
      resolvedAt: null,
    };
    expect(findingDue(f, SLA, at)).toEqual({
      ageDays: 50,
      due: { sla: '30d', at: '2026-10-31T00:00:00.000Z', overdue: true },
    });
    expect(
      findingDue({ ...f, status: 'reopened' }, SLA, new Date('2026-10-30T23:59:59.000Z')).due?.overdue,
    ).toBe(false);
  });

  it('never makes resolved or accepted findings overdue, and ages resolved ones to their resolution', () => {
    const f = { severity: 'critical' as const, firstSeenAt: '2026-11-01T00:00:00.000Z' };
    const resolved = findingDue(
      { ...f, status: 'resolved', resolvedAt: '2026-11-04T06:00:00.000Z' },
      SLA,
      at,
    );
    expect(resolved).toEqual({
      ageDays: 3,
      due: { sla: '7d', at: '2026-11-08T00:00:00.000Z', overdue: false },
    });
    expect(findingDue({ ...f, status: 'accepted', resolvedAt: null }, SLA, at).due?.overdue).toBe(false);
  });

  it('gives no due date to a severity without an SLA, or with no SLA configured', () => {
    const f = {
      severity: 'low' as const,
      status: 'open' as const,
      firstSeenAt: '2026-11-19T00:00:00.000Z',
      resolvedAt: null,
    };
    expect(findingDue(f, SLA, at)).toEqual({ ageDays: 1, due: null });
    expect(findingDue(f, undefined, at)).toEqual({ ageDays: 1, due: null });
  });
});
