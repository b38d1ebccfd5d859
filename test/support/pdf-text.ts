/**
 * The text of a PDF, for tests (stack.md: PDFs are checked by extracting their text). pdf-parse
 * 1.1.1's index.js reads one of its own test files when required directly, so its lib entry is used.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pdfParse = require('pdf-parse/lib/pdf-parse.js') as (
  data: Buffer,
) => Promise<{ text: string; numpages: number }>;

export async function pdfText(pdf: Buffer): Promise<{ text: string; pages: number }> {
  const parsed = await pdfParse(pdf);
  return { text: parsed.text, pages: parsed.numpages };
}
