/**
 * The report as one self-contained HTML page (inline CSS, no script, no external resource), so it
 * can be mailed, archived or printed as is. It draws the same layout (report.layout.ts) as the
 * PDF: the same sections, in the same order, with the same words and numbers. `<meta>` tags name
 * the report id, period, as-of instant and redaction, which `report --sign` reads back.
 */
import type { AuditReport } from './report.model';
import { layoutReport, type Block, type TableColumn } from './report.layout';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function cell(text: string): string {
  return escapeHtml(text).replace(/\n/g, '<br>');
}

const STYLE = `
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2rem; color: #1b1f24; font-size: 14px; }
h1 { margin-bottom: 0.2rem; }
.subtitle { color: #57606a; margin-top: 0; }
nav ol { columns: 2; padding-left: 1.2rem; }
section { margin-top: 2rem; }
h2 { border-bottom: 2px solid #d0d7de; padding-bottom: 0.3rem; }
h3 { margin-bottom: 0.4rem; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.25rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; word-break: break-word; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; margin: 0.6rem 0 1rem; font-size: 12px; }
th, td { border: 1px solid #d0d7de; padding: 4px 6px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f6f8fa; }
tbody tr:nth-child(even) { background: #fafbfc; }
.empty { color: #57606a; font-style: italic; }
#sign-off dd { min-height: 1.4em; }
@media print { nav { display: none; } section { break-inside: auto; } thead { display: table-header-group; } }
`;

function columnWidths(columns: TableColumn[]): string[] {
  const total = columns.reduce((sum, c) => sum + c.width, 0);
  return columns.map((c) => ((c.width / total) * 100).toFixed(1));
}

function block(b: Block): string {
  switch (b.kind) {
    case 'paragraph':
      return `<p>${cell(b.text)}</p>`;
    case 'heading':
      return `<h3>${escapeHtml(b.text)}</h3>`;
    case 'facts':
      return `<dl>${b.items.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${cell(v)}</dd>`).join('')}</dl>`;
    case 'table':
      if (!b.rows.length) return `<p class="empty">${escapeHtml(b.empty)}</p>`;
      return (
        '<table><colgroup>' +
        columnWidths(b.columns)
          .map((w) => `<col style="width:${w}%">`)
          .join('') +
        '</colgroup><thead><tr>' +
        b.columns.map((c) => `<th>${escapeHtml(c.title)}</th>`).join('') +
        '</tr></thead><tbody>' +
        b.rows.map((row) => `<tr>${row.map((v) => `<td>${cell(v)}</td>`).join('')}</tr>`).join('\n') +
        '</tbody></table>'
      );
  }
}

/** What identifies the report, as `<meta>` (HTML) and document info (PDF) entries. */
export function reportMeta(report: AuditReport): [string, string][] {
  return [
    ['audit-hub-report-id', report.reportId],
    ['audit-hub-report-version', String(report.reportVersion)],
    ['audit-hub-period', `${report.period.from}/${report.period.to}`],
    ['audit-hub-as-of', report.asOf],
    ['audit-hub-redacted', String(report.redacted)],
    ['generator', `audit-hub ${report.preparation.toolVersion}`],
  ];
}

export function renderHtml(report: AuditReport): string {
  const layout = layoutReport(report);
  const sections = layout.sections
    .map(
      (s) =>
        `<section id="${s.id}">\n<h2>${escapeHtml(s.title)}</h2>\n${s.blocks.map(block).join('\n')}\n</section>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${layout.title}: ${report.period.from} to ${report.period.to}`)}</title>
${reportMeta(report)
  .map(([name, content]) => `<meta name="${name}" content="${escapeHtml(content)}">`)
  .join('\n')}
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(layout.title)}</h1>
<p class="subtitle">${escapeHtml(layout.subtitle)}</p>
<nav><ol>${layout.sections.map((s) => `<li><a href="#${s.id}">${escapeHtml(s.title)}</a></li>`).join('')}</ol></nav>
${sections}
</body>
</html>
`;
}
