/**
 * RM-PIPE-003 Merge without required approvals: a merge request shipped with a production
 * deployment was merged with fewer approvals than required — GitLab still counts approvals left, or
 * it has fewer than `minApprovals` approvers. An author approving their own MR counts here;
 * RM-SOD-001 flags that separately. Where the approvals could not be read (a Premium endpoint on
 * GitLab Free), the MR is not evaluated: missing data is never "no approvals".
 */
import { Injectable } from '@nestjs/common';
import { controlDefinition, mergeRequestRef } from '@audit-hub/domain';
import { sqlQuery } from '../common/sql';
import type { Control, ControlContext, ControlOutcome, Flag, Undecided } from './control';
import { deploymentRefFromExternalId } from '@audit-hub/domain';
import { fmt, PRODUCTION_DEPLOYMENT } from './deployment.queries';
import { pushTo } from '../common/group-by';

const SQL = `
SELECT m.connector, m.external_id, m.project, m.service, m.iid, m.author, m.approved_by, m.approvals_required,
       m.approvals_left, m.merged_at, d.external_id AS deployment_id, d.project AS deployment_project, d.environment
FROM merge_request m
JOIN deployment_mr dm ON dm.connector = m.connector AND dm.merge_request_id = m.external_id AND dm.deleted = FALSE
JOIN deployment d ON d.connector = dm.deployment_connector AND d.external_id = dm.deployment_id
WHERE m.deleted = FALSE AND ${PRODUCTION_DEPLOYMENT} __CANDIDATES__
ORDER BY m.connector, m.external_id, d.external_id`;

/**
 * With the default minimum of one approver, only MRs GitLab still counts approvals on, or with no
 * (or unknown) approvers, can fail: the database narrows them down before any JSON is read.
 */
const CANDIDATES_FOR_ONE = `AND (m.approvals_left > 0 OR m.approved_by IS NULL OR m.approved_by = '[]')`;

interface Row {
  connector: string;
  external_id: string;
  project: string;
  service: string | null;
  iid: number;
  author: string;
  approved_by: string | string[] | null;
  approvals_required: number | null;
  approvals_left: number | null;
  merged_at: string | null;
  deployment_id: string;
  deployment_project: string;
  environment: string;
}

@Injectable()
export class MergeApprovalsControl implements Control {
  readonly definition = controlDefinition('RM-PIPE-003')!;

  async evaluate(ctx: ControlContext): Promise<ControlOutcome> {
    const min = Number(ctx.params.minApprovals);
    const rows = await sqlQuery<Row>(
      ctx.db,
      SQL.replace('__CANDIDATES__', min <= 1 ? CANDIDATES_FOR_ONE : ''),
    );
    const byMr = new Map<string, Row[]>();
    for (const r of rows) pushTo(byMr, `${r.connector}\u0000${r.external_id}`, r);
    const flags: Flag[] = [];
    const undecided: Undecided[] = [];
    for (const deployments of byMr.values()) {
      const m = deployments[0];
      const ref = mergeRequestRef(m.connector, m.project, m.iid);
      const approvers = parseList(m.approved_by);
      if (approvers === null) {
        undecided.push({ subjectRef: ref, why: 'its approvals could not be read from GitLab' });
        continue;
      }
      const left = m.approvals_left ?? 0;
      if (left <= 0 && approvers.length >= min) continue;
      const why =
        left > 0
          ? `GitLab still required ${left} more approval(s) of ${m.approvals_required ?? '?'}`
          : `it had ${approvers.length} approver(s), fewer than the ${min} required`;
      flags.push({
        subjectType: 'merge_request',
        subjectRef: ref,
        subjectConnector: m.connector,
        service: m.service ?? undefined,
        environment: m.environment,
        reason: `Merge request !${m.iid} in ${m.project} was merged${m.merged_at ? ` ${fmt(m.merged_at)}` : ''} and shipped to production, but ${why}${approvers.length ? ` (approved by ${approvers.join(', ')})` : ''}.`,
        related: deployments.map((d) => ({
          type: 'deployment' as const,
          ref: deploymentRefFromExternalId(d.connector, d.deployment_project, d.deployment_id),
        })),
        input: {
          approvedBy: approvers,
          approvalsRequired: m.approvals_required,
          approvalsLeft: m.approvals_left,
          minApprovals: min,
        },
      });
    }
    return { flags, undecided };
  }
}

export function parseList(value: unknown): string[] | null {
  if (value === null || value === undefined) return null;
  const parsed = typeof value === 'string' ? JSON.parse(value) : value;
  return Array.isArray(parsed) ? parsed.map(String) : null;
}
