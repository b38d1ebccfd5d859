/**
 * The text of remediation tickets and their comments: what was found, the subject and its links,
 * why it matters (the control's framework clauses), the evidence refs, how to fix it, and the key
 * that ties the ticket to its finding(s). Written in a small Markdown subset that every tracker
 * plugin renders its own way. Every text is redacted: a secret never reaches a ticket.
 */
import { Inject, Injectable } from '@nestjs/common';
import { controlDefinition } from '@audit-hub/domain';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { Redactor } from '../config/redactor';
import type { FindingEntity } from '../store/entities/finding.entity';
import { guidanceFor } from './remediation-guidance';
import type { RemediationPayload } from './remediation.types';
import { SubjectLinkBuilder } from './subject-link.builder';

/** The finding event a ticket points to as evidence (finding_event row). */
export interface EvidenceRef {
  eventId?: number;
  runId: string;
  at: string;
  toStatus: string;
}

export interface TicketContext {
  groupKey: string;
  marker: string;
  /** The findings the ticket is about (the active ones of its group). */
  findings: FindingEntity[];
  evidence?: Map<string, EvidenceRef>;
}

const day = (iso: string | null | undefined) =>
  iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'unknown';
const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

@Injectable()
export class TicketTextRenderer {
  private readonly links: SubjectLinkBuilder;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redactor: Redactor,
  ) {
    this.links = new SubjectLinkBuilder(config.connectors ?? []);
  }

  /** Title, body and labels of a new ticket. */
  ticket(ctx: TicketContext): Omit<RemediationPayload, 'comment'> {
    const [first] = ctx.findings;
    const def = controlDefinition(first.controlId);
    const controlTitle = def?.title ?? first.controlId;
    const grouped = ctx.groupKey !== first.key;
    const severity = highest(ctx.findings.map((f) => f.severity));
    const title = grouped
      ? `[audit-hub] ${first.controlId} ${controlTitle}: service ${first.service}`
      : `[audit-hub] ${first.controlId} ${controlTitle}: ${first.subjectRef}`;

    const lines: string[] = [];
    lines.push('## What was found');
    if (grouped) {
      lines.push(
        `${controlTitle} (${first.controlId}, severity ${severity}) for ${ctx.findings.length} subject${ctx.findings.length === 1 ? '' : 's'} of service ${first.service}:`,
        '',
      );
      for (const f of ctx.findings) lines.push(`- ${code(f.subjectRef)} (${f.severity}): ${f.reason}`);
    } else {
      lines.push(`${controlTitle} (${first.controlId}, severity ${first.severity}).`, '', first.reason);
    }

    lines.push('', '## Subject');
    for (const f of ctx.findings) lines.push(...this.subjectLines(f, grouped));

    lines.push('', '## Why it matters');
    if (def?.description) lines.push(def.description, '');
    const frameworks = [...new Set(ctx.findings.flatMap((f) => f.frameworks ?? []))];
    lines.push(`Framework clauses: ${frameworks.length ? frameworks.join(', ') : 'none mapped'}.`);

    lines.push('', '## Evidence');
    for (const f of ctx.findings) lines.push(...this.evidenceLines(f, ctx.evidence?.get(f.key)));
    lines.push(
      `- Check it: ${code(`audit-hub findings --control ${first.controlId}${first.service ? ` --service ${first.service}` : ''} --format json`)}`,
    );

    lines.push('', '## How to fix it');
    for (const step of guidanceFor(first.controlId)) lines.push(`- ${step}`);
    lines.push(
      '- audit-hub closes this ticket by itself when a later run no longer flags it, and reopens it if it comes back.',
    );

    lines.push('', '## Finding key');
    if (grouped) {
      lines.push(`Group ${code(ctx.groupKey)}, findings:`);
      for (const f of ctx.findings) lines.push(`- ${code(f.key)}`);
    } else {
      lines.push(code(first.key));
    }
    lines.push(
      '',
      `audit-hub finds this ticket again by its dedupe marker ${code(ctx.marker)}, carried as a label: keep that label.`,
    );

    return this.redactDeep({
      title,
      body: lines.join('\n'),
      labels: ['audit-hub', first.controlId, `severity-${severity}`],
      severity,
      findingKeys: ctx.findings.map((f) => f.key),
    });
  }

  resolved(findings: FindingEntity[], runId: string, at: string, stillOpen: number): string {
    const subjects = findings.map((f) => code(f.subjectRef)).join(', ');
    const tail =
      stillOpen > 0
        ? `${stillOpen} other finding${stillOpen === 1 ? '' : 's'} of this ticket ${stillOpen === 1 ? 'is' : 'are'} still open.`
        : 'Closing this ticket.';
    return this.redactor.redact(
      `Resolved: audit-hub run ${code(runId)} evaluated ${subjects} at ${day(at)} and no longer flags ${findings.length === 1 ? 'it' : 'them'}. ${tail}`,
    );
  }

  reopened(findings: FindingEntity[], runId: string, at: string): string {
    const lines = [`Reopened: audit-hub run ${code(runId)} flags this again at ${day(at)}.`, ''];
    for (const f of findings) lines.push(`- ${code(f.subjectRef)} (${f.status}): ${f.reason}`);
    return this.redactor.redact(lines.join('\n'));
  }

  accepted(findings: FindingEntity[], runId: string, stillOpen: number): string {
    const lines = [`Accepted risk, recorded by audit-hub run ${code(runId)}:`, ''];
    for (const f of findings) {
      const e = (f.exception ?? {}) as Record<string, unknown>;
      const expires =
        typeof e.expires === 'string' ? `${e.expires} (through 23:59:59 UTC)` : 'no expiry recorded';
      lines.push(
        `- ${code(f.subjectRef)}: reason "${String(e.reason ?? 'not recorded')}", approved by ${String(e.approvedBy ?? 'unknown')}` +
          `${e.requestedBy ? `, requested by ${String(e.requestedBy)}` : ''}, expires ${expires}.`,
      );
    }
    lines.push(
      '',
      stillOpen > 0
        ? `${stillOpen} other finding${stillOpen === 1 ? '' : 's'} of this ticket ${stillOpen === 1 ? 'is' : 'are'} still open.`
        : 'Closing this ticket; audit-hub reopens it if the finding is flagged again once the exception has expired.',
    );
    return this.redactor.redact(lines.join('\n'));
  }

  /** A finding joined a grouped ticket that is open. */
  joined(findings: FindingEntity[], runId: string, at: string): string {
    const lines = [`Also flagged by audit-hub run ${code(runId)} at ${day(at)}:`, ''];
    for (const f of findings)
      lines.push(`- ${code(f.subjectRef)} (${f.severity}): ${f.reason} (finding ${code(f.key)})`);
    return this.redactor.redact(lines.join('\n'));
  }

  reminder(findings: FindingEntity[], runId: string, at: string): string {
    const firstSeen = findings.map((f) => f.firstSeenAt).sort()[0];
    const lines = [
      `Still open: audit-hub run ${code(runId)} still flags this at ${day(at)} (first seen ${day(firstSeen)}).`,
      `Reminders come at most every ${this.config.remediation.reminderDays} days while the finding stays open.`,
    ];
    if (findings.length > 1) {
      lines.push('');
      for (const f of findings) lines.push(`- ${code(f.subjectRef)} (${f.severity})`);
    }
    return this.redactor.redact(lines.join('\n'));
  }

  private subjectLines(f: FindingEntity, grouped: boolean): string[] {
    const prefix = grouped ? `${code(f.subjectRef)}: ` : '';
    const out: string[] = [];
    if (!grouped) out.push(`- Ref: ${code(f.subjectRef)} (${f.subjectType})`);
    const where = [
      f.service ? `service ${f.service}` : undefined,
      f.environment ? `environment ${f.environment}` : undefined,
      f.team ? `team ${f.team}` : undefined,
    ].filter(Boolean);
    if (where.length) out.push(`- ${prefix}${where.join(', ')}`);
    const link = this.links.link(f.subjectType, f.subjectRef);
    if (link) out.push(`- ${prefix}${link.url}`);
    for (const r of f.related ?? []) {
      const rl = this.links.link(r.type, r.ref);
      out.push(`- ${prefix}related ${r.type} ${code(r.ref)}${rl ? ` ${rl.url}` : ''}`);
    }
    if (grouped && !where.length && !link && !(f.related ?? []).length)
      out.push(`- ${prefix}${f.subjectType}`);
    return out;
  }

  private evidenceLines(f: FindingEntity, ref: EvidenceRef | undefined): string[] {
    const event = ref
      ? `finding event ${ref.eventId !== undefined ? `#${ref.eventId} ` : ''}(${ref.toStatus}) in run ${code(ref.runId)} at ${day(ref.at)}`
      : `last evaluated in run ${code(f.lastRunId)}`;
    return [
      `- ${code(f.key)}: ${event}; first seen ${day(f.firstSeenAt)}, last seen ${day(f.lastSeenAt)}; records ${[
        f.subjectRef,
        ...(f.related ?? []).map((r) => r.ref),
      ]
        .map(code)
        .join(', ')}`,
    ];
  }

  private redactDeep<T>(value: T): T {
    return this.redactor.redactDeep(value);
  }
}

const ORDER = ['critical', 'high', 'medium', 'low'];
function highest(severities: string[]): string {
  return [...severities].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b))[0] ?? 'unknown';
}
