#!/usr/bin/env node
/**
 * Evaluation benchmark (issue: the whole control catalog): on PostgreSQL, evaluate every control —
 * all 21, RM-SOD-003 switched on — over synthetic estates of N production deployments and as many
 * changes, with every record kind a control reads (links, approvals, merge requests, commits,
 * SonarQube analyses, Jenkins builds, CMDB items, users, groups and entitlements), at each size
 * given, and record how long the derived model, each control and the whole evaluation take, and
 * which controls ran. The target: 1,000,000 deployments in under 60 s on this 2-core machine,
 * growing linearly.
 *
 * The floor: right after the evaluation, each control that ran is evaluated again as one
 * hand-written SQL statement over the same tables (bench/evaluate-floor.sql.js), and the benchmark
 * records per control its query time (`query`), the hand-written one's (`floorSeconds`), their
 * `ratio`, and whether both flag the same subject refs (`sameRefs`; on a mismatch the refs only
 * one side flags, `onlyControl` / `onlyFloor`, and the run lists the control in `floorMismatches`).
 * Per run, `floorSeconds` is their sum, `ratio` the whole evaluation over it (the target: at most
 * 2) and `controlsRatio` the controls' own queries and decisions over it. The same queries are
 * checked against the controls on the control specs' edge cases by bench/evaluate-floor.shadow.js.
 *
 *   npm run build && node bench/evaluate-scale.js [size…]      (default 100000 1000000)
 *
 * Needs PostgreSQL on 127.0.0.1:5432 (trust auth, as the tests). Writes bench/results/evaluate-scale.json.
 */
'use strict';
require('reflect-metadata');
const { randomBytes } = require('node:crypto');
const { writeFileSync, mkdirSync } = require('node:fs');
const { cpus, totalmem } = require('node:os');
const { join } = require('node:path');
const { Client } = require('pg');
const { DataSource } = require('typeorm');

const root = join(__dirname, '..');
const dist = (p) => require(join(root, 'dist/apps/hub/src', p));
const { dataSourceOptions, runMigrations } = dist('store/data-source.factory');
const { CONTROL_CLASSES } = dist('controls/control.registry');
const { outcomeOf } = dist('controls/control');
const { DerivedModelService } = dist('identities');
const { FindingService } = dist('findings/finding.service');
const { defaultConfig } = dist('config/config.schema');
const { CONTROL_CATALOG } = require('@audit-hub/domain');
const { FLOOR } = require('./evaluate-floor.sql');

const ADMIN = process.env.AUDIT_HUB_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NOW = new Date('2026-11-02T00:00:00.000Z');
/** Every record kind: the synthetic estate holds them all, so no control is disabled for lack of data. */
const PROVIDED = [
  'deployment',
  'change',
  'change-approval',
  'merge-request',
  'deployment-mr',
  'commit',
  'identity',
  'group-membership',
  'entitlement',
  'config-item',
  'quality-gate',
  'build',
];

/** The connectors of the synthetic estate, as a config lists them (plugins decide labels, keys, identity sources). */
const CONNECTORS = ['gitlab', 'jenkins', 'servicenow', 'cmdb', 'sonarqube', 'vault', 'cyberark'].map(
  (id) => ({
    id,
    plugin: id,
    baseUrl: `https://${id}.example.com`,
    enabled: true,
    auth: {},
    options: {},
    http: {},
  }),
);

/** One service per 2,000 deployments (at least 10). */
const servicesOf = (n) => Math.max(10, Math.round(n / 2000));
/** One entitlement holder per 400 deployments (at least 100), each holding ~20 entitlements: n/20 in all. */
const holdersOf = (n) => Math.max(100, Math.round(n / 400));

/**
 * The config the estate is evaluated with: every connector, the roles from ServiceNow groups,
 * production globs for Vault and CyberArk, a catalog entry for every 25th service (high criticality,
 * a CMDB name of its own), and RM-SOD-003 (off by default) switched on so that it is measured too.
 */
function benchConfig(n) {
  const services = [];
  for (let k = 4; k < servicesOf(n); k += 25) {
    services.push({
      name: `svc-${k}`,
      criticality: 'high',
      team: `team-${k % 7}`,
      personalData: k % 2 === 0,
      keys: { cmdb: `SVC-${k} Application` },
    });
  }
  return {
    ...defaultConfig(),
    connectors: CONNECTORS,
    services,
    identities: { sources: ['servicenow'], aliases: {}, serviceAccountPattern: '^svc[-_]' },
    roles: {
      developer: { groups: ['servicenow:Developers'], users: [] },
      'break-glass': { groups: ['servicenow:Break-Glass'], users: ['emp1'] },
    },
    production: { vaultPolicies: ['*prod*'], cyberarkSafes: ['PROD-*'] },
    controls: { 'RM-SOD-003': { enabled: true, params: {} } },
  };
}

const sum = (values) => Number(values.reduce((a, b) => a + b, 0).toFixed(3));
const round3 = (x) => Number(x.toFixed(3));
/** Refs shown of a mismatch, per side. */
const SAMPLE = 10;

/** An SQL timestamp as the store writes instants (ISO-8601 UTC, milliseconds). */
const iso = (expr) => `to_char(${expr}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Synthetic estate, generated inside PostgreSQL. Deployment `i` (1..n) is of service `svc-<i % S>`;
 * every 10th is a Jenkins deploy build (its artifact fingerprinted by an upstream build), the rest
 * GitLab deployments; each ships one MR and one commit. Deployment `i` links change `i` (~2%
 * unlinked, ~2% naming a change that does not exist), whose CI is the service's (~1% another
 * service's, ~0.1% none). Planted violations, each ~0.1–2%: late approvals, deployments outside their
 * change's window, self-approvals, authors deploying their own MR, unsigned commits, quality gate
 * ERROR or no analysis, tampered or never-built artifacts, CMDB version drift, missing or retired CMDB
 * items; among entitlements, leavers, unknown holders, developers with production access and
 * standing access.
 */
async function seed(ds, n) {
  const S = servicesOf(n);
  const H = holdersOf(n);
  const q = (sql) => ds.query(sql);
  const svc = (k) => `'svc-' || (${k})`;
  const jenkins = 'i % 10 = 5';
  const connector = `CASE WHEN ${jenkins} THEN 'jenkins' ELSE 'gitlab' END`;
  const deploymentId = `CASE WHEN ${jenkins} THEN ${svc(`i % ${S}`)} || '/deploy#' || i ELSE i::text END`;
  const producingBuild = `${svc(`i % ${S}`)} || '/build#' || i`;
  const sha = `md5('c' || i) || lpad('', 8, '0')`;
  const startedAt = `timestamp '2026-08-01' + (i % 90) * interval '1 day' + (i % 97) * interval '1 minute'`;
  /** The CMDB name of service k's item: its catalog key for every 25th service, else its own name. */
  const ciName = (k) =>
    `CASE WHEN (${k}) % 25 = 4 THEN 'SVC-' || (${k}) || ' Application' ELSE ${svc(k)} END`;
  /** Holder j: ~2% contractors no identity source knows, ~2.5% service accounts, the rest employees. */
  const holder = (j) =>
    `CASE WHEN (${j}) % 53 = 7 THEN 'contractor' || (${j}) WHEN (${j}) % 41 = 9 THEN 'svc-batch-' || (${j}) ELSE 'emp' || (${j}) END`;

  await q(`INSERT INTO change_request (connector, number, record_id, sys_id, type, state, approval, approval_set_at, planned_start, planned_end, requested_by, ci_sys_id, ci_name, short_description, description, deleted)
    SELECT 'servicenow', 'CHG' || lpad(i::text, 7, '0'), 0, md5(i::text),
           CASE WHEN i % 20 = 0 THEN 'standard' WHEN i % 50 = 0 THEN 'emergency' ELSE 'normal' END,
           CASE WHEN i % 20 = 0 THEN 'closed' ELSE 'implement' END, 'approved',
           ${iso(`timestamp '2026-08-01' + (i % 90) * interval '1 day' + (i % 97) * interval '1 minute' + CASE WHEN i % 211 = 5 THEN interval '1 hour' ELSE interval '-1 hour' END`)},
           ${iso(`timestamp '2026-08-01' + (i % 90) * interval '1 day' + CASE WHEN i % 223 = 6 THEN interval '8 hours' ELSE interval '-2 hours' END`)},
           ${iso(`timestamp '2026-08-01' + (i % 90) * interval '1 day' + CASE WHEN i % 223 = 6 THEN interval '10 hours' ELSE interval '6 hours' END`)},
           'user' || (i % 500),
           CASE WHEN i % 997 = 2 THEN NULL ELSE md5('ci' || ck) END,
           CASE WHEN i % 997 = 2 THEN NULL ELSE ${ciName('ck')} END,
           'Release ' || i, '', FALSE
    FROM (SELECT i, CASE WHEN i % 97 = 1 THEN (i + 1) % ${S} ELSE i % ${S} END AS ck
          FROM generate_series(1, ${n}) AS i) AS s`);
  await q(`INSERT INTO deployment (connector, external_id, record_id, project, service, environment, tier, is_production, status, started_at, finished_at, commit_sha, commit_message, ref, is_tag, version, triggered_by, via_pipeline, pipeline_id, variables, approvals, test_report, artifacts, causes, deleted)
    SELECT ${connector}, ${deploymentId}, 0,
           CASE WHEN ${jenkins} THEN ${svc(`i % ${S}`)} || '/deploy' ELSE 'acme/' || ${svc(`i % ${S}`)} END,
           ${svc(`i % ${S}`)}, 'production', CASE WHEN ${jenkins} THEN NULL ELSE 'production' END, TRUE, 'success',
           ${iso(startedAt)}, ${iso(`${startedAt} + interval '5 minutes'`)},
           ${sha}, 'Release', 'main', FALSE, 'v' || i,
           CASE WHEN i % 397 = 0 THEN 'dev' || (i % 400) ELSE 'deployer' || (i % 300) END,
           i % 997 <> 7, CASE WHEN ${jenkins} THEN NULL ELSE i::text END,
           CASE WHEN ${jenkins} THEN json_build_object('ENVIRONMENT', 'production', 'VERSION', 'v' || i)::text ELSE '{}' END,
           '[]', CASE WHEN i % 499 = 3 THEN NULL ELSE '{"total":10,"failed":0}' END,
           CASE WHEN ${jenkins} THEN json_build_array(json_build_object(
             'fileName', ${svc(`i % ${S}`)} || '-' || i || '.jar', 'digest', md5('a' || i), 'algorithm', 'md5',
             'originBuild', CASE WHEN i % 1000 = 25 THEN ${deploymentId} ELSE ${producingBuild} END))::text
           ELSE '[]' END,
           CASE WHEN ${jenkins} THEN json_build_array(json_build_object('type', 'upstream', 'upstream', ${producingBuild}))::text
           ELSE '[]' END,
           FALSE
    FROM generate_series(1, ${n}) AS i`);
  // The builds that produced the Jenkins deployments' artifacts (~1% tampered since, ~1% not collected).
  await q(`INSERT INTO build (connector, external_id, record_id, job, number, result, started_at, duration_ms, finished_at, commit_sha, parameters, causes, artifacts, test_report, service, deleted)
    SELECT 'jenkins', ${producingBuild}, 0, ${svc(`i % ${S}`)} || '/build', i, 'SUCCESS',
           ${iso(`${startedAt} - interval '30 minutes'`)}, 600000, ${iso(`${startedAt} - interval '20 minutes'`)},
           ${sha}, '{}', '[{"type":"scm"}]',
           json_build_array(json_build_object('fileName', ${svc(`i % ${S}`)} || '-' || i || '.jar',
             'md5', CASE WHEN i % 1000 = 15 THEN md5('tampered' || i) ELSE md5('a' || i) END))::text,
           '{"total":120,"failed":0}', ${svc(`i % ${S}`)}, FALSE
    FROM generate_series(1, ${n}) AS i WHERE ${jenkins} AND i % 1000 <> 35`);
  await q(`INSERT INTO link (deployment_connector, deployment_id, change_number, found_in, source_ref)
    SELECT ${connector}, ${deploymentId}, 'CHG' || lpad((CASE WHEN i % 47 = 0 THEN i + ${n} ELSE i END)::text, 7, '0'), 'variable', 'CHANGE_ID'
    FROM generate_series(1, ${n}) AS i WHERE i % 53 <> 0`);
  await q(`INSERT INTO change_approval (connector, external_id, record_id, change_number, approver, state, decided_at, deleted)
    SELECT 'servicenow', 'a' || i || '-' || k, 0, 'CHG' || lpad(i::text, 7, '0'),
           CASE WHEN i % 401 = 0 AND k = 1 THEN 'user' || (i % 500) ELSE 'approver' || ((i + k) % 200) END,
           'approved', NULL, FALSE
    FROM generate_series(1, ${n}) AS i, generate_series(1, 2) AS k`);
  await q(`INSERT INTO merge_request (connector, external_id, record_id, project, service, iid, title, description, author, merged_by, merged_at, merge_commit_sha, target_branch, approved_by, approvals_required, approvals_left, commit_shas, deleted)
    SELECT 'gitlab', 'acme/svc-' || (i % ${S}) || '!' || i, 0, 'acme/svc-' || (i % ${S}), 'svc-' || (i % ${S}), i, 'Change ' || i, '', 'dev' || (i % 400), 'dev' || ((i + 1) % 400), NULL, NULL, 'main',
           CASE WHEN i % 409 = 0 THEN '["dev' || (i % 400) || '"]' ELSE '["rev' || (i % 100) || '"]' END,
           1, CASE WHEN i % 61 = 0 THEN 1 ELSE 0 END, '[]', FALSE
    FROM generate_series(1, ${n}) AS i`);
  // GitLab reads the MRs shipped with each deployment; those of a Jenkins deployment from the service's
  // repository, with the range it read (shipped_range).
  await q(`INSERT INTO deployment_mr (connector, external_id, record_id, deployment_id, merge_request_id, deployment_connector, deleted)
    SELECT 'gitlab', ${deploymentId} || '→acme/svc-' || (i % ${S}) || '!' || i, 0, ${deploymentId}, 'acme/svc-' || (i % ${S}) || '!' || i,
           ${connector}, FALSE
    FROM generate_series(1, ${n}) AS i`);
  await q(`INSERT INTO shipped_range (deployment_connector, deployment_id, repository_connector, repository, from_sha, to_sha, resolved_at)
    SELECT 'jenkins', ${deploymentId}, 'gitlab', 'acme/' || ${svc(`i % ${S}`)}, md5('c' || (i - ${S})) || lpad('', 8, '0'), ${sha},
           '2026-11-01T00:00:00.000Z'
    FROM generate_series(1, ${n}) AS i WHERE ${jenkins}`);
  await q(`INSERT INTO git_commit (connector, external_id, record_id, project, sha, title, message, author_name, author_email, committed_at, signature, deleted)
    SELECT 'gitlab', 'acme/svc-' || (i % ${S}) || '@' || ${sha}, 0, 'acme/svc-' || (i % ${S}), ${sha},
           'Release', 'Release', 'Dev', 'dev' || (i % 400) || '@acme.com', '2026-08-01T00:00:00.000Z', CASE WHEN i % 71 = 0 THEN 'unsigned' ELSE 'verified' END, FALSE
    FROM generate_series(1, ${n}) AS i`);
  // SonarQube: most deployed commits analysed OK (some re-analysed after an ERROR), ~1% ERROR, ~1% never analysed.
  await q(`INSERT INTO quality_gate (connector, external_id, record_id, project_key, service, revision, analysed_at, status, conditions, deleted)
    SELECT 'sonarqube', 'AX' || i, 0, 'acme:' || ${svc(`i % ${S}`)}, ${svc(`i % ${S}`)}, ${sha},
           ${iso(`${startedAt} - interval '1 hour'`)},
           CASE WHEN i % 100 = 7 THEN 'ERROR' WHEN i % 100 = 21 THEN 'WARN' ELSE 'OK' END,
           CASE WHEN i % 100 = 7 THEN '[{"metric":"new_coverage","status":"ERROR","actual":"42.1","threshold":"80"}]'
                ELSE '[{"metric":"new_coverage","status":"OK","actual":"85.0","threshold":"80"}]' END,
           FALSE
    FROM generate_series(1, ${n}) AS i WHERE i % 100 <> 13
    UNION ALL
    SELECT 'sonarqube', 'AY' || i, 0, 'acme:' || ${svc(`i % ${S}`)}, ${svc(`i % ${S}`)}, ${sha},
           ${iso(`${startedAt} - interval '2 days'`)}, 'ERROR',
           '[{"metric":"new_bugs","status":"ERROR","actual":"3","threshold":"0"}]', FALSE
    FROM generate_series(1, ${n}) AS i WHERE i % 50 = 3`);
  // CMDB: one production item per service recording its latest deployed version (~5% drifted, written
  // without the leading v for a third), ~2% of services missing, ~2% retired, a staging item for a fifth.
  await q(`INSERT INTO config_item (connector, external_id, record_id, name, class, version, environment, install_status, criticality, owner_group, service, deleted)
    WITH latest AS (
      SELECT DISTINCT ON (service) service, COALESCE(version, substr(commit_sha, 1, 8)) AS version
      FROM deployment WHERE is_production AND status = 'success' AND NOT deleted
      ORDER BY service, started_at DESC, connector DESC, external_id DESC)
    SELECT 'cmdb', md5('ci' || k), 0, ${ciName('k')}, 'cmdb_ci_appl',
           CASE WHEN k % 20 = 3 THEN '0.9.0' WHEN k % 3 = 0 THEN substr(latest.version, 2) ELSE latest.version END,
           'Production', CASE WHEN k % 50 = 11 THEN 'retired' ELSE 'installed' END,
           CASE WHEN k % 20 = 0 THEN 1 ELSE 3 + k % 2 END, 'team-' || (k % 7), ${svc('k')}, FALSE
    FROM generate_series(0, ${S - 1}) AS k LEFT JOIN latest ON latest.service = ${svc('k')}
    WHERE k % 50 <> 7
    UNION ALL
    SELECT 'cmdb', md5('cistg' || k), 0, ${ciName('k')}, 'cmdb_ci_appl', '0.0.1-rc', 'Staging', 'installed', 4,
           'team-' || (k % 7), ${svc('k')}, FALSE
    FROM generate_series(0, ${S - 1}) AS k WHERE k % 5 = 2`);
  // ServiceNow users (~3% of employees and ~1% of developers have left), and the groups the roles read.
  await q(`INSERT INTO identity (connector, external_id, record_id, user_name, email, name, active, deleted)
    SELECT 'servicenow', u, 0, u, u || '@acme.com', 'Name of ' || u, active, FALSE FROM (
      SELECT 'user' || j AS u, TRUE AS active FROM generate_series(0, 499) AS j
      UNION ALL SELECT 'approver' || j, TRUE FROM generate_series(0, 199) AS j
      UNION ALL SELECT 'deployer' || j, TRUE FROM generate_series(0, 299) AS j
      UNION ALL SELECT 'dev' || j, j % 97 <> 3 FROM generate_series(0, 399) AS j
      UNION ALL SELECT 'rev' || j, TRUE FROM generate_series(0, 99) AS j
      UNION ALL SELECT ${holder('j')}, j % 31 <> 5 FROM generate_series(0, ${H - 1}) AS j WHERE j % 53 <> 7
    ) AS people`);
  await q(`INSERT INTO group_membership (connector, external_id, record_id, grp, member, source, deleted)
    SELECT 'servicenow', g || '/' || m, 0, g, m, 'servicenow', FALSE FROM (
      SELECT 'Developers' AS g, 'dev' || j AS m FROM generate_series(0, 399) AS j
      UNION ALL SELECT 'Developers', 'emp' || j FROM generate_series(0, ${H - 1}) AS j
        WHERE j % 5 IN (0, 1) AND j % 53 <> 7 AND j % 41 <> 9
      UNION ALL SELECT 'Break-Glass', 'emp' || j FROM generate_series(0, ${H - 1}) AS j
        WHERE j % 37 = 0 AND j % 53 <> 7 AND j % 41 <> 9
      UNION ALL SELECT 'Break-Glass', 'dev' || j FROM generate_series(0, 399) AS j WHERE j % 50 = 0
      UNION ALL SELECT 'CAB', 'approver' || j FROM generate_series(0, 199) AS j
    ) AS members`);
  // Entitlements: ~20 per holder, a quarter production; Vault policies (half held by entities named
  // through an alias, some through a group) never expire; CyberArk safes, some with a grant that
  // expires or has expired; and CyberArk's group and predefined members of production safes.
  await q(`INSERT INTO entitlement (connector, external_id, record_id, holder, holder_aliases, resource, via, permissions, expires_at, holder_type, is_production, deleted)
    SELECT connector, holder || ':' || resource, 0, holder, aliases, resource, via, '["read","write"]', expires_at, 'user', p % 4 = 0, FALSE
    FROM (
      SELECT p, CASE WHEN p % 3 = 0 THEN 'cyberark' ELSE 'vault' END AS connector,
             CASE WHEN p % 3 <> 0 AND j % 2 = 0 THEN 'entity-' || substr(md5('e' || j), 1, 8) ELSE ${holder('j')} END AS holder,
             CASE WHEN p % 3 <> 0 AND j % 2 = 0 THEN json_build_array(${holder('j')})::text ELSE '[]' END AS aliases,
             CASE WHEN p % 3 = 0 THEN CASE WHEN p % 4 = 0 THEN 'PROD-' ELSE 'DEV-' END || ${svc(`(j + 7 * p) % ${S}`)}
                  ELSE ${svc(`(j + 7 * p) % ${S}`)} || CASE p % 4 WHEN 0 THEN '-prod-rw' WHEN 1 THEN '-dev-rw' WHEN 2 THEN '-staging-ro' ELSE '-ci-read' END
             END AS resource,
             CASE WHEN p % 3 <> 0 AND e % 7 = 0 THEN 'prod-admins' END AS via,
             CASE WHEN p % 3 = 0 AND (j + p) % 4 = 0 THEN '2026-12-02T00:00:00.000Z'
                  WHEN p % 3 = 0 AND (j + p) % 4 = 1 THEN '2026-10-23T00:00:00.000Z' END AS expires_at
      FROM (SELECT e, e % ${H} AS j, e / ${H} AS p FROM generate_series(0, ${H * 20 - 1}) AS e) AS g
    ) AS x
    ON CONFLICT DO NOTHING`);
  await q(`INSERT INTO entitlement (connector, external_id, record_id, holder, holder_aliases, resource, via, permissions, expires_at, holder_type, is_production, deleted)
    SELECT 'cyberark', 'Developers:PROD-svc-' || k, 0, 'Developers', '[]', 'PROD-svc-' || k, NULL, '["use"]', NULL, 'group', TRUE, FALSE
    FROM generate_series(0, ${S - 1}) AS k WHERE k % 10 = 0
    UNION ALL
    SELECT 'cyberark', 'Master:PROD-svc-' || k, 0, 'Master', '[]', 'PROD-svc-' || k, NULL, '["all"]', NULL, 'predefined', TRUE, FALSE
    FROM generate_series(0, ${S - 1}) AS k`);
  await q('ANALYZE');
}

/**
 * Runs the hand-written query of each control that ran (bench/evaluate-floor.sql.js) with the
 * parameters it ran with, times it, and compares the refs it returns with the control's flags;
 * adds `floorSeconds`, `ratio`, `floorFlagged` and `sameRefs` to the control's `perControl` entry.
 */
async function measureFloor(ds, ran, config, perControl) {
  const mismatches = [];
  let seconds = 0;
  for (const { id, params, refs } of ran) {
    const entry = perControl[id];
    const query = FLOOR[id];
    if (!query) {
      entry.floorError = `bench/evaluate-floor.sql.js has no query for ${id}`;
      mismatches.push(id);
      process.stderr.write(`    FLOOR MISSING ${id}\n`);
      continue;
    }
    let rows;
    const t = performance.now();
    try {
      rows = await ds.query(query.sql, query.args({ params, now: NOW, config }));
    } catch (err) {
      entry.floorError = `${id}: ${err.message}`;
      mismatches.push(id);
      process.stderr.write(`    FLOOR FAILED ${id}: ${err.message}\n`);
      continue;
    }
    const floorSeconds = (performance.now() - t) / 1000;
    seconds += floorSeconds;
    const control = new Set(refs);
    const floor = new Set(rows.map((r) => r.ref));
    const onlyControl = [...control].filter((r) => !floor.has(r)).sort();
    const onlyFloor = [...floor].filter((r) => !control.has(r)).sort();
    Object.assign(entry, {
      floorSeconds: round3(floorSeconds),
      ratio: round3(entry.query / floorSeconds),
      floorFlagged: rows.length,
      sameRefs: onlyControl.length === 0 && onlyFloor.length === 0 && rows.length === floor.size,
    });
    // A control that flags one subject twice, or a floor query that returns one twice, is a finding too.
    if (control.size !== refs.length) entry.duplicateFlags = refs.length - control.size;
    if (floor.size !== rows.length) entry.duplicateFloorRefs = rows.length - floor.size;
    if (!entry.sameRefs) {
      mismatches.push(id);
      entry.onlyControl = { count: onlyControl.length, sample: onlyControl.slice(0, SAMPLE) };
      entry.onlyFloor = { count: onlyFloor.length, sample: onlyFloor.slice(0, SAMPLE) };
    }
    process.stderr.write(
      `    floor ${id} ${entry.floorSeconds} s (${rows.length} refs; control ${entry.query} s, ×${entry.ratio})${
        entry.sameRefs
          ? ''
          : ` MISMATCH: ${onlyControl.length} only the control flags, ${onlyFloor.length} only the floor (e.g. ${[
              ...onlyControl.slice(0, 2),
              ...onlyFloor.slice(0, 2),
            ].join(', ')})`
      }\n`,
    );
  }
  return { seconds: round3(seconds), mismatches };
}

async function measure(n) {
  const database = `audit_hub_bench_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${database}"`);
  const url = new URL(ADMIN);
  url.pathname = `/${database}`;
  const ds = new DataSource(dataSourceOptions(url.toString()));
  await ds.initialize();
  try {
    await runMigrations(ds);
    const seedStart = Date.now();
    await seed(ds, n);
    const seedSeconds = (Date.now() - seedStart) / 1000;
    const config = benchConfig(n);
    const derived = new DerivedModelService(config, ds);
    const findings = new FindingService(config, ds, []);
    const perControl = {};
    const controlsRun = [];
    const controlsSkipped = [];
    const started = Date.now();
    let t = Date.now();
    await derived.rebuild();
    perControl['derived model'] = (Date.now() - t) / 1000;
    let flagged = 0;
    /** What each control that ran was evaluated with, and the refs it flagged, for the floor. */
    const ran = [];
    for (const Ctor of CONTROL_CLASSES) {
      const control = new Ctor();
      const def = control.definition;
      const settings = config.controls[def.id] ?? {};
      // As the evaluate step does: a control whose required kinds no source provides is disabled.
      if (
        (def.requires ?? def.needs).some((k) => !PROVIDED.includes(k)) ||
        !(settings.enabled ?? def.enabledByDefault)
      ) {
        controlsSkipped.push(def.id);
        continue;
      }
      const params = { ...def.params, ...settings.params };
      t = Date.now();
      const { flags, undecided } = outcomeOf(
        await control.evaluate({ db: ds, runId: 'bench', now: NOW, params, config }),
      );
      const queried = (Date.now() - t) / 1000;
      await findings.apply(
        'bench',
        NOW,
        { definition: def, control, enabled: true, severity: def.severity, params },
        flags,
        { none: false, blockedConnectors: new Set() },
        new Set(undecided.map((u) => u.subjectRef)),
      );
      flagged += flags.length;
      controlsRun.push(def.id);
      ran.push({ id: def.id, params, refs: flags.map((f) => f.subjectRef) });
      perControl[def.id] = {
        seconds: (Date.now() - t) / 1000,
        query: queried,
        flagged: flags.length,
        undecided: undecided.length,
      };
      process.stderr.write(`    ${def.id} ${perControl[def.id].seconds} s (${flags.length} flagged)\n`);
    }
    const evaluateSeconds = (Date.now() - started) / 1000;
    const floor = await measureFloor(ds, ran, config, perControl);
    const split = {
      derivedModel: perControl['derived model'],
      controls: sum(controlsRun.map((id) => perControl[id].query)),
      findings: sum(controlsRun.map((id) => perControl[id].seconds - perControl[id].query)),
    };
    return {
      deployments: n,
      changes: n,
      services: servicesOf(n),
      entitlements: Number((await ds.query('SELECT COUNT(*) AS n FROM entitlement'))[0].n),
      seedSeconds,
      evaluateSeconds,
      // Where the time went: rebuilding the derived model, the controls' own queries and decisions,
      // and writing their findings (FindingService.apply, with finding events).
      split,
      // The hand-written floor: the sum of its queries, the whole evaluation over it, and the
      // controls' queries and decisions alone over it.
      floorSeconds: floor.seconds,
      ratio: round3(evaluateSeconds / floor.seconds),
      controlsRatio: round3(split.controls / floor.seconds),
      floorMismatches: floor.mismatches,
      controlsRunCount: controlsRun.length,
      controlsRun,
      controlsSkipped,
      flagged,
      perControl,
    };
  } finally {
    await ds.destroy();
    // AUDIT_HUB_BENCH_KEEP_DB=1 keeps the estate for EXPLAIN ANALYZE (drop it by hand afterwards).
    if (process.env.AUDIT_HUB_BENCH_KEEP_DB === '1') process.stderr.write(`  kept database ${database}\n`);
    else await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
  }
}

async function main() {
  const sizes = process.argv.slice(2).map(Number);
  const runs = [];
  for (const n of sizes.length ? sizes : [100_000, 1_000_000]) {
    process.stderr.write(`evaluating ${n} deployments…\n`);
    runs.push(await measure(n));
    const run = runs.at(-1);
    process.stderr.write(
      `  ${run.evaluateSeconds} s; floor ${run.floorSeconds} s (evaluate ×${run.ratio}, controls ×${run.controlsRatio})\n`,
    );
    if (run.floorMismatches.length) {
      process.stderr.write(
        `  FLOOR MISMATCH (control and hand-written query disagree): ${run.floorMismatches.join(', ')}\n`,
      );
    }
  }
  const result = {
    benchmark: 'evaluate-scale',
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    controls: CONTROL_CATALOG.length,
    controlsRun: runs.map((r) => r.controlsRunCount),
    runs,
    secondsPerMillion: runs.map((r) => Number(((r.evaluateSeconds * 1_000_000) / r.deployments).toFixed(1))),
    floorSeconds: runs.map((r) => r.floorSeconds),
    ratio: runs.map((r) => r.ratio),
    floorMismatches: [...new Set(runs.flatMap((r) => r.floorMismatches))],
  };
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', 'evaluate-scale.json'), JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err.stack ?? err}\n`);
    process.exit(1);
  });
}

module.exports = { benchConfig, seed };
