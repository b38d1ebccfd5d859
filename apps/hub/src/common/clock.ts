import { Injectable } from '@nestjs/common';
import { HubError } from './errors';

/**
 * The run's clock. `AUDIT_HUB_NOW` (an ISO instant) pins it, for tests and the simulated estate's
 * time travel; otherwise it is the system time.
 */
@Injectable()
export class Clock {
  private readonly pinned?: Date;

  constructor() {
    const raw = process.env.AUDIT_HUB_NOW;
    if (raw) {
      const at = new Date(raw);
      if (Number.isNaN(at.getTime())) {
        throw new HubError('usage', `AUDIT_HUB_NOW: "${raw}" is not an ISO instant`);
      }
      this.pinned = at;
    }
  }

  now(): Date {
    return this.pinned ? new Date(this.pinned.getTime()) : new Date();
  }
}
