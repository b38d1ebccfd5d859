/** A PluginContext for contract tests: the real HttpClient with the plugin's session auth, no waiting. */
import type { NormalizedRecord } from '@audit-hub/domain';
import type { HttpClient } from '@audit-hub/http';
import type { Batch, Connection, PluginLogger } from '@audit-hub/plugin-sdk';
import { pluginTestContext, readBatches } from '@audit-hub/plugin-sdk/testing';
import nock from 'nock';
import { plugin, type CyberArkAuth, type CyberArkOptions } from '../src';
import { fixture } from './samples';

export const BASE = 'https://pvwa.example.com';
export const USERNAME = 'audit';
/** Tests assert it never shows in a batch, an error, a check result or a log line. */
export const PASSWORD = 'Vault-Pa55word!NeverPrinted';
export const JSON_HEADERS = { 'Content-Type': 'application/json; charset=utf-8' };
export const LOGON = '/PasswordVault/API/auth/Cyberark/Logon';
export const LOGOFF = '/PasswordVault/API/Auth/Logoff';
export const SAFES = '/PasswordVault/API/Safes';
export const USERS = '/PasswordVault/API/Users';
export const PREDEFINED = 'includePredefinedUsers eq true';

export interface LogLine {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

export interface TestConnection {
  connection: Connection;
  http: HttpClient;
  /** Every wait the client asked for (retry backoff, Retry-After). */
  sleeps: number[];
  logs: LogLine[];
}

export async function connect(
  options: CyberArkOptions = {},
  auth: CyberArkAuth = { username: USERNAME, password: PASSWORD },
): Promise<TestConnection> {
  const sleeps: number[] = [];
  const logs: LogLine[] = [];
  const log =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      logs.push({ level, message, fields });
    };
  const logger: PluginLogger = {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };
  // The plugin's createAuth gives the client the PVWA session log-on; its log lines are kept too.
  const ctx = pluginTestContext(plugin, {
    connectorId: 'cyberark',
    baseUrl: BASE,
    auth,
    options,
    now: new Date('2024-06-01T00:00:00Z'),
    sleeps,
    logger,
  });
  return { connection: await plugin.connect(ctx), http: ctx.http, sleeps, logs };
}

/** Every batch of the `entitlements` stream (a snapshot: no cursor). */
export async function readEntitlements(connection: Connection): Promise<Batch[]> {
  return readBatches(connection, 'entitlements', {
    cursor: null,
    full: false,
    since: new Date('2024-01-01T00:00:00Z'),
  });
}

export function records(batches: Batch[]): NormalizedRecord<'entitlement'>[] {
  return batches.flatMap((b) => b.records) as NormalizedRecord<'entitlement'>[];
}

export function byId(batches: Batch[]): Map<string, NormalizedRecord<'entitlement'>> {
  return new Map(records(batches).map((r) => [r.externalId, r]));
}

export function problems(batches: Batch[]) {
  return batches.flatMap((b) => b.problems ?? []);
}

/** A nock scope on the PVWA that expects the session token as the bare `Authorization` value. */
export function pvwa(token: string): nock.Scope {
  return nock(BASE, { reqheaders: { authorization: token } });
}

/**
 * A log-on interceptor that checks the JSON body, refuses any `Authorization` header (the log-on is
 * anonymous), and answers `answer` (a token fixture by default).
 */
export function expectLogon(
  answer = fixture('logon-token.json'),
  path = LOGON,
  auth: CyberArkAuth = { username: USERNAME, password: PASSWORD },
): nock.Scope {
  return nock(BASE, { badheaders: ['authorization'] })
    .post(path, { username: auth.username, password: auth.password, concurrentSession: true })
    .reply(200, answer, JSON_HEADERS);
}

/** The log-off interceptor: a POST carrying the session token. */
export function expectLogoff(token: string): nock.Scope {
  return pvwa(token).post(LOGOFF).reply(200, '');
}

/** The query of a paged Gen2 list request. */
export function pageQuery(limit: number, offset = 0, filter?: string): Record<string, string> {
  return { ...(filter ? { filter } : {}), limit: String(limit), offset: String(offset) };
}
