/**
 * The few request and response members the API's guards, middleware and filter use, typed here
 * because Express's own type package is not installed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../auth/principal';

export interface ApiRequest extends IncomingMessage {
  method: string;
  /** Path and query as requested (Express keeps it when routers rewrite `url`). */
  originalUrl?: string;
  path?: string;
  /** The client's address (Express; after `trust proxy`). */
  ip?: string;
  body?: unknown;
  /** Set by the auth guard once the caller is known. */
  principal?: Principal;
  /** Set when the client was refused for failing to authenticate too often (auth-failure.middleware.ts). */
  refusedBeforeAuthentication?: boolean;
  /** Set when the body was refused while parsing (body-parsing.ts), to be answered by a middleware. */
  bodyRefused?: Error;
}

export type ApiResponse = ServerResponse;
