/**
 * docs/controls.md, generated from the control catalog (libs/domain/src/catalog.ts) so the catalog
 * is written once: `npm run docs:controls` rewrites it, and a test fails when it is stale.
 */
import { CONTROL_CATALOG, GDPR_TOKEN } from '@audit-hub/domain';

const esc = (s: string) => s.replace(/\|/g, '\\|');

export function controlsMarkdown(): string {
  const lines: string[] = [
    '# Control catalog',
    '',
    '<!-- Generated from libs/domain/src/catalog.ts by `npm run docs:controls`. Do not edit by hand. -->',
    '',
    'Every control audit-hub evaluates, with its stable id, default severity, parameters (defaults),',
    'the record kinds it needs and the framework clauses it supports. Override parameters, severity and',
    'enablement in the config file under `controls.<ID>`; `npm run audit-hub -- controls` shows what is',
    `in effect. Findings of a service tagged \`personalData: true\` also carry \`${GDPR_TOKEN}\`.`,
    '',
    '| ID | Title | Subject | Severity | Params (default) | Needs | Enabled by default |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const c of CONTROL_CATALOG) {
    const params = Object.entries(c.params)
      .map(([k, v]) => `\`${k}\` (${v})`)
      .join(', ');
    lines.push(
      `| ${c.id} | ${esc(c.title)} | ${c.subjectType} | ${c.severity} | ${params || '—'} | ${c.needs.join(', ')} | ${c.enabledByDefault ? 'yes' : 'no'} |`,
    );
  }
  lines.push('', '## What each control flags', '');
  for (const c of CONTROL_CATALOG) {
    lines.push(
      `### ${c.id} — ${c.title}`,
      '',
      c.description,
      '',
      `Frameworks: ${c.frameworks.map((f) => `\`${f}\``).join(', ')}.`,
      '',
    );
  }
  return lines.join('\n');
}
