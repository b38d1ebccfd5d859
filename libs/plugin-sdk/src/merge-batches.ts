/**
 * Reads several partitions of one stream (the projects of a GitLab group, the jobs of a Jenkins
 * folder) at the same time and yields their batches as one stream, each in the order it was
 * produced.
 *
 * A partition is read on only once the consumer took its last batch, so at most `concurrency`
 * batches are held and a slow store slows the reads instead of filling memory. Order is the order
 * in which the partitions yielded: a plugin whose cursor is one object for all partitions can take
 * its snapshot right before `yield` (with no `await` in between), and every batch then carries a
 * cursor that covers exactly the batches delivered before it and itself. The first error of any
 * partition ends the merged stream with that error; the partitions still open are closed.
 */
export async function* mergeBatches<T>(
  partitions: Iterable<() => AsyncGenerator<T>>,
  concurrency: number,
): AsyncGenerator<T> {
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError(`mergeBatches: concurrency must be a positive integer, got ${concurrency}`);
  const waiting = partitions[Symbol.iterator]();
  const open = new Set<AsyncGenerator<T>>();
  type Settled =
    { from: AsyncGenerator<T>; result: IteratorResult<T> } | { from: AsyncGenerator<T>; error: unknown };
  const settled: Settled[] = [];
  let wake: (() => void) | undefined;
  const settle = (item: Settled) => {
    settled.push(item);
    wake?.();
  };
  const pull = (from: AsyncGenerator<T>) =>
    from.next().then(
      (result) => settle({ from, result }),
      (error: unknown) => settle({ from, error }),
    );
  const startNext = (): boolean => {
    const next = waiting.next();
    if (next.done) return false;
    const partition = next.value();
    open.add(partition);
    void pull(partition);
    return true;
  };
  try {
    while (open.size < concurrency && startNext());
    while (open.size > 0) {
      if (settled.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      const item = settled.shift()!;
      if ('error' in item) {
        open.delete(item.from);
        throw item.error;
      }
      if (item.result.done) {
        open.delete(item.from);
        startNext();
        continue;
      }
      yield item.result.value;
      void pull(item.from);
    }
  } finally {
    // Ended early (an error, or the consumer stopped): the other partitions are closed once their
    // read in flight settles; their errors have nobody left to tell.
    for (const partition of open) void partition.return(undefined as never).catch(() => undefined);
  }
}
