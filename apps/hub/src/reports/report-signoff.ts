/**
 * Reviewer sign-offs of period reports (`report --sign`): each one a `report_signoff` entry of the
 * evidence ledger, bound to the report's content hash (`reportId`), so a report whose content
 * changed no longer matches it. A render looks them up and fills its reviewed-by block from them.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import type { DataSource } from 'typeorm';
import type { Clock } from '../common/clock';
import { HubError } from '../common/errors';
import { parseJson } from '../common/json';
import { sqlQuery } from '../common/sql';
import { isCalendarDate } from '../config/config.schema';
import { reportSignOffEntry, type ReportSignOffPayload } from '../evidence/evidence-entries';
import type { EvidenceLedger } from '../evidence/evidence.ledger';
import { PDF_INFO_KEYS } from './pdf.renderer';
import { REPORT_ID, reportContentHash } from './report-id';
import { REPORT_VERSION, type AuditReport, type SignOffEntry, type SignOffView } from './report.model';
import type { ReportService } from './report.service';

export const SIGN_COMMAND = 'npm run audit-hub -- report --sign';

/** How to sign a report: the file it was written to, the reviewer and their role. */
export function signCommand(): string {
  return `${SIGN_COMMAND} <report file> --reviewer "<name>" --role "<title>"`;
}

interface SignOffRow {
  seq: number | string;
  at: string;
  payload: unknown;
  hash: string;
}

async function ledgerExists(ds: DataSource): Promise<boolean> {
  const runner = ds.createQueryRunner();
  try {
    return await runner.hasTable('evidence_entry');
  } finally {
    await runner.release();
  }
}

/** Every sign-off recorded in the ledger, oldest first. */
export async function readSignOffs(
  ds: DataSource,
): Promise<(SignOffEntry & { payload: ReportSignOffPayload })[]> {
  if (!(await ledgerExists(ds))) return [];
  const rows = await sqlQuery<SignOffRow>(
    ds,
    `SELECT seq, at, payload, hash FROM evidence_entry WHERE type = 'report_signoff' ORDER BY seq`,
  );
  return rows.flatMap((r) => {
    const p = parseJson<ReportSignOffPayload>(r.payload);
    if (!p?.reportId) return [];
    return [
      {
        reportId: p.reportId,
        reviewer: p.reviewer,
        role: p.role,
        reviewedOn: p.reviewedOn,
        signedAt: r.at,
        recordedBy: p.recordedBy,
        file: p.file ?? null,
        ledgerSeq: Number(r.seq),
        ledgerHash: r.hash,
        payload: p,
      },
    ];
  });
}

/**
 * The sign-offs of this report: those of its content hash, and those of the same period, as-of
 * instant and redaction whose hash differs (the report changed since it was signed).
 */
export async function signOffView(
  ds: DataSource,
  report: Pick<AuditReport, 'reportId' | 'period' | 'asOf' | 'redacted'>,
): Promise<SignOffView> {
  const all = await readSignOffs(ds);
  const strip = ({ payload: _p, ...e }: SignOffEntry & { payload: ReportSignOffPayload }): SignOffEntry => e;
  return {
    signatures: all.filter((e) => e.reportId === report.reportId).map(strip),
    mismatched: all
      .filter(
        (e) =>
          e.reportId !== report.reportId &&
          e.payload.period?.from === report.period.from &&
          e.payload.period?.to === report.period.to &&
          e.payload.asOf === report.asOf &&
          e.payload.redacted === report.redacted,
      )
      .map(strip),
    signCommand: signCommand(),
  };
}

/** What a report file says about itself: its id and the parameters that rebuild it. */
export interface ReportIdentity {
  reportId: string;
  from: string;
  to: string;
  asOf: string;
  redacted: boolean;
  /** The file's format, as found in its content. */
  format: 'json' | 'html' | 'pdf' | 'csv';
  /** For JSON: the content hash recomputed from the file itself. */
  recomputed?: string;
}

function identityFrom(
  format: ReportIdentity['format'],
  where: string,
  get: (
    key: 'audit-hub-report-id' | 'audit-hub-period' | 'audit-hub-as-of' | 'audit-hub-redacted',
  ) => string | undefined,
): ReportIdentity {
  const reportId = get('audit-hub-report-id');
  const period = get('audit-hub-period');
  const asOf = get('audit-hub-as-of');
  const redacted = get('audit-hub-redacted');
  const missing = [
    ...(reportId && REPORT_ID.test(reportId) ? [] : ['report id']),
    ...(period && /^\d{4}-\d{2}-\d{2}\/\d{4}-\d{2}-\d{2}$/.test(period) ? [] : ['period']),
    ...(asOf ? [] : ['as-of instant']),
    ...(redacted === 'true' || redacted === 'false' ? [] : ['redaction']),
  ];
  if (missing.length)
    throw new HubError(
      'usage',
      `${where}: not an audit-hub report of format ${REPORT_VERSION} or later: its ${missing.join(', ')} cannot be read (render it again with "report", then sign that file)`,
    );
  const [from, to] = period!.split('/');
  return { reportId: reportId!, from, to, asOf: asOf!, redacted: redacted === 'true', format };
}

/**
 * Reads a rendered report's id and parameters: a JSON report (whose content hash is recomputed
 * from the file, so an edited file is refused), an HTML report (its `<meta>` tags), a PDF (its
 * document info) or a CSV zip (its `report.csv`).
 */
export function readReportIdentity(bytes: Buffer, where: string): ReportIdentity {
  const head = bytes.subarray(0, 8).toString('latin1');
  if (head.startsWith('%PDF-')) {
    const text = bytes.toString('latin1');
    const info = (key: string) => {
      const name = PDF_INFO_KEYS[key];
      if (!name) return undefined;
      const direct = new RegExp(`/${name} \\(([^)]*)\\)`).exec(text)?.[1];
      if (direct !== undefined) return direct;
      // pdfkit writes document-info values as indirect objects: `/Key 12 0 R` … `12 0 obj (value)`.
      const ref = new RegExp(`/${name} (\\d+) 0 R`).exec(text)?.[1];
      return ref ? new RegExp(`(?:^|\\n)${ref} 0 obj\\s*\\(([^)]*)\\)`).exec(text)?.[1] : undefined;
    };
    return identityFrom('pdf', where, info);
  }
  if (head.startsWith('PK\u0003\u0004')) {
    let files: Record<string, Uint8Array>;
    try {
      files = unzipSync(bytes);
    } catch (err) {
      throw new HubError('usage', `${where}: not a readable zip (${(err as Error).message})`);
    }
    const report = files['report.csv'];
    if (!report)
      throw new HubError('usage', `${where}: a zip without report.csv is not an audit-hub CSV report`);
    const fields = new Map(
      strFromU8(report)
        .split(/\r?\n/)
        .slice(1)
        .map((line) => [line.slice(0, line.indexOf(',')), line.slice(line.indexOf(',') + 1)] as const),
    );
    const period = fields.get('period_from') && `${fields.get('period_from')}/${fields.get('period_to')}`;
    return identityFrom('csv', where, (k) =>
      k === 'audit-hub-report-id'
        ? fields.get('report_id')
        : k === 'audit-hub-period'
          ? period
          : k === 'audit-hub-as-of'
            ? fields.get('as_of')
            : fields.get('redacted'),
    );
  }
  const text = bytes.toString('utf8');
  if (/^\s*</.test(text)) {
    const meta = (name: string) =>
      new RegExp(`<meta name="${name}" content="([^"]*)">`).exec(text)?.[1]?.replace(/&amp;/g, '&');
    return identityFrom('html', where, meta);
  }
  let parsed: AuditReport;
  try {
    parsed = JSON.parse(text) as AuditReport;
  } catch {
    throw new HubError('usage', `${where}: not a JSON, HTML, PDF or CSV-zip report`);
  }
  if ((parsed as unknown as Record<string, unknown>)['assessment-results'])
    throw new HubError(
      'usage',
      `${where}: an OSCAL document cannot be signed; sign the JSON, HTML, PDF or CSV report`,
    );
  const identity = identityFrom('json', where, (k) =>
    k === 'audit-hub-report-id'
      ? parsed.reportId
      : k === 'audit-hub-period'
        ? parsed.period && `${parsed.period.from}/${parsed.period.to}`
        : k === 'audit-hub-as-of'
          ? parsed.asOf
          : parsed.redacted === undefined
            ? undefined
            : String(parsed.redacted),
  );
  return { ...identity, recomputed: reportContentHash(parsed) };
}

export interface SignRequest {
  /** A report file, or a report id (64 hex digits) with `from`, `to`, `asOf`. */
  target: string;
  reviewer: string;
  role: string;
  /** `YYYY-MM-DD`; default the clock's day (UTC). */
  reviewedOn?: string;
  recordedBy: string;
  /** For a report id: the parameters that rebuild it. */
  from?: string;
  to?: string;
  asOf?: Date;
  redact?: boolean;
}

export interface SignResult {
  reportId: string;
  seq: number;
  hash: string;
  checkpoint: number | null;
  file: { name: string; format: string; sha256: string } | null;
  payload: ReportSignOffPayload;
}

/**
 * Records a reviewer's sign-off: the report is rebuilt from the store with the file's (or the
 * given) period, as-of instant and redaction, and its content hash must be the one the file
 * states (and, for JSON, the one recomputed from the file); then a `report_signoff` entry is
 * appended to the evidence ledger and a checkpoint taken over it.
 */
export async function signReport(
  reports: ReportService,
  ledger: EvidenceLedger,
  clock: Clock,
  req: SignRequest,
): Promise<SignResult> {
  const reviewer = req.reviewer?.trim();
  const role = req.role?.trim();
  if (!reviewer)
    throw new HubError('usage', '--reviewer: required with --sign (the name of who reviewed it)');
  if (!role) throw new HubError('usage', "--role: required with --sign (the reviewer's title)");
  const reviewedOn = req.reviewedOn ?? clock.now().toISOString().slice(0, 10);
  if (!isCalendarDate(reviewedOn))
    throw new HubError('usage', `--reviewed-on: "${reviewedOn}" is not a date written YYYY-MM-DD`);

  let identity: Omit<ReportIdentity, 'format'> & { format?: string };
  let file: SignResult['file'] = null;
  if (REPORT_ID.test(req.target)) {
    if (!req.from || !req.to || !req.asOf)
      throw new HubError(
        'usage',
        '--sign with a report id needs the --from, --to and --as-of it was rendered with (or give the report file instead)',
      );
    identity = {
      reportId: req.target,
      from: req.from,
      to: req.to,
      asOf: req.asOf.toISOString(),
      redacted: !!req.redact,
    };
  } else {
    let bytes: Buffer;
    try {
      bytes = readFileSync(req.target);
    } catch (err) {
      throw new HubError(
        'usage',
        `--sign ${req.target}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); give a report file or a report id`,
      );
    }
    const read = readReportIdentity(bytes, req.target);
    if (read.recomputed && read.recomputed !== read.reportId)
      throw new HubError(
        'usage',
        `${req.target}: its content was changed after it was generated: it says report ${read.reportId}, its content hashes to ${read.recomputed}`,
      );
    identity = read;
    file = {
      name: basename(req.target),
      format: read.format,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
  }
  const rebuilt = await reports.build({
    from: identity.from,
    to: identity.to,
    asOf: new Date(identity.asOf),
    redact: identity.redacted,
  });
  if (rebuilt.reportId !== identity.reportId)
    throw new HubError(
      'usage',
      `report ${identity.reportId} (${identity.from} to ${identity.to}, as of ${identity.asOf}${identity.redacted ? ', redacted' : ''}) ` +
        `is not what the hub reports for those parameters now (report ${rebuilt.reportId}): the file or the store changed since it was rendered. Render it again, review it, and sign that.`,
    );
  const payload: ReportSignOffPayload = {
    reportId: rebuilt.reportId,
    reportVersion: rebuilt.reportVersion,
    period: { from: rebuilt.period.from, to: rebuilt.period.to },
    asOf: rebuilt.asOf,
    redacted: rebuilt.redacted,
    reviewer,
    role,
    reviewedOn,
    recordedBy: req.recordedBy,
    file,
  };
  const [appended] = await ledger.append(undefined, [reportSignOffEntry(payload)]);
  // Covered by a (signed, when a key is configured) checkpoint at once, not only after the next run.
  const checkpoint = await ledger.checkpoint(null);
  return {
    reportId: rebuilt.reportId,
    seq: appended.seq,
    hash: appended.hash,
    checkpoint: checkpoint?.id ?? null,
    file,
    payload,
  };
}
