/**
 * `connectors check` output: one line per connector (`ok`, `warn` — an optional permission is
 * missing — or `FAIL`), then one indented line per failed check with what it costs (the controls
 * it leaves undecided) and what fixes it.
 */
import type { ConnectorCheck } from '../../../hub/src/connectors/connector-check.service';

export function connectorCheckLines(r: ConnectorCheck): string {
  const failed = r.checks.filter((c) => !c.ok);
  const state = !r.ok ? 'FAIL' : failed.length ? 'warn' : 'ok  ';
  const detail = failed.length
    ? failed.map((c) => `${c.name}: ${c.detail ?? 'failed'}`).join('; ')
    : r.checks.map((c) => (c.detail ? `${c.name} (${c.detail})` : c.name)).join(', ');
  const lines = [`${state} ${r.connector} (${r.plugin}): ${detail}\n`];
  for (const c of failed) {
    const costs = c.undecides?.length
      ? `leaves undecided: ${c.undecides.join(', ')}`
      : c.affects
        ? 'no enabled control depends on it'
        : null;
    const parts = [costs, c.fix ? `fix: ${c.fix}` : null].filter(Boolean);
    if (parts.length) lines.push(`     - ${c.name}: ${parts.join('; ')}\n`);
  }
  return lines.join('');
}
