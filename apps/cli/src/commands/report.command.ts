import { writeFileSync } from 'node:fs';
import { Command, CommandRunner, Option } from 'nest-commander';
import { ReportService } from '../../../hub/src/reports/report.service';
import { parseAsOf, parseFormat, parsePeriod } from '../../../hub/src/reports/report-period';
import { renderReport, REPORT_MEDIA } from '../../../hub/src/reports/report.renderer';
import { REPORT_FORMATS, type ReportFormat } from '../../../hub/src/reports/report.model';
import { Clock } from '../../../hub/src/common/clock';
import { EvidenceLedger } from '../../../hub/src/evidence/evidence.ledger';
import { defaultOperator } from '../../../hub/src/reports/report.service';
import { signReport, type SignRequest, type SignResult } from '../../../hub/src/reports/report-signoff';
import { withHub } from '../hub-context';
import { guarded, usage } from './command-errors';

interface Opts {
  config?: string;
  from?: string;
  to?: string;
  format?: string;
  output?: string;
  redact?: boolean;
  asOf?: string;
  sign?: string;
  reviewer?: string;
  role?: string;
  reviewedOn?: string;
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

/** `--sign`: the options of a sign-off, checked before anything connects. */
export function parseSignOptions(opts: Opts): Omit<SignRequest, 'recordedBy'> {
  if (!opts.sign) throw usage('--sign: a report file or report id is required');
  if (opts.format || opts.output)
    throw usage('--sign records a sign-off: it writes no report, so --format and --output do not apply');
  if (!opts.reviewer?.trim())
    throw usage('--reviewer: required with --sign (the name of who reviewed the report)');
  if (!opts.role?.trim()) throw usage("--role: required with --sign (the reviewer's title)");
  if (opts.reviewedOn !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.reviewedOn))
    throw usage(`--reviewed-on: "${opts.reviewedOn}" is not a date written YYYY-MM-DD`);
  const byId = /^[0-9a-f]{64}$/.test(opts.sign);
  if (byId) parsePeriod(opts.from, opts.to);
  if (byId && opts.asOf === undefined)
    throw usage(
      '--sign with a report id needs the --as-of the report was rendered with (or give the report file)',
    );
  return {
    target: opts.sign,
    reviewer: opts.reviewer.trim(),
    role: opts.role.trim(),
    ...(opts.reviewedOn ? { reviewedOn: opts.reviewedOn } : {}),
    ...(byId ? { from: opts.from, to: opts.to, asOf: parseAsOf(opts.asOf!), redact: !!opts.redact } : {}),
  };
}

/** The line `report --sign` prints: what was recorded, where. */
export function signedLine(r: SignResult): string {
  return (
    `Signed: report ${r.reportId} reviewed by ${r.payload.reviewer} (${r.payload.role}) on ${r.payload.reviewedOn}; ` +
    `evidence ledger entry ${r.seq}${r.checkpoint !== null ? `, checkpoint ${r.checkpoint}` : ''}` +
    `${r.file ? `; file ${r.file.name} (SHA-256 ${r.file.sha256})` : ''}\n`
  );
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
  const report = await service.build({
    from: o.from,
    to: o.to,
    asOf: o.asOf,
    redact: o.redact,
    operator: defaultOperator(),
  });
  const body = await renderReport(report, o.format);
  // Binary formats (PDF, the CSV zip) bound for a terminal go to a file instead.
  const binary = o.format === 'pdf' || o.format === 'csv';
  const path =
    o.output ?? (binary && stdout.isTTY ? `audit-hub-report.${REPORT_MEDIA[o.format].extension}` : undefined);
  const summary =
    `${report.population.total} production deployment(s), ${report.findings.length} finding(s), ` +
    `${report.incompleteRuns.length} incomplete run(s)${report.redacted ? ', redacted' : ''}; report id ${report.reportId}`;
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
    'period report for auditors: summary and completeness, control tests, findings, exceptions; --sign records a review',
})
export class ReportCommand extends CommandRunner {
  async run(_params: string[], opts: Opts): Promise<void> {
    await guarded(async () => {
      if (opts.sign !== undefined || opts.reviewer !== undefined || opts.role !== undefined) {
        const sign = parseSignOptions(opts);
        await withHub({ config: opts.config }, async (app) => {
          const result = await signReport(app.get(ReportService), app.get(EvidenceLedger), app.get(Clock), {
            ...sign,
            recordedBy: defaultOperator(),
          });
          process.stdout.write(signedLine(result));
        });
        return;
      }
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
    flags: '--sign <report>',
    description:
      'record a review of a rendered report (file, or report id with --from/--to/--as-of) in the evidence ledger',
  })
  parseSign(v: string): string {
    return v;
  }

  @Option({ flags: '--reviewer <name>', description: 'with --sign: who reviewed the report' })
  parseReviewer(v: string): string {
    return v;
  }

  @Option({ flags: '--role <title>', description: "with --sign: the reviewer's role or title" })
  parseRole(v: string): string {
    return v;
  }

  @Option({
    flags: '--reviewed-on <date>',
    description: 'with --sign: the date of the review, YYYY-MM-DD (default today, UTC)',
  })
  parseReviewedOn(v: string): string {
    return v;
  }

  @Option({
    flags: '--as-of <date>',
    description: 'what the hub knew then (a date means its end, UTC; or an ISO instant); default now',
  })
  parseAsOf(v: string): string {
    return v;
  }
}
