import { mergeBatches } from './merge-batches';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A partition yielding `n` batches, each after `delay` ticks, logging its reads. */
function partition(name: string, n: number, delay: number, log: string[], failAt?: number) {
  return async function* () {
    try {
      for (let i = 0; i < n; i++) {
        for (let t = 0; t < delay; t++) await tick();
        if (i === failAt) throw new Error(`${name} page ${i} failed`);
        log.push(`${name}${i}`);
        yield `${name}${i}`;
      }
    } finally {
      log.push(`${name} closed`);
    }
  };
}

describe('mergeBatches', () => {
  it('yields every batch of every partition, each partition in its own order, in the order they were produced', async () => {
    const log: string[] = [];
    const got: string[] = [];
    for await (const b of mergeBatches(
      [partition('a', 3, 3, log), partition('b', 2, 1, log), partition('c', 2, 2, log)],
      2,
    ))
      got.push(b);
    expect([...got].sort()).toEqual(['a0', 'a1', 'a2', 'b0', 'b1', 'c0', 'c1']);
    // Delivered in the order produced (the log), which interleaves partitions.
    expect(got).toEqual(log.filter((l) => !l.endsWith('closed')));
    expect(got.filter((b) => b.startsWith('a'))).toEqual(['a0', 'a1', 'a2']);
    expect(got.indexOf('b0')).toBeLessThan(got.indexOf('a0'));
  });

  it('reads at most `concurrency` partitions at once and starts the next when one ends', async () => {
    let active = 0;
    let most = 0;
    const make = (name: string) =>
      async function* () {
        active++;
        most = Math.max(most, active);
        try {
          for (let i = 0; i < 2; i++) {
            await tick();
            yield name;
          }
        } finally {
          active--;
        }
      };
    const got: string[] = [];
    for await (const b of mergeBatches(['a', 'b', 'c', 'd', 'e'].map(make), 2)) got.push(b);
    expect(got).toHaveLength(10);
    expect(most).toBe(2);
  });

  it('reads a partition on only after its last batch was taken (backpressure)', async () => {
    const log: string[] = [];
    const merged = mergeBatches([partition('a', 5, 0, log)], 1);
    await merged.next();
    for (let i = 0; i < 10; i++) await tick();
    // One batch taken, at most one more read and waiting for the consumer.
    expect(log.filter((l) => l.startsWith('a') && !l.endsWith('closed')).length).toBeLessThanOrEqual(2);
    await merged.return(undefined);
  });

  it('ends with the first error and closes the partitions still open', async () => {
    const log: string[] = [];
    const got: string[] = [];
    await expect(
      (async () => {
        for await (const b of mergeBatches([partition('a', 5, 2, log, 1), partition('b', 50, 1, log)], 2))
          got.push(b);
      })(),
    ).rejects.toThrow('a page 1 failed');
    for (let i = 0; i < 50 && !log.includes('b closed'); i++) await tick();
    expect(log).toContain('b closed');
    expect(got).toContain('a0');
  });

  it('refuses a concurrency that is not a positive integer', async () => {
    await expect(mergeBatches([], 0).next()).rejects.toThrow(/positive integer, got 0/);
  });
});
