#!/usr/bin/env node
/**
 * Memory benchmark (issue: queue mode, "flat memory"): collects the simulated estate at two sizes,
 * ten times apart, and records the peak RSS of the process that works the jobs. Collection streams
 * in batches, so the peak should stay roughly flat while the records grow tenfold.
 *
 *   npm run build && node bench/collect-memory.js [smallScale] [largeScale]
 *
 * Writes bench/results/collect-memory.json (and prints it).
 */
'use strict';
const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync, writeFileSync, mkdirSync } = require('node:fs');
const { tmpdir, cpus, totalmem } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..');
const { startSandbox } = require(join(root, 'dist/apps/sandbox/src'));
const NOW = new Date('2026-11-02T00:00:00.000Z');

/**
 * The worker runs with a capped old-generation heap: if collection held the estate in memory, the
 * large run would fail with an out-of-memory error instead of finishing within the same cap.
 */
const HEAP_CAP_MIB = Number(process.env.BENCH_HEAP_CAP_MIB ?? 128);

function runWorker(configPath) {
  return new Promise((resolve, reject) => {
    const args = [
      '--expose-gc',
      `--max-old-space-size=${HEAP_CAP_MIB}`,
      join(__dirname, 'collect-worker.js'),
      configPath,
    ];
    const child = spawn(process.execPath, args, {
      env: { ...process.env, AUDIT_HUB_NOW: NOW.toISOString(), AUDIT_HUB_LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`worker exited ${code}`)),
    );
  });
}

async function measure(scale) {
  const dir = mkdtempSync(join(tmpdir(), 'audit-hub-bench-'));
  const sandbox = await startSandbox({ port: 0, seed: 42, scale, now: () => NOW });
  try {
    const configPath = join(dir, 'audit-hub.yaml');
    writeFileSync(
      configPath,
      `${sandbox.configYaml()}\nstorage:\n  database: "sqlite:${join(dir, 'hub.sqlite')}"\n`,
    );
    const result = await runWorker(configPath);
    return { scale, ...result };
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const small = Number(process.argv[2] ?? 1);
  const large = Number(process.argv[3] ?? 10);
  const runs = [];
  for (const scale of [small, large]) {
    process.stderr.write(`collecting the estate at scale ${scale}…\n`);
    runs.push(await measure(scale));
  }
  const result = {
    benchmark: 'collect-memory',
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    heapCapMiB: HEAP_CAP_MIB,
    runs,
    rssRatio: Number((runs[1].peakRssMiB / runs[0].peakRssMiB).toFixed(2)),
    recordsRatio: Number((runs[1].records / runs[0].records).toFixed(2)),
  };
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', 'collect-memory.json'), JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
