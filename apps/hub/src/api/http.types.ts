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
  ip?: string;
  body?: unknown;
  /** Set by the auth guard once the caller is known. */
  principal?: Principal;
}

export type ApiResponse = ServerResponse;
