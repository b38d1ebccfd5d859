import { readAhead } from './read-ahead';

/** A stream that logs when it is asked for a batch and when a batch is handed out. */
function logged(log: string[], items: number, failAt?: number) {
  return (async function* () {
    try {
      for (let i = 0; i < items; i++) {
        log.push(`read ${i}`);
        await Promise.resolve();
        if (i === failAt) throw new Error(`page ${i} unreadable`);
        yield { i, cursor: { at: i } };
      }
    } finally {
      log.push('closed');
    }
  })();
}

describe('readAhead', () => {
  it('reads the next batch while the consumer handles the last one, one ahead at most', async () => {
    const log: string[] = [];
    for await (const item of readAhead(logged(log, 3), (x) => x)) {
      log.push(`write ${item.i}`);
      // While batch i is written, batch i+1 is being read, never i+2.
      await new Promise((resolve) => setImmediate(resolve));
      log.push(`written ${item.i}`);
    }
    expect(log).toEqual([
      'read 0',
      'read 1',
      'write 0',
      'written 0',
      'read 2',
      'write 1',
      'written 1',
      // Asked for the batch after the last as the last is taken: the stream ends then.
      'closed',
      'write 2',
      'written 2',
    ]);
  });

  it('takes each batch before the stream resumes, so a cursor the plugin changes later is copied as it was', async () => {
    const state = { at: 0 };
    async function* mutating() {
      for (let i = 1; i <= 3; i++) {
        state.at = i;
        yield { cursor: state };
      }
    }
    const seen: number[] = [];
    for await (const taken of readAhead(mutating(), (b) => structuredClone(b.cursor))) {
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(taken.at);
    }
    expect(seen).toEqual([1, 2, 3]);
  });

  it('hands the stream error to the consumer at the batch that failed, after the batches before it', async () => {
    const log: string[] = [];
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const item of readAhead(logged(log, 5, 2), (x) => x)) got.push(item.i);
      })(),
    ).rejects.toThrow('page 2 unreadable');
    expect(got).toEqual([0, 1]);
    expect(log).toContain('closed');
  });

  it('closes the stream when the consumer stops early, without an unhandled rejection from the read in flight', async () => {
    const log: string[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      await expect(
        (async () => {
          for await (const item of readAhead(logged(log, 5, 1), (x) => x)) {
            if (item.i === 0) throw new Error('store refused the batch');
          }
        })(),
      ).rejects.toThrow('store refused the batch');
      // The read in flight (which fails) settles, then the stream is closed.
      for (let i = 0; i < 50 && !log.includes('closed'); i++) await new Promise((r) => setImmediate(r));
      expect(log).toContain('closed');
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
