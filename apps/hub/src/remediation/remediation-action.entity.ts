import { Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import {
  InstantColumn,
  IntegerColumn,
  JsonColumn,
  RUN_ID_LENGTH,
  TextColumn,
  VarcharColumn,
} from '../store/entities/columns';
import type { RemediationActionKind, RemediationActionStatus, RemediationPayload } from './remediation.types';

/**
 * One row of the remediation outbox: a ticket action written in the same transaction as the finding
 * transition that caused it, and sent later by the relay, in order per ticket group.
 */
@Entity({ name: 'remediation_action' })
@Index('IDX_remediation_action_status', ['status', 'nextAttemptAt'])
@Index('IDX_remediation_action_group', ['groupKey', 'id'])
export class RemediationActionEntity {
  @PrimaryGeneratedColumn('increment', { name: 'id', type: 'integer' })
  id!: number;

  /** The finding key, or `<controlId>|<service>` when tickets are grouped per control and service. */
  @VarcharColumn('ticket_group_key', 700)
  groupKey!: string;

  /** The finding whose transition caused it; null for group-level actions (reminders). */
  @VarcharColumn('finding_key', 700, { nullable: true })
  findingKey!: string | null;

  /** The group's dedupe marker, carried by its ticket as a label. */
  @VarcharColumn('marker', 64)
  marker!: string;

  @VarcharColumn('action', 30)
  action!: RemediationActionKind;

  @JsonColumn('payload')
  payload!: RemediationPayload;

  @InstantColumn('created_at')
  createdAt!: string;

  @VarcharColumn('run_id', RUN_ID_LENGTH, { nullable: true })
  runId!: string | null;

  @VarcharColumn('status', 10)
  status!: RemediationActionStatus;

  @IntegerColumn('attempts')
  attempts!: number;

  /** Not before this instant (backoff after a tracker error, or the search consistency wait). */
  @InstantColumn('next_attempt_at', { nullable: true })
  nextAttemptAt!: string | null;

  /** Redacted. */
  @TextColumn('last_error', { nullable: true })
  lastError!: string | null;

  @InstantColumn('sent_at', { nullable: true })
  sentAt!: string | null;

  /** Steps already done of a two-step action (the comment of comment-and-close), so a retry does not repeat them. */
  @IntegerColumn('steps_done')
  stepsDone!: number;

  /** When a create was last sent for it: a later miss in search is trusted only after the tracker's consistency delay. */
  @InstantColumn('create_attempted_at', { nullable: true })
  createAttemptedAt!: string | null;

  /** A relay works on it until then; another relay leaves the group alone meanwhile. */
  @InstantColumn('lease_until', { nullable: true })
  leaseUntil!: string | null;
}
