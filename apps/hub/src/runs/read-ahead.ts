/**
 * One batch of read-ahead over a plugin's stream: while the consumer writes batch N, the stream
 * already reads batch N+1, so the upstream's time and the store's time overlap instead of adding
 * up. At most two batches are held. `take` runs as each batch arrives, before the stream is asked
 * for the next one — the place to capture what belongs to that batch (its responses, a copy of its
 * cursor) while the plugin is still paused at its `yield`.
 *
 * When the consumer stops early (an error while writing), the stream is closed once the read in
 * flight settles, and that read's own error, if any, is dropped: the consumer's error is the one
 * that counts. An error of the stream itself reaches the consumer when it asks for that batch.
 */
export async function* readAhead<T, U>(source: AsyncIterable<T>, take: (item: T) => U): AsyncGenerator<U> {
  const iterator = source[Symbol.asyncIterator]();
  let next: Promise<IteratorResult<T>> | undefined = iterator.next();
  try {
    for (;;) {
      const result = await next;
      next = undefined;
      if (result.done) return;
      const taken = take(result.value);
      next = iterator.next();
      // Settled later, or never awaited if the consumer stops first: not an unhandled rejection.
      next.catch(() => undefined);
      yield taken;
    }
  } finally {
    if (next)
      void next
        .then(
          () => iterator.return?.(),
          () => undefined,
        )
        .catch(() => undefined);
    else await iterator.return?.();
  }
}
