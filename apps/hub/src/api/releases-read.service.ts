/**
 * Releases: successful production deployments (the audited population of controls.md), each
 * with what an auditor checks it against — linked changes, their approvals and the deployment's
 * own, the merge requests that shipped, the quality gate of the deployed commit, the findings
 * about it and the evidence-ledger entries behind them.
 */
import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import {
  changeRef,
  commitRef,
  deploymentRefFromExternalId,
  mergeRequestRef,
  type DeploymentApproval,
} from '@audit-hub/domain';
import { sqlQuery } from '../common/sql';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { Redactor } from '../config/redactor';
import type { Principal } from '../auth/principal';
import { linkReferencesOf, PRODUCTION_DEPLOYMENT } from '../controls/deployment.queries';
import { ChangeApprovalEntity } from '../store/entities/change-approval.entity';
import { ChangeRequestEntity } from '../store/entities/change-request.entity';
import { DeploymentEntity } from '../store/entities/deployment.entity';
import { DeploymentMrEntity } from '../store/entities/deployment-mr.entity';
import { FindingEntity } from '../store/entities/finding.entity';
import { MergeRequestEntity } from '../store/entities/merge-request.entity';
import { ShippedRangeEntity } from '../store/entities/shipped-range.entity';
import { decodeCursor, encodeCursor, Page } from './cursor';
import { DEFAULT_LIMIT } from './dto/page-query.dto';
import type { ReleasesQueryDto } from './dto/releases-query.dto';
import { toApiFinding, type ApiFinding } from './findings-read.service';
import { TablePresence } from './table-presence';
import { canSeeService, servicesOfTeam } from './team-scope';

export interface ReleaseSummary {
  ref: string;
  connector: string;
  project: string;
  service: string | null;
  environment: string;
  version: string | null;
  commitSha: string;
  startedAt: string;
  finishedAt: string | null;
  triggeredBy: string | null;
  viaPipeline: boolean;
  /** Change numbers referenced by the deployment (whether or not they exist in the change source). */
  changeNumbers: string[];
  /** Open or reopened findings about the deployment itself. */
  openFindings: number;
}

export interface ReleaseDetail extends ReleaseSummary {
  pipelineId: string | null;
  jobName: string | null;
  gitRef: string;
  isTag: boolean;
  testReport: unknown;
  changes: {
    ref: string;
    number: string;
    type: string;
    state: string;
    approval: string;
    approvalSetAt: string | null;
    plannedStart: string | null;
    plannedEnd: string | null;
    requestedBy: string | null;
    closedAt: string | null;
    emergency: boolean;
    foundIn: string[];
  }[];
  /** Change numbers referenced but not found in any change source. */
  unknownChanges: string[];
  approvals: {
    source: 'change' | 'deployment';
    change?: string;
    approver: string;
    state: string;
    at: string | null;
  }[];
  mergeRequests: {
    ref: string;
    title: string;
    author: string;
    mergedBy: string | null;
    mergedAt: string | null;
    approvedBy: string[] | null;
    approvalsLeft: number | null;
  }[];
  qualityGate: {
    available: boolean;
    status: string | null;
    analysedAt: string | null;
    projectKey: string | null;
  };
  findings: ApiFinding[];
  evidence: { ledger: boolean; entries: { seq: number; type: string; subject: string; at: string }[] };
}

interface DeploymentRow {
  connector: string;
  external_id: string;
  project: string;
  service: string | null;
  environment: string;
  version: string | null;
  commit_sha: string;
  started_at: string;
  finished_at: string | null;
  triggered_by: string | null;
  via_pipeline: boolean | number;
}

const COLUMNS = `d.connector, d.external_id, d.project, d.service, d.environment, d.version, d.commit_sha,
  d.started_at, d.finished_at, d.triggered_by, d.via_pipeline`;

@Injectable()
export class ReleasesReadService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redactor: Redactor,
    private readonly tables: TablePresence,
  ) {}

  async list(q: ReleasesQueryDto, principal: Principal): Promise<Page<ReleaseSummary>> {
    const limit = q.limit ?? DEFAULT_LIMIT;
    const where = [PRODUCTION_DEPLOYMENT];
    const params: Record<string, unknown> = { limit: limit + 1 };
    if (q.from) {
      where.push('d.started_at >= :from');
      params.from = `${q.from}T00:00:00.000Z`;
    }
    if (q.to) {
      where.push('d.started_at <= :to');
      params.to = `${q.to}T23:59:59.999Z`;
    }
    if (q.service) {
      where.push('d.service = :service');
      params.service = q.service;
    }
    if (principal.team) {
      const services = servicesOfTeam(this.config, principal.team);
      if (!services.length) return { items: [], nextCursor: null, limit };
      where.push('d.service IN (:...teamServices)');
      params.teamServices = services;
    }
    if (q.cursor) {
      const [s, c, e] = decodeCursor(q.cursor, 'releases', 3);
      where.push(
        '(d.started_at < :cs OR (d.started_at = :cs AND (d.connector < :cc OR (d.connector = :cc AND d.external_id < :ce))))',
      );
      Object.assign(params, { cs: s, cc: c, ce: e });
    }
    const rows = await sqlQuery<DeploymentRow>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM deployment d WHERE ${where.join(' AND ')}
       ORDER BY d.started_at DESC, d.connector DESC, d.external_id DESC LIMIT :limit`,
      params,
    );
    const page = rows.slice(0, limit);
    const links = await linkReferencesOf(
      this.dataSource,
      page.map((r) => ({ connector: r.connector, externalId: r.external_id })),
    );
    const refs = page.map((r) => deploymentRefFromExternalId(r.connector, r.project, r.external_id));
    const open = new Map<string, number>();
    if (refs.length) {
      const findings = await this.dataSource.getRepository(FindingEntity).find({
        select: { subjectRef: true },
        where: { subjectRef: In(refs), status: In(['open', 'reopened']) },
      });
      for (const f of findings) open.set(f.subjectRef, (open.get(f.subjectRef) ?? 0) + 1);
    }
    const items = page.map((r, i) => ({
      ...this.summary(r, refs[i]),
      changeNumbers: [
        ...new Set((links.get(`${r.connector}\u0000${r.external_id}`) ?? []).map((l) => l.changeNumber)),
      ],
      openFindings: open.get(refs[i]) ?? 0,
    }));
    const last = page[page.length - 1];
    return {
      items: this.redactor.redactDeep(items),
      nextCursor:
        rows.length > limit && last
          ? encodeCursor('releases', [last.started_at, last.connector, last.external_id])
          : null,
      limit,
    };
  }

  async get(ref: string, principal: Principal): Promise<ReleaseDetail> {
    const d = await this.find(ref);
    if (!d || !canSeeService(this.config, principal, d.service))
      throw new NotFoundException(`no production release with ref "${ref}"`);
    const canonical = deploymentRefFromExternalId(d.connector, d.project, d.externalId);
    const links =
      (await linkReferencesOf(this.dataSource, [{ connector: d.connector, externalId: d.externalId }])).get(
        `${d.connector}\u0000${d.externalId}`,
      ) ?? [];
    const numbers = [...new Set(links.map((l) => l.changeNumber))].sort();
    const changes = numbers.length
      ? await this.dataSource.getRepository(ChangeRequestEntity).find({
          where: { number: In(numbers), deleted: false },
          order: { number: 'ASC', connector: 'ASC' },
        })
      : [];
    const changeApprovals = numbers.length
      ? await this.dataSource.getRepository(ChangeApprovalEntity).find({
          where: { changeNumber: In(numbers), deleted: false },
          order: { changeNumber: 'ASC', decidedAt: 'ASC' },
        })
      : [];
    // A Jenkins deployment's MRs and commit are the GitLab connector's (its shipped range).
    const mrLinks = await this.dataSource
      .getRepository(DeploymentMrEntity)
      .findBy({ deploymentConnector: d.connector, deploymentId: d.externalId, deleted: false });
    const mrs = mrLinks.length
      ? await this.dataSource.getRepository(MergeRequestEntity).find({
          where: mrLinks.map((m) => ({ connector: m.connector, externalId: m.mergeRequestId })),
          order: { mergedAt: 'ASC' },
        })
      : [];
    const range = await this.dataSource
      .getRepository(ShippedRangeEntity)
      .findOneBy({ deploymentConnector: d.connector, deploymentId: d.externalId });
    const subjectRefs = [
      canonical,
      ...changes.map((c) => changeRef(c.connector, c.number)),
      ...mrs.map((m) => mergeRequestRef(m.connector, m.project, m.iid)),
      commitRef(range?.repositoryConnector ?? d.connector, range?.repository ?? d.project, d.commitSha),
    ];
    const findings = await this.dataSource.getRepository(FindingEntity).find({
      where: { subjectRef: In(subjectRefs), ...(principal.team ? { team: principal.team } : {}) },
      order: { controlId: 'ASC', subjectRef: 'ASC' },
    });
    const ledger = await this.tables.has('evidence_entry');
    const evidenceSubjects = [canonical, ...findings.map((f) => f.key)];
    const entries = ledger
      ? await sqlQuery<{ seq: number | string; type: string; subject: string; at: string }>(
          this.dataSource,
          'SELECT seq, type, subject, at FROM evidence_entry WHERE subject IN (:...subjects) ORDER BY seq',
          { subjects: evidenceSubjects },
        )
      : [];

    const row: DeploymentRow = {
      connector: d.connector,
      external_id: d.externalId,
      project: d.project,
      service: d.service,
      environment: d.environment,
      version: d.version,
      commit_sha: d.commitSha,
      started_at: d.startedAt,
      finished_at: d.finishedAt,
      triggered_by: d.triggeredBy,
      via_pipeline: d.viaPipeline,
    };
    return this.redactor.redactDeep({
      ...this.summary(row, canonical),
      changeNumbers: numbers,
      openFindings: findings.filter(
        (f) => f.subjectRef === canonical && ['open', 'reopened'].includes(f.status),
      ).length,
      pipelineId: d.pipelineId,
      jobName: d.jobName,
      gitRef: d.ref,
      isTag: d.isTag,
      testReport: d.testReport ?? null,
      changes: changes.map((c) => ({
        ref: changeRef(c.connector, c.number),
        number: c.number,
        type: c.type,
        state: c.state,
        approval: c.approval,
        approvalSetAt: c.approvalSetAt,
        plannedStart: c.plannedStart,
        plannedEnd: c.plannedEnd,
        requestedBy: c.requestedBy,
        closedAt: c.closedAt,
        emergency: c.type === 'emergency',
        foundIn: [...new Set(links.filter((l) => l.changeNumber === c.number).map((l) => l.foundIn))],
      })),
      unknownChanges: numbers.filter((n) => !changes.some((c) => c.number === n)),
      approvals: [
        ...changeApprovals.map((a) => ({
          source: 'change' as const,
          change: a.changeNumber,
          approver: a.approver,
          state: a.state,
          at: a.decidedAt,
        })),
        ...((d.approvals ?? []) as DeploymentApproval[]).map((a) => ({
          source: 'deployment' as const,
          approver: a.user,
          state: a.status,
          at: a.at ?? null,
        })),
      ],
      mergeRequests: mrs.map((m) => ({
        ref: mergeRequestRef(m.connector, m.project, m.iid),
        title: m.title,
        author: m.author,
        mergedBy: m.mergedBy,
        mergedAt: m.mergedAt,
        approvedBy: m.approvedBy,
        approvalsLeft: m.approvalsLeft,
      })),
      qualityGate: await this.qualityGate(d.commitSha),
      findings: findings.map(toApiFinding),
      evidence: {
        ledger,
        entries: entries.map((e) => ({ seq: Number(e.seq), type: e.type, subject: e.subject, at: e.at })),
      },
    });
  }

  /** A production deployment by its subject ref (GitLab `c:project#id`, Jenkins `c:job#number`). */
  private async find(ref: string): Promise<DeploymentEntity | null> {
    const colon = ref.indexOf(':');
    const hash = ref.lastIndexOf('#');
    if (colon <= 0 || hash <= colon) return null;
    const connector = ref.slice(0, colon);
    const rest = ref.slice(colon + 1);
    const repo = this.dataSource.getRepository(DeploymentEntity);
    const candidates = [
      // Jenkins: the external id is `<job>#<number>`.
      await repo.findOneBy({ connector, externalId: rest }),
      // GitLab: the external id is the deployment id, the project is before the `#`.
      await repo.findOneBy({
        connector,
        externalId: ref.slice(hash + 1),
        project: ref.slice(colon + 1, hash),
      }),
    ];
    return candidates.find((d) => d && d.isProduction && d.status === 'success' && !d.deleted) ?? null;
  }

  private async qualityGate(sha: string): Promise<ReleaseDetail['qualityGate']> {
    if (!(await this.tables.has('quality_gate')))
      return { available: false, status: null, analysedAt: null, projectKey: null };
    const rows = await sqlQuery<{ status: string; analysed_at: string; project_key: string }>(
      this.dataSource,
      `SELECT status, analysed_at, project_key FROM quality_gate
       WHERE revision = :sha AND deleted = FALSE ORDER BY analysed_at DESC LIMIT 1`,
      { sha },
    );
    const q = rows[0];
    return {
      available: true,
      status: q?.status ?? null,
      analysedAt: q?.analysed_at ?? null,
      projectKey: q?.project_key ?? null,
    };
  }

  private summary(r: DeploymentRow, ref: string): Omit<ReleaseSummary, 'changeNumbers' | 'openFindings'> {
    return {
      ref,
      connector: r.connector,
      project: r.project,
      service: r.service,
      environment: r.environment,
      version: r.version,
      commitSha: r.commit_sha,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      triggeredBy: r.triggered_by,
      viaPipeline: r.via_pipeline === true || r.via_pipeline === 1,
    };
  }
}
