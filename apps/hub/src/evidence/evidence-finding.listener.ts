/**
 * Writes every finding transition to the ledger in the transition's own transaction (controls.md
 * "Finding lifecycle": with the run id and the input it was decided on), and an exception decision
 * when an exception starts or stops covering a finding.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Redactor } from '../config/redactor';
import type { FindingTransition, FindingTransitionListener } from '../findings/finding-transition.listener';
import { EvidenceLedger } from './evidence.ledger';
import { exceptionDecisionEntry } from './evidence-entries';
import { canonicalJson, sha256Hex, toJsonValue } from './ledger-hash';
import type { EvidenceEntryInput } from './ledger.types';

@Injectable()
export class EvidenceFindingListener implements FindingTransitionListener {
  constructor(
    private readonly ledger: EvidenceLedger,
    private readonly redactor: Redactor,
  ) {}

  async onTransitions(manager: EntityManager, transitions: FindingTransition[]): Promise<void> {
    const entries: EvidenceEntryInput[] = [];
    for (const t of transitions) {
      const input = toJsonValue(t.input);
      const f = t.finding;
      entries.push({
        type: 'finding_transition',
        subject: f.key,
        runId: t.runId,
        at: t.at,
        payload: this.redactor.redactDeep({
          key: f.key,
          controlId: f.controlId,
          subjectType: f.subjectType,
          subjectRef: f.subjectRef,
          severity: f.severity,
          from: t.fromStatus,
          to: t.toStatus,
          reason: t.reason,
          // Of the input as decided on (and as kept in finding_event), before redaction: an auditor
          // holding that input can match it; the copy below is redacted.
          inputSha256: sha256Hex(canonicalJson(input)),
          input,
        }),
      });
      const covered = t.toStatus === 'accepted' && t.fromStatus !== 'accepted';
      const lapsed = t.fromStatus === 'accepted' && (t.toStatus === 'open' || t.toStatus === 'reopened');
      if (covered || lapsed) {
        entries.push(
          exceptionDecisionEntry({
            runId: t.runId,
            findingKey: f.key,
            decision: covered ? 'covered' : 'lapsed',
            fromStatus: t.fromStatus,
            toStatus: t.toStatus,
            exception: this.redactor.redactDeep(toJsonValue(covered ? f.exception : null)),
            at: t.at,
          }),
        );
      }
    }
    await this.ledger.append(manager, entries);
  }
}
