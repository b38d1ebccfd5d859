/**
 * Link step: resolves each production-relevant deployment to the change numbers it references — in
 * its pipeline variables or build parameters, its deployed commit's message, and the titles and
 * descriptions of the merge requests shipped with it (controls.md "linked change") — and stores
 * them as `link` rows. Only deployments whose own record, shipped-MR list or MRs changed since the
 * last run that linked are relinked, unless a full relink is asked for: a run that failed after it
 * stored records but before it linked them (Redis lost, a crash) leaves them to the next run, which
 * would otherwise not see them as changed — their content is the same when read again.
 */
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import { runInTransaction } from '../store/transaction';
import type { AppConfig } from '../config/config.schema';
import { chunk, sqlQuery } from '../common/sql';
import { ChangeLinkExtractor } from './change-link.extractor';
import { pushTo } from '../common/group-by';
import { parseJson } from '../common/json';

type Key = { connector: string; external_id: string };

export interface LinkRow {
  deploymentConnector: string;
  deploymentId: string;
  changeNumber: string;
  foundIn: 'variable' | 'commit' | 'merge_request';
  sourceRef: string | null;
}

/**
 * The runs whose records may not be linked yet: this one, and every run since the last other run
 * that got through its link step. A run that ended `complete` or `incomplete` did (evaluation
 * links first); `failed` and still-`running` ones may not have.
 */
const UNLINKED_RUNS = `
WITH last_linked AS (
  SELECT MAX(started_at) AS at FROM run WHERE id <> :runId AND status IN ('complete', 'incomplete')
), unlinked_run AS (
  SELECT CAST(:runId AS VARCHAR) AS id
  UNION
  SELECT r.id FROM run r, last_linked l WHERE r.id <> :runId AND (l.at IS NULL OR r.started_at > l.at)
)`;

const TOUCHED_SQL = `${UNLINKED_RUNS}
SELECT d.connector, d.external_id FROM deployment d
  JOIN record r ON r.id = d.record_id WHERE r.run_id IN (SELECT id FROM unlinked_run)
UNION
SELECT dm.deployment_connector AS connector, dm.deployment_id AS external_id FROM deployment_mr dm
  JOIN record r ON r.id = dm.record_id WHERE r.run_id IN (SELECT id FROM unlinked_run)
UNION
SELECT dm.deployment_connector AS connector, dm.deployment_id AS external_id FROM deployment_mr dm
  JOIN merge_request m ON m.connector = dm.connector AND m.external_id = dm.merge_request_id
  JOIN record r ON r.id = m.record_id WHERE r.run_id IN (SELECT id FROM unlinked_run)
UNION
SELECT d.connector, d.external_id FROM deployment d
  JOIN git_commit gc ON gc.connector = d.connector AND gc.sha = d.commit_sha
  JOIN record r ON r.id = gc.record_id WHERE r.run_id IN (SELECT id FROM unlinked_run)
UNION
SELECT sr.deployment_connector AS connector, sr.deployment_id AS external_id FROM shipped_range sr
  JOIN git_commit gc ON gc.connector = sr.repository_connector AND gc.sha = sr.to_sha
  JOIN record r ON r.id = gc.record_id WHERE r.run_id IN (SELECT id FROM unlinked_run)`;

@Injectable()
export class LinkService {
  private readonly extractor: ChangeLinkExtractor;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly dataSource: DataSource,
  ) {
    this.extractor = new ChangeLinkExtractor(config.linking.changePattern);
  }

  /** Relinks the deployments the run touched (or all); returns how many were relinked. */
  async relink(runId: string, all = false): Promise<number> {
    const keys = all
      ? await sqlQuery<Key>(this.dataSource, 'SELECT connector, external_id FROM deployment')
      : await sqlQuery<Key>(this.dataSource, TOUCHED_SQL, { runId });
    const byConnector = new Map<string, string[]>();
    for (const k of keys) pushTo(byConnector, k.connector, k.external_id);
    for (const [connector, ids] of byConnector) {
      for (const part of chunk(ids)) await this.relinkChunk(connector, part);
    }
    return keys.length;
  }

  private async relinkChunk(connector: string, ids: string[]): Promise<void> {
    await runInTransaction(this.dataSource, async (tx) => {
      const deployments = await sqlQuery<{
        external_id: string;
        variables: string | null;
        commit_message: string | null;
        commit_sha: string;
        project: string;
        stored_message: string | null;
      }>(
        tx,
        `SELECT d.external_id, d.variables, d.commit_message, d.commit_sha, d.project, gc.message AS stored_message
         FROM deployment d
         LEFT JOIN shipped_range sr ON sr.deployment_connector = d.connector AND sr.deployment_id = d.external_id
         LEFT JOIN git_commit gc ON gc.sha = d.commit_sha AND gc.deleted = FALSE
           AND gc.connector = COALESCE(sr.repository_connector, d.connector)
           AND gc.project = COALESCE(sr.repository, d.project)
         WHERE d.connector = :connector AND d.external_id IN (:...ids)`,
        { connector, ids },
      );
      const mrs = await sqlQuery<{
        deployment_id: string;
        merge_request_id: string;
        title: string;
        description: string | null;
      }>(
        tx,
        `SELECT dm.deployment_id, dm.merge_request_id, m.title, m.description
         FROM deployment_mr dm
         JOIN merge_request m ON m.connector = dm.connector AND m.external_id = dm.merge_request_id
         WHERE dm.deployment_connector = :connector AND dm.deleted = FALSE AND dm.deployment_id IN (:...ids)`,
        { connector, ids },
      );
      const rows: LinkRow[] = [];
      const add = (
        deploymentId: string,
        text: string | null | undefined,
        foundIn: LinkRow['foundIn'],
        sourceRef: string | null,
      ) => {
        for (const n of this.extractor.numbers(text)) {
          rows.push({ deploymentConnector: connector, deploymentId, changeNumber: n, foundIn, sourceRef });
        }
      };
      for (const d of deployments) {
        const variables = parseJson<Record<string, string>>(d.variables) ?? {};
        for (const [name, value] of Object.entries(variables)) add(d.external_id, value, 'variable', name);
        add(d.external_id, d.commit_message ?? d.stored_message, 'commit', d.commit_sha);
      }
      for (const m of mrs) {
        add(m.deployment_id, `${m.title ?? ''}\n${m.description ?? ''}`, 'merge_request', m.merge_request_id);
      }
      await sqlQuery(
        tx,
        `DELETE FROM link WHERE deployment_connector = :connector AND deployment_id IN (:...ids)`,
        {
          connector,
          ids,
        },
      );
      const unique = dedupe(rows);
      for (const part of chunk(unique, 200)) {
        await tx
          .createQueryBuilder()
          .insert()
          .into('link', ['deployment_connector', 'deployment_id', 'change_number', 'found_in', 'source_ref'])
          .values(
            part.map((r) => ({
              deployment_connector: r.deploymentConnector,
              deployment_id: r.deploymentId,
              change_number: r.changeNumber,
              found_in: r.foundIn,
              source_ref: r.sourceRef,
            })),
          )
          .execute();
      }
    });
  }
}

function dedupe(rows: LinkRow[]): LinkRow[] {
  const seen = new Map<string, LinkRow>();
  for (const r of rows) {
    const key = `${r.deploymentId}\u0000${r.changeNumber}\u0000${r.foundIn}`;
    if (!seen.has(key)) seen.set(key, r);
  }
  return [...seen.values()];
}
