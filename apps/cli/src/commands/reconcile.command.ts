import { writeFileSync } from 'node:fs';
import { Command, CommandRunner, Option } from 'nest-commander';
import { SEVERITIES, Severity, severityRank } from '@audit-hub/domain';
import { ReconcileService } from '../../../hub/src/runs/reconcile.service';
import type { RunReport } from '../../../hub/src/runs/run-report.builder';
import { DataSource } from 'typeorm';
import {
  COLLECT_BATCH_LISTENERS,
  type CollectBatchListener,
} from '../../../hub/src/runs/run-lifecycle.listener';
import { RunProgressTracker } from '../../../hub/src/runs/run-progress';
import { withHub } from '../hub-context';
import { RunProgressDisplay } from '../output/run-progress.display';
import { ControlRegistry } from '../../../hub/src/controls/control.registry';
import { runTable } from '../output/findings.format';
import { runJunit } from '../output/junit.format';
import { runSarif, type ControlInEffect } from '../output/sarif.format';
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

export const RECONCILE_FORMATS = ['table', 'json', 'junit', 'sarif'] as const;
type ReconcileFormat = (typeof RECONCILE_FORMATS)[number];

function controlsInEffect(registry: ControlRegistry): ControlInEffect[] {
  return registry.effective().map((c) => ({
    id: c.definition.id,
    title: c.definition.title,
    description: c.definition.description,
    subjectType: c.definition.subjectType,
    severity: c.severity,
    enabled: c.enabled,
    params: c.params,
    frameworks: c.definition.frameworks,
  }));
}

/** The run in the format asked for: JSON is the interfaces.md contract; JUnit and SARIF are for CI (docs/ci.md). */
export function render(
  format: ReconcileFormat,
  report: RunReport,
  controls: () => ControlInEffect[],
): string {
  switch (format) {
    case 'json':
      return JSON.stringify(report, null, 2) + '\n';
    case 'junit':
      return runJunit(report, controls());
    case 'sarif':
      return runSarif(report, controls());
    default:
      return runTable(report);
  }
}

@Command({
  name: 'reconcile',
  description: 'one run now: collect from every enabled connector, evaluate, remediate',
})
export class ReconcileCommand extends CommandRunner {
  async run(_params: string[], opts: Opts): Promise<void> {
    await guarded(async () => {
      const format = opts.format ?? 'table';
      if (!(RECONCILE_FORMATS as readonly string[]).includes(format))
        throw usage(`--format: must be one of ${RECONCILE_FORMATS.join(', ')}, not "${format}"`);
      if (opts.failOn && !(SEVERITIES as readonly string[]).includes(opts.failOn)) {
        throw usage(`--fail-on: must be one of ${SEVERITIES.join(', ')}, not "${opts.failOn}"`);
      }
      return withHub({ config: opts.config }, async (app, loaded) => {
        if (!loaded.config.connectors.length) {
          process.stderr.write('audit-hub: no connectors are configured; the run collects nothing.\n');
        }
        const tracker = new RunProgressTracker(app.get(DataSource));
        app.get<CollectBatchListener[]>(COLLECT_BATCH_LISTENERS).push(tracker.listener());
        const progress = new RunProgressDisplay(process.stderr, tracker);
        let report: RunReport;
        try {
          report = await app.get(ReconcileService).reconcile({
            trigger: 'cli',
            full: !!opts.full,
            onProgress: (e) => {
              if (e.phase === 'planned') progress.planned(e.runId, e.sources);
            },
          });
          await progress.finish();
        } finally {
          progress.stop();
        }
        process.stderr.write('Evaluated the controls.\n');
        const text = render(format as ReconcileFormat, report, () =>
          controlsInEffect(app.get(ControlRegistry)),
        );
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

  @Option({
    flags: '--format <format>',
    description:
      'table (default), json, junit (JUnit XML: a suite per control, a test case per control result and finding) or sarif (SARIF 2.1.0: the catalog as rules, a result per open finding); see docs/ci.md',
  })
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
