/**
 * MRs and commits shipped with deployments made outside the service repository's own system
 * (controls.md "MRs shipped with a deployment": for a Jenkins deployment, the same range in the
 * service's GitLab repository). A core-built stream of each repository connector (a connection
 * with a `repository` reader, such as GitLab's): it runs once the run's collect jobs ended, since
 * it reads the deployments they stored, and before linking.
 *
 * - Deployments in scope: successful production deployments of connectors whose plugin collects
 *   deployments but no merge requests (Jenkins), of services whose repository the catalog names
 *   for the repository connector (`services[].keys.<connector id or plugin id>`).
 * - The range of a deployment is (the commit of the previous successful deployment of the same
 *   service to the same environment, the deployed commit]. Each deployment is read once per range:
 *   `shipped_range` remembers the range read, so a later run reads only new deployments and those
 *   whose previous deployment changed (an earlier one collected late). `full` reads all again.
 * - Records are the repository connector's: `merge-request` and `commit` as its own stream would
 *   write them, and `deployment-mr` naming the deployment's connector. MRs no longer in a range
 *   read again are marked deleted from it.
 * - A range that could not be read whole is a problem naming the deployment: the stream ends
 *   `partial`, and the range is read again next run.
 */
import { runInTransaction } from '../store/transaction';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  deploymentRefFromExternalId,
  externalIds,
  type NormalizedRecord,
  type RecordKind,
} from '@audit-hub/domain';
import {
  CAPABILITY_KINDS,
  type Batch,
  type Connection,
  type StreamDefinition,
  type StreamProblem,
} from '@audit-hub/plugin-sdk';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { ConnectorRegistry, type ConnectorInstance } from '../connectors/connector.registry';
import { RecordStore } from '../store/record.store';
import { ShippedRangeEntity } from '../store/entities/shipped-range.entity';
import { sqlQuery } from '../common/sql';
import { productionDeployment } from '../controls/deployment.queries';

export const SHIPPED_RANGES_STREAM = 'shipped-ranges';
export const SHIPPED_RANGES_KINDS: RecordKind[] = ['merge-request', 'deployment-mr', 'commit'];

/** Ranges read at once; their records are one batch, committed before the ranges are remembered. */
const RANGES_PER_BATCH = 20;

interface Candidate {
  connector: string;
  external_id: string;
  project: string;
  service: string;
  environment: string;
  commit_sha: string;
  /** The commit of the previous successful production deployment of the service to the environment. */
  previous_sha: string | null;
}

interface Range {
  deployment: Candidate;
  repository: string;
}

/**
 * The successful production deployments of the given connectors and services whose range is still
 * to read: never read, read for other commits (the deployed one, or the previous successful
 * production deployment of the same service and environment, which an earlier deployment
 * collected late changes), from another connector or another repository (`:repository` maps
 * service to repository as a CASE). Decided in SQL, so deployments already read stay there.
 */
function candidatesSql(repository: string): string {
  return `
SELECT * FROM (
  SELECT d.connector, d.external_id, d.project, d.service, d.environment, d.commit_sha, d.started_at,
         (SELECT p.commit_sha FROM deployment p
          WHERE ${productionDeployment('p')} AND p.connector = d.connector AND p.service = d.service
            AND p.environment = d.environment AND p.commit_sha <> ''
            AND (p.started_at < d.started_at OR (p.started_at = d.started_at AND p.external_id < d.external_id))
          ORDER BY p.started_at DESC, p.external_id DESC LIMIT 1) AS previous_sha,
         sr.repository_connector AS read_connector, sr.repository AS read_repository,
         sr.from_sha AS read_from, sr.to_sha AS read_to, ${repository} AS repository
  FROM deployment d
  LEFT JOIN shipped_range sr ON sr.deployment_connector = d.connector AND sr.deployment_id = d.external_id
  WHERE ${productionDeployment('d')} AND d.connector IN (:...connectors) AND d.service IN (:...services)
    AND d.commit_sha <> ''
) c
WHERE :full = 1 OR c.read_connector IS NULL OR c.read_connector <> :connector
   OR c.read_repository <> c.repository OR c.read_to <> c.commit_sha
   OR COALESCE(c.read_from, '') <> COALESCE(c.previous_sha, '')
ORDER BY c.connector, c.started_at, c.external_id`;
}

@Injectable()
export class ShippedRangeSource {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly connectors: ConnectorRegistry,
    private readonly records: RecordStore,
  ) {}

  /** Whether the run should read shipped ranges with this connection (planned with its streams). */
  applies(instance: ConnectorInstance, connection: Connection): boolean {
    return (
      !!connection.repository &&
      this.deploymentConnectors().length > 0 &&
      Object.keys(this.repositories(instance)).length > 0
    );
  }

  /** The stream for a repository connector's open connection; undefined when it has no reader. */
  stream(
    connector: string,
    connection: Connection,
    run: { runId: string; now: Date; full: boolean },
  ): StreamDefinition | undefined {
    const reader = connection.repository;
    if (!reader) return undefined;
    const instance = this.connectors.get(connector);
    return {
      name: SHIPPED_RANGES_STREAM,
      kinds: SHIPPED_RANGES_KINDS,
      mode: 'incremental',
      read: () => this.read(instance, reader, run),
    };
  }

  private async *read(
    instance: ConnectorInstance,
    reader: NonNullable<Connection['repository']>,
    run: { runId: string; now: Date; full: boolean },
  ): AsyncGenerator<Batch> {
    const pending = await this.pending(instance, run.full);
    for (let i = 0; i < pending.length; i += RANGES_PER_BATCH) {
      const part = pending.slice(i, i + RANGES_PER_BATCH);
      const outcomes = await Promise.all(
        part.map(async (range) => {
          const d = range.deployment;
          const result = await reader.shipped({
            repository: range.repository,
            fromSha: d.previous_sha,
            toSha: d.commit_sha,
          });
          return { range, result };
        }),
      );
      const records: NormalizedRecord[] = [];
      const problems: StreamProblem[] = [];
      for (const { range, result } of outcomes) {
        const d = range.deployment;
        const label = `deployment ${deploymentRefFromExternalId(d.connector, d.project, d.external_id)}`;
        records.push(...result.records);
        for (const mr of result.mergeRequests) {
          records.push({
            kind: 'deployment-mr',
            externalId: externalIds.deploymentMr(d.external_id, mr),
            data: { deployment: d.external_id, mergeRequest: mr, deploymentConnector: d.connector },
          });
        }
        problems.push(...result.problems.map((p) => ({ ...p, where: `${label}: ${p.where}` })));
      }
      yield { records: dedupe(records), ...(problems.length ? { problems } : {}) };
      // The batch is committed once the collector asks for the next one: record the ranges read
      // whole (a crash before this reads them again, which stores nothing twice).
      const complete = outcomes.filter((o) => o.result.problems.length === 0);
      await this.remember(instance.id, complete, run);
    }
  }

  /** Deployments whose range was never read, or was read for other commits or another repository. */
  private async pending(instance: ConnectorInstance, full: boolean): Promise<Range[]> {
    const repositories = this.repositories(instance);
    const services = Object.keys(repositories);
    const connectors = this.deploymentConnectors();
    if (!services.length || !connectors.length) return [];
    const params: Record<string, unknown> = {
      connectors,
      services,
      connector: instance.id,
      full: full ? 1 : 0,
    };
    const cases = services.map((service, i) => {
      params[`s${i}`] = service;
      params[`r${i}`] = repositories[service];
      return `WHEN :s${i} THEN :r${i}`;
    });
    const sql = candidatesSql(`CASE d.service ${cases.join(' ')} END`);
    const rows = await sqlQuery<Candidate & { repository: string }>(this.dataSource, sql, params);
    return rows.map(({ repository, ...deployment }) => ({ deployment, repository }));
  }

  /**
   * Saves the ranges read whole, and marks deleted the MRs of a deployment no longer in its range
   * (read again after its previous deployment changed).
   */
  private async remember(
    connector: string,
    outcomes: { range: Range; result: { mergeRequests: string[] } }[],
    run: { runId: string; now: Date },
  ): Promise<void> {
    if (!outcomes.length) return;
    await runInTransaction(this.dataSource, async (m) => {
      for (const { range, result } of outcomes) {
        const d = range.deployment;
        const shipped = new Set(
          result.mergeRequests.map((mr) => externalIds.deploymentMr(d.external_id, mr)),
        );
        const stale = (
          await sqlQuery<{ external_id: string }>(
            m,
            `SELECT external_id FROM deployment_mr
             WHERE connector = :connector AND deployment_connector = :deploymentConnector
               AND deployment_id = :deployment AND deleted = FALSE`,
            { connector, deploymentConnector: d.connector, deployment: d.external_id },
          )
        )
          .map((r) => r.external_id)
          .filter((id) => !shipped.has(id));
        await this.records.markDeleted(connector, 'deployment-mr', stale, run.runId, run.now, m);
      }
      await m.getRepository(ShippedRangeEntity).save(
        outcomes.map(({ range }) => ({
          deploymentConnector: range.deployment.connector,
          deploymentId: range.deployment.external_id,
          repositoryConnector: connector,
          repository: range.repository,
          fromSha: range.deployment.previous_sha,
          toSha: range.deployment.commit_sha,
          resolvedAt: run.now.toISOString(),
        })),
      );
    });
  }

  /** Connectors whose deployments come without their MRs (their plugin collects no merge requests). */
  private deploymentConnectors(): string[] {
    return this.connectors
      .instances()
      .filter((i) => {
        const kinds = i.plugin.manifest.capabilities.flatMap((c) => [...CAPABILITY_KINDS[c]]);
        return kinds.includes('deployment') && !kinds.includes('merge-request');
      })
      .map((i) => i.id);
  }

  /** service name → its repository in this connector's system (catalog key by connector id, else plugin id). */
  private repositories(instance: ConnectorInstance): Record<string, string> {
    const out: Record<string, string> = {};
    for (const s of this.config.services) {
      const key = s.keys?.[instance.id] ?? s.keys?.[instance.plugin.manifest.id];
      if (key) out[s.name] = key;
    }
    return out;
  }
}

function dedupe(records: NormalizedRecord[]): NormalizedRecord[] {
  const seen = new Map<string, NormalizedRecord>();
  for (const r of records) seen.set(`${r.kind}\u0000${r.externalId}`, r);
  return [...seen.values()];
}
