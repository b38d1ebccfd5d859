import type { PlannedSource } from '../../../hub/src/runs/job.types';
import type { RunProgressTracker, StreamProgress } from '../../../hub/src/runs/run-progress';
import { formatDuration, plannedLine, RunProgressDisplay } from './run-progress.display';

const SOURCES: PlannedSource[] = [
  { connector: 'gitlab', stream: 'deployments', when: 'collect' },
  { connector: 'servicenow', stream: 'changes', when: 'collect' },
  { connector: 'gitlab', stream: 'shipped-ranges', when: 'after-collect' },
  { connector: 'vault', stream: 'connect', when: 'failed' },
];

/** A tracker that answers each snapshot with the next scripted state. */
function scripted(states: Partial<StreamProgress>[][], expected?: number[]) {
  let i = 0;
  const tracker = {
    loadEstimates: async () => undefined,
    snapshot: async (_runId: string, sources: PlannedSource[]) => {
      const state = states[Math.min(i++, states.length - 1)];
      return sources.map((s, j) => ({
        ...s,
        state: 'waiting',
        records: 0,
        pages: 0,
        ...(expected ? { expected: expected[j] } : {}),
        ...state[j],
      })) as StreamProgress[];
    },
  };
  return tracker as unknown as RunProgressTracker;
}

function sink(isTTY: boolean) {
  const out: string[] = [];
  return { out, write: (t: string) => out.push(t), isTTY };
}

describe('run progress display, not on a terminal', () => {
  it('prints plain lines: the plan with the same count as the end, a line per source as it ends, the totals', async () => {
    const states: Partial<StreamProgress>[][] = [
      [{ state: 'reading', records: 40, pages: 1 }, {}, {}, { state: 'failed' }],
      [
        { state: 'complete', records: 120, pages: 3 },
        { state: 'reading', records: 50, pages: 2 },
        {},
        { state: 'failed' },
      ],
      [
        { state: 'complete', records: 120, pages: 3 },
        { state: 'partial', records: 108, pages: 4 },
        { state: 'complete', records: 85, pages: 9 },
        { state: 'failed' },
      ],
    ];
    const stderr = sink(false);
    let clock = 0;
    const display = new RunProgressDisplay(stderr, scripted(states), { pollMs: 3_600_000, now: () => clock });
    display.planned('run-1', SOURCES);
    clock = 2000;
    await display.refresh();
    clock = 4000;
    await display.refresh();
    await display.finish();
    expect(stderr.out.join('')).toBe(
      'Collecting 4 streams: 2 now, 1 after them (gitlab/shipped-ranges), 1 could not connect (vault/connect)…\n' +
        '  [1/4] vault/connect failed: 0 records, 0 pages\n' +
        '  [2/4] gitlab/deployments complete: 120 records, 3 pages\n' +
        '  [3/4] servicenow/changes partial: 108 records, 4 pages\n' +
        '  [4/4] gitlab/shipped-ranges complete: 85 records, 9 pages\n' +
        'Collected 313 records (16 pages) from 4 streams: 2 complete, 1 partial, 1 failed.\n',
    );
    // No bar, no cursor movement, no carriage return: a CI log reads line by line.
    expect(stderr.out.join('')).not.toMatch(/[\r\u001b]/);
  });

  it('adds the time left to each line when an earlier run gives an estimate for every source', async () => {
    const states: Partial<StreamProgress>[][] = [
      [{ state: 'complete', records: 100 }, { state: 'reading', records: 100 }, {}, { state: 'failed' }],
    ];
    const stderr = sink(false);
    let clock = 0;
    const display = new RunProgressDisplay(stderr, scripted(states, [100, 300, 0, 0]), {
      pollMs: 3_600_000,
      now: () => clock,
    });
    display.planned('run-1', SOURCES);
    clock = 10_000;
    await display.refresh();
    // Done: 100 + 100 + 0 + 1 of 100 + 300 + 1 + 1 = 201/402; 10 s in, so about 10 s left.
    expect(stderr.out.slice(1)).toEqual([
      '  [1/4] gitlab/deployments complete: 100 records, 0 pages; about 10s left\n',
      '  [2/4] vault/connect failed: 0 records, 0 pages; about 10s left\n',
    ]);
    display.stop();
  });

  it('names the sources planned for later and the failed connects in the first line only when there are some', () => {
    expect(plannedLine(SOURCES.slice(0, 1))).toBe('Collecting 1 stream…\n');
    expect(plannedLine(SOURCES.slice(0, 2), 'the simulated GitLab')).toBe(
      'Collecting 2 streams from the simulated GitLab…\n',
    );
    expect(formatDuration(400)).toBe('1s');
    expect(formatDuration(125_000)).toBe('2m05s');
    expect(formatDuration(3_900_000)).toBe('1h05m');
  });
});
