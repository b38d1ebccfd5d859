/**
 * End-to-end helpers: a simulated estate on loopback and a hub (Nest application context) built
 * from a config text, as the CLI builds it, with its logs captured for secret checks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HubModule } from '../../apps/hub/src/hub.module';
import { parseConfig, LoadedConfig } from '../../apps/hub/src/config/config.loader';
import { Redactor } from '../../apps/hub/src/config/redactor';
import { AppLogger } from '../../apps/hub/src/common/app-logger';
import { ReconcileService } from '../../apps/hub/src/runs/reconcile.service';
import type { RunReport } from '../../apps/hub/src/runs/run-report.builder';
import { FindingQueryService } from '../../apps/hub/src/findings/finding-query.service';
import { findingView, FindingView } from '../../apps/hub/src/runs/run-report.builder';
import { Writable } from 'node:stream';

export interface TestHub {
  app: INestApplicationContext;
  loaded: LoadedConfig;
  /** Every log line the hub wrote (already redacted, as it would reach stderr). */
  logs: string[];
  reconcile(full?: boolean): Promise<RunReport>;
  findings(status?: string): Promise<FindingView[]>;
  close(): Promise<void>;
}

export async function startHub(configText: string, env: NodeJS.ProcessEnv = process.env): Promise<TestHub> {
  const loaded = parseConfig(configText, { env, baseDir: process.cwd() });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const logger = new AppLogger(new Redactor(loaded.secrets), undefined, sink);
  const app = await NestFactory.createApplicationContext(HubModule.forRoot(loaded, { logStream: sink }), {
    logger,
    abortOnError: false,
  });
  return {
    app,
    loaded,
    logs,
    reconcile: (full = false) => app.get(ReconcileService).reconcile({ trigger: 'cli', full }),
    findings: async (status?: string) =>
      (await app.get(FindingQueryService).list({ status })).map(findingView),
    close: () => app.close(),
  };
}

/** A scratch folder for a test's SQLite file and configs. */
export function scratchDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'audit-hub-e2e-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `<controlId>|<ref>` of the findings a run left open or reopened. */
export function openKeys(report: RunReport): string[] {
  return report.findings
    .filter((f) => f.status === 'open' || f.status === 'reopened')
    .map((f) => f.key)
    .sort();
}
