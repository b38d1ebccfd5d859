/**
 * GET /connectors: each configured connector — id, plugin, base URL without credentials, what it
 * can collect — with its streams' statuses in the last run that touched it and when each last
 * completed. Never its auth: only fields listed here leave the server, redacted again.
 */
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sqlQuery } from '../common/sql';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { Redactor } from '../config/redactor';
import { ConnectorRegistry } from '../connectors/connector.registry';

export interface ConnectorStatusView {
  id: string;
  plugin: string;
  enabled: boolean;
  baseUrl: string;
  capabilities: string[] | null;
  /** complete: every stream of its last run completed; null: never collected. */
  health: 'ok' | 'degraded' | 'failing' | null;
  lastRun: { id: string; startedAt: string } | null;
  lastSuccessAt: string | null;
  streams: {
    stream: string;
    status: string | null;
    records: number | null;
    error: string | null;
    finishedAt: string | null;
    lastSuccessAt: string | null;
  }[];
}

/** The URL without user-info, query or fragment: where credentials could hide. */
export function publicUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(not a URL)';
  }
}

@Injectable()
export class ConnectorsStatusService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly connectors: ConnectorRegistry,
    private readonly redactor: Redactor,
  ) {}

  async list(): Promise<ConnectorStatusView[]> {
    let capabilities = new Map<string, string[]>();
    try {
      capabilities = new Map(
        this.connectors.instances().map((i) => [i.id, [...i.plugin.manifest.capabilities]] as const),
      );
    } catch {
      // An invalid connector config shows as unknown capabilities here; `connectors check` says why.
    }
    const cursors = await sqlQuery<{ connector: string; stream: string; last_success_at: string | null }>(
      this.dataSource,
      'SELECT connector, stream, last_success_at FROM stream_cursor',
    );
    const out: ConnectorStatusView[] = [];
    for (const c of this.config.connectors) {
      const lastRun = (
        await sqlQuery<{ run_id: string; started_at: string }>(
          this.dataSource,
          `SELECT s.run_id, s.started_at FROM source_status s WHERE s.connector = :connector
           ORDER BY s.started_at DESC, s.run_id DESC LIMIT 1`,
          { connector: c.id },
        )
      )[0];
      const statuses = lastRun
        ? await sqlQuery<{
            stream: string;
            status: string;
            records: number | string;
            error: string | null;
            finished_at: string | null;
          }>(
            this.dataSource,
            `SELECT stream, status, records, error, finished_at FROM source_status
             WHERE run_id = :runId AND connector = :connector ORDER BY stream`,
            { runId: lastRun.run_id, connector: c.id },
          )
        : [];
      const own = cursors.filter((k) => k.connector === c.id);
      const names = [...new Set([...statuses.map((s) => s.stream), ...own.map((k) => k.stream)])].sort();
      const streams = names.map((stream) => {
        const s = statuses.find((x) => x.stream === stream);
        return {
          stream,
          status: s?.status ?? null,
          records: s ? Number(s.records) : null,
          error: s?.error ?? null,
          finishedAt: s?.finished_at ?? null,
          lastSuccessAt: own.find((k) => k.stream === stream)?.last_success_at ?? null,
        };
      });
      const ended = statuses.filter((s) => s.status !== 'running');
      const health = !ended.length
        ? null
        : ended.every((s) => s.status === 'complete')
          ? 'ok'
          : ended.every((s) => s.status === 'failed')
            ? 'failing'
            : 'degraded';
      const successes = own
        .map((k) => k.last_success_at)
        .filter((x): x is string => !!x)
        .sort();
      out.push({
        id: c.id,
        plugin: c.plugin,
        enabled: c.enabled,
        baseUrl: publicUrl(c.baseUrl),
        capabilities: capabilities.get(c.id) ?? null,
        health,
        lastRun: lastRun ? { id: lastRun.run_id, startedAt: lastRun.started_at } : null,
        lastSuccessAt: successes[successes.length - 1] ?? null,
        streams,
      });
    }
    return this.redactor.redactDeep(out);
  }
}
