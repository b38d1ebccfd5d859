import { HOUR, MINUTE, iso } from './estate.clock';
import type {
  ApproverState,
  Change,
  ChangeApproval,
  ChangeRevision,
  ChangeType,
  Estate,
} from './estate.model';
import type { Rng } from './prng.util';

/**
 * Change requests and their approval records, told as a story of revisions (created → assessed →
 * approved → implemented → reviewed → closed). The routine stories are compliant by construction:
 * approved before the deployment starts, planned window around it, named CI, distinct approvers,
 * emergency changes closed within a day. Planted stories write their revisions by hand.
 */

export const CAB_GROUP = 'CAB Approvers';
export const ECAB_GROUP = 'Emergency CAB';
export const CHANGE_MANAGEMENT_GROUP = 'Change Management';

export interface ChangeDraft {
  number: string;
  type: ChangeType;
  createdAt: number;
  createdBy: string;
  requestedBy: string;
  assignedTo: string | null;
  assignmentGroup: string | null;
  service: string | null;
  category?: string;
  risk?: Change['risk'];
  shortDescription: string;
  description: string;
  plannedStart: number | null;
  plannedEnd: number | null;
  confidential?: boolean;
}

/** Builds a change's revisions in time order; each step copies the previous one and applies a patch. */
export class ChangeStory {
  private readonly revisions: ChangeRevision[] = [];

  constructor(private readonly draft: ChangeDraft) {
    this.revisions.push({
      at: iso(draft.createdAt),
      by: draft.createdBy,
      state: 'new',
      approval: 'not_requested',
      approvalSetAt: null,
      workStart: null,
      workEnd: null,
      closedAt: null,
      closedBy: null,
      closeCode: null,
      closeNotes: '',
    });
  }

  to(at: number, by: string, patch: Partial<Omit<ChangeRevision, 'at' | 'by'>>): this {
    const previous = this.revisions[this.revisions.length - 1];
    const when = iso(at);
    if (when < previous.at) {
      throw new Error(
        `change ${this.draft.number}: revision at ${when} is before the previous one (${previous.at})`,
      );
    }
    this.revisions.push({ ...previous, ...patch, at: when, by });
    return this;
  }

  build(): Change {
    const d = this.draft;
    return {
      number: d.number,
      type: d.type,
      createdAt: iso(d.createdAt),
      createdBy: d.createdBy,
      requestedBy: d.requestedBy,
      assignedTo: d.assignedTo,
      assignmentGroup: d.assignmentGroup,
      service: d.service,
      category: d.category ?? 'Software',
      risk: d.risk ?? (d.type === 'standard' ? 'low' : 'moderate'),
      shortDescription: d.shortDescription,
      description: d.description,
      plannedStart: d.plannedStart === null ? null : iso(d.plannedStart),
      plannedEnd: d.plannedEnd === null ? null : iso(d.plannedEnd),
      confidential: d.confidential ?? false,
      revisions: this.revisions,
    };
  }
}

/** One approver's record (`sysapproval_approver`): requested at `requestedAt`, then each step. */
export function approvalRecord(
  change: string,
  approver: string,
  group: string | null,
  requestedAt: number,
  steps: { at: number; state: ApproverState; comment?: string }[],
): ChangeApproval {
  return {
    key: `${change}/${approver}`,
    change,
    approver,
    group,
    createdAt: iso(requestedAt),
    revisions: [
      { at: iso(requestedAt), state: 'requested', comment: '' },
      ...steps.map((s) => ({ at: iso(s.at), state: s.state, comment: s.comment ?? '' })),
    ],
  };
}

export function formatChangeNumber(n: number): string {
  return `CHG${String(n).padStart(7, '0')}`;
}

export function allocateChangeNumber(estate: Estate): string {
  return formatChangeNumber(estate.cursor.nextChangeNumber++);
}

export interface RoutineChangeInput {
  number: string;
  service: string;
  team: string;
  /** Start of the first deployment the change covers, and finish of the last (ms). */
  deployStart: number;
  lastFinish: number;
  requester: string;
  implementer: string;
  approvers: string[];
  title: string;
  version: string;
  rng: Rng;
}

export interface ChangeWithApprovals {
  change: Change;
  approvals: ChangeApproval[];
}

function plannedWindow(deployStart: number): { start: number; end: number } {
  const start = Math.floor((deployStart - HOUR) / (15 * MINUTE)) * 15 * MINUTE;
  return { start, end: start + 4 * HOUR };
}

function baseDraft(input: RoutineChangeInput, type: ChangeType, createdAt: number): ChangeDraft {
  const window = plannedWindow(input.deployStart);
  return {
    number: input.number,
    type,
    createdAt,
    createdBy: input.requester,
    requestedBy: input.requester,
    assignedTo: input.implementer,
    assignmentGroup: `${input.team}-team`,
    service: input.service,
    shortDescription: `Deploy ${input.service} ${input.version}`,
    description: `Release ${input.version} of ${input.service}: ${input.title}.`,
    plannedStart: window.start,
    plannedEnd: window.end,
  };
}

/** Normal change: two CAB approvals hours before the deployment; closed one to two days after. */
export function routineNormalChange(input: RoutineChangeInput): ChangeWithApprovals {
  const { rng } = input;
  const created = input.deployStart - rng.int(24, 72) * HOUR;
  const assess = created + rng.int(5, 30) * MINUTE;
  const first = assess + rng.int(1, 6) * HOUR;
  const second = first + rng.int(30, 360) * MINUTE;
  const review = input.lastFinish + rng.int(10, 40) * MINUTE;
  const closed = review + rng.int(2, 48) * HOUR;
  const [a1, a2] = input.approvers;
  const change = new ChangeStory(baseDraft(input, 'normal', created))
    .to(assess, input.requester, { state: 'assess', approval: 'requested' })
    .to(first, a1, { state: 'authorize' })
    .to(second, a2, { state: 'scheduled', approval: 'approved', approvalSetAt: iso(second) })
    .to(input.deployStart, input.implementer, { state: 'implement', workStart: iso(input.deployStart) })
    .to(review, input.implementer, { state: 'review', workEnd: iso(input.lastFinish) })
    .to(closed, input.implementer, {
      state: 'closed',
      closedAt: iso(closed),
      closedBy: input.implementer,
      closeCode: 'successful',
      closeNotes: 'Deployed and verified.',
    })
    .build();
  return {
    change,
    approvals: [
      approvalRecord(input.number, a1, CAB_GROUP, assess, [
        { at: first, state: 'approved', comment: 'Approved.' },
      ]),
      approvalRecord(input.number, a2, CAB_GROUP, assess, [
        { at: second, state: 'approved', comment: 'Approved.' },
      ]),
    ],
  };
}

/**
 * Standard (pre-approved) change: no approval records; ServiceNow shows approval `approved` with an
 * empty `approval_set`, as in its own sample of a closed standard change.
 */
export function routineStandardChange(input: RoutineChangeInput): ChangeWithApprovals {
  const { rng } = input;
  const created = input.deployStart - rng.int(60, 240) * MINUTE;
  const review = input.lastFinish + rng.int(5, 20) * MINUTE;
  const closed = review + rng.int(1, 6) * HOUR;
  const change = new ChangeStory(baseDraft(input, 'standard', created))
    .to(created + 2 * MINUTE, input.requester, { state: 'scheduled', approval: 'approved' })
    .to(input.deployStart, input.implementer, { state: 'implement', workStart: iso(input.deployStart) })
    .to(review, input.implementer, { state: 'review', workEnd: iso(input.lastFinish) })
    .to(closed, input.implementer, {
      state: 'closed',
      closedAt: iso(closed),
      closedBy: input.implementer,
      closeCode: 'successful',
      closeNotes: 'Standard change completed.',
    })
    .build();
  return { change, approvals: [] };
}

/** Emergency change: two ECAB approvals minutes before the deployment; reviewed and closed within a day. */
export function routineEmergencyChange(input: RoutineChangeInput): ChangeWithApprovals {
  const { rng } = input;
  const created = input.deployStart - rng.int(60, 180) * MINUTE;
  const assess = created + 5 * MINUTE;
  const first = input.deployStart - rng.int(20, 45) * MINUTE;
  const second = first + rng.int(2, 10) * MINUTE;
  const review = input.lastFinish + rng.int(10, 30) * MINUTE;
  const closed = review + rng.int(4, 20) * HOUR;
  const [a1, a2] = input.approvers;
  const draft = baseDraft(input, 'emergency', created);
  draft.risk = 'high';
  draft.shortDescription = `Emergency fix: ${input.service} ${input.version}`;
  const change = new ChangeStory(draft)
    .to(assess, input.requester, { state: 'assess', approval: 'requested' })
    .to(first, a1, { state: 'authorize' })
    .to(second, a2, { state: 'scheduled', approval: 'approved', approvalSetAt: iso(second) })
    .to(input.deployStart, input.implementer, { state: 'implement', workStart: iso(input.deployStart) })
    .to(review, input.implementer, { state: 'review', workEnd: iso(input.lastFinish) })
    .to(closed, input.implementer, {
      state: 'closed',
      closedAt: iso(closed),
      closedBy: input.implementer,
      closeCode: 'successful',
      closeNotes: 'Post-implementation review done.',
    })
    .build();
  return {
    change,
    approvals: [
      approvalRecord(input.number, a1, ECAB_GROUP, assess, [
        { at: first, state: 'approved', comment: 'ECAB ok.' },
      ]),
      approvalRecord(input.number, a2, ECAB_GROUP, assess, [
        { at: second, state: 'approved', comment: 'ECAB ok.' },
      ]),
    ],
  };
}
