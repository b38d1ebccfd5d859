/**
 * Loads the config file (shared/spec/interfaces.md "Config file"): finds it, parses YAML 1.2 with
 * source positions, resolves `${env:NAME}` and `${file:PATH}`, validates it with the schema classes
 * and cross-checks references (connector ids within the file; plugins and control ids against the
 * plugin registry and the control catalog: config-references.check.ts), then applies defaults.
 * Every problem is reported at once, each as `<0-based key path> (line N): <what is wrong>`, under
 * a header naming the file, with resolved secrets redacted.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { baseUrlAddressIssues } from './base-url.check';
import { defaultReferenceCatalog, referenceIssues, type ReferenceCatalog } from './config-references.check';
import { ConfigError } from './config.error';
import { AuditHubConfigSchema, defaultConfig, resolveConfig, type AppConfig } from './config.schema';
import { MIN_SECRET_LENGTH, Redactor } from './redactor';

/** A key path into the config, 0-based for lists: `['connectors', 1, 'baseUrl']`. */
export type ConfigPath = (string | number)[];

/** The line (1-based) of a key path in the config file, or of its nearest ancestor that exists. */
export type LineOf = (path: ConfigPath) => number | undefined;

export interface LoadedConfig {
  config: AppConfig;
  /** The file it came from (absolute), or null for the built-in defaults. */
  path: string | null;
  /** Every value substituted from `${env:…}` or `${file:…}`: redact them everywhere. */
  secrets: string[];
  /** Lines for plugin-specific `auth`/`options` errors; undefined without a file. */
  lineOf: LineOf;
}

export interface LoadConfigOptions {
  /** A named config file (`--config`); a named file that is missing is an error. */
  path?: string;
  /** Where `$AUDIT_HUB_CONFIG` and `${env:…}` are read (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Where relative paths start (default `process.cwd()`). */
  cwd?: string;
  /** What references are checked against (default: the plugin registry and the control catalog). */
  references?: ReferenceCatalog;
}

export const CONFIG_ENV_VAR = 'AUDIT_HUB_CONFIG';
export const DEFAULT_CONFIG_PATH = 'config/audit-hub.yaml';

/**
 * The config in effect: `opts.path`, else `$AUDIT_HUB_CONFIG`, else `./config/audit-hub.yaml` when it
 * exists, else the built-in defaults (no connectors). Throws `ConfigError` (exit 2):
 * `config_missing` when a named file does not exist, `config_invalid` listing every problem.
 */
export function loadConfig(opts: LoadConfigOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const fromEnv = env[CONFIG_ENV_VAR];
  const named = opts.path
    ? { path: opts.path, by: 'given' }
    : fromEnv
      ? { path: fromEnv, by: `named by $${CONFIG_ENV_VAR}` }
      : undefined;

  let file: string;
  if (named) {
    file = resolve(cwd, named.path);
    if (!existsSync(file)) {
      throw new ConfigError('config_missing', [`config file ${file} (${named.by}) does not exist`]);
    }
  } else {
    file = resolve(cwd, DEFAULT_CONFIG_PATH);
    if (!existsSync(file))
      return { config: defaultConfig(), path: null, secrets: [], lineOf: () => undefined };
  }

  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('config_missing', [`config file ${file} cannot be read (${errorCode(err)})`]);
  }
  return parseConfig(text, { env, path: file, references: opts.references });
}

export interface ParseConfigOptions {
  /** Where `${env:…}` is read (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** The file the text came from: named in errors; `${file:…}` is relative to its folder. */
  path?: string | null;
  /** Where `${file:…}` is relative to when there is no `path` (default `process.cwd()`). */
  baseDir?: string;
  /** What references are checked against (default: the plugin registry and the control catalog). */
  references?: ReferenceCatalog;
}

/** Parses and validates config text (what `loadConfig` does once it has read the file). */
export function parseConfig(text: string, opts: ParseConfigOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const path = opts.path ?? null;
  const baseDir = path ? dirname(path) : (opts.baseDir ?? process.cwd());

  const lineCounter = new LineCounter();
  // `schema: 'core'` and no known-tag resolution keep YAML 1.1 timestamps (`expires: 2027-03-31`)
  // strings even under a `%YAML 1.1` directive or an explicit `!!timestamp` tag.
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), {
    lineCounter,
    version: '1.2',
    schema: 'core',
    resolveKnownTags: false,
    prettyErrors: false,
    uniqueKeys: true,
  });
  const syntax = [
    ...doc.errors.map((e) => ({ kind: 'syntax error', e })),
    ...doc.warnings.map((e) => ({ kind: 'YAML warning', e })),
  ].map(({ kind, e }) => {
    const { line, col } = lineCounter.linePos(e.pos[0]);
    return `${kind} (line ${line}, column ${col}): ${e.message}`;
  });
  if (syntax.length > 0) throw new ConfigError('config_invalid', syntax, path);

  const lineOf = lineFinder(doc, lineCounter);
  let raw: unknown;
  try {
    raw = doc.toJS() ?? {};
  } catch (err) {
    throw new ConfigError(
      'config_invalid',
      [`(root): ${err instanceof Error ? err.message : String(err)}`],
      path,
    );
  }

  const substituted = substitute(raw, { env, baseDir });
  const shapes = entryShapes(substituted.value);
  const validated = validateIssues(AuditHubConfigSchema, substituted.value, [], true);
  // A value that failed to resolve, or an entry of the wrong shape, is reported once, without the
  // validation noise it causes below it.
  const reported = [...substituted.issues, ...shapes].map((issue) => formatPath(issue.path));
  const isReported = (issue: Issue): boolean => {
    const at = formatPath(issue.path);
    return reported.some((p) => at === p || at.startsWith(`${p}.`) || at.startsWith(`${p}[`));
  };
  const schemaIssues = validated.issues.filter((issue) => !isReported(issue));
  // References are checked only where the value itself is well-formed (else the schema says so).
  const schemaPaths = schemaIssues.map((issue) => formatPath(issue.path));
  const references = referenceIssues(substituted.value, opts.references ?? defaultReferenceCatalog()).filter(
    (issue) => !isReported(issue) && !schemaPaths.includes(formatPath(issue.path)),
  );
  const issues: Issue[] = [
    ...substituted.issues,
    ...shapes,
    ...schemaIssues,
    ...crossCheck(substituted.value),
    ...references,
    ...baseUrlAddressIssues(substituted.value),
  ];

  const secrets = [...substituted.secrets];
  // A secret too short to redact is reported alone: every other message would be redacted by it
  // (a `4` would mangle every line number), and the values it reports on are to change anyway.
  // These messages name the key and the reference, never the value.
  if (substituted.tooShort.length > 0) {
    const redactor = new Redactor(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH));
    const problems = sortByLine([...substituted.issues, ...substituted.tooShort], lineOf).map((issue) =>
      redactor.redact(formatIssue(issue, lineOf)),
    );
    throw new ConfigError('config_invalid', problems, path);
  }
  if (issues.length > 0) {
    const redactor = new Redactor(secrets);
    const problems = sortByLine(issues, lineOf).map((issue) => redactor.redact(formatIssue(issue, lineOf)));
    throw new ConfigError('config_invalid', problems, path);
  }
  return { config: resolveConfig(validated.value), path, secrets, lineOf };
}

// ---------------------------------------------------------------------------------------------
// Validation with the schema classes.

interface Issue {
  path: ConfigPath;
  message: string;
}

/**
 * Validates `value` against a class-validator class and reports problems in the config's format
 * (`connectors[0].auth.token (line 7): must be a non-empty string`), paths relative to `basePath`.
 * `forbidUnknown`: unknown keys are problems (`auth`, the core sections) or allowed (`options`).
 * The registry uses it for a plugin's `auth` and `options` classes, and redacts the problems itself.
 * Without a class (a plugin that declares none) the section must be empty when `forbidUnknown`.
 */
export function validateSection<T extends object>(
  cls: (new () => T) | undefined,
  value: unknown,
  basePath: ConfigPath,
  lineOf: LineOf,
  forbidUnknown = true,
): { value: T; problems: string[] } {
  const { value: instance, issues } = validateIssues(
    (cls ?? NoKeys) as new () => T,
    value,
    basePath,
    forbidUnknown,
  );
  return { value: instance, problems: sortByLine(issues, lineOf).map((issue) => formatIssue(issue, lineOf)) };
}

/** The class of a section that declares no keys. */
class NoKeys {}

function validateIssues<T extends object>(
  cls: new () => T,
  value: unknown,
  basePath: ConfigPath,
  forbidUnknown: boolean,
): { value: T; issues: Issue[] } {
  if (value !== undefined && value !== null && !isPlainObject(value)) {
    return { value: new cls(), issues: [{ path: basePath, message: 'must be a mapping' }] };
  }
  const instance = plainToInstance(cls, (value ?? {}) as object, { exposeDefaultValues: true });
  const errors = validateSync(instance, {
    whitelist: forbidUnknown,
    forbidNonWhitelisted: forbidUnknown,
    // An empty options class is valid: only the keys it declares (none) are checked.
    forbidUnknownValues: false,
    validationError: { target: false },
  });
  const issues: Issue[] = [];
  collectIssues(errors, basePath, false, issues);
  return { value: instance, issues };
}

function collectIssues(errors: ValidationError[], base: ConfigPath, inList: boolean, out: Issue[]): void {
  for (const error of errors) {
    const path = [...base, inList ? Number(error.property) : error.property];
    const constraints = error.constraints ?? {};
    if (Object.keys(constraints).length > 0) {
      // A value of the wrong shape says so once, without the noise of its children.
      out.push({ path, message: describe(error, constraints) });
    } else if (error.children?.length) {
      collectIssues(error.children, path, Array.isArray(error.value), out);
    }
  }
}

function describe(error: ValidationError, constraints: Record<string, string>): string {
  if (constraints.whitelistValidation) return 'unknown key';
  if (constraints.nestedValidation) return 'must be a mapping';
  if (error.value === undefined || error.value === null) return 'is required';
  const messages = Object.values(constraints).map((message) =>
    // class-validator's built-in messages start with the property name, which the path already says.
    message
      .replace(`each value in ${error.property} `, 'each value ')
      .replace(new RegExp(`^${escapeRegex(error.property)} `), ''),
  );
  return [...new Set(messages)].join('; ');
}

// ---------------------------------------------------------------------------------------------
// Checks across sections.

/** Lists and maps whose entries are mappings (class-validator would walk a list in their place). */
const ENTRY_MAPPINGS: [section: string, kind: 'list' | 'map'][] = [
  ['connectors', 'list'],
  ['services', 'list'],
  ['exceptions', 'list'],
  ['roles', 'map'],
  ['controls', 'map'],
];

function entryShapes(raw: unknown): Issue[] {
  if (!isPlainObject(raw)) return [];
  const issues: Issue[] = [];
  for (const [section, kind] of ENTRY_MAPPINGS) {
    const value = raw[section];
    const entries: [string | number, unknown][] =
      kind === 'list'
        ? Array.isArray(value)
          ? value.map((item, i) => [i, item])
          : []
        : isPlainObject(value)
          ? Object.entries(value)
          : [];
    for (const [key, entry] of entries) {
      if (!isPlainObject(entry)) issues.push({ path: [section, key], message: 'must be a mapping' });
    }
  }
  return issues;
}

function crossCheck(raw: unknown): Issue[] {
  if (!isPlainObject(raw)) return [];
  const issues: Issue[] = [];
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
  const map = (value: unknown): Record<string, unknown> => (isPlainObject(value) ? value : {});

  const ids = new Map<string, number>();
  list(raw.connectors).forEach((connector, i) => {
    const id = map(connector).id;
    if (typeof id !== 'string') return;
    const first = ids.get(id);
    if (first === undefined) ids.set(id, i);
    else
      issues.push({
        path: ['connectors', i, 'id'],
        message: `duplicate connector id "${id}" (also connectors[${first}])`,
      });
  });
  const services = new Map<string, number>();
  list(raw.services).forEach((service, i) => {
    const name = map(service).name;
    if (typeof name !== 'string') return;
    const first = services.get(name);
    if (first === undefined) services.set(name, i);
    else
      issues.push({
        path: ['services', i, 'name'],
        message: `duplicate service "${name}" (also services[${first}])`,
      });
  });

  list(raw.exceptions).forEach((exception, i) => {
    const { requestedBy, approvedBy } = map(exception);
    if (
      typeof requestedBy === 'string' &&
      typeof approvedBy === 'string' &&
      requestedBy.trim() &&
      requestedBy.trim().toLowerCase() === approvedBy.trim().toLowerCase()
    ) {
      issues.push({
        path: ['exceptions', i, 'approvedBy'],
        message: 'must differ from requestedBy: an exception is approved by someone other than its requester',
      });
    }
  });
  return issues;
}

// ---------------------------------------------------------------------------------------------
// `${env:NAME}` and `${file:PATH}`.

const REFERENCE = /\$\{(env|file):([^}]*)\}/g;

/** Resolves references in every string value (not in keys); builds a new tree, never re-expands. */
function substitute(
  raw: unknown,
  ctx: { env: NodeJS.ProcessEnv; baseDir: string },
): { value: unknown; issues: Issue[]; tooShort: Issue[]; secrets: Set<string> } {
  const issues: Issue[] = [];
  const tooShort: Issue[] = [];
  const secrets = new Set<string>();
  const collect = (kind: string, ref: string, value: string, path: ConfigPath): string => {
    if (value.length > 0 && value.length < MIN_SECRET_LENGTH) {
      tooShort.push({
        path,
        message:
          `\${${kind}:${ref}} resolves to ${value.length} character${value.length === 1 ? '' : 's'}: ` +
          `a substituted value is redacted from every log, error and output, so it must be at least ` +
          `${MIN_SECRET_LENGTH} characters (write a value that is not secret literally)`,
      });
    }
    secrets.add(value);
    return value;
  };
  const files = new Map<string, { content: string } | { failure: string }>();

  const resolveOne = (kind: string, name: string, path: ConfigPath): string => {
    const ref = name.trim();
    if (!ref) {
      issues.push({ path, message: `\${${kind}:} names no ${kind === 'env' ? 'variable' : 'file'}` });
      return '';
    }
    if (kind === 'env') {
      const value = ctx.env[ref];
      if (value === undefined) {
        issues.push({ path, message: `environment variable ${ref} is not set` });
        return '';
      }
      return collect(kind, ref, value, path);
    }
    const file = resolve(ctx.baseDir, ref);
    if (!files.has(file)) {
      try {
        files.set(file, { content: readFileSync(file, 'utf8').replace(/(\r?\n)+$/, '') });
      } catch (err) {
        files.set(file, { failure: errorCode(err) });
      }
    }
    const read = files.get(file)!;
    if ('failure' in read) {
      const why = read.failure === 'ENOENT' ? 'does not exist' : `cannot be read (${read.failure})`;
      issues.push({ path, message: `file ${ref} (${file}) ${why}` });
      return '';
    }
    return collect(kind, ref, read.content, path);
  };

  const walk = (value: unknown, path: ConfigPath): unknown => {
    if (typeof value === 'string') {
      return value.includes('${')
        ? value.replace(REFERENCE, (_match, kind: string, name: string) => resolveOne(kind, name, path))
        : value;
    }
    if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, i]));
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        Object.defineProperty(out, key, {
          value: walk(item, [...path, key]),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    return value;
  };

  const value = walk(raw, []);
  secrets.delete('');
  return { value, issues, tooShort, secrets };
}

// ---------------------------------------------------------------------------------------------
// Paths and lines.

/** `connectors[1].baseUrl`, `roles.break-glass`, `identities.aliases["jane.doe@acme.com"]`; `(root)` when empty. */
export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out || '(root)';
}

function formatIssue(issue: Issue, lineOf: LineOf): string {
  const line = lineOf(issue.path);
  return `${formatPath(issue.path)}${line === undefined ? '' : ` (line ${line})`}: ${issue.message}`;
}

function sortByLine(issues: Issue[], lineOf: LineOf): Issue[] {
  return issues
    .map((issue) => ({
      issue,
      at: formatPath(issue.path),
      line: lineOf(issue.path) ?? Number.MAX_SAFE_INTEGER,
    }))
    .sort((a, b) => a.line - b.line || (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
    .map(({ issue }) => issue);
}

/** Walks the YAML tree along a path: the line of the deepest key or list item found. */
function lineFinder(doc: Document, lineCounter: LineCounter): LineOf {
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line;
  return (path) => {
    let node: unknown = doc.contents;
    if (!isNode(node) || !node.range) return undefined;
    let line = lineAt(node.range[0]);
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = node.items.find((item) => keyText(item.key) === String(segment));
        if (!pair) break;
        if (isNode(pair.key) && pair.key.range) line = lineAt(pair.key.range[0]);
        node = pair.value;
      } else if (isSeq(node)) {
        const index = typeof segment === 'number' ? segment : /^\d+$/.test(segment) ? Number(segment) : -1;
        const item: unknown = node.items[index];
        if (item === undefined) break;
        if (isNode(item) && item.range) line = lineAt(item.range[0]);
        node = item;
      } else {
        break;
      }
    }
    return line;
  };
}

function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}

// ---------------------------------------------------------------------------------------------

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `ENOENT`, `EACCES`…; checked by shape, since errors from another realm fail `instanceof Error`. */
function errorCode(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return code;
  const message = (err as Error | undefined)?.message;
  return typeof message === 'string' ? message : String(err);
}
