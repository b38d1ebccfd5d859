/**
 * Structured JSON logs on stderr (stdout is for tables and JSON output). Every line is redacted by
 * value against the resolved secrets before it is written, so a token that reaches a log field, an
 * error message or an upstream's echoed body is never printed.
 */
import { Injectable, LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import { Writable } from 'node:stream';
import { Redactor } from '../config/redactor';

export type LogFields = Record<string, unknown>;

const NEST_INTERNALS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/**
 * A caught error as pino's `err` object — `type`, `message`, `stack`, its `cause` chain and its
 * own fields (an upstream error's `code`, `status`…) — with every secret redacted from its text
 * before it is serialised (the line is redacted again on its way out, see redactingStream).
 */
export function errorSerializer(redactor: Redactor): (err: unknown) => unknown {
  return (err) => {
    if (!(err instanceof Error)) return typeof err === 'string' ? redactor.redact(err) : err;
    const extra = typeof (err as any).toJSON === 'function' ? (err as any).toJSON() : {};
    return redactor.redactDeep({ ...extra, ...pino.stdSerializers.err(err) });
  };
}

@Injectable()
export class AppLogger implements LoggerService {
  private readonly pino: Logger;

  constructor(
    private readonly redactor: Redactor,
    base?: Logger,
    destination: NodeJS.WritableStream = process.stderr,
  ) {
    this.pino =
      base ??
      pino(
        {
          level: process.env.AUDIT_HUB_LOG_LEVEL ?? process.env.LOG_LEVEL ?? 'info',
          base: { app: 'audit-hub' },
          timestamp: pino.stdTimeFunctions.isoTime,
          serializers: { err: errorSerializer(redactor), error: errorSerializer(redactor) },
        },
        redactingStream(redactor, destination),
      );
  }

  /** The pino logger underneath (its serializers and redacting destination), for pino-http. */
  get pinoLogger(): Logger {
    return this.pino;
  }

  child(bindings: LogFields): AppLogger {
    return new AppLogger(this.redactor, this.pino.child(bindings));
  }

  debug(message: unknown, fields?: unknown): void {
    this.write('debug', message, fields);
  }
  info(message: unknown, fields?: unknown): void {
    this.write('info', message, fields);
  }
  /** Nest's framework chatter (module wiring, route mapping) is debug; its other logs are info. */
  log(message: unknown, fields?: unknown): void {
    this.write(typeof fields === 'string' && NEST_INTERNALS.has(fields) ? 'debug' : 'info', message, fields);
  }
  warn(message: unknown, fields?: unknown): void {
    this.write('warn', message, fields);
  }
  error(message: unknown, fields?: unknown): void {
    this.write('error', message, fields);
  }
  verbose(message: unknown, fields?: unknown): void {
    this.write('trace', message, fields);
  }
  fatal(message: unknown, fields?: unknown): void {
    this.write('fatal', message, fields);
  }

  private write(level: pino.Level, message: unknown, fields?: unknown): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const obj: LogFields =
      fields && typeof fields === 'object' && !Array.isArray(fields)
        ? { ...(fields as LogFields) }
        : fields !== undefined
          ? { context: fields }
          : {};
    // A caught error passed as a field is logged as pino's err object, never flattened to a string.
    if (obj.error instanceof Error && obj.err === undefined) {
      obj.err = obj.error;
      delete obj.error;
    }
    if (message instanceof Error) {
      obj.err = message;
      this.pino[level](obj, message.message);
    } else {
      this.pino[level](obj, String(message));
    }
  }
}

/** A pino destination that redacts each serialised line before it reaches its target (stderr). */
export function redactingStream(
  redactor: Redactor,
  target: NodeJS.WritableStream = process.stderr,
): Writable {
  return new Writable({
    write(chunk, _enc, done) {
      target.write(redactor.redact(chunk.toString()));
      done();
    },
  });
}
