/**
 * `connectors check`: for each configured connector, reachability, credentials and the read
 * permissions its streams need, as the plugin's own `check()` reports them. An unreachable
 * upstream or a plugin error is a failed check, never a crash, and never shows a secret. A failed
 * check says what it costs — the enabled controls left undecided by the kinds or fields it leaves
 * unread (the plugin's `affects`) — and what fixes it.
 */
import { Injectable, Optional } from '@nestjs/common';
import type { ControlDefinition } from '@audit-hub/domain';
import type { CheckResult } from '@audit-hub/plugin-sdk';
import { Redactor } from '../config/redactor';
import { ControlRegistry } from '../controls/control.registry';
import { ConnectorRegistry } from './connector.registry';

/** A check as reported: a failed one names the enabled controls it leaves undecided. */
export interface ReportedCheck extends CheckResult {
  /** The enabled controls that cannot decide (some or all of their subjects) without it. */
  undecides?: string[];
}

export interface ConnectorCheck {
  connector: string;
  plugin: string;
  /** No failed check of severity `error` (a `warn` one leaves some subjects undecided, no more). */
  ok: boolean;
  checks: ReportedCheck[];
}

/** The controls a failed check costs: those needing a kind it leaves unread, or a field it reads as null. */
export function controlsUndecidedBy(check: CheckResult, controls: readonly ControlDefinition[]): string[] {
  const kinds = check.affects?.kinds ?? [];
  const fields = check.affects?.fields ?? [];
  return controls
    .filter((c) => c.needs.some((k) => kinds.includes(k)) || (c.fields ?? []).some((f) => fields.includes(f)))
    .map((c) => c.id);
}

@Injectable()
export class ConnectorCheckService {
  constructor(
    private readonly connectors: ConnectorRegistry,
    private readonly redactor: Redactor,
    @Optional() private readonly controls?: ControlRegistry,
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
    const enabled = (this.controls?.effective() ?? []).filter((c) => c.enabled).map((c) => c.definition);
    const reported: ReportedCheck[] = checks.map((c) => {
      const undecides = c.ok ? [] : controlsUndecidedBy(c, enabled);
      return {
        ...c,
        ...(c.detail ? { detail: this.redactor.redact(c.detail) } : {}),
        ...(c.fix ? { fix: this.redactor.redact(c.fix) } : {}),
        ...(undecides.length ? { undecides } : {}),
      };
    });
    return {
      connector: id,
      plugin: instance.pluginRef,
      ok: reported.length > 0 && reported.every((c) => c.ok || c.severity === 'warn'),
      checks: reported,
    };
  }
}
