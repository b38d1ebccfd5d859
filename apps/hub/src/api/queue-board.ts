/**
 * The BullMQ board (@bull-board) at /admin/queues, for admins only. Browsers cannot send a bearer
 * header, so the board also accepts HTTP Basic with an admin API token as the password (the browser
 * prompts for it); tokens never go in URLs. Mounted only in queue mode with the api role. Failed
 * authentications count against the client's limit as on the API (auth-failure.limiter.ts).
 */
import type { INestApplication } from '@nestjs/common';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { ApiAuthService } from '../auth/api-auth.service';
import { QueueService } from '../queue/queue.service';
import { AuthFailureLimiter, clientOf } from './auth-failure.limiter';
import type { ApiRequest } from './http.types';

export const QUEUE_BOARD_PATH = '/admin/queues';

/** The credential of a request: a bearer token, or the password of HTTP Basic. */
export function boardCredential(header: string | undefined): string | null {
  if (!header) return null;
  const [scheme, value] = header.split(' ', 2);
  if (/^bearer$/i.test(scheme) && value) return value.trim();
  if (/^basic$/i.test(scheme) && value) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : null;
  }
  return null;
}

export function mountQueueBoard(app: INestApplication): boolean {
  const queues = app.get(QueueService);
  if (!queues.enabled) return false;
  const auth = app.get(ApiAuthService);
  const failures = app.get(AuthFailureLimiter);
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({ queues: [new BullMQAdapter(queues.queue())], serverAdapter });
  // Express types are not a dependency here: the shapes used are these.
  type Req = ApiRequest;
  type Res = {
    setHeader(n: string, v: string): unknown;
    status(code: number): { json(body: unknown): unknown };
  };
  const adminOnly = async (req: Req, res: Res, next: (err?: unknown) => void) => {
    const client = clientOf(req);
    const wait = failures.retryAfter(client);
    if (wait) {
      req.refusedBeforeAuthentication = true;
      res.setHeader('Retry-After', String(wait));
      return res.status(429).json({
        statusCode: 429,
        error: 'Too Many Requests',
        message: `too many calls from ${client} without valid authentication: at most ${failures.limit} a minute; retry in ${wait} s`,
      });
    }
    // Mounted ahead of the serve module's middleware, so a body refused while parsing
    // (body-parsing.ts) is answered here, as an API error.
    if (req.bodyRefused) {
      failures.failed(client);
      return next(req.bodyRefused);
    }
    const credential = boardCredential(req.headers.authorization);
    const challenge = () =>
      res.setHeader('WWW-Authenticate', 'Basic realm="audit-hub queues", charset="UTF-8"');
    if (!credential) {
      failures.failed(client);
      challenge();
      return res
        .status(401)
        .json({ statusCode: 401, error: 'Unauthorized', message: 'an admin API token is required' });
    }
    try {
      const result = await auth.authenticate(credential);
      if (!('principal' in result)) {
        failures.failed(client);
        challenge();
        return res.status(result.status).json({ statusCode: result.status, message: result.message });
      }
      if (result.principal.role !== 'admin' || result.principal.team) {
        return res.status(403).json({
          statusCode: 403,
          error: 'Forbidden',
          message: 'the queue board is for admins without a team scope',
        });
      }
      return next();
    } catch (err) {
      return next(err);
    }
  };
  app.use(QUEUE_BOARD_PATH, adminOnly, serverAdapter.getRouter());
  return true;
}
