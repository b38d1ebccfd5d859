import {
  changeRef,
  commitRef,
  deploymentRef,
  entitlementRef,
  mergeRequestRef,
  serviceRef,
} from '@audit-hub/domain';
import type { Estate, Instant, PlantedCase, PlantedSubject } from './estate.model';

/**
 * The manifest of planted violations: what a correct reconcile of the sandbox must report. It is
 * read from the generator's planted list, never computed by re-running the controls, so it can
 * catch a control that is wrong in the same way as a second implementation would be.
 */

/** The connector ids of the generated config (subject refs start with them). */
export interface ConnectorIds {
  gitlab: string;
  servicenow: string;
  jenkins: string;
  vault: string;
  cyberark: string;
}

export interface ExpectedFinding {
  controlId: string;
  subjectRef: string;
  note: string;
  /** `accepted` when an exception of the generated config covers it; absent: open (or reopened). */
  status?: 'accepted';
}

export interface PlantedCaseView extends ExpectedFinding {
  caseId: string;
  kind: PlantedCase['kind'];
  /** Whether the control must flag the subject at the instant asked for. */
  flagged: boolean;
}

export const DEFAULT_CONNECTORS: ConnectorIds = {
  gitlab: 'gitlab',
  servicenow: 'servicenow',
  jenkins: 'jenkins',
  vault: 'vault',
  cyberark: 'cyberark',
};

/** Whether a planted case is flagged at `at`: the last phase that started by then decides. */
export function flaggedAt(planted: PlantedCase, at: Instant): boolean {
  let flagged = false;
  for (const phase of planted.phases) {
    if (phase.from <= at) flagged = phase.flagged;
    else break;
  }
  return flagged;
}

/** The subject ref of a planted case (interfaces.md "Subject refs and finding keys"). */
export function subjectRefOf(subject: PlantedSubject, connectors: ConnectorIds = DEFAULT_CONNECTORS): string {
  switch (subject.type) {
    case 'deployment':
      return subject.system === 'jenkins'
        ? deploymentRef(connectors.jenkins, subject.job, subject.number)
        : deploymentRef(connectors.gitlab, subject.project, subject.deploymentId);
    case 'change':
      return changeRef(connectors.servicenow, subject.number);
    case 'merge_request':
      return mergeRequestRef(connectors.gitlab, subject.project, subject.iid);
    case 'commit':
      return commitRef(connectors.gitlab, subject.project, subject.sha);
    case 'entitlement':
      return entitlementRef(connectors[subject.system], subject.holder, subject.resource);
    case 'service':
      return serviceRef(subject.service);
  }
}

function withDefaults(ids: Partial<ConnectorIds>): ConnectorIds {
  return { ...DEFAULT_CONNECTORS, ...ids };
}

/** Every planted case (violations and near-misses) that exists at `at` (default: the estate's now), with whether it is flagged then. */
export function plantedCases(
  estate: Estate,
  connectorIds: Partial<ConnectorIds> = DEFAULT_CONNECTORS,
  at: Date | Instant = estate.now,
): PlantedCaseView[] {
  const ids = withDefaults(connectorIds);
  const instant = typeof at === 'string' ? at : at.toISOString();
  return estate.planted
    .filter((p) => p.phases.length > 0 && p.phases[0].from <= instant)
    .map((p) => {
      const flagged = flaggedAt(p, instant);
      return {
        caseId: p.id,
        kind: p.kind,
        controlId: p.controlId,
        subjectRef: subjectRefOf(p.subject, ids),
        note: p.note,
        flagged,
        ...(flagged && p.acceptedUntil && instant <= p.acceptedUntil ? { status: 'accepted' as const } : {}),
      };
    });
}

/**
 * The findings a reconcile at `at` (default: the estate's now) must report, sorted by control and
 * subject: open ones, and accepted ones (`status: 'accepted'`) where an exception of the generated
 * config covers them. Near-misses are listed by `plantedCases` only: none of them is a finding.
 */
export function expectedFindings(
  estate: Estate,
  connectorIds: Partial<ConnectorIds> = DEFAULT_CONNECTORS,
  at: Date | Instant = estate.now,
): ExpectedFinding[] {
  return plantedCases(estate, connectorIds, at)
    .filter((c) => c.flagged)
    .map(({ controlId, subjectRef: ref, note, status }) => ({
      controlId,
      subjectRef: ref,
      note,
      ...(status ? { status } : {}),
    }))
    .sort((a, b) => a.controlId.localeCompare(b.controlId) || a.subjectRef.localeCompare(b.subjectRef));
}

/**
 * The manifest written next to the estate (`manifest.json`): the estate's identity, every planted
 * case with its phases, and the expected findings at the estate's present.
 */
export function manifestDocument(estate: Estate, connectorIds: Partial<ConnectorIds> = DEFAULT_CONNECTORS) {
  const ids = withDefaults(connectorIds);
  return {
    seed: estate.seed,
    scale: estate.scale,
    generatedAt: estate.generatedAt,
    now: estate.now,
    expectedFindings: expectedFindings(estate, ids),
    plantedCases: estate.planted.map((p) => ({
      caseId: p.id,
      controlId: p.controlId,
      kind: p.kind,
      subjectRef: subjectRefOf(p.subject, ids),
      phases: p.phases,
      ...(p.acceptedUntil ? { acceptedUntil: p.acceptedUntil } : {}),
      note: p.note,
    })),
  };
}
