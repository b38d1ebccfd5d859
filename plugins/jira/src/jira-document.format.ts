/**
 * Ticket text arrives as a small Markdown subset (`## heading`, `- item` lists, paragraphs,
 * `code` spans, bare URLs). Jira REST v3 (Cloud) refuses plain strings in rich-text fields and
 * wants an Atlassian Document Format object; REST v2 (Data Center) wants wiki markup. These turn the
 * one into each of the others.
 */

export interface AdfNode {
  type: string;
  attrs?: Record<string, unknown>;
  content?: AdfNode[];
  text?: string;
  marks?: { type: string; attrs?: Record<string, unknown> }[];
}

export interface AdfDocument {
  type: 'doc';
  version: 1;
  content: AdfNode[];
}

type Block =
  | { kind: 'heading'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'paragraph'; lines: string[] };

function blocks(markdown: string): Block[] {
  const out: Block[] = [];
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  let paragraph: string[] = [];
  let list: string[] = [];
  const flush = () => {
    if (paragraph.length) out.push({ kind: 'paragraph', lines: paragraph });
    if (list.length) out.push({ kind: 'list', items: list });
    paragraph = [];
    list = [];
  };
  for (const raw of lines) {
    const line = raw.trimEnd();
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    const item = /^\s*[-*]\s+(.*)$/.exec(line);
    if (line.trim() === '') {
      flush();
    } else if (heading) {
      flush();
      out.push({ kind: 'heading', text: heading[1] });
    } else if (item) {
      if (paragraph.length) flush();
      list.push(item[1]);
    } else {
      if (list.length) flush();
      paragraph.push(line);
    }
  }
  flush();
  return out;
}

/** Inline runs: code spans and URLs get their own marks; everything else is plain text. */
function inline(text: string): AdfNode[] {
  const nodes: AdfNode[] = [];
  const pattern = /`([^`]+)`|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])/g;
  let last = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    if (m.index > last) nodes.push({ type: 'text', text: text.slice(last, m.index) });
    if (m[1] !== undefined) nodes.push({ type: 'text', text: m[1], marks: [{ type: 'code' }] });
    else nodes.push({ type: 'text', text: m[2], marks: [{ type: 'link', attrs: { href: m[2] } }] });
    last = m.index + m[0].length;
  }
  if (last < text.length) nodes.push({ type: 'text', text: text.slice(last) });
  // ADF refuses empty text nodes.
  return nodes.filter((n) => n.text !== '');
}

function paragraph(lines: string[]): AdfNode {
  const content: AdfNode[] = [];
  lines.forEach((line, i) => {
    if (i > 0) content.push({ type: 'hardBreak' });
    content.push(...inline(line));
  });
  return { type: 'paragraph', content };
}

/** The Markdown subset as an ADF document (Jira Cloud REST v3 `description` and comment `body`). */
export function toAdf(markdown: string): AdfDocument {
  const content: AdfNode[] = blocks(markdown).map((b) => {
    if (b.kind === 'heading') return { type: 'heading', attrs: { level: 3 }, content: inline(b.text) };
    if (b.kind === 'list')
      return {
        type: 'bulletList',
        content: b.items.map((item) => ({ type: 'listItem', content: [paragraph([item])] })),
      };
    return paragraph(b.lines);
  });
  return {
    type: 'doc',
    version: 1,
    content: content.length ? content : [{ type: 'paragraph', content: [] }],
  };
}

/** Wiki markup treats these as links, macros and emphasis; a backslash makes them literal. */
function escapeWiki(text: string): string {
  return text.replace(/([[\]{}*_+^~|!\\-])/g, (c, _x, offset: number, whole: string) => {
    // Hyphens only matter as strike-through at word edges and list bullets; keep them readable.
    if (c === '-' && /\w/.test(whole[offset - 1] ?? '') && /\w/.test(whole[offset + 1] ?? '')) return c;
    return `\\${c}`;
  });
}

function wikiInline(text: string): string {
  const parts: string[] = [];
  const pattern = /`([^`]+)`|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])/g;
  let last = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    if (m.index > last) parts.push(escapeWiki(text.slice(last, m.index)));
    // {{…}} cannot hold a closing brace pair; fall back to escaped text then.
    if (m[1] !== undefined) parts.push(m[1].includes('}}') ? escapeWiki(m[1]) : `{{${m[1]}}}`);
    else parts.push(`[${m[2]}]`);
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(escapeWiki(text.slice(last)));
  return parts.join('');
}

/** The Markdown subset as Jira wiki markup (Data Center REST v2 `description` and comment `body`). */
export function toWiki(markdown: string): string {
  return blocks(markdown)
    .map((b) => {
      if (b.kind === 'heading') return `h3. ${wikiInline(b.text)}`;
      if (b.kind === 'list') return b.items.map((item) => `* ${wikiInline(item)}`).join('\n');
      return b.lines.map(wikiInline).join('\n');
    })
    .join('\n\n');
}

/** The plain text of a rich-text field as Jira answers it: an ADF document (v3) or a string (v2). */
export function documentText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (!value || typeof value !== 'object') return '';
  const node = value as AdfNode;
  if (node.type === 'text') return node.text ?? '';
  if (node.type === 'hardBreak') return '\n';
  const inner = (node.content ?? []).map(documentText);
  return ['doc', 'bulletList', 'orderedList', 'listItem'].includes(node.type)
    ? inner.join('\n')
    : inner.join('');
}
