/**
 * RM-CHG-001 Unlinked production deployment: a successful production deployment with no linked
 * change that exists in the change source (controls.md "linked change").
 */
import { Injectable } from '@nestjs/common';
import { controlDefinition, deploymentRefFromExternalId } from '@audit-hub/domain';
import { sqlQuery } from '../common/sql';
import type { Control, ControlContext, Flag } from './control';
import { linkReferencesOf } from './deployment.queries';

const SQL = `
SELECT d.connector, d.external_id, d.project, d.service, d.environment, d.started_at
FROM deployment d
WHERE d.is_production = TRUE AND d.status = 'success' AND d.deleted = FALSE
  AND NOT EXISTS (
    SELECT 1 FROM link l
    JOIN change_request c ON c.number = l.change_number AND c.deleted = FALSE
    WHERE l.deployment_connector = d.connector AND l.deployment_id = d.external_id
  )
ORDER BY d.connector, d.external_id`;

interface Row {
  connector: string;
  external_id: string;
  project: string;
  service: string | null;
  environment: string;
  started_at: string;
}

@Injectable()
export class UnlinkedDeploymentControl implements Control {
  readonly definition = controlDefinition('RM-CHG-001')!;

  async evaluate(ctx: ControlContext): Promise<Flag[]> {
    const rows = await sqlQuery<Row>(ctx.db, SQL);
    const refs = await linkReferencesOf(
      ctx.db,
      rows.map((r) => ({ connector: r.connector, externalId: r.external_id })),
    );
    return rows.map((r) => {
      const unknown = refs.get(`${r.connector}\u0000${r.external_id}`) ?? [];
      const numbers = [...new Set(unknown.map((u) => u.changeNumber))];
      const reason = numbers.length
        ? `Deployed to ${r.environment} at ${fmt(r.started_at)}; it references ${numbers.join(', ')}, which ${
            numbers.length > 1 ? 'do' : 'does'
          } not exist in the change source.`
        : `Deployed to ${r.environment} at ${fmt(r.started_at)} with no change number in its pipeline variables, deployed commit message or shipped merge requests.`;
      return {
        subjectType: 'deployment',
        subjectRef: deploymentRefFromExternalId(r.connector, r.project, r.external_id),
        subjectConnector: r.connector,
        service: r.service ?? undefined,
        environment: r.environment,
        reason,
        related: [],
        input: { startedAt: r.started_at, referencedChanges: numbers },
      } satisfies Flag;
    });
  }
}

export function fmt(iso: string | null | undefined): string {
  if (!iso) return 'an unknown time';
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
