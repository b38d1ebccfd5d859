import { Entity } from 'typeorm';
import {
  CONNECTOR_LENGTH,
  InstantColumn,
  TextColumn,
  VarcharColumn,
  VarcharPrimaryColumn,
} from '../store/entities/columns';
import type { TicketState } from './remediation.types';

/** The ticket of a group, as the relay last left it (recorded in the transaction that marks its action sent). */
@Entity({ name: 'remediation_ticket' })
export class RemediationTicketEntity {
  @VarcharPrimaryColumn('group_key', 700)
  groupKey!: string;

  /** The connector id of the tracker (`remediation.tracker`). */
  @VarcharColumn('tracker', CONNECTOR_LENGTH)
  tracker!: string;

  @VarcharColumn('ticket_key', 255)
  ticketKey!: string;

  @TextColumn('url', { nullable: true })
  url!: string | null;

  @VarcharColumn('state', 10)
  state!: TicketState;

  @VarcharColumn('marker', 64)
  marker!: string;

  @InstantColumn('created_at')
  createdAt!: string;

  @InstantColumn('updated_at')
  updatedAt!: string;

  @InstantColumn('last_reminder_at', { nullable: true })
  lastReminderAt!: string | null;
}
