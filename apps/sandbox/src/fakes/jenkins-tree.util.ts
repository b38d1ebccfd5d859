/**
 * Jenkins' `tree=` query parameter: `jobs[name,lastBuild[number]],allBuilds[number]{0,50}` names the
 * fields to serialise, nested with `[…]`, and `{m,n}` ranges over a list (`{m,n}` from index m to n
 * excluded, `{m,}` from m, `{,n}` the first n, `{n}` the one at n). As Jenkins does, every object
 * keeps its `_class`, and a field the object does not have is left out rather than written null.
 */

export interface TreeNode {
  name: string;
  children?: TreeNode[];
  range?: { from: number; to?: number };
}

export class TreeSyntaxError extends Error {
  override name = 'TreeSyntaxError';
}

export function parseTree(text: string): TreeNode[] {
  let at = 0;
  const fail = (why: string): never => {
    throw new TreeSyntaxError(`tree=: ${why} at character ${at}`);
  };
  const list = (closing: string | null): TreeNode[] => {
    const nodes: TreeNode[] = [];
    for (;;) {
      const start = at;
      while (at < text.length && !'[]{},'.includes(text[at])) at++;
      const name = text.slice(start, at).trim();
      if (!name) fail('a field name is missing');
      const node: TreeNode = { name };
      if (text[at] === '[') {
        at++;
        node.children = list(']');
        if (text[at] !== ']') fail('"]" expected');
        at++;
      }
      if (text[at] === '{') {
        const end = text.indexOf('}', at);
        if (end < 0) fail('"}" expected');
        node.range = parseRange(text.slice(at + 1, end), fail);
        at = end + 1;
      }
      nodes.push(node);
      if (text[at] === ',') {
        at++;
        continue;
      }
      if (closing === null ? at === text.length : text[at] === closing) return nodes;
      fail(closing === null ? 'unexpected character' : `"${closing}" expected`);
    }
  };
  return list(null);
}

function parseRange(text: string, fail: (why: string) => never): { from: number; to?: number } {
  const number = (s: string) => {
    if (!/^\d+$/.test(s.trim())) fail(`"${text}" is not a range`);
    return Number(s.trim());
  };
  if (!text.includes(',')) {
    const n = number(text);
    return { from: n, to: n + 1 };
  }
  const [a, b] = text.split(',');
  return { from: a.trim() === '' ? 0 : number(a), ...(b.trim() === '' ? {} : { to: number(b) }) };
}

/** The value restricted to the tree's fields (objects), element by element (lists). */
export function applyTree(value: unknown, tree: TreeNode[]): unknown {
  if (Array.isArray(value)) return value.map((item) => applyTree(item, tree));
  if (value === null || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if ('_class' in source) out._class = source._class;
  for (const node of tree) {
    if (!(node.name in source)) continue;
    let field = source[node.name];
    if (node.range && Array.isArray(field)) field = field.slice(node.range.from, node.range.to);
    out[node.name] = node.children ? applyTree(field, node.children) : field;
  }
  return out;
}
