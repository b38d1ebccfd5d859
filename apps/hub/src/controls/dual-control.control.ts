/**
 * RM-SOD-002 Dual control missing on high-impact release: a production deployment of a high-impact
 * service (config `criticality: high`, or CMDB business criticality 1 or 2) has fewer than
 * `minApprovers` distinct approvers, counted over its linked changes' approvals and its deployment
 * approvals, excluding the deployer and the code authors (the authors of the MRs shipped with it
 * and of the deployed commit). People, not user names, are counted (docs/identities.md). A deployment
 * counted short whose deployment approvals or pipeline variables (a link source of its changes)
 * could not be read is undecided, not flagged.
 */
import { Injectable } from '@nestjs/common';
import { changeRef, controlDefinition } from '@audit-hub/domain';
import { sqlQuery } from '../common/sql';
import type { Control, ControlContext, ControlOutcome, Flag, Undecided } from './control';
import {
  DEPLOYMENT_COLUMNS,
  deploymentSubject,
  DeploymentRow,
  fmt,
  PRODUCTION_DEPLOYMENT,
  variablesUnread,
} from './deployment.queries';
import { PersonLookup } from './person.lookup';
import { pushTo } from '../common/group-by';

/** The production deployments of high-impact services, as the queries below start from. */
const HIGH_IMPACT_DEPLOYMENT = `deployment d
JOIN service_info s ON s.name = d.service AND s.high_impact = TRUE`;

const DEPLOYMENTS_SQL = `
SELECT ${DEPLOYMENT_COLUMNS}, d.triggered_by, d.approvals, d.commit_sha, d.unread_fields,
       (SELECT MIN(NULLIF(gc.author_email, '')) FROM git_commit gc WHERE gc.sha = d.commit_sha AND gc.deleted = FALSE) AS commit_author_email,
       (SELECT MIN(gc.author_name) FROM git_commit gc WHERE gc.sha = d.commit_sha AND gc.deleted = FALSE) AS commit_author_name
FROM ${HIGH_IMPACT_DEPLOYMENT}
WHERE ${PRODUCTION_DEPLOYMENT}
ORDER BY d.connector, d.external_id`;

/**
 * The approvals of the changes linked to each of those deployments, in one set-based query: with a
 * tenth of a million deployments high-impact, a round trip per 500 of them cost more than the joins.
 */
const APPROVALS_SQL = `
SELECT DISTINCT l.deployment_connector, l.deployment_id, a.approver, c.number, c.connector
FROM ${HIGH_IMPACT_DEPLOYMENT}
JOIN link l ON l.deployment_connector = d.connector AND l.deployment_id = d.external_id
JOIN change_request c ON c.number = l.change_number AND c.deleted = FALSE
JOIN change_approval a ON a.change_number = c.number AND a.state = 'approved' AND a.deleted = FALSE
WHERE ${PRODUCTION_DEPLOYMENT}
ORDER BY l.deployment_connector, l.deployment_id, c.number, a.approver`;

/** The authors of the MRs shipped with each of those deployments. */
const MR_AUTHORS_SQL = `
SELECT DISTINCT dm.deployment_connector, dm.deployment_id, m.author
FROM ${HIGH_IMPACT_DEPLOYMENT}
JOIN deployment_mr dm ON dm.deployment_connector = d.connector AND dm.deployment_id = d.external_id AND dm.deleted = FALSE
JOIN merge_request m ON m.connector = dm.connector AND m.external_id = dm.merge_request_id AND m.deleted = FALSE
WHERE ${PRODUCTION_DEPLOYMENT}
ORDER BY dm.deployment_connector, dm.deployment_id, m.author`;

interface ApprovalRow {
  deployment_connector: string;
  deployment_id: string;
  approver: string;
  number: string;
  connector: string;
}

interface AuthorRow {
  deployment_connector: string;
  deployment_id: string;
  author: string;
}

interface Row extends DeploymentRow {
  triggered_by: string | null;
  approvals: unknown;
  commit_sha: string;
  unread_fields: string | null;
  commit_author_email: string | null;
  commit_author_name: string | null;
}

@Injectable()
export class DualControlControl implements Control {
  readonly definition = controlDefinition('RM-SOD-002')!;

  async evaluate(ctx: ControlContext): Promise<ControlOutcome> {
    const min = Number(ctx.params.minApprovers);
    const rows = await sqlQuery<Row>(ctx.db, DEPLOYMENTS_SQL);
    const changeApprovals = new Map<string, { approver: string; change: string; connector: string }[]>();
    for (const a of await sqlQuery<ApprovalRow>(ctx.db, APPROVALS_SQL)) {
      const key = `${a.deployment_connector}\u0000${a.deployment_id}`;
      pushTo(changeApprovals, key, { approver: a.approver, change: a.number, connector: a.connector });
    }
    const authors = new Map<string, string[]>();
    for (const a of await sqlQuery<AuthorRow>(ctx.db, MR_AUTHORS_SQL)) {
      pushTo(authors, `${a.deployment_connector}\u0000${a.deployment_id}`, a.author);
    }
    const deploymentApprovals = (r: Row): string[] | null => {
      if (r.approvals === null || r.approvals === undefined) return null;
      const list = typeof r.approvals === 'string' ? JSON.parse(r.approvals) : r.approvals;
      // An approval that names nobody (no user: a deleted account the upstream dropped) cannot
      // show an independent approver: it is not counted (never as a person named "undefined").
      return Array.isArray(list)
        ? list
            .filter((a) => a?.status === 'approved' && typeof a.user === 'string' && a.user.length > 0)
            .map((a) => a.user as string)
        : null;
    };
    const people = await PersonLookup.load(ctx.db, [
      ...rows.flatMap((r) => [
        r.triggered_by,
        r.commit_author_email,
        r.commit_author_name,
        ...(deploymentApprovals(r) ?? []),
      ]),
      ...[...changeApprovals.values()].flat().map((a) => a.approver),
      ...[...authors.values()].flat(),
    ]);

    const flags: Flag[] = [];
    const undecided: Undecided[] = [];
    for (const r of rows) {
      const key = `${r.connector}\u0000${r.external_id}`;
      const excluded = new Map<string, string>();
      const exclude = (name: string | null | undefined, role: string) => {
        const p = people.of(name);
        if (p) excluded.set(p.personKey, `${name} (${role})`);
      };
      exclude(r.triggered_by, 'deployer');
      for (const a of authors.get(key) ?? []) exclude(a, 'MR author');
      exclude(r.commit_author_email ?? r.commit_author_name, 'commit author');
      const fromDeployment = deploymentApprovals(r);
      const approverNames = [
        ...(changeApprovals.get(key) ?? []).map((a) => a.approver),
        ...(fromDeployment ?? []),
      ];
      const counted = new Map<string, string>();
      for (const name of approverNames) {
        const p = people.of(name);
        if (p && !excluded.has(p.personKey)) counted.set(p.personKey, name);
      }
      if (counted.size >= min) continue;
      if (fromDeployment === null) {
        undecided.push({
          subjectRef: deploymentSubject(r).subjectRef,
          why: 'its deployment approvals could not be read',
        });
        continue;
      }
      // Unread pipeline variables may name a change whose approvers would count: too few counted
      // is then not known to be too few.
      if (variablesUnread(r.unread_fields)) {
        undecided.push({
          subjectRef: deploymentSubject(r).subjectRef,
          why: `${counted.size} independent approver(s) counted, fewer than the ${min} required, but its pipeline variables (which may name another change) could not be read`,
        });
        continue;
      }
      const changes = [...new Map((changeApprovals.get(key) ?? []).map((a) => [a.change, a])).values()];
      flags.push({
        ...deploymentSubject(r),
        reason: `Deployed ${r.service} (high-impact) to ${r.environment} at ${fmt(r.started_at)} with ${counted.size} independent approver(s)${
          counted.size ? ` (${[...counted.values()].join(', ')})` : ''
        }, fewer than the ${min} required${excluded.size ? `; not counted: ${[...excluded.values()].join(', ')}` : ''}.`,
        related: changes.map((c) => ({ type: 'change' as const, ref: changeRef(c.connector, c.change) })),
        input: {
          minApprovers: min,
          approvers: approverNames,
          counted: [...counted.values()],
          excluded: [...excluded.values()],
        },
      });
    }
    return { flags, undecided };
  }
}
