/**
 * The one error body of the API (api-exception.filter.ts) and the error answers each operation
 * declares in the OpenAPI document, so generated clients know every status they can get and its
 * shape. Every /api/v1 operation declares ERRORS_OF_EVERY_CALL; each adds what it can answer
 * besides (a bad parameter, a missing item, a conflict, a refused body).
 */
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';
import type { ApiErrorBody } from '../api-exception.filter';

export class ApiErrorDto implements ApiErrorBody {
  @ApiProperty({ description: 'The HTTP status, repeated', type: 'integer', example: 400 })
  statusCode!: number;

  @ApiProperty({ description: "The status's reason phrase", example: 'Bad Request' })
  error!: string;

  @ApiProperty({
    description: 'A sentence naming what is wrong (redacted of every configured secret)',
    example: 'query parameter limit: must be a whole number from 1 to 500 (got 999)',
  })
  message!: string;
}

const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds until a call may be made again', schema: { type: 'integer' } },
};
const WWW_AUTHENTICATE = {
  'WWW-Authenticate': {
    description: 'Always `Bearer realm="audit-hub"`',
    schema: { type: 'string', example: 'Bearer realm="audit-hub"' },
  },
};

/** What each status means here (docs/api.md "Access", "Limits and records", "Conventions"). */
const ERROR_STATUSES = {
  400: {
    description:
      'A parameter or body field is invalid or unknown; the message names it, what it must be and what was sent',
  },
  401: {
    description: 'No bearer token, or an unknown, revoked, expired or otherwise invalid one',
    headers: WWW_AUTHENTICATE,
  },
  403: {
    description:
      "The token's role may not do this (the auditor role only reads), a team-scoped token called a " +
      'company-wide route, or an OIDC token carries no usable role',
  },
  404: { description: 'No such item, or it belongs to another team than the token' },
  409: { description: 'The state does not allow it now; the message says why' },
  413: { description: 'The request body is larger than `api.maxBodyKb`' },
  415: { description: 'An unsupported `Content-Encoding` or charset' },
  429: {
    description:
      'Over the per-principal limit (`AUDIT_HUB_API_RATE_LIMIT` calls a minute), or this client address ' +
      'is over its limit on unauthenticated calls',
    headers: RETRY_AFTER,
  },
  500: { description: 'The server failed (the cause is in its log) or its configuration is invalid' },
  503: { description: 'Storage the call needs (the database, or Redis in queue mode) does not answer' },
} as const;

export type ApiErrorStatus = keyof typeof ERROR_STATUSES;

/** Every /api/v1 call can be refused for its token, its role or team, or the rate limit; or fail. */
export const ERRORS_OF_EVERY_CALL: ApiErrorStatus[] = [401, 403, 429, 500];

/** Declares these error answers, each with the error body. */
export function ApiErrors(...statuses: ApiErrorStatus[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, ...ERROR_STATUSES[status], type: ApiErrorDto })),
  );
}

/** The error answers of every /api/v1 operation, for a controller class. */
export const ApiCommonErrors = () => ApiErrors(...ERRORS_OF_EVERY_CALL);

/** The answers of an operation with a JSON body: invalid, too large, wrongly encoded. */
export const ApiBodyErrors = () => ApiErrors(400, 413, 415);
