import { Entity, Index } from 'typeorm';
import { InstantColumn, TextColumn, VarcharColumn, VarcharPrimaryColumn } from '../store/entities/columns';

export const EXCEPTION_STATUSES = ['requested', 'approved', 'rejected', 'expired'] as const;
export type ExceptionStatus = (typeof EXCEPTION_STATUSES)[number];

/**
 * An accepted-risk exception requested and decided through the API (controls.md "Exceptions"):
 * scoped to a control and a glob over subject refs, with a reason, an approver who is not the
 * requester, and an expiry date. It covers findings only while `approved` and not past `expires`.
 */
@Entity({ name: 'exception' })
@Index('IDX_exception_status', ['status', 'expires'])
export class ExceptionEntity {
  /** A UUID. */
  @VarcharPrimaryColumn('id', 36)
  id!: string;

  @VarcharColumn('control', 32)
  control!: string;

  /** Glob over subject refs: `*` matches any characters, `/` and `:` included. */
  @VarcharColumn('subject', 660)
  subject!: string;

  @TextColumn('reason')
  reason!: string;

  /** The requesting principal's id (`token:<name>`, `oidc:<subject>`). */
  @VarcharColumn('requested_by', 255)
  requestedBy!: string;

  /** The team of a team-scoped requester: only that team's principals see it. */
  @VarcharColumn('team', 255, { nullable: true })
  team!: string | null;

  @VarcharColumn('approved_by', 255, { nullable: true })
  approvedBy!: string | null;

  @InstantColumn('approved_at', { nullable: true })
  approvedAt!: string | null;

  /** `YYYY-MM-DD`: covers through 23:59:59.999 UTC of that day. */
  @VarcharColumn('expires', 10)
  expires!: string;

  @VarcharColumn('status', 10)
  status!: ExceptionStatus;

  /** Who rejected or expired it, and when. */
  @VarcharColumn('closed_by', 255, { nullable: true })
  closedBy!: string | null;

  @InstantColumn('closed_at', { nullable: true })
  closedAt!: string | null;

  @InstantColumn('created_at')
  createdAt!: string;
}
