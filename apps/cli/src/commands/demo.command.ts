import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, CommandRunner, Option } from 'nest-commander';
import { startSandbox } from '../../../sandbox/src';
import { loadConfig } from '../../../hub/src/config/config.loader';
import { ReconcileService } from '../../../hub/src/runs/reconcile.service';
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

@Command({
  name: 'demo',
  description: 'start the simulated estate, reconcile it on embedded storage, print the findings',
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
      try {
        const configPath = join(dir, 'audit-hub.yaml');
        writeFileSync(
          configPath,
          `${sandbox.configYaml()}\nstorage:\n  database: "sqlite:${join(dir, 'audit-hub.sqlite')}"\n`,
        );
        process.stderr.write(`Estate at ${sandbox.url}; config written to ${configPath}\n`);
        const loaded = loadConfig({ path: configPath });
        return await withHub({ loaded }, async (app) => {
          const report = await app.get(ReconcileService).reconcile({
            trigger: 'demo',
            onProgress: (e) => {
              if (e.phase === 'planned')
                process.stderr.write(`Collecting ${e.jobs} streams from GitLab and ServiceNow…\n`);
              if (e.phase === 'evaluated') process.stderr.write('Evaluated the controls.\n');
            },
          });
          process.stdout.write(demoSummary(report));
          writeFileSync(join(dir, 'last-run.json'), JSON.stringify(report, null, 2) + '\n');
          process.stdout.write(
            `\nThe run as JSON: ${join(dir, 'last-run.json')}. Explore with: npm run audit-hub -- findings --config ${configPath}\n`,
          );
          return reconcileExitCode(report);
        });
      } finally {
        await sandbox.close();
      }
    });
  }

  @Option({ flags: '--scale <n>', description: 'size of the estate (1 = six services, a few weeks)' })
  parseScale(v: string): string {
    return v;
  }
  @Option({ flags: '--seed <n>', description: 'random seed of the estate' })
  parseSeed(v: string): string {
    return v;
  }
  @Option({
    flags: '--dir <dir>',
    description: 'where the demo keeps its config and database (default ./data/demo)',
  })
  parseDir(v: string): string {
    return v;
  }
}
