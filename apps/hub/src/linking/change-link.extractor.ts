/**
 * Finds change numbers in free text with `linking.changePattern` (an ECMAScript regex), in
 * TypeScript at ingest, so controls join link rows instead of matching regexes in SQL (PostgreSQL
 * and SQLite disagree on regex dialects).
 */
export class ChangeLinkExtractor {
  private readonly pattern: RegExp;

  constructor(source: string) {
    const flags = 'g';
    this.pattern = new RegExp(source, flags);
  }

  numbers(text: string | null | undefined): string[] {
    if (!text) return [];
    const found = new Set<string>();
    for (const m of text.matchAll(this.pattern)) found.add(m[0]);
    return [...found];
  }
}
