/**
 * `connectors check` for Jenkins: the instance answers (and which version, from `X-Jenkins`), the
 * user name and API token are accepted (and whose they are), and the user holds Overall/Read and
 * Job/Read on the configured folders (or on the instance's top-level items).
 */
import { isUpstreamError } from '@audit-hub/http';
import type { CheckResult } from '@audit-hub/plugin-sdk';
import type { ResolvedJenkinsOptions } from './jenkins.config';
import type { JenkinsClient } from './jenkins.client';

export async function checkConnection(
  client: JenkinsClient,
  options: Pick<ResolvedJenkinsOptions, 'folders'>,
): Promise<CheckResult[]> {
  const describe = (err: unknown) => client.http.redact(err instanceof Error ? err.message : String(err));
  const results: CheckResult[] = [];

  let overallRead: CheckResult;
  try {
    const root = await client.root();
    const version = root.headers['x-jenkins'];
    results.push({
      name: 'reachable',
      ok: true,
      detail: version ? `Jenkins ${version}` : 'Jenkins answered (no X-Jenkins version header)',
    });
    overallRead = { name: 'read:overall', ok: true, detail: 'the user holds Overall/Read' };
  } catch (err) {
    if (!isUpstreamError(err) || !['unauthorized', 'forbidden'].includes(err.code)) {
      results.push({ name: 'reachable', ok: false, detail: describe(err) });
      return results;
    }
    results.push({ name: 'reachable', ok: true, detail: `Jenkins answered ${err.status ?? ''}`.trim() });
    if (err.code === 'unauthorized') {
      results.push({
        name: 'credentials',
        ok: false,
        detail: 'Jenkins refused the user name or API token (revoked, expired or mistyped)',
      });
      // Every further check would be refused the same way.
      return results;
    }
    overallRead = {
      name: 'read:overall',
      ok: false,
      detail: `the user lacks Overall/Read (${describe(err)})`,
    };
  }

  try {
    const me = await client.me();
    const anonymous = !me.id || me.id === 'anonymous';
    results.push(
      anonymous
        ? {
            name: 'credentials',
            ok: false,
            detail: 'Jenkins sees an anonymous user: the credentials were not applied',
          }
        : {
            name: 'credentials',
            ok: true,
            detail: `authenticated as ${me.id}${me.fullName && me.fullName !== me.id ? ` (${me.fullName})` : ''}`,
          },
    );
  } catch (err) {
    results.push({ name: 'credentials', ok: false, detail: describe(err) });
  }
  results.push(overallRead);
  if (!overallRead.ok) return results;

  if (options.folders.length === 0) {
    try {
      const listing = await client.folder(null);
      const count = listing.jobs?.length ?? 0;
      results.push(
        count > 0
          ? { name: 'read:jobs', ok: true, detail: `${count} top-level items visible (Job/Read)` }
          : {
              name: 'read:jobs',
              ok: false,
              detail: 'no item is visible: grant Job/Read (or the instance has no jobs)',
            },
      );
    } catch (err) {
      results.push({ name: 'read:jobs', ok: false, detail: describe(err) });
    }
    return results;
  }
  for (const folder of options.folders) {
    const name = `folder:${folder}`;
    try {
      const listing = await client.folder(folder);
      results.push({ name, ok: true, detail: `${listing.jobs?.length ?? 0} items visible (Job/Read)` });
    } catch (err) {
      const code = isUpstreamError(err) ? err.code : undefined;
      const detail =
        code === 'forbidden'
          ? `the user lacks Job/Read on folder ${folder} (${describe(err)})`
          : code === 'not_found'
            ? `folder ${folder} not found, or not visible to the user (${describe(err)})`
            : describe(err);
      results.push({ name, ok: false, detail });
    }
  }
  return results;
}
