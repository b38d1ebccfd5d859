/**
 * `connectors check` for SonarQube: the server answers `UP` (`api/system/status`), which version it
 * is and whether the token is sent the way that version reads it (`api/server/version`: a bearer
 * token on 9.9 LTS is served as anonymous), the token is accepted and the requests run as its user
 * (`api/authentication/validate`, then `api/users/current`: `validate` also says `valid` for an
 * anonymous session on a server that does not force authentication), and the token's user may
 * browse each configured project (one `ps=1` page of `api/project_analyses/search`, the stream's
 * own request) — or, with none configured, how many projects it can see. Each failure says what it
 * costs (`affects`) and what grants it (`fix`).
 */
import type { RecordKind } from '@audit-hub/domain';
import { isUpstreamError } from '@audit-hub/http';
import type { CheckResult } from '@audit-hub/plugin-sdk';
import { SEARCH_RESULT_LIMIT, type SonarQubeClient } from './sonarqube.client';
import type { ResolvedSonarQubeOptions } from './sonarqube.config';
import { BROWSE_FIX } from './sonarqube-quality-gates.stream';
import { BEARER_SINCE_MAJOR, readsBearer, schemeFor, type SonarVersion } from './sonarqube-version';

const GATES: { kinds: RecordKind[] } = { kinds: ['quality-gate'] };

export async function checkConnection(
  client: SonarQubeClient,
  options: Pick<ResolvedSonarQubeOptions, 'projects' | 'authScheme'>,
): Promise<CheckResult[]> {
  const describe = (err: unknown) => client.http.redact(err instanceof Error ? err.message : String(err));
  const results: CheckResult[] = [];

  let statusVersion: string | undefined;
  try {
    const system = await client.systemStatus();
    statusVersion = typeof system.version === 'string' ? system.version : undefined;
    const named = `SonarQube${statusVersion ? ` ${statusVersion}` : ''}`;
    if (system.status !== 'UP') {
      // STARTING, RESTARTING, DB_MIGRATION_NEEDED…: the web services answer 503 until it is UP.
      return [
        {
          name: 'reachable',
          ok: false,
          detail: `${named} answered status ${JSON.stringify(system.status ?? null)}, not UP (starting, restarting, down, or waiting for a database migration)`,
          affects: GATES,
        },
      ];
    }
    results.push({ name: 'reachable', ok: true, detail: `${named} is UP` });
  } catch (err) {
    if (isUpstreamError(err) && err.code === 'unauthorized') {
      // A proxy in front of SonarQube asked for credentials: the server answers, the token does not pass.
      return [
        { name: 'reachable', ok: true },
        {
          name: 'credentials',
          ok: false,
          detail: `the token was refused (401): ${describe(err)}`,
          affects: GATES,
        },
      ];
    }
    return [{ name: 'reachable', ok: false, detail: describe(err), affects: GATES }];
  }

  results.push(await authScheme(client, options.authScheme, statusVersion));
  const credentials = await checkCredentials(client, options.authScheme, describe);
  results.push(credentials);
  if (!credentials.ok) return results;

  if (options.projects.length === 0) {
    results.push(await visibleProjects(client, describe));
    return results;
  }
  for (const key of options.projects) results.push(await browse(client, key, describe));
  return results;
}

/** The version, and whether the configured scheme is one that version reads. */
async function authScheme(
  client: SonarQubeClient,
  configured: ResolvedSonarQubeOptions['authScheme'],
  statusVersion: string | undefined,
): Promise<CheckResult> {
  let version: SonarVersion | undefined;
  let text = statusVersion;
  try {
    const answered = await client.serverVersion();
    version = answered.version;
    text = answered.text || text;
  } catch {
    // The status answered the version already, or nothing will: judged from what is known.
  }
  const named = `SonarQube ${version?.text ?? text ?? '(version unknown)'}`;
  if (configured === 'auto') {
    const scheme = schemeFor(version);
    return {
      name: 'auth-scheme',
      ok: true,
      detail: `${named}: the token is sent as ${scheme === 'bearer' ? 'a bearer token' : 'the basic-auth user name'}${version ? '' : ' (the version is unknown; every version reads this form)'}`,
    };
  }
  if (configured === 'bearer' && version && !readsBearer(version)) {
    return {
      name: 'auth-scheme',
      ok: false,
      detail: `${named} reads a token only as the basic-auth user name (bearer tokens from ${BEARER_SINCE_MAJOR}.0): it serves the requests as anonymous, where private projects are missing`,
      affects: GATES,
      fix: 'set options.authScheme to auto (or basic)',
    };
  }
  return {
    name: 'auth-scheme',
    ok: true,
    detail: `${named}: the token is sent as ${configured} (configured)`,
  };
}

async function checkCredentials(
  client: SonarQubeClient,
  scheme: ResolvedSonarQubeOptions['authScheme'],
  describe: (err: unknown) => string,
): Promise<CheckResult> {
  const name = 'credentials';
  const fix = 'create a user token for the audit user (My Account > Security) and set it as auth.token';
  try {
    const valid = await client.validate();
    if (!valid) {
      return {
        name,
        ok: false,
        detail:
          'the token was refused (revoked, expired or mistyped): api/authentication/validate answered valid=false',
        affects: GATES,
        fix,
      };
    }
    const user = await client.currentUser();
    if (!user.isLoggedIn) {
      return {
        name,
        ok: false,
        detail:
          'the requests run as anonymous (api/users/current answered isLoggedIn=false): SonarQube did not read the token, so private projects are missing',
        affects: GATES,
        fix:
          scheme === 'bearer'
            ? 'set options.authScheme to auto (or basic)'
            : 'check that no proxy in front of SonarQube drops the Authorization header',
      };
    }
    return { name, ok: true, detail: `the token is valid${user.login ? ` (user ${user.login})` : ''}` };
  } catch (err) {
    const refused = isUpstreamError(err) && err.code === 'unauthorized';
    return {
      name,
      ok: false,
      detail: refused ? `the token was refused (401): ${describe(err)}` : describe(err),
      affects: GATES,
      ...(refused ? { fix } : {}),
    };
  }
}

async function visibleProjects(
  client: SonarQubeClient,
  describe: (err: unknown) => string,
): Promise<CheckResult> {
  const name = 'read:projects';
  try {
    const total = await client.visibleProjects();
    if (total === 0) {
      return {
        name,
        ok: false,
        detail:
          'no project is visible to the token: grant its user Browse on the projects to audit, or list them in options.projects',
        affects: GATES,
        fix: BROWSE_FIX,
      };
    }
    if (total > SEARCH_RESULT_LIMIT) {
      return {
        name,
        ok: false,
        severity: 'warn',
        detail: `${total} projects visible, but the search returns only the first ${SEARCH_RESULT_LIMIT}: the others are read only when catalogued`,
        affects: GATES,
        fix: 'list the projects in options.projects, or give every service its sonarqube key in the service catalog',
      };
    }
    return { name, ok: true, detail: `${total} project(s) visible to the token` };
  } catch (err) {
    return { name, ok: false, detail: describe(err), affects: GATES };
  }
}

async function browse(
  client: SonarQubeClient,
  key: string,
  describe: (err: unknown) => string,
): Promise<CheckResult> {
  const name = `project:${key}`;
  try {
    const total = await client.analysesProbe(key);
    return { name, ok: true, detail: `Browse permission on ${key} confirmed (${total} analyses)` };
  } catch (err) {
    if (isUpstreamError(err) && err.code === 'forbidden') {
      return {
        name,
        ok: false,
        detail: `the token's user lacks the Browse permission on project ${key}: ${describe(err)}`,
        affects: GATES,
        fix: BROWSE_FIX,
      };
    }
    if (isUpstreamError(err) && err.code === 'not_found') {
      return {
        name,
        ok: false,
        detail: `project ${key} not found: ${describe(err)}`,
        affects: GATES,
        fix: 'correct or remove the project key in options.projects',
      };
    }
    return { name, ok: false, detail: describe(err), affects: GATES };
  }
}
