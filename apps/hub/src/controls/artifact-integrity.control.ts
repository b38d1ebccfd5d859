/**
 * RM-ART-001 Artifact changed between build and deployment (Jenkins): an artifact the deployment
 * used has a different digest from the one recorded when it was built — the deploy build's
 * fingerprint for a file differs from the fingerprint of the same file in the build that produced
 * it (its upstream build, or the fingerprint's `original`) — or the artifact was first fingerprinted
 * by the deploy build itself, i.e. never built by CI. Evaluated where both sides are recorded; a
 * deployment whose producing build was not collected is left undecided.
 */
import { Injectable } from '@nestjs/common';
import { controlDefinition, deploymentRefFromExternalId } from '@audit-hub/domain';
import { chunk, sqlQuery } from '../common/sql';
import type { Control, ControlContext, ControlOutcome, Flag, Undecided } from './control';
import {
  DEPLOYMENT_COLUMNS,
  deploymentSubject,
  DeploymentRow,
  fmt,
  PRODUCTION_DEPLOYMENT,
} from './deployment.queries';

const SQL = `
SELECT ${DEPLOYMENT_COLUMNS}, d.artifacts, d.causes
FROM deployment d
WHERE ${PRODUCTION_DEPLOYMENT} AND d.artifacts IS NOT NULL AND d.artifacts <> '[]'
ORDER BY d.connector, d.external_id`;

interface Row extends DeploymentRow {
  artifacts: unknown;
  causes: unknown;
}

interface Artifact {
  fileName: string;
  digest: string;
  originBuild?: string;
}

function json<T>(value: unknown, fallback: T): T {
  if (value === null || value === undefined) return fallback;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

@Injectable()
export class ArtifactIntegrityControl implements Control {
  readonly definition = controlDefinition('RM-ART-001')!;

  async evaluate(ctx: ControlContext): Promise<ControlOutcome> {
    const rows = await sqlQuery<Row>(ctx.db, SQL);
    // The producing builds, by `<connector>\u0000<job>#<number>`.
    const wanted = new Map<string, Set<string>>();
    for (const r of rows) {
      const upstream = json<{ type: string; upstream?: string }[]>(r.causes, []).find(
        (c) => c.type === 'upstream',
      )?.upstream;
      for (const a of json<Artifact[]>(r.artifacts, [])) {
        const origin = a.originBuild && a.originBuild !== r.external_id ? a.originBuild : upstream;
        if (origin) wanted.set(r.connector, (wanted.get(r.connector) ?? new Set()).add(origin));
      }
    }
    const builds = new Map<string, { fileName: string; md5: string }[]>();
    for (const [connector, ids] of wanted) {
      for (const part of chunk([...ids])) {
        const found = await sqlQuery<{ external_id: string; artifacts: unknown }>(
          ctx.db,
          `SELECT external_id, artifacts FROM build WHERE connector = :connector AND deleted = FALSE AND external_id IN (:...ids)`,
          { connector, ids: part },
        );
        for (const b of found) builds.set(`${connector}\u0000${b.external_id}`, json(b.artifacts, []));
      }
    }
    const flags: Flag[] = [];
    const undecided: Undecided[] = [];
    for (const r of rows) {
      const upstream = json<{ type: string; upstream?: string }[]>(r.causes, []).find(
        (c) => c.type === 'upstream',
      )?.upstream;
      const problems: string[] = [];
      let unknown = false;
      for (const a of json<Artifact[]>(r.artifacts, [])) {
        if (a.originBuild === r.external_id) {
          problems.push(
            `${a.fileName} was first fingerprinted by this deploy build: no CI build produced it`,
          );
          continue;
        }
        // An empty origin is no origin (as when the builds were looked up): the upstream build.
        const origin = a.originBuild || upstream;
        const built = origin ? builds.get(`${r.connector}\u0000${origin}`) : undefined;
        if (!built) {
          unknown = true;
          continue;
        }
        const same = built.find((b) => b.fileName === a.fileName);
        if (!same) {
          unknown = true;
          continue;
        }
        if (same.md5.toLowerCase() !== a.digest.toLowerCase()) {
          problems.push(
            `${a.fileName} has digest ${a.digest} here but ${same.md5} in ${origin}, which built it`,
          );
        }
      }
      if (problems.length) {
        flags.push({
          ...deploymentSubject(r),
          reason: `Deployed to ${r.environment} at ${fmt(r.started_at)}; ${problems.join('; ')}.`,
          related: [],
          input: { artifacts: json(r.artifacts, []), upstream },
        });
      } else if (unknown) {
        undecided.push({
          subjectRef: deploymentRefFromExternalId(r.connector, r.project, r.external_id),
          why: 'the build that produced its artifacts was not collected',
        });
      }
    }
    return { flags, undecided };
  }
}
