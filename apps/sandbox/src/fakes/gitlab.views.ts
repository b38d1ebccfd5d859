import { createHash } from 'node:crypto';
import type { EstateIndex } from '../estate/estate.index';
import type {
  Commit,
  Deployment,
  Environment,
  Estate,
  Instant,
  MergeRequest,
  Person,
  Pipeline,
  Service,
} from '../estate/estate.model';

/**
 * The estate rendered in GitLab REST v4 shapes. Field sets follow the vendor's documented bodies in
 * shared/upstream-samples/gitlab (deployments-list.json, environments-list.json, pipelines-get.json,
 * pipelines-variables.json, merge_requests-approvals.json, commits-signature-*.json); everything is
 * shown as it stood at `now`.
 */

export interface GitlabView {
  estate: Estate;
  index: EstateIndex;
  now: Instant;
  /** Web root of the instance (`http://127.0.0.1:4010/gitlab`), for web_url fields. */
  web: string;
  /**
   * Deployments updated after the estate says (the `rowsMoveWhilePaging` behaviour): their
   * `updated_at` as the instance shows it now.
   */
  bumped?: ReadonlyMap<number, Instant>;
}

/** A deployment's `updated_at` as the instance shows it at `now`. */
export function deploymentUpdatedAt(view: GitlabView, d: Deployment): Instant {
  return view.bumped?.get(d.id) ?? deploymentStateAt(d, view.now).updatedAt;
}

/** GitLab renders commit dates with the committer's offset, not `Z`. */
function commitDate(instant: Instant): string {
  return instant.replace(/Z$/, '+00:00');
}

function seconds(from: Instant, to: Instant): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / 1000);
}

function avatar(email: string): string {
  return `https://www.gravatar.com/avatar/${createHash('md5').update(email).digest('hex')}?s=80&d=identicon`;
}

function userState(person: Person, now: Instant): 'active' | 'blocked' {
  return person.leftAt && person.leftAt <= now ? 'blocked' : 'active';
}

export function userBasic(view: GitlabView, userName: string) {
  const p = view.index.person(userName);
  return {
    id: p.id,
    username: p.userName,
    name: p.name,
    state: userState(p, view.now),
    avatar_url: avatar(p.email),
    web_url: `${view.web}/${p.userName}`,
  };
}

/** The longer user shape GitLab embeds as a job's user. */
/**
 * A member of the organization's group (`/groups/:id/members/all`): release managers and SREs
 * maintain it, developers develop, approvers report; service accounts are not members.
 */
export function groupMemberView(view: GitlabView, p: Person) {
  const level = p.roles.some((r) => r === 'release-manager' || r === 'sre')
    ? 40
    : p.roles.includes('developer')
      ? 30
      : 20;
  return {
    ...userBasic(view, p.userName),
    created_at: p.createdAt,
    created_by: null,
    expires_at: null,
    access_level: level,
    group_saml_identity: null,
    membership_state: 'active',
  };
}

export function userFull(view: GitlabView, userName: string) {
  const p = view.index.person(userName);
  return {
    ...userBasic(view, userName),
    created_at: p.createdAt,
    bio: null,
    location: null,
    public_email: '',
    skype: '',
    linkedin: '',
    twitter: '',
    website_url: '',
    organization: '',
  };
}

export function currentUserView(view: GitlabView, person: Person) {
  return {
    ...userFull(view, person.userName),
    discord: '',
    job_title: person.title,
    pronouns: null,
    bot: false,
    work_information: null,
    local_time: null,
    last_sign_in_at: view.now,
    confirmed_at: person.createdAt,
    last_activity_on: view.now.slice(0, 10),
    email: person.email,
    theme_id: 1,
    color_scheme_id: 1,
    projects_limit: 0,
    current_sign_in_at: view.now,
    identities: [],
    can_create_group: false,
    can_create_project: false,
    two_factor_enabled: true,
    external: false,
    private_profile: false,
    commit_email: person.email,
  };
}

export function groupView(view: GitlabView) {
  const org = view.estate.organization;
  return {
    id: org.id,
    web_url: `${view.web}/groups/${org.path}`,
    name: org.name,
    path: org.path,
    description: `${org.name} engineering`,
    visibility: 'private',
    share_with_group_lock: false,
    require_two_factor_authentication: true,
    two_factor_grace_period: 48,
    project_creation_level: 'maintainer',
    auto_devops_enabled: null,
    subgroup_creation_level: 'owner',
    emails_disabled: false,
    emails_enabled: true,
    mentions_disabled: null,
    lfs_enabled: true,
    default_branch_protection: 2,
    avatar_url: null,
    request_access_enabled: false,
    full_name: org.name,
    full_path: org.path,
    created_at: view.estate.services.reduce(
      (min, s) => (s.createdAt < min ? s.createdAt : min),
      view.estate.generatedAt,
    ),
    parent_id: null,
  };
}

function lastActivity(view: GitlabView, service: Service): Instant {
  let last = service.createdAt;
  for (const d of view.index.deploymentsByService.get(service.name) ?? []) {
    if (d.createdAt <= view.now && d.createdAt > last) last = d.createdAt;
  }
  return last;
}

export function projectView(view: GitlabView, service: Service, simple: boolean) {
  const org = view.estate.organization;
  const web = `${view.web}/${service.gitlabPath}`;
  const host = new URL(view.web).host;
  const base = {
    id: service.id,
    description: service.description,
    name: service.name,
    name_with_namespace: `${org.name} / ${service.name}`,
    path: service.name,
    path_with_namespace: service.gitlabPath,
    created_at: service.createdAt,
    default_branch: 'main',
    tag_list: [],
    topics: [],
    ssh_url_to_repo: `git@${host}:${service.gitlabPath}.git`,
    http_url_to_repo: `${web}.git`,
    web_url: web,
    readme_url: `${web}/-/blob/main/README.md`,
    forks_count: 0,
    avatar_url: null,
    star_count: 0,
    last_activity_at: lastActivity(view, service),
    namespace: {
      id: org.id,
      name: org.name,
      path: org.path,
      kind: 'group',
      full_path: org.path,
      parent_id: null,
      avatar_url: null,
      web_url: `${view.web}/groups/${org.path}`,
    },
  };
  if (simple) return base;
  const api = `${view.web}/api/v4/projects/${service.id}`;
  return {
    ...base,
    container_registry_image_prefix: `registry.${host}/${service.gitlabPath}`,
    _links: {
      self: api,
      issues: `${api}/issues`,
      merge_requests: `${api}/merge_requests`,
      repo_branches: `${api}/repository/branches`,
      labels: `${api}/labels`,
      events: `${api}/events`,
      members: `${api}/members`,
      cluster_agents: `${api}/cluster_agents`,
    },
    packages_enabled: true,
    empty_repo: false,
    archived: service.archived,
    visibility: 'private',
    resolve_outdated_diff_discussions: false,
    container_registry_enabled: true,
    issues_enabled: true,
    merge_requests_enabled: true,
    wiki_enabled: false,
    jobs_enabled: true,
    snippets_enabled: false,
    can_create_merge_request_in: false,
    issues_access_level: 'enabled',
    repository_access_level: 'enabled',
    merge_requests_access_level: 'enabled',
    forking_access_level: 'disabled',
    wiki_access_level: 'disabled',
    builds_access_level: 'enabled',
    snippets_access_level: 'disabled',
    pages_access_level: 'private',
    environments_access_level: 'enabled',
    shared_runners_enabled: true,
    lfs_enabled: true,
    creator_id: view.estate.people[0].id,
    import_status: 'none',
    open_issues_count: 0,
    ci_default_git_depth: 20,
    public_jobs: false,
    build_timeout: 3600,
    auto_cancel_pending_pipelines: 'enabled',
    ci_config_path: null,
    shared_with_groups: [],
    only_allow_merge_if_pipeline_succeeds: true,
    allow_merge_on_skipped_pipeline: false,
    request_access_enabled: false,
    only_allow_merge_if_all_discussions_are_resolved: true,
    remove_source_branch_after_merge: true,
    printing_merge_request_link_enabled: true,
    merge_method: 'merge',
    squash_option: 'default_off',
    autoclose_referenced_issues: true,
    approvals_before_merge: 1,
    mirror: false,
    permissions: { project_access: null, group_access: { access_level: 20, notification_level: 3 } },
  };
}

export function environmentView(view: GitlabView, env: Environment) {
  const service = view.index.servicesByName.get(env.service)!;
  let updatedAt = env.createdAt;
  for (const d of view.index.deploymentsByService.get(env.service) ?? []) {
    if (d.environmentId === env.id && d.createdAt <= view.now && d.createdAt > updatedAt)
      updatedAt = d.createdAt;
  }
  return {
    id: env.id,
    name: env.name,
    slug: env.slug,
    external_url: env.externalUrl,
    state: 'available',
    tier: env.tier,
    created_at: env.createdAt,
    updated_at: updatedAt,
    enable_advanced_logs_querying: false,
    logs_api_path: `/${service.gitlabPath}/-/logs/k8s.json?environment_name=${encodeURIComponent(env.name)}`,
    auto_stop_at: null,
    kubernetes_namespace: null,
    flux_resource_path: null,
  };
}

/** A deployment as it stands at `now`: created (manual job not played yet), running, or finished. */
export function deploymentStateAt(d: Deployment, now: Instant) {
  if (now < d.job.startedAt) {
    return {
      status: 'created',
      jobStatus: d.job.manual ? 'manual' : 'created',
      startedAt: null,
      finishedAt: null,
      updatedAt: d.createdAt,
    };
  }
  if (now < d.finishedAt) {
    return {
      status: 'running',
      jobStatus: 'running',
      startedAt: d.job.startedAt,
      finishedAt: null,
      updatedAt: d.job.startedAt,
    };
  }
  return {
    status: d.status,
    jobStatus: d.job.status,
    startedAt: d.job.startedAt,
    finishedAt: d.finishedAt,
    updatedAt: d.updatedAt,
  };
}

export function pipelineStateAt(p: Pipeline, now: Instant) {
  if (now < p.startedAt)
    return { status: 'created', startedAt: null, finishedAt: null, updatedAt: p.createdAt };
  if (now < p.finishedAt)
    return { status: 'running', startedAt: p.startedAt, finishedAt: null, updatedAt: p.startedAt };
  return {
    status: p.status as string,
    startedAt: p.startedAt,
    finishedAt: p.finishedAt,
    updatedAt: p.finishedAt,
  };
}

function pipelineWebUrl(view: GitlabView, p: Pipeline): string {
  return `${view.web}/${view.index.servicesByName.get(p.service)!.gitlabPath}/-/pipelines/${p.id}`;
}

function commitAuthor(view: GitlabView, c: Commit) {
  const author = view.index.person(c.authorUserName);
  const committer = view.index.person(c.committerUserName);
  return { author, committer };
}

/**
 * The single deployment of GitLab Premium: the list's fields plus the protected environment's
 * `approvals` (unified approval setting) and `pending_approval_count`; an environment that is not
 * protected answers an empty list. Approvals not yet given at `now` are not shown.
 */
export function deploymentDetailView(view: GitlabView, d: Deployment) {
  const approvals = d.approvals.filter((a) => a.at <= view.now);
  return {
    ...deploymentView(view, d),
    pending_approval_count: 0,
    approvals: approvals.map((a) => ({
      user: userBasic(view, a.userName),
      status: a.status,
      created_at: a.at,
      comment: a.comment,
    })),
  };
}

export function deploymentView(view: GitlabView, d: Deployment) {
  const state = deploymentStateAt(d, view.now);
  const env = view.index.environmentsById.get(d.environmentId)!;
  const pipeline = view.index.pipelinesById.get(d.pipelineId)!;
  const pipelineState = pipelineStateAt(pipeline, view.now);
  const commit = view.index.commitsBySha.get(d.sha)!;
  const { author } = commitAuthor(view, commit);
  return {
    id: d.id,
    iid: d.iid,
    ref: d.ref,
    sha: d.sha,
    created_at: d.createdAt,
    updated_at: deploymentUpdatedAt(view, d),
    status: state.status,
    user: userBasic(view, d.triggeredBy),
    environment: { id: env.id, name: env.name, external_url: env.externalUrl },
    deployable: {
      id: d.job.id,
      status: state.jobStatus,
      stage: d.job.stage,
      name: d.job.name,
      ref: d.ref,
      tag: d.tag,
      coverage: null,
      created_at: d.job.createdAt,
      started_at: state.startedAt,
      finished_at: state.finishedAt,
      project: { ci_job_token_scope_enabled: false },
      user: userFull(view, d.job.userName),
      commit: {
        id: commit.sha,
        short_id: commit.sha.slice(0, 8),
        title: commit.title,
        author_name: author.name,
        author_email: author.email,
        created_at: commitDate(commit.committedAt),
        message: commit.message,
      },
      pipeline: {
        created_at: pipeline.createdAt,
        id: pipeline.id,
        ref: pipeline.ref,
        sha: pipeline.sha,
        status: pipelineState.status,
        updated_at: pipelineState.updatedAt,
        web_url: pipelineWebUrl(view, pipeline),
      },
      runner: null,
    },
  };
}

const STATUS_TEXT: Record<string, string> = {
  success: 'passed',
  failed: 'failed',
  running: 'running',
  created: 'created',
  canceled: 'canceled',
};

export function pipelineView(view: GitlabView, p: Pipeline) {
  const state = pipelineStateAt(p, view.now);
  const service = view.index.servicesByName.get(p.service)!;
  const text = STATUS_TEXT[state.status] ?? state.status;
  return {
    id: p.id,
    iid: p.iid,
    project_id: service.id,
    name: p.name,
    sha: p.sha,
    ref: p.ref,
    status: state.status,
    source: p.source,
    created_at: p.createdAt,
    updated_at: state.updatedAt,
    web_url: pipelineWebUrl(view, p),
    before_sha: p.beforeSha,
    tag: p.tag,
    yaml_errors: null,
    user: userBasic(view, p.triggeredBy),
    started_at: state.startedAt,
    finished_at: state.finishedAt,
    committed_at: null,
    duration: state.finishedAt && state.startedAt ? seconds(state.startedAt, state.finishedAt) : null,
    queued_duration: seconds(p.createdAt, p.startedAt),
    coverage: null,
    detailed_status: {
      icon: `status_${state.status}`,
      text,
      label: text,
      group: state.status,
      tooltip: text,
      has_details: false,
      details_path: `/${service.gitlabPath}/-/pipelines/${p.id}`,
      illustration: null,
      favicon: `/assets/ci_favicons/favicon_status_${state.status}.png`,
    },
  };
}

/** A pipeline in `GET /projects/:id/pipelines` (Entities::Ci::PipelineBasic, as pipelines-list.json). */
export function pipelineBasicView(view: GitlabView, p: Pipeline) {
  const state = pipelineStateAt(p, view.now);
  return {
    id: p.id,
    iid: p.iid,
    project_id: view.index.servicesByName.get(p.service)!.id,
    status: state.status,
    source: p.source,
    ref: p.ref,
    sha: p.sha,
    name: p.name,
    web_url: pipelineWebUrl(view, p),
    created_at: p.createdAt,
    updated_at: state.updatedAt,
  };
}

export function pipelineVariablesView(p: Pipeline) {
  return p.variables.map((v) =>
    v.variableType
      ? { key: v.key, variable_type: v.variableType, value: v.value }
      : { key: v.key, value: v.value },
  );
}

/** The test job is not modelled; its id is derived from the pipeline's, clear of deploy job ids. */
function testJobId(p: Pipeline): number {
  return p.id * 10 + 1;
}

export function testReportSummaryView(view: GitlabView, p: Pipeline) {
  const finished = view.now >= p.finishedAt;
  const report = finished ? p.testReport : null;
  if (!report) {
    return {
      total: { time: 0, count: 0, success: 0, failed: 0, skipped: 0, error: 0, suite_error: null },
      test_suites: [],
    };
  }
  const success = report.total - report.failed - report.skipped - report.errored;
  return {
    total: {
      time: report.durationSeconds,
      count: report.total,
      success,
      failed: report.failed,
      skipped: report.skipped,
      error: report.errored,
      suite_error: null,
    },
    test_suites: [
      {
        name: 'unit',
        total_time: report.durationSeconds,
        total_count: report.total,
        success_count: success,
        failed_count: report.failed,
        skipped_count: report.skipped,
        error_count: report.errored,
        build_ids: [testJobId(p)],
        suite_error: null,
      },
    ],
  };
}

/** The MR's state at `now`: merged once its merge time has passed, closed abandoned drafts after their last update. */
function mergeRequestStateAt(mr: MergeRequest, now: Instant): MergeRequest['state'] {
  if (mr.mergedAt && mr.mergedAt <= now) return 'merged';
  if (mr.state === 'closed' && mr.updatedAt <= now) return 'closed';
  return 'opened';
}

/** Approvals are given ten minutes before the merge. */
function approvedAt(mr: MergeRequest): Instant | null {
  return mr.mergedAt ? new Date(Date.parse(mr.mergedAt) - 10 * 60_000).toISOString() : null;
}

export function mergeRequestView(view: GitlabView, mr: MergeRequest) {
  const service = view.index.servicesByName.get(mr.service)!;
  const state = mergeRequestStateAt(mr, view.now);
  const merged = state === 'merged';
  const author = userBasic(view, mr.authorUserName);
  const merger = merged && mr.mergedByUserName ? userBasic(view, mr.mergedByUserName) : null;
  const draft = mr.title.startsWith('Draft:');
  return {
    id: mr.id,
    iid: mr.iid,
    project_id: service.id,
    title: mr.title,
    description: mr.description,
    state,
    created_at: mr.createdAt,
    updated_at: merged || state === 'closed' ? mr.updatedAt : mr.createdAt,
    merged_by: merger,
    merge_user: merger,
    merged_at: merged ? mr.mergedAt : null,
    prepared_at: mr.createdAt,
    closed_by: state === 'closed' ? author : null,
    closed_at: state === 'closed' ? mr.updatedAt : null,
    target_branch: mr.targetBranch,
    source_branch: mr.sourceBranch,
    user_notes_count: mr.approvedBy.length,
    upvotes: 0,
    downvotes: 0,
    author,
    assignees: [author],
    assignee: author,
    reviewers: mr.reviewerUserNames.map((u) => userBasic(view, u)),
    source_project_id: service.id,
    target_project_id: service.id,
    labels: mr.labels,
    draft,
    work_in_progress: draft,
    milestone: null,
    merge_when_pipeline_succeeds: false,
    merge_status: 'can_be_merged',
    detailed_merge_status: state === 'opened' ? 'mergeable' : 'not_open',
    sha: mr.commitShas[mr.commitShas.length - 1],
    merge_commit_sha: merged ? (mr.mergeCommitSha ?? null) : null,
    squash_commit_sha: null,
    discussion_locked: null,
    should_remove_source_branch: true,
    force_remove_source_branch: true,
    reference: `!${mr.iid}`,
    references: { short: `!${mr.iid}`, relative: `!${mr.iid}`, full: `${service.gitlabPath}!${mr.iid}` },
    web_url: `${view.web}/${service.gitlabPath}/-/merge_requests/${mr.iid}`,
    time_stats: {
      time_estimate: 0,
      total_time_spent: 0,
      human_time_estimate: null,
      human_total_time_spent: null,
    },
    squash: false,
    squash_on_merge: false,
    task_completion_status: { count: 0, completed_count: 0 },
    has_conflicts: false,
    blocking_discussions_resolved: true,
  };
}

/** `/merge_requests/:iid/approvals`: unlike `/approval_state`, each approver is wrapped as `{user: …}`. */
export function approvalsView(view: GitlabView, mr: MergeRequest) {
  const service = view.index.servicesByName.get(mr.service)!;
  const at = approvedAt(mr);
  const approvers = at && at <= view.now ? mr.approvedBy : [];
  const state = mergeRequestStateAt(mr, view.now);
  return {
    id: mr.id,
    iid: mr.iid,
    project_id: service.id,
    title: mr.title,
    description: mr.description,
    state,
    created_at: mr.createdAt,
    updated_at: state === 'opened' ? mr.createdAt : mr.updatedAt,
    merge_status: 'can_be_merged',
    approvals_required: mr.approvalsRequired,
    approvals_left: Math.max(0, mr.approvalsRequired - approvers.length),
    approved_by: approvers.map((u) => ({ user: userBasic(view, u) })),
  };
}

export function commitView(view: GitlabView, c: Commit) {
  const service = view.index.servicesByName.get(c.service)!;
  const { author, committer } = commitAuthor(view, c);
  const pipeline = (view.index.pipelinesBySha.get(c.sha) ?? []).find((p) => p.createdAt <= view.now) ?? null;
  const pipelineState = pipeline ? pipelineStateAt(pipeline, view.now) : null;
  return {
    id: c.sha,
    short_id: c.sha.slice(0, 8),
    created_at: commitDate(c.committedAt),
    parent_ids: c.parentShas,
    title: c.title,
    message: c.message,
    author_name: author.name,
    author_email: author.email,
    authored_date: commitDate(c.authoredAt),
    committer_name: committer.name,
    committer_email: committer.email,
    committed_date: commitDate(c.committedAt),
    trailers: {},
    extended_trailers: {},
    web_url: `${view.web}/${service.gitlabPath}/-/commit/${c.sha}`,
    stats: { additions: c.additions, deletions: c.deletions, total: c.additions + c.deletions },
    status: pipelineState?.status ?? null,
    project_id: service.id,
    last_pipeline:
      pipeline && pipelineState
        ? {
            id: pipeline.id,
            iid: pipeline.iid,
            project_id: service.id,
            sha: pipeline.sha,
            ref: pipeline.ref,
            status: pipelineState.status,
            source: pipeline.source,
            created_at: pipeline.createdAt,
            updated_at: pipelineState.updatedAt,
            web_url: pipelineWebUrl(view, pipeline),
          }
        : null,
  };
}

const SERIAL_PLACEHOLDER = '__X509_SERIAL__';

/**
 * The signature body as raw JSON text, or null when the commit is unsigned (GitLab answers 404).
 * X.509 serial numbers are written as a bare 39-digit number, as GitLab does, which JSON.parse
 * silently rounds: a client must read it as text.
 */
export function signatureBody(view: GitlabView, c: Commit): string | null {
  const sig = c.signature;
  if (!sig) return null;
  if (sig.status === 'verified_system') {
    return JSON.stringify({
      signature_type: 'PGP',
      verification_status: 'verified_system',
      gpg_key_id: 1,
      gpg_key_primary_keyid: 'A7C5B4E3F2D1C0B9',
      gpg_key_user_name: 'GitLab',
      gpg_key_user_email: 'noreply@gitlab.com',
      gpg_key_subkey_id: null,
      commit_source: 'gitaly',
    });
  }
  const signer = view.index.person(sig.signerUserName);
  if (sig.type === 'gpg') {
    return JSON.stringify({
      signature_type: 'PGP',
      verification_status: sig.status,
      gpg_key_id: signer.id * 10 + 1,
      gpg_key_primary_keyid: sig.keyId,
      gpg_key_user_name: signer.name,
      gpg_key_user_email: signer.email,
      gpg_key_subkey_id: null,
      commit_source: 'gitaly',
    });
  }
  const serial = BigInt(`0x${sig.keyId}${sig.keyId}`).toString(10);
  const text = JSON.stringify({
    signature_type: 'X509',
    verification_status: sig.status,
    x509_certificate: {
      id: signer.id,
      subject: `CN=${signer.email},OU=Engineering,O=Acme`,
      subject_key_identifier: (sig.keyId + sig.keyId.slice(0, 8)).match(/../g)!.join(':'),
      email: signer.email,
      serial_number: SERIAL_PLACEHOLDER,
      certificate_status: 'good',
      x509_issuer: {
        id: 1,
        subject: 'CN=Acme Issuing CA,OU=PKI,O=Acme',
        subject_key_identifier: 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01',
        crl_url: 'http://pki.acme.com/issuing.crl',
      },
    },
    commit_source: 'gitaly',
  });
  return text.replace(`"${SERIAL_PLACEHOLDER}"`, serial);
}
