/**
 * Limits on the shape of a parsed request body (or query), checked by one iterative walk before
 * anything walks it recursively. Nest's validation pipe (`stripProtoKeys`) and class-transformer
 * recurse once per level, so a JSON body a few thousand levels deep overflows the stack. And
 * JSON.parse keeps a `__proto__` key as an own property, which class-transformer then assigns to
 * the DTO it builds — replacing the DTO's prototype, so validation finds no rules for it at all.
 * No body the API takes is more than a few levels deep, nor has any use for these keys.
 */

/** The deepest nesting of objects and arrays accepted; the body itself is level 1. */
export const MAX_BODY_DEPTH = 32;

/** Keys that reach prototypes when a parsed value is copied or merged. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const MAX_PATH = 200;

interface Node {
  value: object;
  depth: number;
  parent?: Node;
  key?: string;
  index?: boolean;
}

function pathOf(node: Node, root: string): string {
  const parts: string[] = [];
  for (let n: Node | undefined = node; n?.parent; n = n.parent)
    parts.push(n.index ? `[${n.key}]` : `.${n.key}`);
  const path = root + parts.reverse().join('');
  return path.length > MAX_PATH ? `${path.slice(0, MAX_PATH)}…` : path;
}

/**
 * Why `value` may not be accepted, as a sentence naming where (`what` is e.g. "the request
 * body", `root` the path's first segment, e.g. "body"); undefined when its shape is fine.
 */
export function shapeProblem(
  value: unknown,
  what: string,
  root: string,
  maxDepth: number = MAX_BODY_DEPTH,
): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const stack: Node[] = [{ value, depth: 1 }];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.depth > maxDepth)
      return `${what} is nested more than ${maxDepth} levels deep (at ${pathOf(node, root)})`;
    const index = Array.isArray(node.value);
    // Object.keys: own keys only, holes of sparse arrays skipped; JSON.parse makes `__proto__` an own key.
    for (const key of Object.keys(node.value)) {
      if (!index && FORBIDDEN_KEYS.has(key))
        return `${what} may not contain the key "${key}" (at ${pathOf({ value: {}, depth: 0, parent: node, key }, root)})`;
      const child = (node.value as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null)
        stack.push({ value: child, depth: node.depth + 1, parent: node, key, index });
    }
  }
  return undefined;
}
