/**
 * GitLab deployment → `deployment` record (shared/spec/records.md; definitions in controls.md:
 * deployment times, deployed commit, deployment version).
 */
import type {
  DeploymentApproval,
  DeploymentRecord,
  DeploymentStatus,
  EnvironmentProtection,
  NormalizedRecord,
  TestReportSummary,
  Tier,
} from '@audit-hub/domain';
import { isSharedAccountName } from '@audit-hub/domain';
import { recordUserName } from './gitlab-user-name.mapper';
import type {
  GitLabDeployment,
  GitLabDeploymentApproval,
  GitLabEnvironment,
  GitLabPipelineVariable,
  GitLabProtectedEnvironment,
  GitLabTestReportSummary,
} from './gitlab.types';

const TIERS: readonly Tier[] = ['production', 'staging', 'testing', 'development', 'other'];

/** The tier of each environment of a project: it is only on `/environments`, never on a deployment. */
export class EnvironmentTiers {
  private readonly byId = new Map<number, Tier | null>();
  private readonly byName = new Map<string, Tier | null>();

  constructor(environments: readonly GitLabEnvironment[] = []) {
    for (const env of environments) {
      const tier = mapTier(env.tier);
      this.byId.set(env.id, tier);
      this.byName.set(env.name, tier);
    }
  }

  /** The environment's tier; null when GitLab gives none or the environment is unknown. */
  tierOf(environment: { id?: number; name?: string } | null | undefined): Tier | null {
    if (!environment) return null;
    if (environment.id !== undefined && this.byId.has(environment.id))
      return this.byId.get(environment.id) ?? null;
    if (environment.name !== undefined && this.byName.has(environment.name))
      return this.byName.get(environment.name) ?? null;
    return null;
  }
}

/** GitLab tiers are the five of records.md; an unrecognised one is `other`, a missing one null. */
export function mapTier(tier: string | null | undefined): Tier | null {
  if (tier === null || tier === undefined || tier === '') return null;
  const lower = tier.toLowerCase() as Tier;
  return TIERS.includes(lower) ? lower : 'other';
}

/**
 * The deployment's own `status` (not `deployable.status`). GitLab adds `blocked` (waiting for a
 * deployment approval: not started) and `skipped` (never ran) to the five of records.md.
 */
export function mapDeploymentStatus(status: string | null | undefined): DeploymentStatus {
  switch ((status ?? '').toLowerCase()) {
    case 'success':
      return 'success';
    case 'failed':
      return 'failed';
    case 'canceled':
    case 'cancelled':
    case 'skipped':
      return 'canceled';
    case 'running':
      return 'running';
    default:
      return 'created';
  }
}

const TERMINAL: ReadonlySet<DeploymentStatus> = new Set(['success', 'failed', 'canceled']);

/** Pipeline variables as name → value; a masked or file variable without a value maps to ''. */
export function mapVariables(variables: readonly GitLabPipelineVariable[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const variable of variables) {
    if (typeof variable?.key !== 'string') continue;
    out[variable.key] = variable.value === null || variable.value === undefined ? '' : String(variable.value);
  }
  return out;
}

/**
 * `{total, failed}` of a pipeline's test report; null when the pipeline archived no test report
 * (GitLab answers `total.count: 0` then). Tests that errored count as failed: they did not pass.
 */
export function mapTestReportSummary(
  summary: GitLabTestReportSummary | null | undefined,
): TestReportSummary | null {
  const total = summary?.total;
  const count = Number(total?.count ?? 0);
  if (!Number.isFinite(count) || count <= 0) return null;
  return { total: count, failed: Number(total?.failed ?? 0) + Number(total?.error ?? 0) };
}

/**
 * Deployment approvals of a single deployment's body (Premium): `approvals` (unified setting) and
 * the rules of `approval_summary` (multiple rules), one entry per user and status. Null when the
 * body has neither: GitLab Free, or a version without deployment approvals — unknown, not none.
 */
export function mapDeploymentApprovals(
  detail: Partial<GitLabDeployment> | null | undefined,
): DeploymentApproval[] | null {
  if (!detail) return null;
  const hasApprovals = Array.isArray(detail.approvals);
  const rules = detail.approval_summary?.rules;
  const hasRules = Array.isArray(rules);
  if (!hasApprovals && !hasRules) return null;
  const entries: GitLabDeploymentApproval[] = [
    ...(hasApprovals ? (detail.approvals ?? []) : []),
    ...(hasRules ? (rules ?? []).flatMap((rule) => rule?.deployment_approvals ?? []) : []),
  ];
  const seen = new Set<string>();
  const out: DeploymentApproval[] = [];
  for (const entry of entries) {
    const user = recordUserName(entry?.user);
    const status = entry?.status;
    if (!user || (status !== 'approved' && status !== 'rejected')) continue;
    // One entry per user and status; a shared account (`~ghost`) stands for several deleted users.
    const key = isSharedAccountName(user)
      ? `${user}\u0000${status}\u0000${entry.created_at ?? ''}`
      : `${user}\u0000${status}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(
      compact({
        user,
        status,
        at: entry.created_at ? toIsoUtc(entry.created_at) : undefined,
        comment: entry.comment ?? undefined,
      }),
    );
  }
  return out;
}

/**
 * controls.md "deployment version": the tag when the deployed ref is a tag (kept as is: the
 * control ignores a leading `v`); else the version pipeline variable; else the short SHA. Unknown
 * (undefined) when the variables could not be read and the ref is not a tag: the version variable
 * may have been set, so the short SHA would be a guess (the version drift control leaves it
 * undecided).
 */
export function deploymentVersion(input: {
  isTag: boolean;
  ref: string;
  variables: Record<string, string> | null;
  versionVariable: string;
  sha: string;
  shortSha?: string;
}): string | undefined {
  if (input.isTag && input.ref) return input.ref;
  if (input.variables === null) return undefined;
  const fromVariable = input.variables[input.versionVariable];
  if (fromVariable !== undefined && fromVariable.trim() !== '') return fromVariable.trim();
  return input.shortSha || input.sha.slice(0, 8);
}

/** What the fan-out learned about a deployment; each field absent when it was not read. */
export interface DeploymentDetails {
  /** null: GitLab would not give them (a token below Maintainer), or they could not be read. */
  variables?: Record<string, string> | null;
  approvals?: DeploymentApproval[] | null;
  testReport?: TestReportSummary | null;
  /** The project's protected environments; null when GitLab would not tell (Free, 403/404). */
  protectedEnvironments?: GitLabProtectedEnvironment[] | null;
}

/** GitLab's deploy access levels (protected_environments.md): 30, 40, 60. */
const DEPLOY_ROLES: Record<number, string> = { 30: 'developer', 40: 'maintainer', 60: 'admin' };

/**
 * The protection of the deployment's environment: who may deploy (a role, a user id, a group id)
 * and the approvals it requires (newer GitLab); `{protected: false}` when the project protects
 * other environments only; null when the list was not readable.
 */
export function mapEnvironmentProtection(
  list: GitLabProtectedEnvironment[] | null | undefined,
  environment: string,
): EnvironmentProtection | null {
  if (!list) return null;
  const found = list.find((p) => p?.name === environment);
  if (!found) return { protected: false, deployAccess: [] };
  return compact({
    protected: true,
    deployAccess: (found.deploy_access_levels ?? []).map((a) =>
      compact({
        role:
          typeof a.access_level === 'number' && !a.user_id && !a.group_id
            ? (DEPLOY_ROLES[a.access_level] ?? String(a.access_level))
            : undefined,
        userId: a.user_id ?? undefined,
        groupId: a.group_id ?? undefined,
        description: a.access_level_description ?? undefined,
      }),
    ),
    requiredApprovals:
      typeof found.required_approval_count === 'number' ? found.required_approval_count : undefined,
  });
}

export interface DeploymentMapContext {
  /** `path_with_namespace` as first collected. */
  projectPath: string;
  tiers: EnvironmentTiers;
  versionVariable: string;
}

export function mapDeployment(
  deployment: GitLabDeployment,
  context: DeploymentMapContext,
  details: DeploymentDetails = {},
): NormalizedRecord<'deployment'> {
  const job = deployment.deployable ?? null;
  const status = mapDeploymentStatus(deployment.status);
  const isTag = Boolean(deployment.tag ?? job?.tag ?? false);
  // A deployment that is not fanned out (not successful) has none read: `{}` as before; one whose
  // variables were asked for and not given is null, never `{}` ("could not read" is not "none").
  const variables = details.variables === undefined ? {} : details.variables;
  const finished = job?.finished_at ?? deployment.updated_at;
  const data: DeploymentRecord = compact({
    project: context.projectPath,
    environment: deployment.environment?.name ?? '',
    tier: context.tiers.tierOf(deployment.environment),
    status,
    startedAt: toIsoUtc(job?.started_at ?? deployment.created_at),
    // A deployment still running or waiting has no finish yet, whatever its updated_at says.
    finishedAt: TERMINAL.has(status) && finished ? toIsoUtc(finished) : undefined,
    commitSha: deployment.sha,
    commitMessage: job?.commit?.message ?? undefined,
    ref: deployment.ref,
    isTag,
    version: deploymentVersion({
      isTag,
      ref: deployment.ref,
      variables,
      versionVariable: context.versionVariable,
      sha: deployment.sha,
      shortSha: job?.commit?.short_id,
    }),
    triggeredBy: recordUserName(deployment.user),
    viaPipeline: job !== null,
    pipelineId: job?.pipeline?.id !== undefined ? String(job.pipeline.id) : undefined,
    pipelineSource: job?.pipeline?.source ?? undefined,
    jobName: job?.name ?? undefined,
    variables,
    approvals: details.approvals === undefined ? null : details.approvals,
    testReport: details.testReport,
    artifacts: [],
    environmentProtection:
      details.protectedEnvironments === undefined
        ? undefined
        : mapEnvironmentProtection(details.protectedEnvironments, deployment.environment?.name ?? ''),
  });
  return { kind: 'deployment', externalId: String(deployment.id), data, raw: deployment };
}

/** An ISO-8601 instant in UTC (`2016-08-11T13:28:26.000+02:00` → `2016-08-11T11:28:26.000Z`). */
export function toIsoUtc(value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(`not a date: ${JSON.stringify(value)}`);
  return date.toISOString();
}

/** Drops undefined fields, so a record's content does not depend on which optional fields were set. */
export function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}
