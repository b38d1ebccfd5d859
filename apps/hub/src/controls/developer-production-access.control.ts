/**
 * RM-ACC-001 Developer holds production access: a person in role `developer` holds a production
 * entitlement (a Vault policy or CyberArk safe matching `production.vaultPolicies` /
 * `production.cyberarkSafes`, decided at ingest as `entitlement.is_production`), and is not in role
 * `break-glass` with an unexpired grant.
 *
 * Reading of "in role break-glass with an unexpired grant": break-glass membership exempts an
 * entitlement only while that entitlement itself is unexpired at the run's clock (no expiry, or
 * one after the run started). A break-glass member whose grant has expired but is still listed
 * upstream is flagged like any other developer: the emergency access was meant to end.
 * An entitlement still listed upstream is held whatever its expiry (CyberArk keeps expired members).
 *
 * Service accounts are exempt (controls.md). CyberArk group members and predefined members are not
 * identities that can hold a role: a group's own members are not expanded (docs/identities.md
 * "Roles"), and predefined members are service accounts.
 */
import { Injectable } from '@nestjs/common';
import { controlDefinition } from '@audit-hub/domain';
import { sqlQuery } from '../common/sql';
import { VIA_USERS } from '../identities';
import type { Control, ControlContext, Flag } from './control';
import {
  BREAK_GLASS_ROLE,
  DEVELOPER_ROLE,
  ENTITLEMENT_COLUMNS,
  entitlementInput,
  EntitlementRow,
  entitlementSubject,
  expiryPhrase,
  holderLabel,
  HOLDER_PERSON_JOIN,
  IN_BREAK_GLASS,
  resourceLabel,
  UNEXPIRED,
} from './entitlement.queries';
import { pushTo } from '../common/group-by';

/** One row per (entitlement, developer-role via, break-glass via); the control groups them. */
const SQL = `
SELECT ${ENTITLEMENT_COLUMNS}, dev.via AS developer_via, bgv.via AS break_glass_via
FROM entitlement e
${HOLDER_PERSON_JOIN}
JOIN role_member dev ON dev.person_key = p.person_key AND dev.role = :developer
LEFT JOIN role_member bgv ON bgv.person_key = p.person_key AND bgv.role = :breakGlass
WHERE e.deleted = FALSE
  AND e.is_production = TRUE
  AND e.holder_type NOT IN ('group', 'predefined')
  AND p.service_account = FALSE
  AND NOT (${UNEXPIRED} AND ${IN_BREAK_GLASS})
ORDER BY e.connector, e.external_id, dev.via, bgv.via`;

interface Row extends EntitlementRow {
  developer_via: string;
  break_glass_via: string | null;
}

@Injectable()
export class DeveloperProductionAccessControl implements Control {
  readonly definition = controlDefinition('RM-ACC-001')!;

  async evaluate(ctx: ControlContext): Promise<Flag[]> {
    const rows = await sqlQuery<Row>(ctx.db, SQL, {
      developer: DEVELOPER_ROLE,
      breakGlass: BREAK_GLASS_ROLE,
      now: ctx.now.toISOString(),
    });
    const byEntitlement = new Map<string, Row[]>();
    for (const r of rows) {
      const key = `${r.connector}\u0000${r.external_id}`;
      pushTo(byEntitlement, key, r);
    }
    return [...byEntitlement.values()].map((group) => {
      const e = group[0];
      const developerVia = unique(group.map((r) => r.developer_via));
      const breakGlassVia = unique(group.map((r) => r.break_glass_via));
      const breakGlass = breakGlassVia.length
        ? `${e.holder} is in role ${BREAK_GLASS_ROLE} (${viaPhrase(BREAK_GLASS_ROLE, breakGlassVia)}), which exempts only an unexpired grant`
        : `${e.holder} is not in role ${BREAK_GLASS_ROLE}`;
      return {
        ...entitlementSubject(e),
        reason: `${holderLabel(e)}, in role ${DEVELOPER_ROLE} (${viaPhrase(DEVELOPER_ROLE, developerVia)}), holds ${resourceLabel(
          ctx.config,
          e,
        )} ${expiryPhrase(e.expires_at, ctx.now)}; ${breakGlass}.`,
        related: [],
        input: {
          ...entitlementInput(e),
          developerVia,
          breakGlassVia,
          evaluatedAt: ctx.now.toISOString(),
        },
      } satisfies Flag;
    });
  }
}

/** `through servicenow:Developers` / `listed in roles.developer.users`. */
function viaPhrase(role: string, vias: string[]): string {
  return vias.map((v) => (v === VIA_USERS ? `listed in roles.${role}.users` : `through ${v}`)).join(', ');
}

function unique(values: (string | null)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== null))];
}
