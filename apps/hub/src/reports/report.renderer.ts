/** Renders a built report in the format asked for (interfaces.md `report --format`). */
import { renderCsvZip } from './csv.renderer';
import { renderHtml } from './html.renderer';
import { renderJson } from './json.renderer';
import { renderOscal } from './oscal.renderer';
import { renderPdf } from './pdf.renderer';
import type { AuditReport, ReportFormat } from './report.model';

/** File extension and media type of each format (`csv`: a zip of one CSV file per record type). */
export const REPORT_MEDIA: Record<ReportFormat, { extension: string; mediaType: string }> = {
  html: { extension: 'html', mediaType: 'text/html; charset=utf-8' },
  pdf: { extension: 'pdf', mediaType: 'application/pdf' },
  json: { extension: 'json', mediaType: 'application/json' },
  csv: { extension: 'csv.zip', mediaType: 'application/zip' },
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
      return renderCsvZip(report);
    case 'oscal':
      return Buffer.from(renderOscal(report), 'utf8');
  }
}
