/**
 * RM-ACC-003 Standing privileged access: a production entitlement has no expiry, and its holder is
 * neither a service account nor in role `break-glass`.
 *
 * Every holder that is not a service account is a subject, CyberArk group members included: a
 * group holding a production safe with no expiry gives every one of its members standing access,
 * and a group is exempt only when listed in role `break-glass`. Predefined vault members are
 * service accounts (controls.md "service account"). Vault grants never carry an expiry, so every
 * production Vault policy held by a person outside `break-glass` is standing access.
 */
import { Injectable } from '@nestjs/common';
import { controlDefinition } from '@audit-hub/domain';
import { sqlQuery } from '../common/sql';
import type { Control, ControlContext, ControlOutcome, Flag, Undecided } from './control';
import {
  BREAK_GLASS_ROLE,
  ENTITLEMENT_COLUMNS,
  entitlementInput,
  EntitlementRow,
  entitlementSubject,
  holderLabel,
  HOLDER_PERSON_JOIN,
  IN_BREAK_GLASS,
  resourceLabel,
} from './entitlement.queries';

const SQL = `
SELECT ${ENTITLEMENT_COLUMNS}
FROM entitlement e
${HOLDER_PERSON_JOIN}
WHERE e.deleted = FALSE
  AND e.is_production = TRUE
  AND e.expires_at IS NULL
  AND e.holder_type <> 'predefined'
  AND (p.person_key IS NULL OR (p.service_account = FALSE AND NOT ${IN_BREAK_GLASS}))
ORDER BY e.connector, e.external_id`;

@Injectable()
export class StandingAccessControl implements Control {
  readonly definition = controlDefinition('RM-ACC-003')!;

  async evaluate(ctx: ControlContext): Promise<ControlOutcome> {
    const rows = await sqlQuery<EntitlementRow>(ctx.db, SQL, { breakGlass: BREAK_GLASS_ROLE });
    const flags: Flag[] = [];
    const undecided: Undecided[] = [];
    for (const e of rows) {
      if (!e.person_key) {
        undecided.push({
          subjectRef: entitlementSubject(e).subjectRef,
          why: `the holder name "${e.holder}" was not resolved to a person`,
        });
        continue;
      }
      flags.push({
        ...entitlementSubject(e),
        reason: `${holderLabel(e)} holds ${resourceLabel(ctx.config, e)} with no expiry (standing access), and is neither a service account nor in role ${BREAK_GLASS_ROLE}.`,
        related: [],
        input: entitlementInput(e),
      });
    }
    return { flags, undecided };
  }
}
