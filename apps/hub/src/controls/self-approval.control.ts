/**
 * RM-SOD-001 Self-approval: an approver of a change linked to a production deployment (a
 * ServiceNow approval record in state `approved`) is the same identity as its requester, or an
 * approver of a merge request shipped with a production deployment is the same identity as the
 * MR's author. Identities are people resolved across systems (docs/identities.md), so `jdoe` in
 * GitLab and `jane.doe` in ServiceNow are one person when the directory says so.
 */
import { Injectable } from '@nestjs/common';
import {
  changeRef,
  controlDefinition,
  deploymentRefFromExternalId,
  mergeRequestRef,
} from '@audit-hub/domain';
import { chunk, sqlQuery } from '../common/sql';
import type { Control, ControlContext, ControlOutcome, Flag, Undecided } from './control';
import { PRODUCTION_DEPLOYMENT } from './deployment.queries';
import { parseList } from './merge-approvals.control';
import { PersonLookup } from './person.lookup';
import { pushTo } from '../common/group-by';

/**
 * Candidates only: approver `a` is requester `c` by name, or by another name of the same person.
 * The exact check (PersonLookup) is done in TypeScript.
 */
const SAME_PERSON = `(LOWER(a.approver) = LOWER(c.requested_by)
       OR EXISTS (SELECT 1 FROM person_name pr JOIN person_name pa ON pa.person_key = pr.person_key
                  WHERE pr.name_lower = LOWER(c.requested_by) AND pa.name_lower = LOWER(a.approver)))`;

/**
 * The changes with a candidate self-approval, in one pass over changes and approvals: a handful of
 * a million, so that only theirs are then joined to links and deployments.
 */
const CANDIDATE_CHANGES_SQL = `
SELECT DISTINCT c.number
FROM change_request c
JOIN change_approval a ON a.change_number = c.number AND a.state = 'approved' AND a.deleted = FALSE
WHERE c.deleted = FALSE AND c.requested_by IS NOT NULL AND ${SAME_PERSON}
ORDER BY c.number`;

/** The candidate approvals of the changes `:numbers` that are linked to a production deployment. */
const CHANGE_SQL = `
SELECT DISTINCT c.connector, c.number, c.requested_by, a.approver, a.decided_at,
       d.connector AS deployment_connector, d.external_id AS deployment_id, d.project, d.service
FROM change_request c
JOIN change_approval a ON a.change_number = c.number AND a.state = 'approved' AND a.deleted = FALSE
JOIN link l ON l.change_number = c.number
JOIN deployment d ON d.connector = l.deployment_connector AND d.external_id = l.deployment_id
WHERE c.number IN (:...numbers) AND c.deleted = FALSE AND c.requested_by IS NOT NULL AND ${PRODUCTION_DEPLOYMENT}
  AND ${SAME_PERSON}
ORDER BY c.number, a.approver`;

/**
 * Candidates only: the approvers' JSON of MR `m` names its author under any of the author's names
 * (person_name holds every name of each person), or cannot be read; the exact check is done below.
 */
const CANDIDATE_MRS_SQL = `
SELECT m.connector, m.external_id FROM merge_request m
WHERE m.deleted = FALSE
  AND (m.approved_by IS NULL OR LOWER(m.approved_by) LIKE '%"' || LOWER(m.author) || '"%')
UNION
SELECT m.connector, m.external_id FROM merge_request m
JOIN person_name pa ON pa.name_lower = LOWER(m.author)
JOIN person_name pb ON pb.person_key = pa.person_key
WHERE m.deleted = FALSE AND LOWER(m.approved_by) LIKE '%"' || pb.name_lower || '"%'
ORDER BY 1, 2`;

/** The candidate MRs `:ids` of `:connector` shipped with a production deployment, once per environment. */
const MR_SQL = `
SELECT DISTINCT m.connector, m.external_id, m.project, m.iid, m.service, m.author, m.approved_by, d.environment
FROM merge_request m
JOIN deployment_mr dm ON dm.connector = m.connector AND dm.merge_request_id = m.external_id AND dm.deleted = FALSE
JOIN deployment d ON d.connector = dm.deployment_connector AND d.external_id = dm.deployment_id
WHERE m.connector = :connector AND m.external_id IN (:...ids) AND m.deleted = FALSE AND ${PRODUCTION_DEPLOYMENT}
ORDER BY m.connector, m.external_id`;

interface ChangeRow {
  connector: string;
  number: string;
  requested_by: string;
  approver: string;
  decided_at: string | null;
  deployment_connector: string;
  deployment_id: string;
  project: string;
  service: string | null;
}

interface MrRow {
  connector: string;
  external_id: string;
  project: string;
  iid: number;
  service: string | null;
  author: string;
  approved_by: unknown;
  environment: string;
}

@Injectable()
export class SelfApprovalControl implements Control {
  readonly definition = controlDefinition('RM-SOD-001')!;

  async evaluate(ctx: ControlContext): Promise<ControlOutcome> {
    const changes: ChangeRow[] = [];
    const numbers = await sqlQuery<{ number: string }>(ctx.db, CANDIDATE_CHANGES_SQL);
    for (const part of chunk(numbers.map((c) => c.number))) {
      changes.push(...(await sqlQuery<ChangeRow>(ctx.db, CHANGE_SQL, { numbers: part })));
    }
    const mrs: MrRow[] = [];
    const candidates = await sqlQuery<{ connector: string; external_id: string }>(ctx.db, CANDIDATE_MRS_SQL);
    // Grouped by connector in candidate order, so that the rows keep MR_SQL's order across chunks.
    const byConnector = new Map<string, string[]>();
    for (const m of candidates) pushTo(byConnector, m.connector, m.external_id);
    for (const [connector, ids] of byConnector) {
      for (const part of chunk(ids)) {
        mrs.push(...(await sqlQuery<MrRow>(ctx.db, MR_SQL, { connector, ids: part })));
      }
    }
    const people = await PersonLookup.load(ctx.db, [
      ...changes.flatMap((c) => [c.requested_by, c.approver]),
      ...mrs.flatMap((m) => [m.author, ...(parseList(m.approved_by) ?? [])]),
    ]);
    const flags: Flag[] = [];
    const undecided: Undecided[] = [];

    const byChange = new Map<string, ChangeRow[]>();
    for (const c of changes) pushTo(byChange, `${c.connector}\u0000${c.number}`, c);
    for (const rows of byChange.values()) {
      const c = rows[0];
      const selfApprovers = [
        ...new Set(rows.filter((r) => people.same(r.approver, r.requested_by)).map((r) => r.approver)),
      ];
      if (!selfApprovers.length) continue;
      flags.push({
        subjectType: 'change',
        subjectRef: changeRef(c.connector, c.number),
        subjectConnector: c.connector,
        service: c.service ?? undefined,
        environment: 'production',
        reason: `Change ${c.number} was requested by ${c.requested_by} and approved by ${selfApprovers.join(', ')} — the same person — and it was deployed to production.`,
        related: [...new Map(rows.map((r) => [r.deployment_id, r])).values()].map((r) => ({
          type: 'deployment' as const,
          ref: deploymentRefFromExternalId(r.deployment_connector, r.project, r.deployment_id),
        })),
        input: {
          requestedBy: c.requested_by,
          approvers: rows.map((r) => r.approver),
          person: people.of(c.requested_by)?.personKey,
        },
      });
    }

    for (const m of mrs) {
      const ref = mergeRequestRef(m.connector, m.project, m.iid);
      const approvers = parseList(m.approved_by);
      if (approvers === null) {
        undecided.push({ subjectRef: ref, why: 'its approvals could not be read from GitLab' });
        continue;
      }
      const self = approvers.filter((a) => people.same(a, m.author));
      if (!self.length) continue;
      flags.push({
        subjectType: 'merge_request',
        subjectRef: ref,
        subjectConnector: m.connector,
        service: m.service ?? undefined,
        environment: m.environment,
        reason: `Merge request !${m.iid} in ${m.project} was authored by ${m.author} and approved by ${self.join(', ')} — the same person — and shipped to production.`,
        related: [],
        input: { author: m.author, approvedBy: approvers, person: people.of(m.author)?.personKey },
      });
    }
    return { flags, undecided };
  }
}
