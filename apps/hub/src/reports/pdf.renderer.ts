/**
 * The report as a PDF, drawn with pdfkit in plain JavaScript (no browser), so `report` works on a
 * bare machine (stack.md). A4 landscape, so the wide tables stay readable; table headers repeat on
 * every page and each page says which report and page it is.
 */
import PDFDocument from 'pdfkit';
import type { AuditReport } from './report.model';
import { layoutReport, type Block, type TableColumn } from './report.layout';

type Doc = InstanceType<typeof PDFDocument>;

const MARGIN = 36;
const BODY = 9;
const SMALL = 7.5;
const PAD = 3;
const REGULAR = 'Helvetica';
const BOLD = 'Helvetica-Bold';

/** The WinAnsi characters pdfkit's standard fonts can show beyond Latin-1. */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
const REPLACEMENTS: Record<string, string> = {
  '≤': '<=',
  '≥': '>=',
  '→': '->',
  '←': '<-',
  '−': '-',
  '✓': 'v',
};

/**
 * Text the standard (non-embedded) fonts can draw: pdfkit encodes them in WinAnsi and silently
 * draws garbage for anything else, so other characters become close ASCII or `?`.
 */
export function pdfSafe(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (
      ch === '\n' ||
      (code >= 0x20 && code <= 0x7e) ||
      (code >= 0xa0 && code <= 0xff) ||
      WIN_ANSI_EXTRA.has(ch)
    )
      out += ch;
    else if (ch === '\t') out += ' ';
    else out += REPLACEMENTS[ch] ?? '?';
  }
  return out;
}

class PdfWriter {
  private readonly left: number;
  private readonly width: number;

  constructor(private readonly doc: Doc) {
    this.left = doc.page.margins.left;
    this.width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  }

  private get bottom(): number {
    return this.doc.page.height - this.doc.page.margins.bottom;
  }

  private get usable(): number {
    return this.bottom - this.doc.page.margins.top;
  }

  /** Starts a new page unless `height` more points fit on this one. */
  private ensure(height: number): void {
    if (this.doc.y + height > this.bottom) this.doc.addPage();
  }

  private gap(points: number): void {
    this.doc.x = this.left;
    this.doc.y += points;
  }

  title(title: string, subtitle: string): void {
    this.doc.font(BOLD).fontSize(20).text(pdfSafe(title), this.left, this.doc.y, { width: this.width });
    this.doc
      .font(REGULAR)
      .fontSize(BODY + 1)
      .fillColor('#57606a');
    this.doc.text(pdfSafe(subtitle), { width: this.width });
    this.doc.fillColor('black');
    this.gap(10);
  }

  section(title: string): void {
    this.ensure(70);
    this.gap(8);
    this.doc.font(BOLD).fontSize(14).text(pdfSafe(title), this.left, this.doc.y, { width: this.width });
    const y = this.doc.y + 2;
    this.doc
      .moveTo(this.left, y)
      .lineTo(this.left + this.width, y)
      .lineWidth(1)
      .strokeColor('#d0d7de')
      .stroke();
    this.gap(8);
  }

  block(b: Block): void {
    switch (b.kind) {
      case 'heading':
        this.ensure(50);
        this.doc.font(BOLD).fontSize(11).text(pdfSafe(b.text), this.left, this.doc.y, { width: this.width });
        this.gap(4);
        return;
      case 'paragraph':
        this.doc.font(REGULAR).fontSize(BODY);
        this.ensure(this.doc.heightOfString(pdfSafe(b.text), { width: this.width }));
        this.doc.text(pdfSafe(b.text), this.left, this.doc.y, { width: this.width });
        this.gap(6);
        return;
      case 'facts':
        this.facts(b.items);
        return;
      case 'table':
        if (!b.rows.length) {
          this.doc.font('Helvetica-Oblique').fontSize(BODY).fillColor('#57606a');
          this.ensure(20);
          this.doc.text(pdfSafe(b.empty), this.left, this.doc.y, { width: this.width });
          this.doc.fillColor('black');
          this.gap(6);
          return;
        }
        this.table(b.columns, b.rows);
    }
  }

  private facts(items: [string, string][]): void {
    const labelWidth = 150;
    for (const [label, value] of items) {
      this.doc.font(REGULAR).fontSize(BODY);
      const h = Math.max(
        this.doc.heightOfString(pdfSafe(value), { width: this.width - labelWidth }),
        this.doc.font(BOLD).heightOfString(pdfSafe(label), { width: labelWidth - 8 }),
      );
      this.ensure(h);
      const y = this.doc.y;
      this.doc.font(BOLD).text(pdfSafe(label), this.left, y, { width: labelWidth - 8 });
      this.doc
        .font(REGULAR)
        .text(pdfSafe(value), this.left + labelWidth, y, { width: this.width - labelWidth });
      this.doc.y = y + h + 2;
    }
    this.gap(6);
  }

  private table(columns: TableColumn[], rows: string[][]): void {
    const total = columns.reduce((s, c) => s + c.width, 0);
    const widths = columns.map((c) => (c.width / total) * this.width);
    const heightOf = (cells: string[], font: string) => {
      this.doc.font(font).fontSize(SMALL);
      return (
        Math.max(
          ...cells.map((text, i) =>
            this.doc.heightOfString(pdfSafe(text) || ' ', { width: widths[i] - 2 * PAD }),
          ),
        ) +
        2 * PAD
      );
    };
    const draw = (cells: string[], font: string, fill?: string) => {
      // A row taller than a page is cut with an ellipsis rather than split.
      const needed = heightOf(cells, font);
      const height = Math.min(needed, this.usable - 30);
      const capped = needed > height;
      const y = this.doc.y;
      let x = this.left;
      cells.forEach((text, i) => {
        if (fill) this.doc.rect(x, y, widths[i], height).fillColor(fill).fill();
        this.doc.rect(x, y, widths[i], height).lineWidth(0.5).strokeColor('#d0d7de').stroke();
        this.doc.fillColor('black').font(font).fontSize(SMALL);
        this.doc.text(pdfSafe(text), x + PAD, y + PAD, {
          width: widths[i] - 2 * PAD,
          // Only a capped row gets a height: pdfkit's rounding would otherwise cut a last line.
          ...(capped ? { height: height - 2 * PAD, ellipsis: true } : {}),
        });
        x += widths[i];
      });
      this.doc.x = this.left;
      this.doc.y = y + height;
    };
    const titles = columns.map((c) => c.title);
    const header = () => draw(titles, BOLD, '#f6f8fa');
    this.ensure(heightOf(titles, BOLD) + heightOf(rows[0], REGULAR));
    header();
    for (const row of rows) {
      const h = Math.min(heightOf(row, REGULAR), this.usable - 30);
      if (this.doc.y + h > this.bottom) {
        this.doc.addPage();
        header();
      }
      draw(row, REGULAR);
    }
    this.gap(8);
  }

  footers(text: string): void {
    const range = this.doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      this.doc.switchToPage(i);
      const bottom = this.doc.page.margins.bottom;
      // Writing inside the bottom margin would otherwise make pdfkit start a new page.
      this.doc.page.margins.bottom = 0;
      this.doc
        .font(REGULAR)
        .fontSize(SMALL)
        .fillColor('#57606a')
        .text(
          pdfSafe(`${text}  |  page ${i + 1} of ${range.count}`),
          this.left,
          this.doc.page.height - bottom + 12,
          {
            width: this.width,
            align: 'center',
            lineBreak: false,
          },
        );
      this.doc.page.margins.bottom = bottom;
    }
  }
}

export async function renderPdf(report: AuditReport): Promise<Buffer> {
  const layout = layoutReport(report);
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    bufferPages: true,
    info: {
      Title: pdfSafe(`${layout.title}: ${report.period.from} to ${report.period.to}`),
      Subject: pdfSafe(layout.subtitle),
      Creator: 'audit-hub',
      CreationDate: new Date(report.generatedAt),
      ModDate: new Date(report.generatedAt),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const w = new PdfWriter(doc);
  w.title(layout.title, layout.subtitle);
  for (const section of layout.sections) {
    w.section(section.title);
    for (const b of section.blocks) w.block(b);
  }
  w.footers(`${layout.title}, ${report.period.from} to ${report.period.to}`);
  doc.end();
  return done;
}
