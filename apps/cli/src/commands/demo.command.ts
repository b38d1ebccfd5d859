import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { Command, CommandRunner, Option } from 'nest-commander';
import { DataSource } from 'typeorm';
import { startSandbox, type Sandbox } from '../../../sandbox/src';
import { loadConfig } from '../../../hub/src/config/config.loader';
import { ReconcileService } from '../../../hub/src/runs/reconcile.service';
import {
  COLLECT_BATCH_LISTENERS,
  type CollectBatchListener,
} from '../../../hub/src/runs/run-lifecycle.listener';
import { ReportService } from '../../../hub/src/reports/report.service';
import { writeReport } from './report.command';
import { withHub } from '../hub-context';
import { demoSummary } from '../output/demo.format';
import { reconcileExitCode } from './reconcile.command';
import { guarded, usage } from './command-errors';

interface Opts {
  scale?: string;
  seed?: string;
  dir?: string;
}

export function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw usage(`${name}: "${value}" is not a whole number`);
  return n;
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

/**
 * The demo's progress on stderr: one bar for the collection (streams finished of those planned,
 * records stored, upstream requests answered by the sandbox) and one for the evaluation. On a
 * terminal it redraws in place; elsewhere (a pipe, a CI log) it prints a line per phase.
 */
class DemoProgress {
  private readonly bars: MultiBar | null;
  private collect?: SingleBar;
  private evaluate?: SingleBar;
  private records = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly sandbox: Sandbox,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.bars = stream.isTTY
      ? new MultiBar(
          {
            stream,
            format:
              ' {phase} [{bar}] {value}/{total} {unit} | {records} records | {requests} upstream requests',
            hideCursor: true,
            clearOnComplete: false,
          },
          Presets.shades_classic,
        )
      : null;
  }

  /** Counts what each committed batch stores (the hub calls it in the batch's transaction). */
  listener(): CollectBatchListener {
    return {
      onBatch: async (_manager, batch) => {
        this.records += batch.records.length;
      },
    };
  }

  planned(app: INestApplicationContext, streams: number): void {
    if (!this.bars) {
      this.stream.write(
        `Collecting ${streams} streams from the simulated GitLab, ServiceNow, Jenkins, SonarQube, Vault and CyberArk…\n`,
      );
      return;
    }
    const payload = { phase: 'collect ', unit: 'streams', records: 0, requests: 0 };
    this.collect = this.bars.create(streams, 0, payload);
    const data = app.get(DataSource);
    this.timer = setInterval(() => {
      void data
        .query(
          `SELECT COUNT(*) AS done FROM source_status WHERE run_id = (SELECT id FROM run WHERE status = 'running' ORDER BY started_at DESC LIMIT 1)`,
        )
        .then((rows: { done: number | string }[]) => {
          this.collect?.update(Number(rows[0]?.done ?? 0), {
            records: this.records,
            requests: sandboxRequests(this.sandbox),
          });
        })
        .catch(() => undefined);
    }, 200);
  }

  evaluated(): void {
    if (this.timer) clearInterval(this.timer);
    if (!this.bars) {
      this.stream.write(`Collected ${this.records} records; evaluated the controls.\n`);
      return;
    }
    this.collect?.update(this.collect.getTotal(), {
      records: this.records,
      requests: sandboxRequests(this.sandbox),
    });
    this.evaluate = this.bars.create(1, 1, {
      phase: 'evaluate',
      unit: 'run',
      records: this.records,
      requests: sandboxRequests(this.sandbox),
    });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.bars?.stop();
  }
}

@Command({
  name: 'demo',
  description:
    'start the simulated estate, reconcile it on embedded storage, print the findings, write a report',
})
export class DemoCommand extends CommandRunner {
  async run(_params: string[], opts: Opts): Promise<void> {
    await guarded(async () => {
      const scale = positiveInt('--scale', opts.scale, 1) || 1;
      const seed = positiveInt('--seed', opts.seed, 42);
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
      const progress = new DemoProgress(sandbox);
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
          app.get<CollectBatchListener[]>(COLLECT_BATCH_LISTENERS).push(progress.listener());
          const report = await app.get(ReconcileService).reconcile({
            trigger: 'demo',
            onProgress: (e) => {
              if (e.phase === 'planned') progress.planned(app, e.jobs ?? 0);
              if (e.phase === 'evaluated') progress.evaluated();
            },
          });
          progress.stop();
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
              `Expected findings: ${manifestPath}. Explore with: npm run audit-hub -- findings --config ${configPath}\n`,
          );
          return reconcileExitCode(report);
        });
      } finally {
        progress.stop();
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
