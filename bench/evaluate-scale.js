#!/usr/bin/env node
/**
 * Evaluation benchmark (issue: the whole control catalog): on PostgreSQL, evaluate every control
 * over synthetic estates of N production deployments and as many changes (with links, approvals,
 * merge requests and commits), at two sizes, and record how long each control and the whole
 * evaluation take. The target: 1,000,000 deployments in under 60 s on this 2-core machine,
 * growing linearly.
 *
 *   npm run build && node bench/evaluate-scale.js [small] [large]      (default 100000 1000000)
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

const ADMIN = process.env.AUDIT_HUB_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NOW = new Date('2026-11-02T00:00:00.000Z');
/** The record kinds the synthetic estate holds (no entitlements, CMDB, SonarQube or Jenkins builds). */
const PROVIDED = [
  'deployment',
  'change',
  'change-approval',
  'merge-request',
  'deployment-mr',
  'commit',
  'identity',
];

/** Synthetic estate, generated inside PostgreSQL: ~2% unlinked, ~2% approved late, 1 MR and 1 commit per deployment. */
async function seed(ds, n) {
  const services = Math.max(10, Math.round(n / 2000));
  const q = (sql) => ds.query(sql);
  await q(`INSERT INTO change_request (connector, number, record_id, sys_id, type, state, approval, approval_set_at, planned_start, planned_end, requested_by, short_description, description, deleted)
    SELECT 'servicenow', 'CHG' || lpad(i::text, 7, '0'), 0, md5(i::text),
           CASE WHEN i % 20 = 0 THEN 'standard' WHEN i % 50 = 0 THEN 'emergency' ELSE 'normal' END,
           CASE WHEN i % 20 = 0 THEN 'closed' ELSE 'implement' END, 'approved',
           to_char(timestamp '2026-08-01' + (i % 90) * interval '1 day' + (i % 97) * interval '1 minute' - interval '1 hour', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           to_char(timestamp '2026-08-01' + (i % 90) * interval '1 day' - interval '2 hours', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           to_char(timestamp '2026-08-01' + (i % 90) * interval '1 day' + interval '6 hours', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'user' || (i % 500), 'Release ' || i, '', FALSE
    FROM generate_series(1, ${n}) AS i`);
  await q(`INSERT INTO deployment (connector, external_id, record_id, project, service, environment, tier, is_production, status, started_at, finished_at, commit_sha, commit_message, ref, is_tag, version, triggered_by, via_pipeline, pipeline_id, variables, approvals, test_report, artifacts, causes, deleted)
    SELECT 'gitlab', i::text, 0, 'acme/svc-' || (i % ${services}), 'svc-' || (i % ${services}), 'production', 'production', TRUE, 'success',
           to_char(timestamp '2026-08-01' + (i % 90) * interval '1 day' + (i % 97) * interval '1 minute', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           to_char(timestamp '2026-08-01' + (i % 90) * interval '1 day' + (i % 97) * interval '1 minute' + interval '5 minutes', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           md5('c' || i) || lpad('', 8, '0'), 'Release', 'main', FALSE, 'v' || i, 'deployer' || (i % 300), TRUE, i::text,
           '{}', '[]', '{"total":10,"failed":0}', '[]', '[]', FALSE
    FROM generate_series(1, ${n}) AS i`);
  await q(`INSERT INTO link (deployment_connector, deployment_id, change_number, found_in, source_ref)
    SELECT 'gitlab', i::text, 'CHG' || lpad((CASE WHEN i % 47 = 0 THEN i + ${n} ELSE i END)::text, 7, '0'), 'variable', 'CHANGE_ID'
    FROM generate_series(1, ${n}) AS i WHERE i % 53 <> 0`);
  await q(`INSERT INTO change_approval (connector, external_id, record_id, change_number, approver, state, decided_at, deleted)
    SELECT 'servicenow', 'a' || i || '-' || k, 0, 'CHG' || lpad(i::text, 7, '0'), 'approver' || ((i + k) % 200), 'approved', NULL, FALSE
    FROM generate_series(1, ${n}) AS i, generate_series(1, 2) AS k`);
  await q(`INSERT INTO merge_request (connector, external_id, record_id, project, service, iid, title, description, author, merged_by, merged_at, merge_commit_sha, target_branch, approved_by, approvals_required, approvals_left, commit_shas, deleted)
    SELECT 'gitlab', 'acme/svc-' || (i % ${services}) || '!' || i, 0, 'acme/svc-' || (i % ${services}), 'svc-' || (i % ${services}), i, 'Change ' || i, '', 'dev' || (i % 400), 'dev' || ((i + 1) % 400), NULL, NULL, 'main',
           '["rev' || (i % 100) || '"]', 1, CASE WHEN i % 61 = 0 THEN 1 ELSE 0 END, '[]', FALSE
    FROM generate_series(1, ${n}) AS i`);
  await q(`INSERT INTO deployment_mr (connector, external_id, record_id, deployment_id, merge_request_id, deleted)
    SELECT 'gitlab', i || '→acme/svc-' || (i % ${services}) || '!' || i, 0, i::text, 'acme/svc-' || (i % ${services}) || '!' || i, FALSE
    FROM generate_series(1, ${n}) AS i`);
  await q(`INSERT INTO git_commit (connector, external_id, record_id, project, sha, title, message, author_name, author_email, committed_at, signature, deleted)
    SELECT 'gitlab', 'acme/svc-' || (i % ${services}) || '@' || md5('c' || i) || lpad('', 8, '0'), 0, 'acme/svc-' || (i % ${services}), md5('c' || i) || lpad('', 8, '0'),
           'Release', 'Release', 'Dev', 'dev' || (i % 400) || '@acme.com', '2026-08-01T00:00:00.000Z', CASE WHEN i % 71 = 0 THEN 'unsigned' ELSE 'verified' END, FALSE
    FROM generate_series(1, ${n}) AS i`);
  await q('ANALYZE');
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
    const config = { ...defaultConfig(), services: [] };
    const derived = new DerivedModelService(config, ds);
    const findings = new FindingService(config, ds, []);
    const perControl = {};
    const started = Date.now();
    let t = Date.now();
    await derived.rebuild();
    perControl['derived model'] = (Date.now() - t) / 1000;
    let flagged = 0;
    for (const Ctor of CONTROL_CLASSES) {
      const control = new Ctor();
      const def = control.definition;
      // As the evaluate step does: a control whose required kinds no source provides is disabled.
      if ((def.requires ?? def.needs).some((k) => !PROVIDED.includes(k)) || !def.enabledByDefault) continue;
      t = Date.now();
      const { flags, undecided } = outcomeOf(
        await control.evaluate({ db: ds, runId: 'bench', now: NOW, params: def.params, config }),
      );
      const queried = (Date.now() - t) / 1000;
      await findings.apply(
        'bench',
        NOW,
        { definition: def, control, enabled: true, severity: def.severity, params: def.params },
        flags,
        { none: false, blockedConnectors: new Set() },
        new Set(undecided.map((u) => u.subjectRef)),
      );
      flagged += flags.length;
      perControl[def.id] = { seconds: (Date.now() - t) / 1000, query: queried, flagged: flags.length };
    }
    return {
      deployments: n,
      changes: n,
      seedSeconds,
      evaluateSeconds: (Date.now() - started) / 1000,
      flagged,
      perControl,
    };
  } finally {
    await ds.destroy();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
  }
}

async function main() {
  const small = Number(process.argv[2] ?? 100_000);
  const large = Number(process.argv[3] ?? 1_000_000);
  const runs = [];
  for (const n of [small, large]) {
    process.stderr.write(`evaluating ${n} deployments…\n`);
    runs.push(await measure(n));
    process.stderr.write(`  ${runs.at(-1).evaluateSeconds} s\n`);
  }
  const result = {
    benchmark: 'evaluate-scale',
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    controls: CONTROL_CATALOG.length,
    runs,
    secondsPerMillion: runs.map((r) => Number(((r.evaluateSeconds * 1_000_000) / r.deployments).toFixed(1))),
  };
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', 'evaluate-scale.json'), JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
