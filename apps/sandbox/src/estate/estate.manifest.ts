import { deploymentRef } from '@audit-hub/domain';
import type { Estate, Instant, PlantedCase } from './estate.model';

/**
 * The manifest of planted violations: what a correct reconcile of the sandbox must report. It is
 * read from the generator's planted list, never computed by re-running the controls, so it can
 * catch a control that is wrong in the same way as a second implementation would be.
 */

export interface ConnectorIds {
  gitlab: string;
  servicenow: string;
}

export interface ExpectedFinding {
  controlId: string;
  subjectRef: string;
  note: string;
}

export interface PlantedCaseView extends ExpectedFinding {
  caseId: string;
  kind: PlantedCase['kind'];
  /** Whether the control must flag the subject at the instant asked for. */
  flagged: boolean;
}

const DEFAULT_CONNECTORS: ConnectorIds = { gitlab: 'gitlab', servicenow: 'servicenow' };

/** Whether a planted case is flagged at `at`: the last phase that started by then decides. */
export function flaggedAt(planted: PlantedCase, at: Instant): boolean {
  let flagged = false;
  for (const phase of planted.phases) {
    if (phase.from <= at) flagged = phase.flagged;
    else break;
  }
  return flagged;
}

function subjectRef(planted: PlantedCase, connectors: ConnectorIds): string {
  return deploymentRef(connectors.gitlab, planted.subject.project, planted.subject.deploymentId);
}

/** Every planted case (violations and near-misses) with whether it is flagged at `at` (default: the estate's now). */
export function plantedCases(
  estate: Estate,
  connectorIds: ConnectorIds = DEFAULT_CONNECTORS,
  at: Date | Instant = estate.now,
): PlantedCaseView[] {
  const instant = typeof at === 'string' ? at : at.toISOString();
  return estate.planted
    .filter((p) => p.phases.length > 0 && p.phases[0].from <= instant)
    .map((p) => ({
      caseId: p.id,
      kind: p.kind,
      controlId: p.controlId,
      subjectRef: subjectRef(p, connectorIds),
      note: p.note,
      flagged: flaggedAt(p, instant),
    }));
}

/**
 * The findings a reconcile at `at` (default: the estate's now) must report open, sorted by
 * control and subject. Near-misses are listed by `plantedCases` only: none of them is a finding.
 */
export function expectedFindings(
  estate: Estate,
  connectorIds: ConnectorIds = DEFAULT_CONNECTORS,
  at: Date | Instant = estate.now,
): ExpectedFinding[] {
  return plantedCases(estate, connectorIds, at)
    .filter((c) => c.flagged)
    .map(({ controlId, subjectRef: ref, note }) => ({ controlId, subjectRef: ref, note }))
    .sort((a, b) => a.controlId.localeCompare(b.controlId) || a.subjectRef.localeCompare(b.subjectRef));
}
