/**
 * Which ticket a finding belongs to, and the marker that finds that ticket again. Neither Jira nor
 * GitLab takes an idempotency key on create, so the ticket carries the marker (as a label) and the
 * relay searches for it before it creates anything: a create whose answer was lost is found, not
 * repeated.
 */
import { createHash } from 'node:crypto';
import type { TicketGrouping } from '../config/config.schema';

export interface GroupableFinding {
  key: string;
  controlId: string;
  service: string | null;
}

/**
 * `per-finding`: the finding key. `per-control-service`: `<controlId>|<service>`; a finding with no
 * service (an entitlement, say) has nothing to be grouped with and keeps a ticket of its own.
 */
export function ticketGroupKey(finding: GroupableFinding, grouping: TicketGrouping): string {
  if (grouping === 'per-control-service' && finding.service) return `${finding.controlId}|${finding.service}`;
  return finding.key;
}

/**
 * A short, label-safe hash of the group key (16 hex digits, 64 bits): labels cannot hold the key
 * itself (spaces, `|`, length), and the full key is written in the ticket's text instead.
 */
export function dedupeMarker(groupKey: string): string {
  return createHash('sha256').update(groupKey, 'utf8').digest('hex').slice(0, 16);
}
