/**
 * Applies the per-client limit on calls that do not authenticate (auth-failure.limiter.ts) to
 * `/api/v…`, as a middleware so that it covers every call there — also those that never reach
 * the auth guard: an unknown path (404) or a refused body (400, 413, 415), which are answered
 * before the token is checked. It runs after the call record (api-call.middleware.ts) and before
 * the body refusal (body-parsing.ts).
 *
 * A client over its limit is refused with 429 and `Retry-After` right here, and its call is not
 * recorded in `api_call`. Otherwise a call ending without a principal counts once it has ended;
 * one without a bearer token counts at once, since no `/api/v1` route is public, so that even a
 * flood of concurrent anonymous calls gets no more than the limit through.
 */
import { Injectable, NestMiddleware } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { bearerToken } from './api-auth.guard';
import { AuthFailureLimiter, clientOf } from './auth-failure.limiter';
import type { ApiRequest, ApiResponse } from './http.types';

/** The versioned API, whose every route needs a principal. */
const API_PATH = /^\/api\/v\d+(\/|$)/;

@Injectable()
export class AuthFailureMiddleware implements NestMiddleware {
  constructor(private readonly limiter: AuthFailureLimiter) {}

  use(req: ApiRequest, res: ApiResponse, next: (err?: unknown) => void): void {
    if (!this.limiter.limit || !API_PATH.test((req.originalUrl ?? req.url ?? '/').split('?')[0]))
      return next();
    const client = clientOf(req);
    const wait = this.limiter.retryAfter(client);
    if (wait) {
      req.refusedBeforeAuthentication = true;
      res.setHeader('Retry-After', String(wait));
      return next(
        new ThrottlerException(
          `too many calls from ${client} without valid authentication: at most ${this.limiter.limit} a minute; retry in ${wait} s`,
        ),
      );
    }
    let counted = false;
    if (!bearerToken(req.headers.authorization)) {
      this.limiter.failed(client);
      counted = true;
    }
    // On 'finish', before the client can have the answer and call again; 'close' when it went away
    // before the answer was sent.
    const ended = () => {
      if (!counted && !req.principal) this.limiter.failed(client);
      counted = true;
    };
    res.once('finish', ended);
    res.once('close', ended);
    next();
  }
}
