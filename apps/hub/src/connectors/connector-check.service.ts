/**
 * `connectors check`: for each configured connector, reachability, credentials and the read
 * permissions its streams need, as the plugin's own `check()` reports them. An unreachable
 * upstream or a plugin error is a failed check, never a crash, and never shows a secret.
 */
import { Injectable } from '@nestjs/common';
import type { CheckResult } from '@audit-hub/plugin-sdk';
import { Redactor } from '../config/redactor';
import { ConnectorRegistry } from './connector.registry';

export interface ConnectorCheck {
  connector: string;
  plugin: string;
  ok: boolean;
  checks: CheckResult[];
}

@Injectable()
export class ConnectorCheckService {
  constructor(
    private readonly connectors: ConnectorRegistry,
    private readonly redactor: Redactor,
  ) {}

  async checkAll(): Promise<ConnectorCheck[]> {
    return Promise.all(this.connectors.instances().map((i) => this.check(i.id)));
  }

  async check(id: string): Promise<ConnectorCheck> {
    const instance = this.connectors.get(id);
    let checks: CheckResult[];
    try {
      const open = await this.connectors.connect(id);
      try {
        checks = await open.connection.check();
      } finally {
        await open.close().catch(() => undefined);
      }
    } catch (err) {
      checks = [{ name: 'reachable', ok: false, detail: err instanceof Error ? err.message : String(err) }];
    }
    checks = checks.map((c) => ({ ...c, ...(c.detail ? { detail: this.redactor.redact(c.detail) } : {}) }));
    return {
      connector: id,
      plugin: instance.pluginRef,
      ok: checks.length > 0 && checks.every((c) => c.ok),
      checks,
    };
  }
}
