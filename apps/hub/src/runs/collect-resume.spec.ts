import { batchKeys, ResumeCounter } from './collect-resume';

const rec = (kind: 'deployment' | 'commit', externalId: string) => ({ kind, externalId });

describe('ResumeCounter: a resumed read counts each record of the run once', () => {
  const committed = [rec('deployment', '41'), rec('commit', 'acme/pay@a1'), rec('deployment', '42')];

  it('leaves out of the first batch read again the records the last committed batch counted', () => {
    const counter = new ResumeCounter(batchKeys(committed));
    // An inclusive watermark repeats deployment 42 (updated at the watermark) and its commit.
    expect(
      counter.count([rec('deployment', '42'), rec('commit', 'acme/pay@a1'), rec('deployment', '43')]),
    ).toBe(1);
  });

  it('counts later batches whole, and a first batch without records leaves the overlap for the next', () => {
    const counter = new ResumeCounter(batchKeys(committed));
    expect(counter.count([])).toBe(0);
    expect(counter.count([rec('deployment', '42'), rec('deployment', '44')])).toBe(1);
    // Met again pages later (shipped again with a later deployment): counted, as without a resume.
    expect(counter.count([rec('deployment', '42'), rec('commit', 'acme/pay@a1')])).toBe(2);
  });

  it('counts everything when nothing was committed before, and tells kinds apart', () => {
    expect(new ResumeCounter().count(committed)).toBe(3);
    expect(new ResumeCounter(batchKeys([rec('deployment', '42')])).count([rec('commit', '42')])).toBe(1);
    expect(batchKeys([rec('deployment', '1'), rec('deployment', '1')])).toHaveLength(1);
  });
});
