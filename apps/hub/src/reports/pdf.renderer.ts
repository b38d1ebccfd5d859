/**
 * The report as a PDF, drawn with pdfkit in plain JavaScript (no browser), so `report` works on a
 * bare machine (stack.md). It walks the same layout as the HTML (report.layout.ts): the same
 * sections in the same order, with the same words and numbers. A4 landscape, so the wide tables
 * stay readable; table headers repeat on every page and each page says which report and page it
 * is.
 *
 * Tagged (a structure tree of sections, headings, paragraphs and tables; borders, fills, repeated
 * headers and page footers are artifacts), with its language, title, author, subject and keywords
 * in the document info and XMP metadata. When a Unicode TrueType font is found (DejaVu Sans or
 * Liberation Sans in the usual system places, or `AUDIT_HUB_PDF_FONT`), it is embedded and the
 * file declares PDF/A-2a; otherwise the PDF standard fonts are used (not embedded, Western
 * European text only), and it is tagged but not PDF/A.
 */
import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import type { AuditReport } from './report.model';
import { layoutReport, type Block, type TableColumn } from './report.layout';
import { reportMeta } from './html.renderer';

type Doc = InstanceType<typeof PDFDocument>;
type Struct = ReturnType<Doc['struct']>;

/** Regular, bold and italic TrueType files of one family; the first complete set found is used. */
const FONT_CANDIDATES: [string, string, string][] = [
  ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf'].map(
    (f) => `/usr/share/fonts/truetype/dejavu/${f}`,
  ) as [string, string, string],
  ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf'].map(
    (f) => `/usr/share/fonts/dejavu/${f}`,
  ) as [string, string, string],
  ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf'].map(
    (f) => `/usr/share/fonts/TTF/${f}`,
  ) as [string, string, string],
  ['LiberationSans-Regular.ttf', 'LiberationSans-Bold.ttf', 'LiberationSans-Italic.ttf'].map(
    (f) => `/usr/share/fonts/truetype/liberation/${f}`,
  ) as [string, string, string],
];

export interface PdfFonts {
  regular: string;
  bold: string;
  italic: string;
  /** True when they are embedded TrueType files (Unicode, PDF/A); false: the standard fonts. */
  embedded: boolean;
}

const STANDARD_FONTS: PdfFonts = {
  regular: 'Helvetica',
  bold: 'Helvetica-Bold',
  italic: 'Helvetica-Oblique',
  embedded: false,
};

/** The fonts to draw with: `AUDIT_HUB_PDF_FONT` (one TTF for all), a system family, or the standard fonts. */
export function pdfFonts(env: NodeJS.ProcessEnv = process.env): PdfFonts {
  const configured = env.AUDIT_HUB_PDF_FONT;
  if (configured) {
    if (!existsSync(configured))
      throw new Error(`AUDIT_HUB_PDF_FONT: ${configured} does not exist (a TrueType font file is expected)`);
    return { regular: configured, bold: configured, italic: configured, embedded: true };
  }
  const found = FONT_CANDIDATES.find((set) => set.every((f) => existsSync(f)));
  return found ? { regular: found[0], bold: found[1], italic: found[2], embedded: true } : STANDARD_FONTS;
}

const MARGIN = 36;
const BODY = 9;
const SMALL = 7.5;
const PAD = 3;

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
  /** The structure element content is added to (the document, then the current section). */
  private parent: Struct;

  constructor(
    private readonly doc: Doc,
    private readonly fonts: PdfFonts,
    root: Struct,
  ) {
    this.left = doc.page.margins.left;
    this.width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
    this.parent = root;
  }

  /** Text the fonts can draw: anything with an embedded Unicode font, WinAnsi with the standard ones. */
  private safe(text: string): string {
    return this.fonts.embedded ? text.replace(/\t/g, ' ') : pdfSafe(text);
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

  /** Drawing that is not content (borders, fills, rules): an artifact for assistive technology. */
  private artifact(draw: () => void, type: 'Layout' | 'Pagination' = 'Layout'): void {
    this.doc.markContent('Artifact', { type });
    draw();
    this.doc.endMarkedContent();
  }

  /** Content under a structure element of the current parent. */
  private tagged(type: string, draw: () => void, parent: Struct = this.parent): void {
    parent.add(this.doc.struct(type, {}, draw));
  }

  title(title: string, subtitle: string): void {
    this.tagged('H1', () => {
      this.doc
        .font(this.fonts.bold)
        .fontSize(20)
        .text(this.safe(title), this.left, this.doc.y, { width: this.width });
    });
    this.tagged('P', () => {
      this.doc
        .font(this.fonts.regular)
        .fontSize(BODY + 1)
        .fillColor('#57606a');
      this.doc.text(this.safe(subtitle), { width: this.width });
      this.doc.fillColor('black');
    });
    this.gap(10);
  }

  /** Starts a section: its own `Sect` element under the document, with its `H2`. */
  section(root: Struct, title: string): Struct {
    this.ensure(70);
    this.gap(8);
    const sect = this.doc.struct('Sect', { title: this.safe(title) });
    root.add(sect);
    this.parent = sect;
    this.tagged('H2', () => {
      this.doc
        .font(this.fonts.bold)
        .fontSize(14)
        .text(this.safe(title), this.left, this.doc.y, { width: this.width });
    });
    const y = this.doc.y + 2;
    this.artifact(() =>
      this.doc
        .moveTo(this.left, y)
        .lineTo(this.left + this.width, y)
        .lineWidth(1)
        .strokeColor('#d0d7de')
        .stroke(),
    );
    this.gap(8);
    return sect;
  }

  block(b: Block): void {
    switch (b.kind) {
      case 'heading':
        this.ensure(50);
        this.tagged('H3', () => {
          this.doc
            .font(this.fonts.bold)
            .fontSize(11)
            .text(this.safe(b.text), this.left, this.doc.y, { width: this.width });
        });
        this.gap(4);
        return;
      case 'paragraph':
        this.doc.font(this.fonts.regular).fontSize(BODY);
        this.ensure(this.doc.heightOfString(this.safe(b.text), { width: this.width }));
        this.tagged('P', () => {
          this.doc
            .font(this.fonts.regular)
            .fontSize(BODY)
            .text(this.safe(b.text), this.left, this.doc.y, { width: this.width });
        });
        this.gap(6);
        return;
      case 'facts':
        this.facts(b.items);
        return;
      case 'table':
        if (!b.rows.length) {
          this.doc.font(this.fonts.italic).fontSize(BODY);
          this.ensure(20);
          this.tagged('P', () => {
            this.doc.font(this.fonts.italic).fontSize(BODY).fillColor('#57606a');
            this.doc.text(this.safe(b.empty), this.left, this.doc.y, { width: this.width });
            this.doc.fillColor('black');
          });
          this.gap(6);
          return;
        }
        this.table(b.columns, b.rows);
    }
  }

  /** Label and value pairs, as a two-column table: a `TH` (row header) and a `TD` per row. */
  private facts(items: [string, string][]): void {
    const labelWidth = 150;
    const table = this.doc.struct('Table');
    this.parent.add(table);
    for (const [label, value] of items) {
      this.doc.font(this.fonts.regular).fontSize(BODY);
      const h = Math.max(
        this.doc.heightOfString(this.safe(value), { width: this.width - labelWidth }),
        this.doc.font(this.fonts.bold).heightOfString(this.safe(label), { width: labelWidth - 8 }),
      );
      this.ensure(h);
      const y = this.doc.y;
      const row = this.doc.struct('TR');
      table.add(row);
      this.tagged(
        'TH',
        () => {
          this.doc
            .font(this.fonts.bold)
            .fontSize(BODY)
            .text(this.safe(label), this.left, y, { width: labelWidth - 8 });
        },
        row,
      );
      this.tagged(
        'TD',
        () => {
          this.doc
            .font(this.fonts.regular)
            .fontSize(BODY)
            .text(this.safe(value), this.left + labelWidth, y, { width: this.width - labelWidth });
        },
        row,
      );
      row.end();
      this.doc.y = y + h + 2;
    }
    table.end();
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
            this.doc.heightOfString(this.safe(text) || ' ', { width: widths[i] - 2 * PAD }),
          ),
        ) +
        2 * PAD
      );
    };
    const table = this.doc.struct('Table');
    this.parent.add(table);
    /** One row: its borders and fill as artifacts, each cell's text as a TH or TD (or an artifact). */
    const draw = (cells: string[], font: string, cell: 'TH' | 'TD' | null, fill?: string) => {
      // A row taller than a page is cut with an ellipsis rather than split.
      const needed = heightOf(cells, font);
      const height = Math.min(needed, this.usable - 30);
      const capped = needed > height;
      const y = this.doc.y;
      const row = cell ? this.doc.struct('TR') : null;
      if (row) table.add(row);
      let x = this.left;
      cells.forEach((text, i) => {
        const cx = x;
        this.artifact(() => {
          if (fill) this.doc.rect(cx, y, widths[i], height).fillColor(fill).fill();
          this.doc.rect(cx, y, widths[i], height).lineWidth(0.5).strokeColor('#d0d7de').stroke();
        });
        const write = () => {
          this.doc.fillColor('black').font(font).fontSize(SMALL);
          this.doc.text(this.safe(text), cx + PAD, y + PAD, {
            width: widths[i] - 2 * PAD,
            // Only a capped row gets a height: pdfkit's rounding would otherwise cut a last line.
            ...(capped ? { height: height - 2 * PAD, ellipsis: true } : {}),
          });
        };
        if (row && cell) this.tagged(cell, write, row);
        else this.artifact(write, 'Pagination');
        x += widths[i];
      });
      row?.end();
      this.doc.x = this.left;
      this.doc.y = y + height;
    };
    const titles = columns.map((c) => c.title);
    this.ensure(heightOf(titles, this.fonts.bold) + heightOf(rows[0], this.fonts.regular));
    draw(titles, this.fonts.bold, 'TH', '#f6f8fa');
    for (const row of rows) {
      const h = Math.min(heightOf(row, this.fonts.regular), this.usable - 30);
      if (this.doc.y + h > this.bottom) {
        this.doc.addPage();
        // The header again on the new page: a repetition, not content.
        draw(titles, this.fonts.bold, null, '#f6f8fa');
      }
      draw(row, this.fonts.regular, 'TD');
    }
    table.end();
    this.gap(8);
  }

  footers(text: string): void {
    const range = this.doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      this.doc.switchToPage(i);
      const bottom = this.doc.page.margins.bottom;
      // Writing inside the bottom margin would otherwise make pdfkit start a new page.
      this.doc.page.margins.bottom = 0;
      this.artifact(
        () =>
          this.doc
            .font(this.fonts.regular)
            .fontSize(SMALL)
            .fillColor('#57606a')
            .text(
              this.safe(`${text}  |  page ${i + 1} of ${range.count}`),
              this.left,
              this.doc.page.height - bottom + 12,
              {
                width: this.width,
                align: 'center',
                lineBreak: false,
              },
            ),
        'Pagination',
      );
      this.doc.page.margins.bottom = bottom;
    }
  }
}

/** The custom document-info keys that identify the report (read back by `report --sign`). */
export const PDF_INFO_KEYS: Record<string, string> = {
  'audit-hub-report-id': 'AuditHubReportId',
  'audit-hub-report-version': 'AuditHubReportVersion',
  'audit-hub-period': 'AuditHubPeriod',
  'audit-hub-as-of': 'AuditHubAsOf',
  'audit-hub-redacted': 'AuditHubRedacted',
};

export async function renderPdf(report: AuditReport, fonts: PdfFonts = pdfFonts()): Promise<Buffer> {
  const layout = layoutReport(report);
  const text = (t: string) => (fonts.embedded ? t : pdfSafe(t));
  const custom = Object.fromEntries(
    reportMeta(report)
      .filter(([k]) => PDF_INFO_KEYS[k])
      .map(([k, v]) => [PDF_INFO_KEYS[k], v]),
  );
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    bufferPages: true,
    pdfVersion: '1.7',
    tagged: true,
    lang: 'en',
    displayTitle: true,
    ...(fonts.embedded ? { subset: 'PDF/A-2a' as const } : {}),
    // Not the standard fonts' default: the embedded font is set before any text.
    ...(fonts.embedded ? { font: fonts.regular } : {}),
    info: {
      Title: text(`${layout.title}: ${report.period.from} to ${report.period.to}`),
      Author: text(
        `${report.preparation.tool} ${report.preparation.toolVersion}, run by ${report.preparation.operator}`,
      ),
      Subject: text(layout.subtitle),
      Keywords: text(`audit report; release management; report id ${report.reportId}`),
      Creator: `audit-hub ${report.preparation.toolVersion}`,
      Producer: 'audit-hub (pdfkit)',
      CreationDate: new Date(report.generatedAt),
      ModDate: new Date(report.generatedAt),
      ...custom,
    } as PDFKit.DocumentInfo,
  });
  // Fonts are named by their file (or standard name), never registered under an alias: pdfkit
  // caches a font by its source, and would parse an aliased one again on every use.
  doc.font(fonts.regular);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const root = doc.struct('Document');
  doc.addStructure(root);
  const w = new PdfWriter(doc, fonts, root);
  w.title(layout.title, layout.subtitle);
  for (const section of layout.sections) {
    const sect = w.section(root, section.title);
    for (const b of section.blocks) w.block(b);
    sect.end();
  }
  w.footers(`${layout.title}, ${report.period.from} to ${report.period.to}`);
  root.end();
  doc.end();
  return done;
}
