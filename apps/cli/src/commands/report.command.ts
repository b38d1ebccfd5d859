import { writeFileSync } from 'node:fs';
import { Command, CommandRunner, Option } from 'nest-commander';
import { ReportService } from '../../../hub/src/reports/report.service';
import { parseAsOf, parseFormat, parsePeriod } from '../../../hub/src/reports/report-period';
import { renderReport, REPORT_MEDIA } from '../../../hub/src/reports/report.renderer';
import { REPORT_FORMATS, type ReportFormat } from '../../../hub/src/reports/report.model';
import { withHub } from '../hub-context';
import { guarded } from './command-errors';

interface Opts {
  config?: string;
  from?: string;
  to?: string;
  format?: string;
  output?: string;
  redact?: boolean;
  asOf?: string;
}

export interface ReportCommandOptions {
  from: string;
  to: string;
  format: ReportFormat;
  asOf?: Date;
  output?: string;
  redact: boolean;
}

/** Checks every option before anything connects: a bad date or format is exit 2. */
export function parseReportOptions(opts: Opts): ReportCommandOptions {
  parsePeriod(opts.from, opts.to);
  return {
    from: opts.from!,
    to: opts.to!,
    format: parseFormat(opts.format),
    ...(opts.asOf !== undefined ? { asOf: parseAsOf(opts.asOf) } : {}),
    ...(opts.output ? { output: opts.output } : {}),
    redact: !!opts.redact,
  };
}

/**
 * Builds and writes the report: to `--output`, else to stdout — except a PDF bound for a terminal,
 * which goes to `./audit-hub-report.pdf` instead of filling the screen with binary.
 */
export async function writeReport(
  service: ReportService,
  o: ReportCommandOptions,
  stdout: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout,
): Promise<{ path?: string; bytes: number }> {
  const report = await service.build({ from: o.from, to: o.to, asOf: o.asOf, redact: o.redact });
  const body = await renderReport(report, o.format);
  const path =
    o.output ??
    (o.format === 'pdf' && stdout.isTTY ? `audit-hub-report.${REPORT_MEDIA.pdf.extension}` : undefined);
  const summary =
    `${report.population.total} production deployment(s), ${report.findings.length} finding(s), ` +
    `${report.incompleteRuns.length} incomplete run(s)${report.redacted ? ', redacted' : ''}`;
  if (path) {
    writeFileSync(path, body);
    process.stderr.write(`wrote ${path}: ${o.format} report for ${o.from} to ${o.to} (${summary})\n`);
  } else {
    await new Promise<void>((resolve, reject) =>
      stdout.write(body, (err) => (err ? reject(err) : resolve())),
    );
    process.stderr.write(`${o.format} report for ${o.from} to ${o.to} (${summary})\n`);
  }
  return { ...(path ? { path } : {}), bytes: body.length };
}

@Command({
  name: 'report',
  description:
    'period report for auditors: population, control results by framework clause, findings, exceptions',
})
export class ReportCommand extends CommandRunner {
  async run(_params: string[], opts: Opts): Promise<void> {
    await guarded(async () => {
      const options = parseReportOptions(opts);
      await withHub({ config: opts.config }, async (app) => {
        await writeReport(app.get(ReportService), options);
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

  @Option({ flags: '--from <date>', description: 'first day of the period, YYYY-MM-DD (UTC)' })
  parseFrom(v: string): string {
    return v;
  }

  @Option({ flags: '--to <date>', description: 'last day of the period, YYYY-MM-DD (UTC), included' })
  parseTo(v: string): string {
    return v;
  }

  @Option({ flags: '--format <format>', description: `${REPORT_FORMATS.join(', ')} (default html)` })
  parseFormat(v: string): string {
    return v;
  }

  @Option({ flags: '--output <file>', description: 'write the report to a file instead of stdout' })
  parseOutput(v: string): string {
    return v;
  }

  @Option({
    flags: '--redact',
    description: 'replace names, e-mail addresses and user names with keyed pseudonyms',
  })
  parseRedact(): boolean {
    return true;
  }

  @Option({
    flags: '--as-of <date>',
    description: 'what the hub knew then (a date means its end, UTC; or an ISO instant); default now',
  })
  parseAsOf(v: string): string {
    return v;
  }
}
