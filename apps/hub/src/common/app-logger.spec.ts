import { Writable } from 'node:stream';
import { Redactor } from '../config/redactor';
import { AppLogger } from './app-logger';

const SECRET = 'vault-token-4f9a1c';
/** A secret JSON escapes (a quote and a backslash): redacted before serialisation, not only after. */
const ESCAPED_SECRET = 'pa"ss\\word-77';

function capture(): { logger: AppLogger; lines: () => any[]; raw: () => string } {
  const out: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      out.push(chunk.toString());
      done();
    },
  });
  const logger = new AppLogger(new Redactor([SECRET, ESCAPED_SECRET]), undefined, sink);
  return {
    logger,
    raw: () => out.join(''),
    lines: () =>
      out
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
  };
}

class UpstreamError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}

describe('AppLogger', () => {
  it("logs a caught error as pino's err object (type, message, stack), redacted", () => {
    const { logger, lines, raw } = capture();
    const err = new UpstreamError(
      `GET /v1/sys failed: token ${SECRET} and ${ESCAPED_SECRET} refused`,
      'forbidden',
    );
    logger.error('run failed', { runId: 'r1', err });
    const [line] = lines();
    expect(line).toMatchObject({ level: 50, msg: 'run failed', runId: 'r1' });
    expect(line.err).toEqual(
      expect.objectContaining({
        type: 'UpstreamError',
        message: 'GET /v1/sys failed: token [REDACTED] and [REDACTED] refused',
        code: 'forbidden',
        stack: expect.stringContaining('UpstreamError: GET /v1/sys failed: token [REDACTED]'),
      }),
    );
    expect(line.err.stack).toContain('app-logger.spec.ts');
    for (const secret of [SECRET, ESCAPED_SECRET]) {
      expect(raw()).not.toContain(secret);
      expect(raw()).not.toContain(JSON.stringify(secret).slice(1, -1));
    }
  });

  it('takes an Error passed as `error`, or as the message, as the err object too', () => {
    const { logger, lines } = capture();
    logger.warn('job failed', { job: 'j1', error: new Error(`boom ${SECRET}`) });
    logger.error(new TypeError('not a function'));
    const [first, second] = lines();
    expect(first.error).toBeUndefined();
    expect(first.err).toMatchObject({ type: 'Error', message: 'boom [REDACTED]' });
    expect(typeof first.err.stack).toBe('string');
    expect(second).toMatchObject({ level: 50, msg: 'not a function', err: { type: 'TypeError' } });
  });

  it('keeps a cause chain, redacted', () => {
    const { logger, lines } = capture();
    logger.error('relay failed', {
      err: new Error('relay failed', { cause: new Error(`401 for ${SECRET}`) }),
    });
    const [line] = lines();
    expect(JSON.stringify(line.err)).toContain('401 for [REDACTED]');
    expect(JSON.stringify(line)).not.toContain(SECRET);
  });
});
