/** The contract every connector plugin implements (shared/spec/design.md "The plugin contract"). */
import type { NormalizedRecord, RecordKind } from '@audit-hub/domain';
import type { AuthStrategy, HttpClient } from '@audit-hub/http';
import type { PluginManifest } from './manifest';

/** A JSON-serialisable position in an upstream's history (watermark, build number, upstream cursor). */
export type Cursor = string | number | { [key: string]: unknown };

export interface PluginLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A service of the catalog, with its key in each system (`keys.gitlab`, `keys.jenkins`, …). */
export interface ServiceKeys {
  name: string;
  keys: Record<string, string>;
}

export interface PluginContext<Auth = unknown, Options = unknown> {
  /** The connector instance id from config (appears in every subject ref). */
  connectorId: string;
  baseUrl: string;
  /** Validated `auth` block, secrets resolved. */
  auth: Auth;
  /** Validated `options` block. */
  options: Options;
  /** HTTP client bound to `baseUrl`, with the plugin's auth, timeouts, concurrency, retries and redaction. */
  http: HttpClient;
  logger: PluginLogger;
  /** Aborted when the run is cancelled or the process shuts down. */
  signal: AbortSignal;
  /** The run's clock (`AUDIT_HUB_NOW` when set). */
  now(): Date;
  /** The service catalog from config. */
  services: ServiceKeys[];
}

export interface ReadInput {
  /** The cursor saved after the last committed batch; null on a first or full run. */
  cursor: Cursor | null;
  /** A full resync was asked for (cursor is null then). */
  full: boolean;
  /** The collection horizon (`collect.since`): older history is not collected. */
  since: Date;
}

/** Something a stream could not read. Any problem makes the stream `partial`. */
export interface StreamProblem {
  /** Where: the page or item (`GET /projects/12/deployments page 3`, `deployment 1042 merge requests`). */
  where: string;
  /** Why, redacted. */
  error: string;
  /**
   * The record kinds left incomplete by it (default: all the stream's kinds). `[]`: no kind is left
   * incomplete, because the records it touched say themselves what they lack (a field set to
   * `null`, records.md "unreadable fields"), so controls leave only those subjects undecided.
   */
  kinds?: RecordKind[];
  /**
   * A stable name for this kind of problem (`pipeline-variables-forbidden`): run summaries report
   * every problem of one code in one line with a count, the first places it met, and its `fix`.
   */
  code?: string;
  /** What would fix it, for the operator (`give the token the Maintainer role on the project`). */
  fix?: string;
  /**
   * Reading again will not help until someone acts (a permission the token lacks, a feature the
   * upstream's edition does not have). The stream's cursor moves on past it (it is not read again
   * run after run); the records it touched must say what they lack, and the stream is the one to
   * read them again once it can (e.g. when a later probe finds the permission granted).
   */
  lasting?: boolean;
}

/** One batch: committed with its cursor in one transaction, so a crash resumes after it. */
export interface Batch {
  records: NormalizedRecord[];
  /** The cursor to save once this batch is stored; omitted: keep the previous one. */
  cursor?: Cursor;
  problems?: StreamProblem[];
}

export type StreamMode = 'incremental' | 'snapshot';

export interface StreamDefinition {
  name: string;
  /** The record kinds this stream writes (partial-run semantics are per kind). */
  kinds: RecordKind[];
  /**
   * `incremental`: yields what changed since the cursor. `snapshot`: yields the whole current
   * population; when it ends with no problem, records of its kinds not seen are marked deleted.
   */
  mode: StreamMode;
  /** Yields batches; throws when the stream failed (never turns an error into an empty result). */
  read(input: ReadInput): AsyncIterable<Batch>;
}

export interface CheckResult {
  /** What was checked: `reachable`, `credentials`, `read:projects`. */
  name: string;
  ok: boolean;
  detail?: string;
  /**
   * What a failed check costs: the record kinds left unread (every control needing one is then
   * undecided), and/or the fields (`deployment.variables`) read as `null`, so that the controls
   * deciding with them leave the subjects that depend on them undecided. `connectors check` names
   * those controls.
   */
  affects?: { kinds?: RecordKind[]; fields?: string[] };
  /** What grants the missing permission (`the Maintainer role on each project`). */
  fix?: string;
  /**
   * A failed check that does not stop collection (a missing optional permission): `warn`.
   * Default `error`.
   */
  severity?: 'error' | 'warn';
}

export interface TicketInput {
  /** The finding's dedupe marker; the tracker stores it where `findTicket` can search it. */
  marker: string;
  title: string;
  body: string;
  labels?: string[];
  severity?: string;
}

export interface TicketRef {
  key: string;
  url: string;
  state: 'open' | 'closed';
}

export interface TrackerConnection {
  findTicket(marker: string): Promise<TicketRef | null>;
  createTicket(input: TicketInput): Promise<TicketRef>;
  updateTicket(key: string, update: { title?: string; body?: string }): Promise<void>;
  comment(key: string, text: string): Promise<void>;
  closeTicket(key: string, comment?: string): Promise<void>;
  reopenTicket(key: string, comment?: string): Promise<void>;
}

/**
 * Two commits of a repository: what shipped between them (controls.md "MRs shipped with a
 * deployment", for a deployment made outside the repository's own system, e.g. by Jenkins).
 */
export interface ShippedRangeQuery {
  /** The repository, as the service catalog names it (`services[].keys.gitlab`: `acme/payments-api`). */
  repository: string;
  /** The deployed commit. */
  toSha: string;
  /**
   * The commit of the previous successful deployment to the same environment; null when none is
   * known (a first deployment): then only the deployed commit and the MR that merged it shipped.
   */
  fromSha: string | null;
}

export interface ShippedRange {
  /**
   * `merge-request` records of the merged MRs whose merge (or squash) commit is reachable from
   * `toSha` but not from `fromSha`, and `commit` records (with signatures) of the deployed commit
   * and of those MRs' commits. No `deployment-mr` records: the caller knows the deployment.
   */
  records: NormalizedRecord[];
  /** External ids of the shipped MRs (among `records`). */
  mergeRequests: string[];
  /** What could not be read; the range is then incomplete for the kinds named. */
  problems: StreamProblem[];
}

/** A source-code host that can say what shipped between two commits of one of its repositories. */
export interface RepositoryConnection {
  shipped(query: ShippedRangeQuery): Promise<ShippedRange>;
}

export interface Connection {
  /** Reachability, credentials and each read permission the streams need, one result each. */
  check(): Promise<CheckResult[]>;
  streams: StreamDefinition[];
  tracker?: TrackerConnection;
  /**
   * For source-code hosts: what shipped between two commits, so the core can give deployments made
   * by another system (Jenkins) their shipped MRs and commits from the service's repository.
   */
  repository?: RepositoryConnection;
  /** Ends sessions (log-off). */
  close?(): Promise<void>;
}

export type ClassType<T = object> = new () => T;

export interface AuditHubPlugin<Auth extends object = any, Options extends object = any> {
  manifest: PluginManifest;
  /** class-validator classes for the connector's `auth` and `options`; secret fields marked with `@Secret()`. */
  configSchema: { auth?: ClassType<Auth>; options?: ClassType<Options> };
  /** How the plugin's HTTP client authenticates (header, basic, session log-on). */
  createAuth?(auth: Auth, options: Options): AuthStrategy | undefined;
  /** Default headers for every request (Accept, API version headers). */
  defaultHeaders?: Record<string, string>;
  connect(ctx: PluginContext<Auth, Options>): Connection | Promise<Connection>;
}

/** Identity helper that types a plugin object. */
export function definePlugin<Auth extends object, Options extends object>(
  plugin: AuditHubPlugin<Auth, Options>,
): AuditHubPlugin<Auth, Options> {
  return plugin;
}
