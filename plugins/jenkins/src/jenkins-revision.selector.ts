/**
 * The deployed commit of a Jenkins build (controls.md "deployed commit"): the `lastBuiltRevision`
 * of the git `BuildData` whose `remoteUrls` include the service's repository. A pipeline records
 * one `BuildData` per checked-out repository, shared libraries and tooling repositories included,
 * so the first one is not the deployed commit (see upstream-samples `build-api-json-workflowrun-multi-builddata.json`).
 */
import type { ServiceKeys } from '@audit-hub/plugin-sdk';
import type { JenkinsAction } from './jenkins.types';

/** One checked-out repository of a build. */
export interface GitCheckout {
  sha: string;
  /** The branch (or `refs/tags/…`) as the git plugin recorded it, e.g. `origin/main`. */
  branch?: string;
  remoteUrls: string[];
}

/** What is known of the repository a job builds or deploys. */
export interface RepositoryHint {
  /** The service's GitLab path (`services[].keys.gitlab`, e.g. `acme/payments-api`): an exact match. */
  path?: string;
  /** The service's name: the repository named so is preferred when no path is known. */
  serviceName?: string;
}

/** Every git checkout of a build, in the order Jenkins recorded them, each (sha, remotes) once. */
export function gitCheckouts(
  actions: readonly (JenkinsAction | null | undefined)[] | undefined,
): GitCheckout[] {
  const out: GitCheckout[] = [];
  const seen = new Set<string>();
  for (const action of actions ?? []) {
    const sha = action?.lastBuiltRevision?.SHA1;
    if (typeof sha !== 'string' || sha.length === 0) continue;
    const remoteUrls = (action?.remoteUrls ?? []).filter((url): url is string => typeof url === 'string');
    const key = `${sha}\u0000${remoteUrls.join('\u0000')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const branch = action?.lastBuiltRevision?.branch?.find((b) => typeof b?.name === 'string')?.name;
    out.push({ sha, branch, remoteUrls });
  }
  return out;
}

/**
 * The checkout that holds the deployed (or built) commit:
 *
 * 1. With the service's GitLab path known: the checkout whose remote URL ends with `/<path>.git`,
 *    `/<path>`, `:<path>.git` or `:<path>` (case-insensitive); none when no checkout is of that
 *    repository (the build did not check it out, so it names no commit of it).
 * 2. Otherwise, among the checkouts that do not look like shared libraries (`looksLikeLibrary`):
 *    the one whose repository is named like the service (GitLab's naming default), else the
 *    earliest one (the job's own `checkout scm` precedes helper checkouts; libraries are loaded
 *    before both and are already left out).
 */
export function selectCheckout(
  checkouts: readonly GitCheckout[],
  hint: RepositoryHint,
): GitCheckout | undefined {
  if (hint.path) {
    const path = hint.path
      .replace(/^\/+|\/+$/g, '')
      .replace(/\.git$/i, '')
      .toLowerCase();
    return checkouts.find((checkout) => checkout.remoteUrls.some((url) => urlIsRepository(url, path)));
  }
  const candidates = checkouts.filter(
    (checkout) => checkout.remoteUrls.length === 0 || !checkout.remoteUrls.every(looksLikeLibrary),
  );
  const name = hint.serviceName?.toLowerCase();
  const named = name
    ? candidates.find((checkout) => checkout.remoteUrls.some((url) => repositoryName(url) === name))
    : undefined;
  return named ?? candidates[0];
}

/** Whether a remote URL (https, ssh, scp-like) points at the repository with this path. */
export function urlIsRepository(url: string, path: string): boolean {
  const lower = url.trim().toLowerCase().replace(/\/+$/, '');
  return [`/${path}.git`, `/${path}`, `:${path}.git`, `:${path}`].some((suffix) => lower.endsWith(suffix));
}

/** The repository's last path segment without `.git`, lower-cased: `…/scm/api/Ara-Pipelines.git` → `ara-pipelines`. */
export function repositoryName(url: string): string {
  const trimmed = url
    .trim()
    .replace(/\/+$/, '')
    .replace(/\.git$/i, '');
  const last = trimmed.split(/[/:]/).pop() ?? '';
  return last.toLowerCase();
}

/**
 * A repository that holds a Jenkins shared library rather than the service: its name ends with
 * `lib`, `libs`, `library` or `libraries` after a separator (`infra-jenkins-pipeline-libs`,
 * `pipeline-automation-lib`), is exactly one of those, or contains `jenkins-lib…`,
 * `pipeline-lib…`, `shared-lib…` or `global-lib…` (`jenkins-shared-library-core`).
 */
export function looksLikeLibrary(url: string): boolean {
  const name = repositoryName(url);
  return (
    /(^|[-_.])(libs?|librar(y|ies))$/.test(name) ||
    /(^|[-_.])(jenkins|pipeline|shared|global)[-_.]?(libs?|librar(y|ies))([-_.]|$)/.test(name)
  );
}

/**
 * The service of a job, as the hub resolves it (interfaces.md "naming defaults"): the catalog
 * entry whose key for this connector (or for `jenkins`) is the job's full name, else the job's
 * last name segment without a `-deploy` suffix, lower-cased. Its GitLab path, when the catalog
 * gives one, is what the deployed commit is looked up by.
 */
export function repositoryHintFor(
  jobFullName: string,
  services: readonly ServiceKeys[],
  connectorId: string,
): RepositoryHint {
  const listed =
    services.find((service) => service.keys?.[connectorId] === jobFullName) ??
    services.find((service) => service.keys?.jenkins === jobFullName);
  const last = jobFullName.split('/').filter(Boolean).pop() ?? jobFullName;
  const serviceName = listed?.name ?? last.replace(/-deploy$/i, '').toLowerCase();
  const entry = listed ?? services.find((service) => service.name.toLowerCase() === serviceName);
  const path = entry?.keys?.gitlab;
  return path ? { path, serviceName } : { serviceName };
}

/**
 * The ref of a checkout: `refs/tags/v1.2` is the tag `v1.2`; `origin/main`, `refs/remotes/origin/main`
 * and `refs/heads/main` are the branch `main`.
 */
export function refOf(branch: string | undefined): { ref: string; isTag: boolean } {
  if (!branch) return { ref: '', isTag: false };
  if (branch.startsWith('refs/tags/')) return { ref: branch.slice('refs/tags/'.length), isTag: true };
  const ref = branch
    .replace(/^refs\/remotes\/[^/]+\//, '')
    .replace(/^refs\/heads\//, '')
    .replace(/^origin\//, '');
  return { ref, isTag: false };
}
