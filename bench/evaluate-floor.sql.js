/**
 * The floor of the evaluation benchmark (bench/evaluate-scale.js): every control of the catalog
 * written by hand as one SQL statement over the store's tables — the projections and the derived
 * model (`person`, `person_name`, `role_member`, `service_info`, rebuilt before the controls run) —
 * returning exactly the subject refs the control flags (`ref`, one row each), as
 * shared/spec/controls.md defines them. No TypeScript decides anything here: what a control
 * decides in code after its query (grouping, identities, JSON lists, time arithmetic) is SQL.
 *
 * Written from the definitions, not from the control classes, so that a different set of refs is
 * a finding about one of the two. Subjects a control leaves undecided (data missing upstream:
 * unread pipeline variables or approvals, a commit or build not collected, an unresolved holder)
 * are left out, as the control does not flag them either. PostgreSQL only (jsonb, DISTINCT ON).
 *
 * Each entry: `sql` with positional parameters, and `args({ params, now, config })` giving them
 * from the control's parameters in effect, the run's clock and the config.
 */
'use strict';

/** The audited population: successful production deployments still on record. */
const production = (d) => `${d}.is_production AND ${d}.status = 'success' AND NOT ${d}.deleted`;

/** Deployment ref: `<connector>:<project>#<id>`; a Jenkins external id already is `<job>#<number>`. */
const deploymentRef = (d) => `CASE WHEN strpos(${d}.external_id, '#') > 0
    THEN ${d}.connector || ':' || ${d}.external_id
    ELSE ${d}.connector || ':' || ${d}.project || '#' || ${d}.external_id END`;

/** The deployment's pipeline variables could not be read: its links and version are not all known. */
const variablesUnread = (d) => `COALESCE(${d}.unread_fields, '') LIKE '%"variables"%'`;

/** A user name as looked up: trimmed, lower-cased. */
const nameKey = (name) => `lower(btrim(${name}))`;

/**
 * The person behind user name `name`, `pn` a `person_name` row LEFT joined on `nameKey(name)`: the
 * resolved person, else a person of the name's own. NULL for an empty name or a shared
 * placeholder account (`~ghost`), which is nobody in particular and never the same person as anyone.
 */
const person = (name, pn) =>
  `CASE WHEN ${name} IS NULL OR ${name} = '' OR ${name} LIKE '~%' THEN NULL
        ELSE COALESCE(${pn}.person_key, 'unknown:' || ${nameKey(name)}) END`;

/**
 * The window `[now − days, now]` as the store's instants (ISO-8601 UTC with milliseconds, which
 * compare as strings).
 */
const windowOf = (now, days) => [
  new Date(now.getTime() - Number(days) * 86_400_000).toISOString(),
  now.toISOString(),
];

/** Subjects of a service: `<service>@production`. */
const serviceRef = (service) => `${service} || '@production'`;

/** A version as compared: trimmed, one leading `v` dropped, case ignored. */
const version = (v) => `lower(regexp_replace(btrim(${v}), '^[vV]', ''))`;

/** Current CMDB items of a service (`si` its service_info row): by the item's service, or by its CMDB key. */
const itemOf = (ci, service) =>
  `NOT ${ci}.deleted AND (${ci}.service = ${service} OR ${ci}.name = si.cmdb_key)`;

/**
 * Each service's latest successful production deployment (latest start; on a tie, the largest
 * connector and id), with its deployment version (tag, VERSION variable, else short SHA; unknown
 * when it records none and its variables could not be read).
 */
const LATEST_PER_SERVICE = `
  SELECT DISTINCT ON (d.service) d.service, d.connector, d.external_id,
         CASE WHEN d.version IS NULL AND ${variablesUnread('d')} THEN NULL
              ELSE COALESCE(d.version, NULLIF(substr(d.commit_sha, 1, 8), '')) END AS version
  FROM deployment d
  JOIN (SELECT service, MAX(started_at) AS started_at FROM deployment
        WHERE ${production('deployment')} AND service IS NOT NULL GROUP BY service) latest
    ON latest.service = d.service AND latest.started_at = d.started_at
  WHERE ${production('d')}
  ORDER BY d.service, d.connector DESC, d.external_id DESC`;

const FLOOR = {
  // RM-CHG-001 Unlinked production deployment: no linked change exists in the change source.
  // Undecided (left out): its variables were unread, so a change may be named where we cannot see.
  'RM-CHG-001': {
    sql: `
SELECT ${deploymentRef('d')} AS ref
FROM deployment d
WHERE ${production('d')} AND NOT ${variablesUnread('d')}
  AND NOT EXISTS (
    SELECT 1 FROM link l JOIN change_request c ON c.number = l.change_number AND NOT c.deleted
    WHERE l.deployment_connector = d.connector AND l.deployment_id = d.external_id)`,
    args: () => [],
  },

  // RM-CHG-002 Change not approved at deployment time: a linked change that is not standard and
  // is not approved, records no approval time, was approved after the deployment started, or is
  // canceled / still new, assess or authorize.
  'RM-CHG-002': {
    sql: `
SELECT DISTINCT ${deploymentRef('d')} AS ref
FROM deployment d
JOIN link l ON l.deployment_connector = d.connector AND l.deployment_id = d.external_id
JOIN change_request c ON c.number = l.change_number AND NOT c.deleted
WHERE ${production('d')} AND c.type <> 'standard'
  AND (c.approval <> 'approved' OR c.approval_set_at IS NULL
       OR c.approval_set_at > d.started_at
       OR c.state IN ('canceled', 'new', 'assess', 'authorize'))`,
    args: () => [],
  },

  // RM-CHG-003 Deployment outside change window: it links at least one non-emergency change, and
  // its start is inside [planned start − grace, planned end + grace] of none of them (a change
  // without a planned window gives none).
  'RM-CHG-003': {
    sql: `
SELECT ${deploymentRef('d')} AS ref
FROM deployment d
JOIN link l ON l.deployment_connector = d.connector AND l.deployment_id = d.external_id
JOIN change_request c ON c.number = l.change_number AND NOT c.deleted AND c.type <> 'emergency'
WHERE ${production('d')}
GROUP BY d.connector, d.external_id, d.project
HAVING NOT bool_or(COALESCE(
  d.started_at::timestamptz BETWEEN c.planned_start::timestamptz - $1 * interval '1 minute'
                                     AND c.planned_end::timestamptz + $1 * interval '1 minute', FALSE))`,
    args: ({ params }) => [Number(params.graceMinutes)],
  },

  // RM-EMG-001 Emergency change review overdue: an emergency change linked to a production
  // deployment, closed more than reviewHours after the first linked deployment finished, or not
  // closed and already past that time at the run's clock.
  'RM-EMG-001': {
    sql: `
SELECT c.connector || ':' || c.number AS ref
FROM change_request c
JOIN link l ON l.change_number = c.number
JOIN deployment d ON d.connector = l.deployment_connector AND d.external_id = l.deployment_id
WHERE c.type = 'emergency' AND NOT c.deleted AND ${production('d')}
GROUP BY c.connector, c.number, c.state, c.closed_at
HAVING CASE WHEN c.state = 'closed' AND c.closed_at <> '' THEN c.closed_at::timestamptz ELSE $2::timestamptz END
       > MIN(COALESCE(d.finished_at, d.started_at)::timestamptz) + $1 * interval '1 hour'`,
    args: ({ params, now }) => [Number(params.reviewHours), now.toISOString()],
  },

  // RM-EMG-002 Emergency change rate too high: in the last windowDays, more than maxShare of the
  // service's production deployments link an emergency change, with at least minDeployments.
  'RM-EMG-002': {
    sql: `
SELECT ${serviceRef('d.service')} AS ref
FROM deployment d
LEFT JOIN (SELECT DISTINCT l.deployment_connector, l.deployment_id
           FROM link l JOIN change_request c ON c.number = l.change_number AND NOT c.deleted AND c.type = 'emergency') e
  ON e.deployment_connector = d.connector AND e.deployment_id = d.external_id
WHERE ${production('d')} AND d.service IS NOT NULL
  AND d.started_at BETWEEN $1 AND $2
GROUP BY d.service
HAVING COUNT(*) >= $3 AND COUNT(e.deployment_id)::float8 / COUNT(*) > $4`,
    args: ({ params, now }) => [
      ...windowOf(now, params.windowDays),
      Number(params.minDeployments),
      Number(params.maxShare),
    ],
  },

  // RM-PIPE-001 Deployment bypassed the pipeline: not produced by a CI job.
  'RM-PIPE-001': {
    sql: `
SELECT ${deploymentRef('d')} AS ref FROM deployment d
WHERE ${production('d')} AND NOT d.via_pipeline`,
    args: () => [],
  },

  // RM-PIPE-002 Unsigned or unverified commit released: a commit shipped with a production
  // deployment (the deployed commit, in the service's GitLab repository — a Jenkins deployment's is
  // the repository its shipped range was read from — and the commits of its shipped MRs) whose
  // recorded signature is not a passing one (the GitLab mapper stores verified_ca as verified).
  // Undecided (left out): a shipped commit that was not collected.
  'RM-PIPE-002': {
    sql: `
WITH shipped AS (
  SELECT COALESCE(sr.repository_connector, d.connector) AS connector, COALESCE(sr.repository, d.project) AS project,
         d.commit_sha AS sha
  FROM deployment d
  LEFT JOIN shipped_range sr ON sr.deployment_connector = d.connector AND sr.deployment_id = d.external_id
  WHERE ${production('d')} AND d.commit_sha <> ''
  UNION
  SELECT m.connector, m.project, s.sha
  FROM deployment d
  JOIN deployment_mr dm ON dm.deployment_connector = d.connector AND dm.deployment_id = d.external_id AND NOT dm.deleted
  JOIN merge_request m ON m.connector = dm.connector AND m.external_id = dm.merge_request_id AND NOT m.deleted
  CROSS JOIN LATERAL jsonb_array_elements_text(m.commit_shas::jsonb) s(sha)
  WHERE ${production('d')} AND m.commit_shas <> '[]')
SELECT DISTINCT s.connector || ':' || s.project || '@' || s.sha AS ref
FROM shipped s
JOIN git_commit gc ON gc.connector = s.connector AND gc.project = s.project AND gc.sha = s.sha AND NOT gc.deleted
WHERE gc.signature NOT IN ('verified', 'verified_system')`,
    args: () => [],
  },

  // RM-PIPE-003 Merge without required approvals: an MR shipped with a production deployment that
  // GitLab still counts approvals left on, or with fewer than minApprovals approvers.
  // Undecided (left out): its approvals could not be read (approved_by NULL).
  'RM-PIPE-003': {
    sql: `
SELECT DISTINCT m.connector || ':' || m.project || '!' || m.iid AS ref
FROM merge_request m
JOIN deployment_mr dm ON dm.connector = m.connector AND dm.merge_request_id = m.external_id AND NOT dm.deleted
JOIN deployment d ON d.connector = dm.deployment_connector AND d.external_id = dm.deployment_id
WHERE NOT m.deleted AND ${production('d')} AND jsonb_typeof(m.approved_by::jsonb) = 'array'
  AND (COALESCE(m.approvals_left, 0) > 0 OR jsonb_array_length(m.approved_by::jsonb) < $1)`,
    args: ({ params }) => [Number(params.minApprovals)],
  },

  // RM-RBK-001 Rollback rate over threshold: more than maxRollbacks production rollbacks in the
  // last windowDays. A rollback redeploys a commit first deployed to the environment before the
  // commit that was running just before it (the previous production deployment there).
  'RM-RBK-001': {
    sql: `
WITH redeploy AS (
  -- deployments of the window whose commit was deployed to the environment before: the candidates
  SELECT d.service, d.environment, d.commit_sha, d.started_at, d.external_id
  FROM deployment d
  WHERE ${production('d')} AND d.service IS NOT NULL AND d.started_at BETWEEN $1 AND $2
    AND EXISTS (SELECT 1 FROM deployment e
                WHERE e.commit_sha = d.commit_sha AND e.service = d.service AND e.environment = d.environment
                  AND ${production('e')} AND e.started_at < d.started_at))
SELECT ${serviceRef('r.service')} AS ref
FROM redeploy r
CROSS JOIN LATERAL (
  SELECT p.commit_sha FROM deployment p
  WHERE ${production('p')} AND p.service = r.service AND p.environment = r.environment
    AND (p.started_at, p.external_id) < (r.started_at, r.external_id)
  ORDER BY p.started_at DESC, p.external_id DESC LIMIT 1) previous
WHERE (SELECT MIN(f.started_at) FROM deployment f
       WHERE ${production('f')} AND f.service = r.service AND f.environment = r.environment AND f.commit_sha = r.commit_sha)
    < (SELECT MIN(f.started_at) FROM deployment f
       WHERE ${production('f')} AND f.service = r.service AND f.environment = r.environment AND f.commit_sha = previous.commit_sha)
GROUP BY r.service
HAVING COUNT(*) > $3`,
    args: ({ params, now }) => [...windowOf(now, params.windowDays), Number(params.maxRollbacks)],
  },

  // RM-EVD-001 Test evidence missing: produced by a pipeline that archived no test report.
  'RM-EVD-001': {
    sql: `
SELECT ${deploymentRef('d')} AS ref FROM deployment d
WHERE ${production('d')} AND d.via_pipeline AND d.test_report IS NULL`,
    args: () => [],
  },

  // RM-SOD-001 Self-approval: an approver (approval record approved) of a change linked to a
  // production deployment is the requester's person; or an approver of an MR shipped with a
  // production deployment is the author's person.
  // Undecided (left out): an MR whose approvals could not be read.
  'RM-SOD-001': {
    sql: `
SELECT DISTINCT c.connector || ':' || c.number AS ref
FROM change_request c
JOIN change_approval a ON a.change_number = c.number AND a.state = 'approved' AND NOT a.deleted
LEFT JOIN person_name pr ON pr.name_lower = ${nameKey('c.requested_by')}
LEFT JOIN person_name pa ON pa.name_lower = ${nameKey('a.approver')}
WHERE NOT c.deleted
  AND ${person('c.requested_by', 'pr')} = ${person('a.approver', 'pa')}
  AND EXISTS (SELECT 1 FROM link l JOIN deployment d ON d.connector = l.deployment_connector AND d.external_id = l.deployment_id
              WHERE l.change_number = c.number AND ${production('d')})
UNION ALL
SELECT DISTINCT m.connector || ':' || m.project || '!' || m.iid
FROM merge_request m
CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof(m.approved_by::jsonb) = 'array' THEN m.approved_by::jsonb END) ap(name)
LEFT JOIN person_name pm ON pm.name_lower = ${nameKey('m.author')}
LEFT JOIN person_name pb ON pb.name_lower = ${nameKey('ap.name')}
WHERE NOT m.deleted
  AND ${person('m.author', 'pm')} = ${person('ap.name', 'pb')}
  AND EXISTS (SELECT 1 FROM deployment_mr dm JOIN deployment d ON d.connector = dm.deployment_connector AND d.external_id = dm.deployment_id
              WHERE dm.connector = m.connector AND dm.merge_request_id = m.external_id AND NOT dm.deleted AND ${production('d')})`,
    args: () => [],
  },

  // RM-SOD-002 Dual control missing on high-impact release: a production deployment of a
  // high-impact service with fewer than minApprovers distinct people approving — its linked changes'
  // approvals and its own deployment approvals — once the deployer, the authors of its shipped MRs
  // and the deployed commit's author are left out. A shared account's approvals are nobody in
  // particular: each one counts as a person of its own.
  // Undecided (left out): its deployment approvals or its pipeline variables could not be read.
  'RM-SOD-002': {
    sql: `
WITH hd AS (
  SELECT d.connector, d.external_id, d.project, d.triggered_by, d.commit_sha, d.approvals::jsonb AS approvals
  FROM deployment d JOIN service_info s ON s.name = d.service AND s.high_impact
  WHERE ${production('d')} AND NOT ${variablesUnread('d')}
    AND d.approvals IS NOT NULL AND jsonb_typeof(d.approvals::jsonb) = 'array'),
approver AS (
  SELECT DISTINCT hd.connector, hd.external_id, c.connector AS change_connector, c.number, a.approver AS name
  FROM hd
  JOIN link l ON l.deployment_connector = hd.connector AND l.deployment_id = hd.external_id
  JOIN change_request c ON c.number = l.change_number AND NOT c.deleted
  JOIN change_approval a ON a.change_number = c.number AND a.state = 'approved' AND NOT a.deleted
  UNION ALL
  SELECT hd.connector, hd.external_id, NULL, NULL, x.approval->>'user'
  FROM hd CROSS JOIN LATERAL jsonb_array_elements(hd.approvals) x(approval)
  WHERE x.approval->>'status' = 'approved'),
approver_person AS (
  SELECT a.connector, a.external_id,
         CASE WHEN a.name LIKE '~%' THEN 'shared#' || row_number() OVER () ELSE ${person('a.name', 'pn')} END AS person
  FROM approver a LEFT JOIN person_name pn ON pn.name_lower = ${nameKey('a.name')}),
excluded AS (
  SELECT hd.connector, hd.external_id, hd.triggered_by AS name FROM hd
  UNION ALL
  SELECT hd.connector, hd.external_id, m.author
  FROM hd
  JOIN deployment_mr dm ON dm.deployment_connector = hd.connector AND dm.deployment_id = hd.external_id AND NOT dm.deleted
  JOIN merge_request m ON m.connector = dm.connector AND m.external_id = dm.merge_request_id AND NOT m.deleted
  UNION ALL
  SELECT hd.connector, hd.external_id,
         COALESCE((SELECT MIN(NULLIF(gc.author_email, '')) FROM git_commit gc WHERE gc.sha = hd.commit_sha AND NOT gc.deleted),
                  (SELECT MIN(gc.author_name) FROM git_commit gc WHERE gc.sha = hd.commit_sha AND NOT gc.deleted))
  FROM hd),
excluded_person AS (
  SELECT x.connector, x.external_id, ${person('x.name', 'pn')} AS person
  FROM excluded x LEFT JOIN person_name pn ON pn.name_lower = ${nameKey('x.name')})
SELECT ${deploymentRef('hd')} AS ref
FROM hd
LEFT JOIN approver_person ap ON ap.connector = hd.connector AND ap.external_id = hd.external_id AND ap.person IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM excluded_person ex
                  WHERE ex.connector = ap.connector AND ex.external_id = ap.external_id AND ex.person = ap.person)
GROUP BY hd.connector, hd.external_id, hd.project
HAVING COUNT(DISTINCT ap.person) < $1`,
    args: ({ params }) => [Number(params.minApprovers)],
  },

  // RM-SOD-003 Author deployed own change: the deployer's person authored an MR shipped with the
  // production deployment.
  'RM-SOD-003': {
    sql: `
SELECT DISTINCT ${deploymentRef('d')} AS ref
FROM deployment d
JOIN deployment_mr dm ON dm.deployment_connector = d.connector AND dm.deployment_id = d.external_id AND NOT dm.deleted
JOIN merge_request m ON m.connector = dm.connector AND m.external_id = dm.merge_request_id AND NOT m.deleted
LEFT JOIN person_name pd ON pd.name_lower = ${nameKey('d.triggered_by')}
LEFT JOIN person_name pa ON pa.name_lower = ${nameKey('m.author')}
WHERE ${production('d')} AND ${person('d.triggered_by', 'pd')} = ${person('m.author', 'pa')}`,
    args: () => [],
  },

  // RM-ART-001 Artifact changed between build and deployment: an artifact the deployment used was
  // first fingerprinted by the deploy build itself, or has another digest than the same file in the
  // build that produced it (the fingerprint's original build, else the upstream cause).
  // Undecided (left out): the producing build or its file was not collected.
  'RM-ART-001': {
    sql: `
SELECT DISTINCT ${deploymentRef('d')} AS ref
FROM deployment d
CROSS JOIN LATERAL jsonb_array_elements(d.artifacts::jsonb) a(artifact)
LEFT JOIN build b ON b.connector = d.connector AND NOT b.deleted
  AND b.external_id = COALESCE(a.artifact->>'originBuild',
        (SELECT c.cause->>'upstream' FROM jsonb_array_elements(COALESCE(d.causes, '[]')::jsonb) WITH ORDINALITY c(cause, n)
         WHERE c.cause->>'type' = 'upstream' ORDER BY c.n LIMIT 1))
WHERE ${production('d')} AND d.artifacts IS NOT NULL AND d.artifacts <> '[]'
  AND (a.artifact->>'originBuild' = d.external_id
       OR lower((SELECT f.file->>'md5' FROM jsonb_array_elements(b.artifacts::jsonb) WITH ORDINALITY f(file, n)
                 WHERE f.file->>'fileName' = a.artifact->>'fileName' ORDER BY f.n LIMIT 1))
          <> lower(a.artifact->>'digest'))`,
    args: () => [],
  },

  // RM-CHG-004 Change does not cover the deployed service: the deployment links at least one
  // change, and none names the service's CI — one of the service's CMDB items by sys_id or by name
  // (case ignored), or the service's name or CMDB key.
  // Undecided (left out): the deployment has no service; or the CMDB has no item for the service
  // while a linked change names some CI (which may be the service's). The item lookups are
  // uncorrelated IN lists, which PostgreSQL hashes once; a correlated EXISTS per (deployment,
  // change) row took 18.6 s at a million deployments.
  'RM-CHG-004': {
    sql: `
WITH item AS (
  SELECT ci.service, ci.external_id AS sys_id, lower(ci.name) AS name_lower
  FROM config_item ci WHERE NOT ci.deleted AND ci.service IS NOT NULL
  UNION
  SELECT si.name, ci.external_id, lower(ci.name)
  FROM service_info si JOIN config_item ci ON ci.name = si.cmdb_key AND NOT ci.deleted)
SELECT ${deploymentRef('d')} AS ref
FROM deployment d
LEFT JOIN service_info si ON si.name = d.service
JOIN link l ON l.deployment_connector = d.connector AND l.deployment_id = d.external_id
JOIN change_request c ON c.number = l.change_number AND NOT c.deleted
WHERE ${production('d')} AND d.service IS NOT NULL
GROUP BY d.connector, d.external_id, si.cmdb_key
HAVING NOT bool_or(COALESCE(
         (d.service, c.ci_sys_id) IN (SELECT service, sys_id FROM item)
         OR (d.service, lower(c.ci_name)) IN (SELECT service, name_lower FROM item)
         OR lower(c.ci_name) IN (lower(d.service), lower(si.cmdb_key)), FALSE))
   AND (d.service IN (SELECT service FROM item)
        OR NOT bool_or(COALESCE(c.ci_sys_id, '') <> '' OR COALESCE(c.ci_name, '') <> ''))`,
    args: () => [],
  },

  // RM-ACC-001 Developer holds production access: a person in role developer (not a service
  // account) holds a production entitlement, unless it is unexpired and the person is in role
  // break-glass. CyberArk group and predefined members are not persons who hold a role.
  'RM-ACC-001': {
    sql: `
SELECT e.connector || ':' || e.holder || ':' || e.resource AS ref
FROM entitlement e
JOIN person_name pn ON pn.name_lower = ${nameKey('e.holder')}
JOIN person p ON p.person_key = pn.person_key AND NOT p.service_account
WHERE NOT e.deleted AND e.is_production AND e.holder_type NOT IN ('group', 'predefined')
  AND EXISTS (SELECT 1 FROM role_member r WHERE r.person_key = p.person_key AND r.role = 'developer')
  AND NOT ((e.expires_at IS NULL OR e.expires_at > $1)
           AND EXISTS (SELECT 1 FROM role_member r WHERE r.person_key = p.person_key AND r.role = 'break-glass'))`,
    args: ({ now }) => [now.toISOString()],
  },

  // RM-ACC-002 Access held by leaver or unknown identity: the holder's person is not active in any
  // identity source (a leaver, or unknown to all), and is not a service account. CyberArk group
  // and predefined members are not persons.
  // Undecided (left out): every entitlement when no identity source is configured; a holder the
  // derived model did not resolve.
  'RM-ACC-002': {
    sql: `
SELECT e.connector || ':' || e.holder || ':' || e.resource AS ref
FROM entitlement e
JOIN person_name pn ON pn.name_lower = ${nameKey('e.holder')}
JOIN person p ON p.person_key = pn.person_key
WHERE $1 AND NOT e.deleted AND e.holder_type NOT IN ('group', 'predefined')
  AND NOT p.active AND NOT p.service_account`,
    args: ({ config }) => [config.identities.sources.length > 0],
  },

  // RM-ACC-003 Standing privileged access: a production entitlement with no expiry whose holder is
  // neither a service account (predefined members are) nor in role break-glass; groups included.
  // Undecided (left out): a holder the derived model did not resolve.
  'RM-ACC-003': {
    sql: `
SELECT e.connector || ':' || e.holder || ':' || e.resource AS ref
FROM entitlement e
JOIN person_name pn ON pn.name_lower = ${nameKey('e.holder')}
JOIN person p ON p.person_key = pn.person_key AND NOT p.service_account
WHERE NOT e.deleted AND e.is_production AND e.expires_at IS NULL AND e.holder_type <> 'predefined'
  AND NOT EXISTS (SELECT 1 FROM role_member r WHERE r.person_key = p.person_key AND r.role = 'break-glass')`,
    args: () => [],
  },

  // RM-QG-001 Quality gate not passed: the deployed commit has no SonarQube analysis in the
  // service's projects (the analysis's service, or the service's SonarQube key), or the latest
  // analysis of the commit in one of those projects has quality gate ERROR.
  // Undecided (left out): the deployed commit is unknown.
  'RM-QG-001': {
    sql: `
WITH latest AS (
  SELECT DISTINCT ON (connector, project_key, revision) project_key, revision, service, status
  FROM quality_gate WHERE NOT deleted AND revision IS NOT NULL
  ORDER BY connector, project_key, revision, analysed_at DESC, external_id DESC)
SELECT ${deploymentRef('d')} AS ref
FROM deployment d
LEFT JOIN service_info si ON si.name = d.service
LEFT JOIN latest q ON q.revision = d.commit_sha AND (q.service = d.service OR q.project_key = si.sonarqube_key)
WHERE ${production('d')} AND d.commit_sha <> ''
GROUP BY d.connector, d.external_id, d.project
HAVING COUNT(q.revision) = 0 OR bool_or(q.status = 'ERROR')`,
    args: () => [],
  },

  // RM-INV-001 CMDB version drift: an installed production item of the service (used for
  // production; items with no used_for only when it has none) records no version, or another
  // version than the service's latest production deployment.
  // Undecided (left out): that deployment's version is unknown.
  'RM-INV-001': {
    sql: `
WITH latest AS (${LATEST_PER_SERVICE})
SELECT DISTINCT ${serviceRef('d.service')} AS ref
FROM latest d
LEFT JOIN service_info si ON si.name = d.service
JOIN config_item ci ON ${itemOf('ci', 'd.service')} AND ci.install_status = 'installed'
WHERE d.version IS NOT NULL
  AND (lower(ci.environment) LIKE 'prod%'
       OR (ci.environment IS NULL AND NOT EXISTS (
             SELECT 1 FROM config_item o
             WHERE ${itemOf('o', 'd.service')} AND o.install_status = 'installed' AND lower(o.environment) LIKE 'prod%')))
  AND (ci.version IS NULL OR ${version('ci.version')} <> ${version('d.version')})`,
    args: () => [],
  },

  // RM-INV-002 Deployed service missing from CMDB: a service with a production deployment has no
  // current CMDB item that is not retired.
  'RM-INV-002': {
    sql: `
SELECT ${serviceRef('d.service')} AS ref
FROM (SELECT DISTINCT service FROM deployment d WHERE ${production('d')} AND d.service IS NOT NULL) d
LEFT JOIN service_info si ON si.name = d.service
WHERE NOT EXISTS (SELECT 1 FROM config_item ci WHERE ${itemOf('ci', 'd.service')} AND ci.install_status <> 'retired')`,
    args: () => [],
  },
};

module.exports = { FLOOR };
