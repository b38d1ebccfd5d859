import type { NormalizedRecord } from '@audit-hub/domain';
import { BATCH_SIZE, inBatches } from './vault-stream.support';

function records(count: number): NormalizedRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    kind: 'group-membership',
    externalId: `g/m${i}`,
    data: { group: 'g', member: `m${i}`, source: 'vault' },
  }));
}

describe('vault stream batches', () => {
  it('yields one empty batch for nothing, so an empty store is a complete read', () => {
    expect([...inBatches([], [])]).toEqual([{ records: [] }]);
  });

  it('splits by BATCH_SIZE and puts the problems on the last batch', () => {
    const problem = { where: 'entity 1', error: 'boom' };
    const batches = [...inBatches(records(BATCH_SIZE * 2 + 1), [problem])];
    expect(batches.map((b) => b.records.length)).toEqual([BATCH_SIZE, BATCH_SIZE, 1]);
    expect(batches.map((b) => b.problems)).toEqual([undefined, undefined, [problem]]);
    expect([...inBatches(records(BATCH_SIZE), [])].map((b) => b.records.length)).toEqual([BATCH_SIZE]);
  });

  it('keeps each (kind, externalId) once', () => {
    const twice = [...records(2), ...records(1)];
    expect([...inBatches(twice, [])][0].records.map((r) => r.externalId)).toEqual(['g/m0', 'g/m1']);
  });
});
