import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, CommandRunner, Option } from 'nest-commander';
import { DataSource } from 'typeorm';
import { startSandbox, type Sandbox } from '../../../sandbox/src';
import { loadConfig } from '../../../hub/src/config/config.loader';
import { ReconcileService } from '../../../hub/src/runs/reconcile.service';
import {
  COLLECT_BATCH_LISTENERS,
  type CollectBatchListener,
} from '../../../hub/src/runs/run-lifecycle.listener';
import { RunProgressTracker } from '../../../hub/src/runs/run-progress';
import { RunProgressDisplay } from '../output/run-progress.display';
import { ReportService } from '../../../hub/src/reports/report.service';
import { writeReport } from './report.command';
import { withHub } from '../hub-context';
import { demoSummary } from '../output/demo.format';
import { reconcileExitCode } from './reconcile.command';
import { guarded, usage } from './command-errors';
import { wholeNumber } from './option-values';

interface Opts {
  scale?: string;
  seed?: string;
  dir?: string;
}

/** The estate's clock: AUDIT_HUB_NOW when set, else the start of today (UTC), so reruns on a day match. */
export function demoNow(): Date {
  if (process.env.AUDIT_HUB_NOW) return new Date(process.env.AUDIT_HUB_NOW);
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

/** Total requests the sandbox has answered so far, over every simulated system. */
export function sandboxRequests(sandbox: Sandbox): number {
  return Object.values(sandbox.stats()).reduce((n, s) => n + s.requests, 0);
}

@Command({
  name: 'demo',
  description:
    'start the simulated estate, reconcile it on embedded storage, print the findings, write a report',
})
export class DemoCommand extends CommandRunner {
  async run(_params: string[], opts: Opts): Promise<void> {
    await guarded(async () => {
      const scale = wholeNumber('--scale', opts.scale, 1, 1);
      const seed = wholeNumber('--seed', opts.seed, 42);
      const now = demoNow();
      if (Number.isNaN(now.getTime()))
        throw usage(`AUDIT_HUB_NOW: "${process.env.AUDIT_HUB_NOW}" is not an ISO instant`);
      process.env.AUDIT_HUB_NOW = now.toISOString();
      const dir = resolve(opts.dir ?? join('data', 'demo'));
      mkdirSync(dir, { recursive: true });
      process.stderr.write(
        `Starting the simulated estate (seed ${seed}, scale ${scale}, as of ${now.toISOString()})…\n`,
      );
      const sandbox = await startSandbox({ port: 0, seed, scale, now: () => now });
      let progress: RunProgressDisplay | undefined;
      try {
        const configPath = join(dir, 'audit-hub.yaml');
        const manifestPath = join(dir, 'manifest.json');
        writeFileSync(
          configPath,
          `${sandbox.configYaml()}\nstorage:\n  database: "sqlite:${join(dir, 'audit-hub.sqlite')}"\n`,
        );
        writeFileSync(manifestPath, `${JSON.stringify(sandbox.manifest(), null, 2)}\n`);
        process.stderr.write(
          `Estate at ${sandbox.url}; config written to ${configPath}, its manifest of expected findings to ${manifestPath}\n`,
        );
        const loaded = loadConfig({ path: configPath });
        return await withHub({ loaded }, async (app) => {
          const tracker = new RunProgressTracker(app.get(DataSource));
          app.get<CollectBatchListener[]>(COLLECT_BATCH_LISTENERS).push(tracker.listener());
          const display = new RunProgressDisplay(process.stderr, tracker, {
            from: 'the simulated GitLab, ServiceNow, Jenkins, SonarQube, Vault and CyberArk',
            extra: () => ` | ${sandboxRequests(sandbox)} upstream requests`,
          });
          progress = display;
          const report = await app.get(ReconcileService).reconcile({
            trigger: 'demo',
            onProgress: (e) => {
              if (e.phase === 'planned') display.planned(e.runId, e.sources);
            },
          });
          await display.finish();
          process.stderr.write('Evaluated the controls.\n');
          process.stdout.write(demoSummary(report));
          writeFileSync(join(dir, 'last-run.json'), JSON.stringify(report, null, 2) + '\n');
          const to = now.toISOString().slice(0, 10);
          const from = new Date(now.getTime() - sandbox.estate.historyDays * 86_400_000)
            .toISOString()
            .slice(0, 10);
          const reportPath = join(dir, 'report.html');
          await writeReport(app.get(ReportService), {
            from,
            to,
            format: 'html',
            output: reportPath,
            redact: false,
          });
          process.stdout.write(
            `\nThe run as JSON: ${join(dir, 'last-run.json')}. The report (${from} to ${to}): ${reportPath}.\n` +
              `Expected findings: ${manifestPath}. Explore with: npx audit-hub findings --config ${configPath}\n`,
          );
          return reconcileExitCode(report);
        });
      } finally {
        progress?.stop();
        await sandbox.close();
      }
    });
  }

  @Option({ flags: '--scale <n>', description: 'size of the estate (1 = eight services, four weeks)' })
  parseScale(v: string): string {
    return v;
  }
  @Option({ flags: '--seed <n>', description: 'random seed of the estate' })
  parseSeed(v: string): string {
    return v;
  }
  @Option({
    flags: '--dir <dir>',
    description: 'where the demo keeps its config, database, manifest and report (default ./data/demo)',
  })
  parseDir(v: string): string {
    return v;
  }
}
