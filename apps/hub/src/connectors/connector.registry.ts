/**
 * The configured connector instances: each resolved to its plugin, its `auth` and `options`
 * validated against the plugin's own classes (errors name the config path and line), and connected
 * on demand with an HTTP client bound to its base URL, auth, limits and redaction.
 */
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type {
  AuditHubPlugin,
  Capability,
  Connection,
  PluginContext,
  PluginLogger,
} from '@audit-hub/plugin-sdk';
import { secretFields } from '@audit-hub/plugin-sdk';
import { HttpClient, ResponseInfo } from '@audit-hub/http';
import { LOADED_CONFIG } from '../config/config.module';
import type { LoadedConfig } from '../config/config.loader';
import { validateSection } from '../config/config.loader';
import { ConfigError } from '../config/config.error';
import { MIN_SECRET_LENGTH, Redactor } from '../config/redactor';
import { PluginRegistry } from '../plugins/plugin-registry';
import { Clock } from '../common/clock';
import { AppLogger } from '../common/app-logger';

export interface ConnectorInstance {
  id: string;
  pluginRef: string;
  plugin: AuditHubPlugin;
  baseUrl: string;
  auth: object;
  options: object;
  http: { timeoutMs?: number; concurrency?: number; retries?: number; maxRetryAfterMs?: number };
}

export interface ConnectOptions {
  signal?: AbortSignal;
  onResponse?: (info: ResponseInfo) => void;
  onRateLimitWait?: (ms: number) => void;
}

export interface OpenConnection {
  instance: ConnectorInstance;
  connection: Connection;
  http: HttpClient;
  close(): Promise<void>;
}

@Injectable()
export class ConnectorRegistry implements OnModuleInit {
  private instancesCache?: ConnectorInstance[];

  constructor(
    @Inject(LOADED_CONFIG) private readonly loaded: LoadedConfig,
    private readonly plugins: PluginRegistry,
    private readonly redactor: Redactor,
    private readonly clock: Clock,
    private readonly logger: AppLogger,
  ) {}

  /**
   * Literal values of the fields plugins mark secret are redacted from the start, in every process
   * and role, also one that never connects (`findings`, the API): the config loader knows only the
   * values it substituted. Nothing is validated here; `instances()` reports what is wrong.
   */
  onModuleInit(): void {
    for (const c of this.loaded.config.connectors) {
      if (c.enabled === false) continue;
      let plugin: AuditHubPlugin;
      try {
        plugin = this.plugins.load(c.plugin).plugin;
      } catch {
        continue;
      }
      for (const field of secretFields(plugin.configSchema.auth)) {
        const value = (c.auth as Record<string, unknown> | undefined)?.[field];
        if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) this.redactor.add(value);
      }
    }
  }

  /** Every enabled connector, validated; throws a ConfigError listing all problems. */
  instances(): ConnectorInstance[] {
    if (this.instancesCache) return this.instancesCache;
    const problems: string[] = [];
    const result: ConnectorInstance[] = [];
    this.loaded.config.connectors.forEach((c, index) => {
      if (c.enabled === false) return;
      const at = (key: string) => {
        const line =
          this.loaded.lineOf(['connectors', index, key]) ?? this.loaded.lineOf(['connectors', index]);
        return `connectors[${index}].${key}${line ? ` (line ${line})` : ''}`;
      };
      let plugin: AuditHubPlugin;
      try {
        plugin = this.plugins.load(c.plugin).plugin;
      } catch (err) {
        problems.push(`${at('plugin')}: ${(err as Error).message}`);
        return;
      }
      const auth = validateSection(
        plugin.configSchema.auth as any,
        c.auth ?? {},
        ['connectors', index, 'auth'],
        this.loaded.lineOf,
        true,
      );
      const options = validateSection(
        plugin.configSchema.options as any,
        c.options ?? {},
        ['connectors', index, 'options'],
        this.loaded.lineOf,
        false,
      );
      problems.push(...auth.problems, ...options.problems);
      for (const field of secretFields(plugin.configSchema.auth)) {
        const value = (auth.value as Record<string, unknown>)?.[field];
        if (typeof value !== 'string' || !value) continue;
        if (value.length < MIN_SECRET_LENGTH) {
          // Named by key and line, never by value: it is not added to the redactor.
          const line = this.loaded.lineOf(['connectors', index, 'auth', field]);
          problems.push(
            `connectors[${index}].auth.${field}${line ? ` (line ${line})` : ''}: a secret must be at least ` +
              `${MIN_SECRET_LENGTH} characters, to be redacted by value from every output (this one has ${value.length})`,
          );
          continue;
        }
        this.redactor.add(value);
      }
      result.push({
        id: c.id,
        pluginRef: c.plugin,
        plugin,
        baseUrl: c.baseUrl,
        auth: auth.value as object,
        options: options.value as object,
        http: c.http ?? {},
      });
    });
    if (problems.length)
      throw new ConfigError(
        'config_invalid',
        problems.map((p) => this.redactor.redact(p)),
        this.loaded.path,
      );
    this.instancesCache = result;
    return result;
  }

  get(id: string): ConnectorInstance {
    const found = this.instances().find((i) => i.id === id);
    if (!found) throw new ConfigError('config_invalid', [`connector "${id}" is not configured`]);
    return found;
  }

  /** Connectors whose plugin offers a capability. */
  withCapability(capability: Capability): ConnectorInstance[] {
    return this.instances().filter((i) => i.plugin.manifest.capabilities.includes(capability));
  }

  async connect(id: string, opts: ConnectOptions = {}): Promise<OpenConnection> {
    const instance = this.get(id);
    const { plugin } = instance;
    const auth = plugin.createAuth?.(instance.auth, instance.options);
    const log = this.pluginLogger(instance.id);
    const http = new HttpClient({
      connector: instance.id,
      baseUrl: instance.baseUrl,
      auth,
      timeoutMs: instance.http.timeoutMs,
      concurrency: instance.http.concurrency,
      retry: {
        ...(instance.http.retries !== undefined ? { retries: instance.http.retries } : {}),
        ...(instance.http.maxRetryAfterMs !== undefined
          ? { maxRetryAfterMs: instance.http.maxRetryAfterMs }
          : {}),
      },
      secrets: this.redactor.secrets(),
      // Refuses metadata and link-local addresses (and private ones, if so configured) after DNS.
      network: this.loaded.config.network,
      signal: opts.signal,
      logger: log,
      headers: plugin.defaultHeaders,
      userAgent: 'audit-hub',
      onResponse: opts.onResponse,
      onRateLimitWait: opts.onRateLimitWait,
      // A session token (CyberArk) is learned at log-on: every later log line, problem and error
      // the hub writes redacts it too.
      onSecret: (value) => this.redactor.add(value),
    });
    for (const s of auth?.secrets ?? []) this.redactor.add(s);
    const ctx: PluginContext = {
      connectorId: instance.id,
      baseUrl: instance.baseUrl,
      auth: instance.auth,
      options: instance.options,
      http,
      logger: log,
      signal: opts.signal ?? new AbortController().signal,
      now: () => this.clock.now(),
      services: this.loaded.config.services.map((s) => ({ name: s.name, keys: { ...(s.keys ?? {}) } })),
    };
    const connection = await plugin.connect(ctx);
    let closed = false;
    return {
      instance,
      connection,
      http,
      close: async () => {
        if (closed) return;
        closed = true;
        try {
          await connection.close?.();
        } finally {
          await http.close();
        }
      },
    };
  }

  private pluginLogger(connector: string): PluginLogger {
    const child = this.logger.child({ connector });
    return {
      debug: (m, f) => child.debug(m, f),
      info: (m, f) => child.info(m, f),
      warn: (m, f) => child.warn(m, f),
      error: (m, f) => child.error(m, f),
    };
  }
}
