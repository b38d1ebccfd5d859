import { expectedRecords, summarize, type StreamProgress } from './run-progress';

const s = (over: Partial<StreamProgress> & Pick<StreamProgress, 'stream'>): StreamProgress => ({
  connector: 'gitlab',
  when: 'collect',
  state: 'waiting',
  records: 0,
  pages: 0,
  ...over,
});

describe('run progress counting', () => {
  it('counts every planned source, the ones after the collect jobs and failed connects included', () => {
    const streams = [
      s({ stream: 'deployments', state: 'complete', records: 120, pages: 3 }),
      s({ stream: 'group-members', state: 'reading', records: 5, pages: 1 }),
      s({ stream: 'shipped-ranges', when: 'after-collect' }),
      s({ connector: 'vault', stream: 'connect', when: 'failed', state: 'failed' }),
    ];
    const p = summarize(streams, 5000);
    expect(p).toMatchObject({ total: 4, done: 2, records: 125, pages: 4, estimated: false, etaMs: null });
    // Never more done than planned, and not full before the end: 2 of 4.
    expect(p.fraction).toBe(0.5);
    expect(summarize([], 0)).toMatchObject({ total: 0, done: 0, fraction: 1 });
  });

  it('weighs sources by the records an earlier run read, and estimates the time left from them', () => {
    const streams = [
      s({ stream: 'deployments', state: 'reading', records: 300, expected: 1000 }),
      s({ stream: 'group-members', state: 'complete', records: 20, expected: 20 }),
      s({ stream: 'shipped-ranges', when: 'after-collect', expected: 0 }),
    ];
    const p = summarize(streams, 10_000);
    // (300 + 20) of (1000 + 20 + 1): the bar moves with the records as they come.
    expect(p.estimated).toBe(true);
    expect(p.fraction).toBeCloseTo(320 / 1021, 5);
    expect(p.etaMs).toBe(Math.round((10_000 * (1 - 320 / 1021)) / (320 / 1021)));
    // More records than expected never make a running source count as done.
    const over = summarize([s({ stream: 'd', state: 'reading', records: 5000, expected: 1000 })], 10_000);
    expect(over.fraction).toBeLessThan(1);
    expect(over.etaMs).toBeGreaterThan(0);
  });

  it('gives no ETA without an estimate for every source, too early, or once everything ended', () => {
    const known = s({ stream: 'a', state: 'reading', records: 10, expected: 100 });
    expect(summarize([known, s({ stream: 'b' })], 10_000).etaMs).toBeNull();
    expect(summarize([known], 500).etaMs).toBeNull(); // under a second in
    expect(
      summarize([s({ stream: 'a', state: 'reading', records: 1, expected: 1000 })], 10_000).etaMs,
    ).toBeNull();
    expect(
      summarize([s({ stream: 'a', state: 'complete', records: 100, expected: 100 })], 10_000),
    ).toMatchObject({ fraction: 1, etaMs: null });
  });

  describe('expected records of a source', () => {
    const past = [
      { records: 2000, full: false, startedAt: '2026-11-01T02:00:00Z' }, // the first read, from the horizon
      { records: 40, full: false, startedAt: '2026-11-02T02:00:00Z' },
      { records: 1900, full: true, startedAt: '2026-11-03T02:00:00Z' },
      { records: 35, full: false, startedAt: '2026-11-04T02:00:00Z' },
    ];
    it('an incremental read with a cursor: the latest incremental read that was not the first', () => {
      expect(expectedRecords(past, { hasCursor: true, snapshot: false }, false)).toBe(35);
      expect(expectedRecords(past.slice(0, 1), { hasCursor: true, snapshot: false }, false)).toBeUndefined();
      expect(expectedRecords(past.slice(0, 2), { hasCursor: true, snapshot: false }, false)).toBe(40);
    });
    it('a full resync or a first read: the latest full read, else the first read', () => {
      expect(expectedRecords(past, { hasCursor: true, snapshot: false }, true)).toBe(1900);
      expect(expectedRecords(past.slice(0, 2), { hasCursor: false, snapshot: false }, false)).toBe(2000);
    });
    it('a snapshot reads everything every time: its latest read', () => {
      expect(expectedRecords(past, { hasCursor: false, snapshot: true }, false)).toBe(35);
      expect(expectedRecords([], { hasCursor: false, snapshot: true }, false)).toBeUndefined();
    });
  });
});
