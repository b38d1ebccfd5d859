/** Renders a built report in the format asked for (interfaces.md `report --format`). */
import { renderCsv } from './csv.renderer';
import { renderHtml } from './html.renderer';
import { renderJson } from './json.renderer';
import { renderOscal } from './oscal.renderer';
import { renderPdf } from './pdf.renderer';
import type { AuditReport, ReportFormat } from './report.model';

/** File extension and media type of each format. */
export const REPORT_MEDIA: Record<ReportFormat, { extension: string; mediaType: string }> = {
  html: { extension: 'html', mediaType: 'text/html; charset=utf-8' },
  pdf: { extension: 'pdf', mediaType: 'application/pdf' },
  json: { extension: 'json', mediaType: 'application/json' },
  csv: { extension: 'csv', mediaType: 'text/csv; charset=utf-8' },
  oscal: { extension: 'oscal.json', mediaType: 'application/json' },
};

export async function renderReport(report: AuditReport, format: ReportFormat): Promise<Buffer> {
  switch (format) {
    case 'html':
      return Buffer.from(renderHtml(report), 'utf8');
    case 'pdf':
      return renderPdf(report);
    case 'json':
      return Buffer.from(renderJson(report), 'utf8');
    case 'csv':
      return Buffer.from(renderCsv(report), 'utf8');
    case 'oscal':
      return Buffer.from(renderOscal(report), 'utf8');
  }
}
