/**
 * How the serve app reads request bodies: JSON (and URL-encoded forms, as Nest's default did) up
 * to an explicit size (`api.maxBodyKb`, default 100 kB; decompressed bytes, so a small gzip body
 * cannot inflate past it), refused with a 4xx in the API's error shape when unreadable, and
 * checked for depth and prototype keys right after parsing (body-shape.ts), before any guard or
 * pipe sees it.
 *
 * body-parser reports its refusals as errors with a `type` (`entity.too.large`, …) and a 4xx
 * status; Nest maps only invalid JSON (a SyntaxError) and lets the rest reach the exception filter
 * as unknown errors, which answered 500 and logged a stack. They become `RequestBodyRefused`
 * here, and the filter answers and logs those (and any such error that reaches it unwrapped).
 *
 * The parsers run at the app level, ahead of Nest's middleware; an error there would skip that
 * middleware (security headers, the call record, the limit on unauthenticated calls). So a
 * refusal is kept on the request, and `BodyRefusalMiddleware`, the last of the serve module's
 * middleware, answers it.
 */
import { HttpException, Injectable, NestMiddleware } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ApiRequest, ApiResponse } from './http.types';
import { shapeProblem } from './body-shape';

export const DEFAULT_MAX_BODY_KB = 100;

/** A request body the API will not read; `reason` is body-parser's error type or ours. */
export class RequestBodyRefused extends HttpException {
  constructor(
    status: number,
    message: string,
    readonly reason: string,
  ) {
    super(message, status);
    this.name = 'RequestBodyRefused';
  }
}

interface BodyParserError extends Error {
  type: string;
  status: number;
  limit?: unknown;
  length?: unknown;
  encoding?: unknown;
  charset?: unknown;
}

function isBodyParserError(err: unknown): err is BodyParserError {
  const e = err as Partial<BodyParserError> | null;
  return err instanceof Error && typeof e?.type === 'string' && typeof e.status === 'number';
}

/**
 * JSON.parse's reason without the excerpt of the input V8 appends (`Unexpected token 'a',
 * "{"token": ahk_…"... is not valid JSON`): a body may carry a secret, and the message is logged.
 */
export function jsonSyntaxReason(message: string): string {
  const reason = message
    .replace(/, (\.\.\.)?"[\s\S]*"(\.\.\.)? is not valid JSON$/, '')
    .replace(/^(\.\.\.)?"[\s\S]*"(\.\.\.)? is not valid JSON$/, '')
    .trim();
  return reason && !reason.includes('"') ? reason : 'unexpected input';
}

/** body-parser's refusal as an API error; undefined for anything that is not one. */
export function bodyRefusal(err: unknown): RequestBodyRefused | undefined {
  if (err instanceof RequestBodyRefused) return err;
  if (!isBodyParserError(err)) return undefined;
  const refuse = (status: number, message: string) => new RequestBodyRefused(status, message, err.type);
  switch (err.type) {
    case 'entity.too.large':
      return refuse(
        413,
        typeof err.length === 'number'
          ? `the request body is ${err.length} bytes; at most ${String(err.limit)} are accepted`
          : `the request body is larger than the ${String(err.limit)} bytes accepted`,
      );
    case 'parameters.too.many':
      return refuse(413, 'the request body has too many form parameters');
    case 'entity.parse.failed':
      return refuse(400, `the request body is not valid JSON: ${jsonSyntaxReason(err.message)}`);
    case 'encoding.unsupported':
      return refuse(
        415,
        `the request body's Content-Encoding "${String(err.encoding)}" is not supported (identity, gzip, deflate or br)`,
      );
    case 'charset.unsupported':
      return refuse(415, `the request body's charset "${String(err.charset)}" is not supported (use utf-8)`);
    case 'request.aborted':
      return refuse(400, 'the request body ended before it was complete (the client aborted)');
    case 'request.size.invalid':
      return refuse(400, "the request body's length does not match its Content-Length");
  }
  // Other 4xx of body-parser carry a message meant for the client; a 5xx is a fault of ours.
  return err.status >= 400 && err.status < 500 ? refuse(err.status, err.message) : undefined;
}

/**
 * Installs the parsers on an app created with `bodyParser: false`, in front of every route, each
 * followed by the error translation and the shape check, whose refusals are kept on the request
 * for `BodyRefusalMiddleware`. Errors that are not refusals (a fault of ours) go on as errors.
 */
export function installBodyParsing(app: NestExpressApplication, maxBodyKb = DEFAULT_MAX_BODY_KB): void {
  const limit = maxBodyKb * 1024;
  app.useBodyParser('json', { limit });
  app.useBodyParser('urlencoded', { limit, extended: true });
  // Four parameters: Express calls it with the parsers' errors only.
  app.use((err: unknown, req: ApiRequest, _res: ApiResponse, next: (err?: unknown) => void) => {
    const refused = bodyRefusal(err);
    if (!refused) return next(err);
    req.bodyRefused = refused;
    next();
  });
  app.use((req: ApiRequest, _res: ApiResponse, next: () => void) => {
    const problem = req.bodyRefused ? undefined : shapeProblem(req.body, 'the request body', 'body');
    if (problem) req.bodyRefused = new RequestBodyRefused(400, problem, 'entity.shape.refused');
    next();
  });
}

/** Answers the refusal `installBodyParsing` kept on the request, once the other middleware ran. */
@Injectable()
export class BodyRefusalMiddleware implements NestMiddleware {
  use(req: ApiRequest, _res: ApiResponse, next: (err?: unknown) => void): void {
    next(req.bodyRefused);
  }
}
