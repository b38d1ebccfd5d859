/**
 * Redaction by value for everything the hub prints or stores: the values resolved from `${env:…}`
 * and `${file:…}`, and whatever a plugin marks secret, never reach a log, an error, an API answer,
 * a report or the evidence ledger (shared/spec/interfaces.md "Config file").
 */
import { Injectable } from '@nestjs/common';
import { SecretMatcher } from '@audit-hub/http';

/**
 * The shortest secret the hub accepts from its config: a shorter value redacted by value would
 * replace ordinary words and numbers in every message (a 1-character secret mangles them all), and
 * is too weak to be a credential anyway.
 */
export const MIN_SECRET_LENGTH = 8;

@Injectable()
export class Redactor {
  /** Every secret's forms, computed once when it is added, matched in one pass. */
  private readonly matcher = new SecretMatcher();

  constructor(secrets: Iterable<string> = []) {
    for (const secret of secrets) this.add(secret);
  }

  /** Adds a value to redact from now on (empty strings are ignored: they would match everywhere). */
  add(secret: string): void {
    this.matcher.add(secret);
  }

  /** The secrets known so far (for an HTTP client's own redaction). */
  secrets(): string[] {
    return this.matcher.secrets();
  }

  /** The text with every secret (and its URL-encoded and base64 forms) replaced by `[REDACTED]`. */
  redact(text: string): string {
    return this.matcher.redact(text);
  }

  /**
   * A copy of `value` with every string in it redacted, keys included: arrays, plain objects,
   * class instances (same prototype), Maps, Sets and Errors (message, stack, cause) are walked;
   * dates, regular expressions and binary buffers are kept as they are. Cycles are preserved.
   */
  redactDeep<T>(value: T): T {
    if (this.matcher.size === 0) return value;
    return this.walk(value, new WeakMap()) as T;
  }

  /**
   * `value` with every string in it redacted, sharing what needs no change: `value` itself when no
   * string (key or value) in it holds a secret, else a copy of just the objects and arrays on the
   * way to each redacted string. For collected records (JSON data, most of which holds no secret):
   * one walk and no copy, where `redactDeep` copies every record of every page. Data that is not a
   * tree of plain objects, arrays and scalars (a cycle, a Map, an Error) is copied as `redactDeep`
   * does.
   */
  redactShared<T>(value: T): T {
    if (this.matcher.size === 0) return value;
    try {
      return this.share(value, new Set()) as T;
    } catch (err) {
      if (err !== NOT_A_TREE) throw err;
      return this.walk(value, new WeakMap()) as T;
    }
  }

  private share(value: unknown, path: Set<object>): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (typeof value !== 'object' || value === null) return value;
    if (keptAsIs(value)) return value;
    if (path.has(value) || value instanceof Map || value instanceof Set || value instanceof Error)
      throw NOT_A_TREE;
    path.add(value);
    try {
      if (Array.isArray(value)) {
        let out: unknown[] | undefined;
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          const shared = this.share(item, path);
          if (!out && shared !== item) out = value.slice(0, i);
          if (out) out.push(shared);
        }
        return out ?? value;
      }
      const source = value as Record<string, unknown>;
      const keys = Object.keys(source);
      let out: Record<string, unknown> | undefined;
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k];
        const item = source[key];
        const sharedKey = this.redact(key);
        const shared = this.share(item, path);
        if (!out && (sharedKey !== key || shared !== item)) {
          out = Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>;
          for (let j = 0; j < k; j++) define(out, keys[j], source[keys[j]], true);
        }
        if (out) define(out, sharedKey, shared, true);
      }
      return out ?? value;
    } finally {
      path.delete(value);
    }
  }

  private walk(value: unknown, seen: WeakMap<object, unknown>): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (typeof value !== 'object' || value === null) return value;
    if (seen.has(value)) return seen.get(value);
    if (keptAsIs(value)) return value;
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      seen.set(value, out);
      for (const item of value) out.push(this.walk(item, seen));
      return out;
    }
    if (value instanceof Map) {
      const out = new Map<unknown, unknown>();
      seen.set(value, out);
      for (const [key, item] of value) out.set(this.walk(key, seen), this.walk(item, seen));
      return out;
    }
    if (value instanceof Set) {
      const out = new Set<unknown>();
      seen.set(value, out);
      for (const item of value) out.add(this.walk(item, seen));
      return out;
    }
    const out = Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>;
    seen.set(value, out);
    if (value instanceof Error) {
      // message and stack are own but not enumerable, so the loop below would miss them.
      for (const key of ['message', 'stack', 'cause'] as const) {
        if (key in value) define(out, key, this.walk(value[key], seen), false);
      }
    }
    for (const key of Object.keys(value)) {
      define(out, this.redact(key), this.walk((value as Record<string, unknown>)[key], seen), true);
    }
    return out;
  }
}

/** Values neither walk copies nor looks into: dates, regular expressions and binary buffers. */
function keptAsIs(value: object): boolean {
  return (
    value instanceof Date ||
    value instanceof RegExp ||
    value instanceof ArrayBuffer ||
    ArrayBuffer.isView(value)
  );
}

/** Thrown inside `share` when the data is not a tree it can share: `redactShared` copies it then. */
const NOT_A_TREE = Symbol('not a tree');

/** Defines rather than assigns, so a key named `__proto__` stays data and never re-parents the copy. */
function define(target: object, key: string, value: unknown, enumerable: boolean): void {
  Object.defineProperty(target, key, { value, enumerable, writable: true, configurable: true });
}
