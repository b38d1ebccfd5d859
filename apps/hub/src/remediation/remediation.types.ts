/** The remediation outbox's vocabulary: what an action does and what it carries. */

/**
 * - `file`: create the ticket (after searching for its marker), or adopt the one found;
 * - `remind`: "still open" comment, at most one per `remediation.reminderDays`;
 * - `comment`: a change inside a grouped ticket that stays open (a finding joined or left it);
 * - `comment_close`: resolved — comment with the resolving run, then close;
 * - `reopen`: seen again — reopen, then comment;
 * - `comment_accept_close`: accepted — comment with reason, approver and expiry, then close.
 */
export const REMEDIATION_ACTIONS = [
  'file',
  'remind',
  'comment',
  'comment_close',
  'reopen',
  'comment_accept_close',
] as const;
export type RemediationActionKind = (typeof REMEDIATION_ACTIONS)[number];

/** `skipped`: nothing to act on (a close for a ticket that was never filed). */
export type RemediationActionStatus = 'pending' | 'sent' | 'failed' | 'skipped';

export type TicketState = 'open' | 'closed';

/** Rendered when the action is queued, in the transition's transaction; sent as is. */
export interface RemediationPayload {
  title: string;
  /** Markdown subset (`##` headings, `-` lists, `code`, bare URLs); trackers render it their way. */
  body: string;
  labels: string[];
  /** The comment this action posts (remind, comment, close, reopen, accept). */
  comment?: string;
  severity?: string;
  /** The findings this ticket covers: their `ticket` column follows it. */
  findingKeys: string[];
}
