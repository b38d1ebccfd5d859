/**
 * `connectors check` for SonarQube: the server answers `UP` (`api/system/status`), the token is
 * accepted (`api/authentication/validate`), and the token's user may browse each configured project
 * (one `ps=1` page of `api/project_analyses/search`, the stream's own request) — or, with none
 * configured, how many projects it can see.
 */
import { isUpstreamError } from '@audit-hub/http';
import type { CheckResult } from '@audit-hub/plugin-sdk';
import type { SonarQubeClient } from './sonarqube.client';
import type { ResolvedSonarQubeOptions } from './sonarqube.config';

export async function checkConnection(
  client: SonarQubeClient,
  options: Pick<ResolvedSonarQubeOptions, 'projects' | 'authScheme'>,
): Promise<CheckResult[]> {
  const describe = (err: unknown) => client.http.redact(err instanceof Error ? err.message : String(err));
  const results: CheckResult[] = [];

  let version: string | undefined;
  try {
    const system = await client.systemStatus();
    version = typeof system.version === 'string' ? system.version : undefined;
    const named = `SonarQube${version ? ` ${version}` : ''}`;
    if (system.status !== 'UP') {
      // STARTING, RESTARTING, DB_MIGRATION_NEEDED…: the web services answer 503 until it is UP.
      return [
        {
          name: 'reachable',
          ok: false,
          detail: `${named} answered status ${JSON.stringify(system.status ?? null)}, not UP (starting, restarting, down, or waiting for a database migration)`,
        },
      ];
    }
    results.push({ name: 'reachable', ok: true, detail: `${named} is UP` });
  } catch (err) {
    if (isUpstreamError(err) && err.code === 'unauthorized') {
      // A proxy in front of SonarQube asked for credentials: the server answers, the token does not pass.
      return [
        { name: 'reachable', ok: true },
        { name: 'credentials', ok: false, detail: `the token was refused (401): ${describe(err)}` },
      ];
    }
    return [{ name: 'reachable', ok: false, detail: describe(err) }];
  }

  try {
    const valid = await client.validate();
    if (!valid) {
      results.push({
        name: 'credentials',
        ok: false,
        detail:
          'the token was refused (revoked, expired or mistyped): api/authentication/validate answered valid=false',
      });
      return results;
    }
    const major = Number(version?.split('.')[0]);
    const bearerOnOldServer = options.authScheme === 'bearer' && Number.isInteger(major) && major < 10;
    results.push({
      name: 'credentials',
      ok: true,
      detail: bearerOnOldServer
        ? `valid, but SonarQube ${version} documents tokens only as basic-auth user names and answers valid for anonymous access when authentication is not forced: set options.authScheme: basic`
        : 'the token is valid',
    });
  } catch (err) {
    const refused = isUpstreamError(err) && err.code === 'unauthorized';
    results.push({
      name: 'credentials',
      ok: false,
      detail: refused ? `the token was refused (401): ${describe(err)}` : describe(err),
    });
    return results;
  }

  if (options.projects.length === 0) {
    try {
      const total = await client.visibleProjects();
      results.push(
        total > 0
          ? { name: 'read:projects', ok: true, detail: `${total} project(s) visible to the token` }
          : {
              name: 'read:projects',
              ok: false,
              detail:
                'no project is visible to the token: grant its user Browse on the projects to audit, or list them in options.projects',
            },
      );
    } catch (err) {
      results.push({ name: 'read:projects', ok: false, detail: describe(err) });
    }
    return results;
  }

  for (const key of options.projects) {
    const name = `project:${key}`;
    try {
      const total = await client.analysesProbe(key);
      results.push({ name, ok: true, detail: `Browse permission on ${key} confirmed (${total} analyses)` });
    } catch (err) {
      if (isUpstreamError(err) && err.code === 'forbidden') {
        results.push({
          name,
          ok: false,
          detail: `the token's user lacks the Browse permission on project ${key}: ${describe(err)}`,
        });
      } else if (isUpstreamError(err) && err.code === 'not_found') {
        results.push({ name, ok: false, detail: `project ${key} not found: ${describe(err)}` });
      } else {
        results.push({ name, ok: false, detail: describe(err) });
      }
    }
  }
  return results;
}
