'use strict';
/**
 * One reconcile in this process (the process that works the jobs, embedded runtime); prints its
 * status, records, wall and CPU seconds, the time evaluation took, and the peak RSS.
 */
require('reflect-metadata');
const { join } = require('node:path');
const { NestFactory } = require('@nestjs/core');
const root = join(__dirname, '..');
const { HubModule } = require(join(root, 'dist/apps/hub/src/hub.module'));
const { loadConfig } = require(join(root, 'dist/apps/hub/src/config/config.loader'));
const { ReconcileService } = require(join(root, 'dist/apps/hub/src/runs/reconcile.service'));
const { EvaluateHandler } = require(join(root, 'dist/apps/hub/src/runs/evaluate.handler'));
const { AppLogger } = require(join(root, 'dist/apps/hub/src/common/app-logger'));
const { Redactor } = require(join(root, 'dist/apps/hub/src/config/redactor'));

/** How long evaluation took, measured around the handler the runner calls. */
let evaluateSeconds = 0;
const evaluate = EvaluateHandler.prototype.handle;
EvaluateHandler.prototype.handle = async function timed(...args) {
  const started = process.hrtime.bigint();
  try {
    return await evaluate.apply(this, args);
  } finally {
    evaluateSeconds += Number(process.hrtime.bigint() - started) / 1e9;
  }
};

async function main() {
  const loaded = loadConfig({ path: process.argv[2] });
  const app = await NestFactory.createApplicationContext(HubModule.forRoot(loaded), {
    logger: new AppLogger(new Redactor(loaded.secrets)),
  });
  const cpuBefore = process.cpuUsage();
  const started = Date.now();
  const report = await app.get(ReconcileService).reconcile({ trigger: 'cli' });
  const seconds = (Date.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  // What the run still holds once it ended (after a full GC, when --expose-gc is on).
  if (global.gc) global.gc();
  const retainedHeapMiB = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
  await app.close();
  const records = report.run.sources.reduce((n, s) => n + s.records, 0);
  process.stdout.write(
    JSON.stringify({
      status: report.run.status,
      records,
      seconds,
      cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
      evaluateSeconds: Number(evaluateSeconds.toFixed(2)),
      openFindings: report.controls.reduce((n, c) => n + c.open, 0),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      retainedHeapMiB,
    }),
  );
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
