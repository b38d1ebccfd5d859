#!/usr/bin/env node
/**
 * Collection at scale (issue: "collection at enterprise scale"): reconciles a vendor-shaped
 * GitLab + ServiceNow estate (the sandbox's fakes, generated from a seed) at each size given, and
 * records for each:
 *
 * - `requests`: the GET requests the first reconcile made;
 * - `rawFetchSeconds`: the same requests replayed against the same fakes, as many in flight per
 *   system as the connector allows (`http.concurrency`, 4), bodies discarded — the time the upstream
 *   takes to serve the pages, the floor for a reconcile;
 * - `reconcileSeconds`, `cpuSeconds`, `evaluateSeconds`, `peakRssMiB`: of the process that ran the
 *   reconcile (embedded runtime: in-process runner, the store given);
 * - `rerunRequestShare`: requests of a second reconcile after the estate moved on by 1 % of its
 *   deployments, divided by the first run's requests.
 *
 *   npm run build && node bench/collect-scale.js [deployments…]        (default 10000 100000)
 *   node bench/collect-scale.js --million                              (adds 1,000,000)
 *   BENCH_STORE=postgres node bench/collect-scale.js 10000             (PostgreSQL, database per size)
 *   BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" node bench/collect-scale.js 10000
 *
 * Writes bench/results/collect-scale.json (and prints it). Needs no Redis.
 */
'use strict';
const { spawn } = require('node:child_process');
const http = require('node:http');
const { mkdtempSync, rmSync, writeFileSync, mkdirSync } = require('node:fs');
const { tmpdir, cpus, totalmem } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..');
const { startSandbox } = require(join(root, 'dist/apps/sandbox/src'));
const { generateEstate } = require(join(root, 'dist/apps/sandbox/src/estate/estate.generator'));

const NOW = Date.parse('2026-11-02T00:00:00.000Z');
const SYSTEMS = ['gitlab', 'servicenow'];
const CONCURRENCY = 4;

/** The production deployments the sandbox serves at `now` (the estate holds some planned past it). */
function productionDeployments(estate, now = Infinity) {
  const production = new Set(estate.environments.filter((e) => e.tier === 'production').map((e) => e.id));
  return estate.deployments.filter((d) => production.has(d.environmentId) && Date.parse(d.createdAt) <= now)
    .length;
}

/** The instant by which 1 % more production deployments than at `now` exist (at most a day on). */
function onePercentLater(estate, now) {
  const production = new Set(estate.environments.filter((e) => e.tier === 'production').map((e) => e.id));
  const later = estate.deployments
    .filter((d) => production.has(d.environmentId) && Date.parse(d.createdAt) > now)
    .map((d) => Date.parse(d.createdAt))
    .sort((a, b) => a - b);
  const wanted = Math.max(1, Math.round(productionDeployments(estate, now) * 0.01));
  return later.length >= wanted ? later[wanted - 1] + 1 : now + 86_400_000;
}

/** The sandbox scale whose estate holds about `target` production deployments (probed at scale 20). */
function scaleFor(target) {
  const probe = generateEstate({ seed: 42, scale: 20, now: new Date(NOW) });
  const perScale = productionDeployments(probe, NOW) / 20;
  return Math.max(1, Math.round(target / perScale));
}

function runWorker(configPath, now, profileTag) {
  return new Promise((resolve, reject) => {
    const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
    const heapCap = process.env.BENCH_HEAP_CAP_MIB
      ? [`--max-old-space-size=${process.env.BENCH_HEAP_CAP_MIB}`]
      : [];
    const child = spawn(
      process.execPath,
      [...flags, ...heapCap, join(__dirname, 'collect-worker.js'), configPath],
      {
        env: {
          ...process.env,
          AUDIT_HUB_NOW: new Date(now).toISOString(),
          AUDIT_HUB_LOG_LEVEL: 'error',
          BENCH_PROFILE_TAG: profileTag,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code, signal) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`worker exited ${code ?? signal}`)),
    );
  });
}

/** Replays GETs against the sandbox, `CONCURRENCY` in flight per system, bodies read and discarded. */
async function rawFetch(sandbox, requests) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY * SYSTEMS.length });
  const { credentials: c } = sandbox;
  const headers = {
    gitlab: { 'private-token': c.gitlabToken, accept: 'application/json' },
    servicenow: {
      authorization: `Basic ${Buffer.from(`${c.servicenowUser}:${c.servicenowPassword}`).toString('base64')}`,
      accept: 'application/json',
    },
  };
  const get = (system, target) =>
    new Promise((resolve, reject) => {
      const req = http.get(
        `${sandbox.url}/${system}${target}`,
        { agent, headers: headers[system] },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', resolve);
          res.on('error', reject);
        },
      );
      req.on('error', reject);
    });
  const started = process.hrtime.bigint();
  await Promise.all(
    SYSTEMS.map(async (system) => {
      const queue = requests[system];
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < queue.length) await get(system, queue[next++]);
        }),
      );
    }),
  );
  agent.destroy();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function storage(dir, size) {
  if (process.env.BENCH_STORE !== 'postgres') return `sqlite:${join(dir, 'hub.sqlite')}`;
  return `postgres://postgres@127.0.0.1:5432/${process.env.BENCH_PG_DATABASE ?? `bench_scale_${size}`}`;
}

async function resetPostgres(url) {
  const { Client } = require('pg');
  const name = new URL(url).pathname.slice(1);
  const admin = new Client({ connectionString: url.replace(/\/[^/]*$/, '/postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
}

async function measure(target) {
  const dir = mkdtempSync(join(tmpdir(), 'audit-hub-scale-'));
  const scale = scaleFor(target);
  let now = NOW;
  process.stderr.write(`generating the estate for ${target} production deployments (scale ${scale})…\n`);
  const sandbox = await startSandbox({
    port: 0,
    seed: 42,
    scale,
    now: () => new Date(now),
    requestLogLimit: Infinity,
  });
  try {
    const deployments = productionDeployments(sandbox.estate, now);
    const configPath = join(dir, 'audit-hub.yaml');
    const database = storage(dir, target);
    if (database.startsWith('postgres')) await resetPostgres(database);
    writeFileSync(
      configPath,
      `${sandbox.configYaml({ only: SYSTEMS })}\nstorage:\n  database: "${database}"\n`,
    );
    const logged = () =>
      Object.fromEntries(SYSTEMS.map((s) => [s, sandbox.requestLog(s).map((e) => e.target)]));
    const count = (log) => SYSTEMS.reduce((n, s) => n + log[s].length, 0);

    process.stderr.write(`  first reconcile of ${deployments} production deployments…\n`);
    const first = await runWorker(configPath, now, `first-${target}`);
    const firstLog = logged();
    const requests = count(firstLog);

    process.stderr.write(`  raw fetch of its ${requests} requests…\n`);
    const rawFetchSeconds = await rawFetch(sandbox, firstLog);

    // The estate moves on until 1 % more production deployments exist.
    now = onePercentLater(sandbox.estate, now);
    const before = count(logged());
    process.stderr.write('  rerun after 1 % new deployments…\n');
    const rerun = await runWorker(configPath, now, `rerun-${target}`);
    const rerunRequests = count(logged()) - before;
    if (process.env.BENCH_DUMP_DIR) {
      // Every request of both runs, for a look at what a rerun asks again.
      mkdirSync(process.env.BENCH_DUMP_DIR, { recursive: true });
      const all = logged();
      for (const s of SYSTEMS) {
        writeFileSync(join(process.env.BENCH_DUMP_DIR, `${target}-${s}-first.txt`), firstLog[s].join('\n'));
        writeFileSync(
          join(process.env.BENCH_DUMP_DIR, `${target}-${s}-rerun.txt`),
          all[s].slice(firstLog[s].length).join('\n'),
        );
      }
    }
    const newDeployments = productionDeployments(sandbox.estate, now) - deployments;

    return {
      deployments,
      scale,
      store: database.startsWith('postgres') ? 'postgres' : 'sqlite',
      requests,
      rawFetchSeconds: Number(rawFetchSeconds.toFixed(2)),
      reconcileSeconds: first.seconds,
      reconcileToRawFetch: Number((first.seconds / rawFetchSeconds).toFixed(2)),
      cpuSeconds: first.cpuSeconds,
      peakRssMiB: Math.max(first.peakRssMiB, rerun.peakRssMiB),
      status: first.status,
      records: first.records,
      openFindings: first.openFindings,
      evaluateSeconds: first.evaluateSeconds,
      rerun: { newDeployments, requests: rerunRequests, seconds: rerun.seconds, status: rerun.status },
      rerunRequestShare: Number((rerunRequests / requests).toFixed(4)),
    };
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const args = process.argv.slice(2);
  const sizes = args.filter((a) => /^\d+$/.test(a)).map(Number);
  if (sizes.length === 0) sizes.push(10_000, 100_000);
  if (args.includes('--million')) sizes.push(1_000_000);
  const runs = [];
  for (const size of sizes) {
    runs.push(await measure(size));
    process.stderr.write(`  ${JSON.stringify(runs.at(-1))}\n`);
  }
  const rss = runs.map((r) => r.peakRssMiB);
  const result = {
    benchmark: 'collect-scale',
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    heapCapMiB: process.env.BENCH_HEAP_CAP_MIB ? Number(process.env.BENCH_HEAP_CAP_MIB) : null,
    runs,
    rssRatio: Number((Math.max(...rss) / Math.min(...rss)).toFixed(2)),
  };
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', 'collect-scale.json'), JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
