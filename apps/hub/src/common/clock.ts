import { Injectable } from '@nestjs/common';
import { HubError } from './errors';

/**
 * The run's clock. `AUDIT_HUB_NOW` (an ISO instant) pins it, for tests and the simulated estate's
 * time travel; otherwise it is the system time.
 */
@Injectable()
export class Clock {
  constructor() {
    this.now(); // refuse a malformed AUDIT_HUB_NOW at start-up, not mid-run
  }

  now(): Date {
    const raw = process.env.AUDIT_HUB_NOW;
    if (!raw) return new Date();
    const at = new Date(raw);
    if (Number.isNaN(at.getTime()))
      throw new HubError('usage', `AUDIT_HUB_NOW: "${raw}" is not an ISO instant`);
    return at;
  }
}
