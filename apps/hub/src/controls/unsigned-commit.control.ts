/**
 * RM-PIPE-002 Unsigned or unverified commit released: a commit shipped with a production deployment
 * — the deployed commit and the commits of the merge requests shipped with it — has no passing
 * signature (GitLab `verified` or `verified_system`; anything else, or none, fails). A shipped commit
 * whose record was not collected is left undecided, never passed or failed.
 */
import { Injectable } from '@nestjs/common';
import { commitRef, controlDefinition, deploymentRefFromExternalId } from '@audit-hub/domain';
import { chunk, sqlQuery } from '../common/sql';
import type { Control, ControlContext, ControlOutcome, Flag, Undecided } from './control';
import { PRODUCTION_DEPLOYMENT } from './deployment.queries';
import { parseList } from './merge-approvals.control';
import { pushTo } from '../common/group-by';

const PASSING = ['verified', 'verified_system'];

/**
 * The (deployment, shipped commit) pairs worth a look: deployed commits whose recorded signature
 * does not pass or that were not collected (decided in SQL, so passing ones never leave the
 * database), and the commits of shipped MRs (a JSON list, checked below). A commit lives in the
 * service's GitLab repository: the deployment's own project for a GitLab deployment, the
 * repository its shipped range was read from (`shipped_range`) for a Jenkins one.
 */
const SHIPPED_SQL = `
SELECT d.connector, d.external_id, d.project, d.service, d.environment, d.commit_sha, NULL AS commit_shas,
       COALESCE(sr.repository_connector, d.connector) AS commit_connector,
       COALESCE(sr.repository, d.project) AS commit_project
FROM deployment d
LEFT JOIN shipped_range sr ON sr.deployment_connector = d.connector AND sr.deployment_id = d.external_id
LEFT JOIN git_commit gc ON gc.sha = d.commit_sha AND gc.deleted = FALSE
  AND gc.connector = COALESCE(sr.repository_connector, d.connector) AND gc.project = COALESCE(sr.repository, d.project)
WHERE ${PRODUCTION_DEPLOYMENT} AND d.commit_sha <> '' AND (gc.sha IS NULL OR gc.signature NOT IN ('verified', 'verified_system'))
UNION ALL
SELECT d.connector, d.external_id, d.project, d.service, d.environment, NULL AS commit_sha, m.commit_shas,
       m.connector AS commit_connector, m.project AS commit_project
FROM deployment d
JOIN deployment_mr dm ON dm.deployment_connector = d.connector AND dm.deployment_id = d.external_id AND dm.deleted = FALSE
JOIN merge_request m ON m.connector = dm.connector AND m.external_id = dm.merge_request_id AND m.deleted = FALSE
WHERE ${PRODUCTION_DEPLOYMENT} AND m.commit_shas <> '[]'`;

interface ShippedRow {
  connector: string;
  external_id: string;
  project: string;
  service: string | null;
  environment: string;
  commit_sha: string | null;
  commit_shas: string | string[] | null;
  /** Where the commit lives: GitLab's connector and project (also for Jenkins-deployed services). */
  commit_connector: string;
  commit_project: string;
}

interface CommitRow {
  project: string;
  sha: string;
  title: string;
  author_name: string;
  signature: string;
}

@Injectable()
export class UnsignedCommitControl implements Control {
  readonly definition = controlDefinition('RM-PIPE-002')!;

  async evaluate(ctx: ControlContext): Promise<ControlOutcome> {
    const shipped = await sqlQuery<ShippedRow>(ctx.db, SHIPPED_SQL);
    // commit key → deployments that shipped it
    const commits = new Map<
      string,
      { connector: string; project: string; sha: string; deployments: ShippedRow[] }
    >();
    for (const row of shipped) {
      const shas = row.commit_sha ? [row.commit_sha] : (parseList(row.commit_shas) ?? []);
      for (const sha of shas) {
        const key = `${row.commit_connector}\u0000${row.commit_project}\u0000${sha}`;
        const entry = commits.get(key) ?? {
          connector: row.commit_connector,
          project: row.commit_project,
          sha,
          deployments: [],
        };
        entry.deployments.push(row);
        commits.set(key, entry);
      }
    }
    const byConnectorProject = new Map<string, string[]>();
    for (const c of commits.values()) {
      const k = `${c.connector}\u0000${c.project}`;
      pushTo(byConnectorProject, k, c.sha);
    }
    const recorded = new Map<string, CommitRow>();
    for (const [k, shas] of byConnectorProject) {
      const [connector, project] = k.split('\u0000');
      for (const part of chunk([...new Set(shas)])) {
        const rows = await sqlQuery<CommitRow>(
          ctx.db,
          `SELECT project, sha, title, author_name, signature FROM git_commit
           WHERE connector = :connector AND project = :project AND deleted = FALSE AND sha IN (:...shas)`,
          { connector, project, shas: part },
        );
        for (const r of rows) recorded.set(`${connector}\u0000${project}\u0000${r.sha}`, r);
      }
    }
    const flags: Flag[] = [];
    const undecided: Undecided[] = [];
    for (const [key, c] of commits) {
      const ref = commitRef(c.connector, c.project, c.sha);
      const commit = recorded.get(key);
      if (!commit) {
        undecided.push({ subjectRef: ref, why: 'the commit was not collected' });
        continue;
      }
      if (PASSING.includes(commit.signature)) continue;
      const first = c.deployments[0];
      const signature =
        commit.signature === 'unsigned'
          ? 'is not signed'
          : `has ${/^[aeiou]/.test(commit.signature) ? 'an' : 'a'} ${commit.signature} signature`;
      flags.push({
        subjectType: 'commit',
        subjectRef: ref,
        subjectConnector: c.connector,
        service: first.service ?? undefined,
        environment: first.environment,
        reason: `Commit ${c.sha.slice(0, 12)} ("${commit.title}", by ${commit.author_name}) ${signature}, and it was released to production by ${c.deployments.length} deployment(s).`,
        related: [...new Map(c.deployments.map((d) => [d.external_id, d])).values()].map((d) => ({
          type: 'deployment' as const,
          ref: deploymentRefFromExternalId(d.connector, d.project, d.external_id),
        })),
        input: { sha: c.sha, signature: commit.signature },
      });
    }
    return { flags, undecided };
  }
}
