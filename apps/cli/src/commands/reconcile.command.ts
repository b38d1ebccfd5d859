import { writeFileSync } from 'node:fs';
import { Command, CommandRunner, Option } from 'nest-commander';
import { SEVERITIES, Severity, severityRank } from '@audit-hub/domain';
import { ReconcileService } from '../../../hub/src/runs/reconcile.service';
import type { RunReport } from '../../../hub/src/runs/run-report.builder';
import { withHub } from '../hub-context';
import { runTable } from '../output/findings.format';
import { EXIT, guarded, usage } from './command-errors';

interface Opts {
  config?: string;
  format?: string;
  output?: string;
  failOn?: string;
  full?: boolean;
}

/** Exit code of a finished run (interfaces.md): 3 failed/incomplete wins over 1 findings at/above --fail-on. */
export function reconcileExitCode(report: RunReport, failOn?: Severity): number {
  if (report.run.status !== 'complete') return EXIT.failed;
  if (
    failOn &&
    report.findings.some(
      (f) =>
        (f.status === 'open' || f.status === 'reopened') && severityRank(f.severity) >= severityRank(failOn),
    )
  ) {
    return EXIT.findings;
  }
  return EXIT.ok;
}

@Command({
  name: 'reconcile',
  description: 'one run now: collect from every enabled connector, evaluate, remediate',
})
export class ReconcileCommand extends CommandRunner {
  async run(_params: string[], opts: Opts): Promise<void> {
    await guarded(async () => {
      const format = opts.format ?? 'table';
      if (!['table', 'json'].includes(format))
        throw usage(`--format: must be table or json, not "${format}"`);
      if (opts.failOn && !(SEVERITIES as readonly string[]).includes(opts.failOn)) {
        throw usage(`--fail-on: must be one of ${SEVERITIES.join(', ')}, not "${opts.failOn}"`);
      }
      return withHub({ config: opts.config }, async (app, loaded) => {
        if (!loaded.config.connectors.length) {
          process.stderr.write('audit-hub: no connectors are configured; the run collects nothing.\n');
        }
        const report = await app.get(ReconcileService).reconcile({
          trigger: 'cli',
          full: !!opts.full,
          onProgress: (e) => {
            if (e.phase === 'planned') process.stderr.write(`collecting ${e.jobs} stream(s)…\n`);
            if (e.phase === 'evaluated') process.stderr.write('evaluated.\n');
          },
        });
        const text = format === 'json' ? JSON.stringify(report, null, 2) + '\n' : runTable(report);
        if (opts.output) {
          writeFileSync(opts.output, text);
          process.stderr.write(`wrote ${opts.output}\n`);
        } else {
          process.stdout.write(text);
        }
        return reconcileExitCode(report, opts.failOn as Severity | undefined);
      });
    });
  }

  @Option({
    flags: '--config <file>',
    description: 'config file (default $AUDIT_HUB_CONFIG, then ./config/audit-hub.yaml)',
  })
  parseConfig(v: string): string {
    return v;
  }

  @Option({ flags: '--format <format>', description: 'table or json' })
  parseFormat(v: string): string {
    return v;
  }

  @Option({ flags: '--output <file>', description: 'write the output to a file instead of stdout' })
  parseOutput(v: string): string {
    return v;
  }

  @Option({
    flags: '--fail-on <severity>',
    description: 'exit 1 when open findings of this run are at or above it',
  })
  parseFailOn(v: string): string {
    return v;
  }

  @Option({ flags: '--full', description: 'full resync: ignore saved cursors' })
  parseFull(): boolean {
    return true;
  }
}
