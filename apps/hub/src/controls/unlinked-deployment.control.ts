/**
 * RM-CHG-001 Unlinked production deployment: a successful production deployment with no linked
 * change that exists in the change source (controls.md "linked change").
 *
 * A deployment whose pipeline variables could not be read (`unread_fields`: a GitLab token below
 * Maintainer) is decided from its other link sources: linked through its commit or shipped MRs, it
 * passes; linked through none of them, it is undecided (its variables may have named the change),
 * never flagged and never passed.
 */
import { Injectable } from '@nestjs/common';
import { controlDefinition } from '@audit-hub/domain';
import { sqlQuery } from '../common/sql';
import type { Control, ControlContext, ControlOutcome, Flag, Undecided } from './control';
import {
  DEPLOYMENT_COLUMNS,
  deploymentSubject,
  DeploymentRow,
  fmt,
  linkReferencesOf,
  PRODUCTION_DEPLOYMENT,
  variablesUnread,
} from './deployment.queries';

const SQL = `
SELECT ${DEPLOYMENT_COLUMNS}, d.unread_fields
FROM deployment d
WHERE ${PRODUCTION_DEPLOYMENT}
  AND NOT EXISTS (
    SELECT 1 FROM link l
    JOIN change_request c ON c.number = l.change_number AND c.deleted = FALSE
    WHERE l.deployment_connector = d.connector AND l.deployment_id = d.external_id
  )
ORDER BY d.connector, d.external_id`;

@Injectable()
export class UnlinkedDeploymentControl implements Control {
  readonly definition = controlDefinition('RM-CHG-001')!;

  async evaluate(ctx: ControlContext): Promise<ControlOutcome> {
    const rows = await sqlQuery<DeploymentRow & { unread_fields: string | null }>(ctx.db, SQL);
    const refs = await linkReferencesOf(
      ctx.db,
      rows.map((r) => ({ connector: r.connector, externalId: r.external_id })),
    );
    const undecided: Undecided[] = [];
    const flags: Flag[] = [];
    for (const r of rows) {
      if (variablesUnread(r.unread_fields)) {
        undecided.push({
          subjectRef: deploymentSubject(r).subjectRef,
          why: 'its pipeline variables could not be read and neither its commit nor its shipped merge requests name a change',
        });
        continue;
      }
      flags.push(this.flag(r, refs));
    }
    return { flags, undecided };
  }

  private flag(r: DeploymentRow, refs: Awaited<ReturnType<typeof linkReferencesOf>>): Flag {
    {
      const unknown = refs.get(`${r.connector}\u0000${r.external_id}`) ?? [];
      const numbers = [...new Set(unknown.map((u) => u.changeNumber))];
      const reason = numbers.length
        ? `Deployed to ${r.environment} at ${fmt(r.started_at)}; it references ${numbers.join(', ')}, which ${
            numbers.length > 1 ? 'do' : 'does'
          } not exist in the change source.`
        : `Deployed to ${r.environment} at ${fmt(r.started_at)} with no change number in its pipeline variables, deployed commit message or shipped merge requests.`;
      return {
        ...deploymentSubject(r),
        reason,
        related: [],
        input: { startedAt: r.started_at, referencedChanges: numbers },
      } satisfies Flag;
    }
  }
}
