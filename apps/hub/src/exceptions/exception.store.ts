/**
 * Exceptions requested and decided through the API. The rules of controls.md "Exceptions": a
 * control and a subject glob, a reason, an expiry date, and an approver who is not the requester.
 * `active(now)` gives the approved, unexpired ones in the shape of config exceptions, for the
 * finding lifecycle to merge with those of the config file.
 */
import { runInTransaction } from '../store/transaction';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, In } from 'typeorm';
import { controlDefinition } from '@audit-hub/domain';
import { Clock } from '../common/clock';
import type { ExceptionConfig } from '../config/config.schema';
import { isCalendarDate } from '../config/config.schema';
import { expiryEnd } from '../findings/exception.matcher';
import type { Principal } from '../auth/principal';
import { ExceptionEntity, ExceptionStatus } from './exception.entity';

export type ExceptionErrorCode = 'invalid' | 'not_found' | 'forbidden' | 'conflict';

/** A refused exception operation; the API maps the code to 400, 404, 403 and 409. */
export class ExceptionError extends Error {
  constructor(
    readonly code: ExceptionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ExceptionError';
  }
}

export interface ExceptionRequest {
  control: string;
  subject: string;
  reason: string;
  expires: string;
}

export interface ExceptionView {
  id: string;
  control: string;
  subject: string;
  reason: string;
  requestedBy: string;
  team: string | null;
  approvedBy: string | null;
  approvedAt: string | null;
  expires: string;
  /** `approved` past its expiry day reads `expired`: it no longer covers anything. */
  status: ExceptionStatus;
  closedBy: string | null;
  closedAt: string | null;
  createdAt: string;
}

export interface ExceptionListFilter {
  status?: ExceptionStatus[];
  control?: string;
  /** Only this team's (a team-scoped caller). */
  team?: string | null;
}

@Injectable()
export class ExceptionStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Approved exceptions that still cover at `now`, as config exceptions. */
  async active(now: Date = this.clock.now()): Promise<ExceptionConfig[]> {
    const rows = await this.dataSource
      .getRepository(ExceptionEntity)
      .find({ where: { status: 'approved' }, order: { createdAt: 'ASC', id: 'ASC' } });
    return rows
      .filter((r) => now.getTime() <= expiryEnd(r.expires).getTime())
      .map((r) => ({
        control: r.control,
        subject: r.subject,
        reason: r.reason,
        requestedBy: r.requestedBy,
        approvedBy: r.approvedBy!,
        expires: r.expires,
      }));
  }

  async request(input: ExceptionRequest, by: Principal): Promise<ExceptionView> {
    const now = this.clock.now();
    const problems: string[] = [];
    if (!controlDefinition(input.control))
      problems.push(`control: "${input.control}" is not a control of the catalog`);
    if (!input.subject.trim()) problems.push('subject: must not be empty');
    if (!input.reason.trim()) problems.push('reason: must not be empty');
    if (!isCalendarDate(input.expires)) problems.push(`expires: "${input.expires}" is not a date YYYY-MM-DD`);
    else if (expiryEnd(input.expires).getTime() < now.getTime())
      problems.push(`expires: ${input.expires} is already past`);
    if (problems.length) throw new ExceptionError('invalid', problems.join('; '));
    const row: ExceptionEntity = {
      id: randomUUID(),
      control: input.control,
      subject: input.subject.trim(),
      reason: input.reason.trim(),
      requestedBy: by.id,
      team: by.team,
      approvedBy: null,
      approvedAt: null,
      expires: input.expires,
      status: 'requested',
      closedBy: null,
      closedAt: null,
      createdAt: now.toISOString(),
    };
    await this.dataSource.getRepository(ExceptionEntity).insert(row);
    return this.view(row, now);
  }

  /**
   * Approves a requested exception. The approver must not be the requester (controls.md), and
   * must not be team-scoped: an exception's subject glob can reach beyond one team's subjects.
   */
  async approve(id: string, by: Principal): Promise<ExceptionView> {
    return this.decide(id, by, (row, now) => {
      if (row.status !== 'requested')
        throw new ExceptionError(
          'conflict',
          `exception ${id} is ${this.view(row, now).status}, not requested`,
        );
      if (row.requestedBy === by.id)
        throw new ExceptionError(
          'forbidden',
          `exception ${id} was requested by ${by.id}: it must be approved by someone else`,
        );
      if (by.team)
        throw new ExceptionError(
          'forbidden',
          `a token scoped to team ${by.team} cannot approve exceptions: their subject globs can cover other teams`,
        );
      if (expiryEnd(row.expires).getTime() < now.getTime())
        throw new ExceptionError('conflict', `exception ${id} expired on ${row.expires}; request a new one`);
      row.status = 'approved';
      row.approvedBy = by.id;
      row.approvedAt = now.toISOString();
    });
  }

  async reject(id: string, by: Principal): Promise<ExceptionView> {
    return this.decide(id, by, (row, now) => {
      if (row.status !== 'requested')
        throw new ExceptionError(
          'conflict',
          `exception ${id} is ${this.view(row, now).status}, not requested`,
        );
      row.status = 'rejected';
      row.closedBy = by.id;
      row.closedAt = now.toISOString();
    });
  }

  /** Ends an exception now (requested or approved): from the next run on it covers nothing. */
  async expire(id: string, by: Principal): Promise<ExceptionView> {
    return this.decide(id, by, (row, now) => {
      if (row.status !== 'requested' && row.status !== 'approved')
        throw new ExceptionError('conflict', `exception ${id} is already ${row.status}`);
      row.status = 'expired';
      row.closedBy = by.id;
      row.closedAt = now.toISOString();
    });
  }

  /** One exception, if the caller's team may see it. */
  async get(id: string, team: string | null): Promise<ExceptionView> {
    const row = await this.dataSource.getRepository(ExceptionEntity).findOneBy({ id });
    if (!row || (team && row.team !== team)) throw new ExceptionError('not_found', `no exception ${id}`);
    return this.view(row, this.clock.now());
  }

  /** Newest first. `status` is matched as the caller sees it (an approved one past expiry is expired). */
  async list(filter: ExceptionListFilter = {}): Promise<ExceptionView[]> {
    const now = this.clock.now();
    const where: Record<string, unknown> = {};
    if (filter.control) where.control = filter.control;
    if (filter.team) where.team = filter.team;
    if (filter.status?.length) {
      const stored = new Set<ExceptionStatus>(filter.status);
      if (stored.has('expired')) stored.add('approved');
      where.status = In([...stored]);
    }
    const rows = await this.dataSource
      .getRepository(ExceptionEntity)
      .find({ where, order: { createdAt: 'DESC', id: 'DESC' } });
    const views = rows.map((r) => this.view(r, now));
    return filter.status?.length ? views.filter((v) => filter.status!.includes(v.status)) : views;
  }

  private async decide(
    id: string,
    by: Principal,
    apply: (row: ExceptionEntity, now: Date) => void,
  ): Promise<ExceptionView> {
    return runInTransaction(this.dataSource, async (tx) => {
      const repo = tx.getRepository(ExceptionEntity);
      const row = await repo.findOneBy({ id });
      if (!row || (by.team && row.team !== by.team))
        throw new ExceptionError('not_found', `no exception ${id}`);
      const before = row.status;
      const now = this.clock.now();
      apply(row, now);
      // Guarded on the status read, so two concurrent decisions cannot both succeed.
      const result = await repo.update(
        { id, status: before },
        {
          status: row.status,
          approvedBy: row.approvedBy,
          approvedAt: row.approvedAt,
          closedBy: row.closedBy,
          closedAt: row.closedAt,
        },
      );
      if (!result.affected)
        throw new ExceptionError('conflict', `exception ${id} was decided by someone else meanwhile`);
      return this.view(row, now);
    });
  }

  private view(row: ExceptionEntity, now: Date): ExceptionView {
    const lapsed = row.status === 'approved' && now.getTime() > expiryEnd(row.expires).getTime();
    return {
      id: row.id,
      control: row.control,
      subject: row.subject,
      reason: row.reason,
      requestedBy: row.requestedBy,
      team: row.team,
      approvedBy: row.approvedBy,
      approvedAt: row.approvedAt,
      expires: row.expires,
      status: lapsed ? 'expired' : row.status,
      closedBy: row.closedBy,
      closedAt: row.closedAt,
      createdAt: row.createdAt,
    };
  }
}
