/**
 * RM-ACC-002 Access held by leaver or unknown identity: an entitlement — production or not — is held
 * by a person who is inactive in every identity source that knows them (a leaver), or whom no
 * identity source knows (docs/identities.md "Known, unknown, active").
 *
 * The holder is the person its name resolves to in the derived model; a Vault entity resolves
 * through its own name or any of its alias names (so `entity-7f3a` with alias `jane` is Jane).
 * Service accounts are exempt (controls.md). CyberArk group members (`holder_type` `group`) are
 * groups, not persons, and predefined vault members (Master, Batch, Auditors…) are built-in
 * accounts: no identity source can know either, so they are not subjects of this control.
 *
 * With no identity source configured no one can be known, so every holder would be "unknown":
 * the entitlements are then left undecided instead of flagged.
 */
import { Injectable } from '@nestjs/common';
import { controlDefinition } from '@audit-hub/domain';
import { sqlQuery } from '../common/sql';
import type { Control, ControlContext, ControlOutcome, Flag, Undecided } from './control';
import {
  ENTITLEMENT_COLUMNS,
  entitlementInput,
  EntitlementRow,
  entitlementSubject,
  holderLabel,
  HOLDER_PERSON_JOIN,
  resourceLabel,
  truthy,
} from './entitlement.queries';

const SQL = `
SELECT ${ENTITLEMENT_COLUMNS}
FROM entitlement e
${HOLDER_PERSON_JOIN}
WHERE e.deleted = FALSE
  AND e.holder_type NOT IN ('group', 'predefined')
  AND (p.person_key IS NULL OR (p.active = FALSE AND p.service_account = FALSE))
ORDER BY e.connector, e.external_id`;

@Injectable()
export class LeaverAccessControl implements Control {
  readonly definition = controlDefinition('RM-ACC-002')!;

  async evaluate(ctx: ControlContext): Promise<ControlOutcome> {
    const sources = ctx.config.identities.sources;
    const rows = await sqlQuery<EntitlementRow>(ctx.db, SQL);
    const flags: Flag[] = [];
    const undecided: Undecided[] = [];
    for (const e of rows) {
      const { subjectRef } = entitlementSubject(e);
      if (sources.length === 0) {
        undecided.push({ subjectRef, why: 'no identity source is configured (identities.sources)' });
        continue;
      }
      if (!e.person_key) {
        undecided.push({ subjectRef, why: `the holder name "${e.holder}" was not resolved to a person` });
        continue;
      }
      const why = truthy(e.known)
        ? `is a leaver: known to ${e.source_connector ?? sources.join(', ')} but active in no identity source`
        : `is unknown to every identity source (${sources.join(', ')})`;
      flags.push({
        ...entitlementSubject(e),
        reason: `${holderLabel(e)} holds ${resourceLabel(ctx.config, e)} and ${why}.`,
        related: [],
        input: { ...entitlementInput(e), identitySources: sources },
      });
    }
    return { flags, undecided };
  }
}
