/**
 * Builds the period report (`report --from D --to D`) from the store: the whole population of
 * successful production deployments in the period with their linked changes and whether each was
 * traced to a change approved in time, control results grouped by framework clause, findings with
 * the finding events they rest on, exceptions, emergency releases and their reviews, incomplete
 * runs, and the evidence checkpoint to verify against.
 *
 * Everything is read as the hub knew it at the as-of instant (default: now): record versions valid
 * then, finding statuses replayed from their events up to then, runs started up to then. A run
 * after the period still counts, because every run re-evaluates the period's deployments.
 */
import { userInfo } from 'node:os';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  CONTROL_CATALOG,
  changeRef,
  commitRef,
  controlDefinition,
  mergeRequestRef,
  serviceRef,
  type ControlDefinition,
  type ParamValue,
  deploymentRefFromExternalId,
  FINDING_STATUSES,
  FindingStatus,
  SEVERITIES,
  Severity,
} from '@audit-hub/domain';
import { Clock } from '../common/clock';
import { HubError } from '../common/errors';
import { chunk, sqlQuery } from '../common/sql';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { Redactor } from '../config/redactor';
import { linkReferencesOf } from '../controls/deployment.queries';
import { expiryEnd, subjectGlob } from '../findings/exception.matcher';
import { ControlResultEntity } from '../store/entities/control-result.entity';
import { RunEntity } from '../store/entities/run.entity';
import { SourceStatusEntity } from '../store/entities/source-status.entity';
import { toInstant, type Instant } from '../store/instant';
import { AsOfService, ChangeAsOf, compare, FindingAsOf, isActive, statusAt } from './as-of.service';
import { collectPersonValues } from './person-values.query';
import { parsePeriod } from './report-period';
import { Pseudonymizer, resolvePseudonymKey, type PersonValue } from './pseudonymizer';
import {
  REPORT_VERSION,
  VERIFY_COMMAND,
  type AuditReport,
  type CheckpointView,
  type ControlResultView,
  type EmergencyRelease,
  type FindingCounts,
  type FindingSummary,
  type FrameworkGroup,
  type IncompleteRun,
  type LinkedChange,
  type PopulationDeployment,
  type PopulationSection,
  type ReportException,
  type ReportFinding,
  type ReportPeriod,
  type ReportRun,
} from './report.model';
import { pushTo } from '../common/group-by';
import { parseJson } from '../common/json';
import { canonicalJson, sha256Hex } from '../evidence/ledger-hash';
import { buildCompleteness } from './completeness.query';
import { controlTest, type SubjectPopulation } from './control-tests';
import { reportContentHash } from './report-id';
import { signOffView } from './report-signoff';
import { toolVersion } from '../common/tool-version';
import type { CompletenessSection, ReportPreparation } from './report.model';

/** The control catalog's edition (shared/spec/controls.md). */
export const CATALOG_EDITION = 'audit-hub control catalog v1 (controls.md)';

export interface ReportRequest {
  /** `YYYY-MM-DD`. */
  from: string;
  /** `YYYY-MM-DD`, inclusive. */
  to: string;
  /** What the hub knew at this instant; default the clock's now. */
  asOf?: Date;
  /** Replace personal data with keyed pseudonyms. */
  redact?: boolean;
  /** The pseudonym key; default from `evidence.signingKey`, else the key file. */
  pseudonymKey?: Buffer;
  /** Where the generated key is kept when `evidence.signingKey` is not set. */
  pseudonymKeyFile?: string;
  /** Who renders the report (prepared by); default the operating-system user. */
  operator?: string;
}

/** The operating-system user running the hub, for "prepared by". */
export function defaultOperator(): string {
  try {
    return userInfo().username || process.env.USER || 'unknown';
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

/** Change states in which a change is not approved, whatever its approval field says (controls.md). */
const NOT_APPROVED_STATES = ['canceled', 'new', 'assess', 'authorize'];

export const FRAMEWORK_NAMES: Record<string, string> = {
  SOX: 'SOX IT general controls',
  'PCI-DSS-4.0': 'PCI DSS v4.0',
  'ISO27001-2022': 'ISO/IEC 27001:2022',
  SOC2: 'SOC 2',
  HIPAA: 'HIPAA Security Rule',
  GDPR: 'GDPR',
};
const FRAMEWORK_ORDER = Object.keys(FRAMEWORK_NAMES);

/** Keys whose strings are the report's own identifiers, never personal data: redaction skips them. */
const KEEP_ON_REDACT = new Set([
  'id',
  'controlId',
  'controls',
  'title',
  'frameworks',
  'framework',
  'token',
  'clause',
  'name',
  'rootHash',
  'verifyCommand',
  'note',
  'status',
  'severity',
  'trigger',
  'plugin',
  'reportId',
  'tool',
  'toolVersion',
  'catalog',
  'catalogDigest',
  'configDigest',
  'version',
  'conclusion',
  'subjectType',
  'kinds',
  'kind',
  'stream',
]);
/** Model fields that hold person values (user names or e-mails). */
const PERSON_FIELDS = new Set(['triggeredBy', 'requestedBy', 'assignedTo', 'approvedBy', 'approvers']);

const SEVERITY_ORDER = new Map(SEVERITIES.map((s, i) => [s, i]));
const STATUS_ORDER = new Map(FINDING_STATUSES.map((s, i) => [s, i]));

interface DeploymentRow {
  connector: string;
  external_id: string;
  project: string;
  service: string | null;
  environment: string;
  started_at: string;
  finished_at: string | null;
  version: string | null;
  triggered_by: string | null;
}

function emptyCounts(): FindingCounts {
  return { open: 0, reopened: 0, resolved: 0, accepted: 0, total: 0 };
}

function count(findings: readonly ReportFinding[]): FindingCounts {
  const c = emptyCounts();
  for (const f of findings) {
    c[f.status]++;
    c.total++;
  }
  return c;
}

function plusHours(instant: Instant, hours: number): Instant {
  return new Date(new Date(instant).getTime() + hours * 3_600_000).toISOString();
}

/** Standard (pre-approved), or approved no later than the deployment started and not in a not-approved state. */
export function approvedAtDeployment(change: ChangeAsOf, startedAt: Instant): boolean {
  if (change.type === 'standard') return true;
  return (
    change.approval === 'approved' &&
    change.approvalSetAt !== null &&
    change.approvalSetAt <= startedAt &&
    !NOT_APPROVED_STATES.includes(change.state)
  );
}

@Injectable()
export class ReportService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly asOfService: AsOfService,
    @Optional() private readonly redactor: Redactor = new Redactor(),
  ) {}

  async build(request: ReportRequest): Promise<AuditReport> {
    const period = parsePeriod(request.from, request.to);
    const generatedAt = toInstant(this.clock.now());
    const asOfDate = request.asOf ?? new Date(generatedAt);
    const asOf = toInstant(asOfDate);
    if (asOf < period.start)
      throw new HubError('usage', `--as-of ${asOf} is before the period starts (${period.start})`);

    const runs = await this.runs(period, asOf);
    const population = await this.population(period, asOfDate);
    const findings = await this.findings(period, asOfDate, population);
    const lastRun = [...runs].reverse().find((r) => r.status !== 'running') ?? null;
    const plugins = new Map((this.config.connectors ?? []).map((c) => [c.id, c.plugin]));
    const completeness = await buildCompleteness(this.dataSource, runs, asOf, plugins);
    const controls = await this.controls(
      lastRun,
      findings,
      await this.populations(period, asOf, population, completeness),
    );
    const report: AuditReport = {
      reportVersion: REPORT_VERSION,
      reportId: '',
      generatedAt,
      asOf,
      period,
      redacted: false,
      preparation: {
        tool: 'audit-hub',
        toolVersion: toolVersion(),
        catalog: CATALOG_EDITION,
        catalogDigest: sha256Hex(canonicalJson(controls.map((c) => [c.id, c.test.version]))),
        configDigest: await this.configDigest(asOf),
        operator: '',
      },
      scope: {
        connectors: (this.config.connectors ?? []).map((c) => ({
          id: c.id,
          plugin: c.plugin,
          enabled: c.enabled,
        })),
        services: [
          ...new Set([
            ...(this.config.services ?? []).map((s) => s.name),
            ...population.deployments.map((d) => d.service).filter((s): s is string => !!s),
          ]),
        ].sort(compare),
        productionEnvironments: [...new Set(population.deployments.map((d) => d.environment))].sort(compare),
        runs,
        lastRunId: lastRun?.id ?? null,
      },
      population,
      controls,
      frameworks: this.frameworks(findings),
      findings,
      findingSummary: this.summary(period, findings),
      exceptions: await this.exceptions(period, asOf, findings),
      emergencyReleases: this.emergencyReleases(population, asOf),
      incompleteRuns: await this.incompleteRuns(runs),
      checkpoint: await this.checkpoint(asOf),
      completeness,
      signOff: { signatures: [], mismatched: [], signCommand: '' },
    };
    // Secrets are redacted by value in every report; `--redact` pseudonymizes people on top of that.
    const clean = this.redactor.redactDeep(report);
    const done = request.redact ? await this.redact(clean, request) : clean;
    // The content hash covers everything above; who rendered it and the sign-offs come after,
    // unredacted: a signature names its signatory, also on a redacted report.
    done.reportId = reportContentHash(done);
    done.preparation = {
      ...done.preparation,
      operator: this.redactor.redact(request.operator ?? defaultOperator()),
    } satisfies ReportPreparation;
    done.signOff = this.redactor.redactDeep(await signOffView(this.dataSource, done));
    return done;
  }

  /** The digest of the config the hub last recorded in the ledger by the as-of instant. */
  private async configDigest(asOf: Instant): Promise<string | null> {
    if (!(await this.tableExists('evidence_entry'))) return null;
    const [row] = await sqlQuery<{ payload: unknown }>(
      this.dataSource,
      `SELECT payload FROM evidence_entry WHERE type = 'config' AND at <= :asOf ORDER BY seq DESC LIMIT 1`,
      { asOf },
    );
    return parseJson<{ digest?: string }>(row?.payload)?.digest ?? null;
  }

  /** The parameters in effect: the catalog's defaults overridden by the config. */
  private paramsOf(def: ControlDefinition): Record<string, ParamValue> {
    return {
      ...def.params,
      ...((this.config.controls?.[def.id]?.params ?? {}) as Record<string, ParamValue>),
    };
  }

  /**
   * What each subject type's population is for the period: the production deployments, their
   * linked changes, the merge requests and commits they shipped, their services, and the
   * entitlements on record at the as-of instant.
   */
  private async populations(
    period: ReportPeriod,
    asOf: Instant,
    population: PopulationSection,
    completeness: CompletenessSection,
  ): Promise<(def: ControlDefinition) => SubjectPopulation[] | null> {
    const deployments: SubjectPopulation = {
      refs: new Set(population.deployments.map((d) => d.ref)),
      basis: `${population.total} successful production deployment(s) started in the period`,
    };
    const changes = new Map(population.deployments.flatMap((d) => d.changes.map((c) => [c.ref, c.type])));
    const allChanges: SubjectPopulation = {
      refs: new Set(changes.keys()),
      basis: `${changes.size} change request(s) linked to them`,
    };
    const emergency = [...changes].filter(([, type]) => type === 'emergency').map(([ref]) => ref);
    const emergencyChanges: SubjectPopulation = {
      refs: new Set(emergency),
      basis: `${emergency.length} emergency change request(s) linked to them`,
    };
    const serviceNames = population.byService.map((s) => s.service).filter((s) => s !== '(no service)');
    const services: SubjectPopulation = {
      refs: new Set(serviceNames.map(serviceRef)),
      basis: `${serviceNames.length} service(s) with a production deployment in the period`,
    };
    const shipped = await this.shipped(period, asOf);
    const mergeRequests: SubjectPopulation = {
      refs: shipped.mergeRequests,
      basis: `${shipped.mergeRequests.size} merge request(s) shipped with them`,
    };
    const commits: SubjectPopulation = {
      refs: shipped.commits,
      basis: `${shipped.commits.size} commit(s) shipped with them (deployed commits and the commits of shipped merge requests)`,
    };
    const held = completeness.recordsHeld
      .filter((r) => r.kind === 'entitlement')
      .reduce((n, r) => n + r.count, 0);
    const entitlements: SubjectPopulation = {
      refs: null,
      count: held,
      basis: `${held} entitlement(s) on record at the as-of instant`,
    };
    const byType: Record<string, SubjectPopulation> = {
      deployment: deployments,
      change: allChanges,
      merge_request: mergeRequests,
      commit: commits,
      service: services,
      entitlement: entitlements,
    };
    return (def) => {
      if (def.id === 'RM-EMG-001') return [emergencyChanges];
      const pops = def.subjectType.split(' or ').map((t) => byType[t]);
      return pops.every(Boolean) ? pops : null;
    };
  }

  /** The merge requests and commits shipped with the period's production deployments. */
  private async shipped(
    period: ReportPeriod,
    asOf: Instant,
  ): Promise<{ mergeRequests: Set<string>; commits: Set<string> }> {
    const params = { start: period.start, end: period.end, asOf };
    const inPeriod = `d.is_production = TRUE AND d.status = 'success' AND d.deleted = FALSE
      AND d.started_at >= :start AND d.started_at <= :end AND r.first_seen_at <= :asOf`;
    const mrs = await sqlQuery<{
      connector: string;
      project: string;
      iid: number | string;
      commit_shas: unknown;
    }>(
      this.dataSource,
      `SELECT m.connector, m.project, m.iid, m.commit_shas
       FROM deployment d
       JOIN record r ON r.id = d.record_id
       JOIN deployment_mr dm ON dm.deployment_connector = d.connector AND dm.deployment_id = d.external_id
         AND dm.deleted = FALSE
       JOIN merge_request m ON m.connector = dm.connector AND m.external_id = dm.merge_request_id AND m.deleted = FALSE
       WHERE ${inPeriod}`,
      params,
    );
    const deployed = await sqlQuery<{ connector: string; project: string; sha: string }>(
      this.dataSource,
      `SELECT COALESCE(sr.repository_connector, d.connector) AS connector,
              COALESCE(sr.repository, d.project) AS project, d.commit_sha AS sha
       FROM deployment d
       JOIN record r ON r.id = d.record_id
       LEFT JOIN shipped_range sr ON sr.deployment_connector = d.connector AND sr.deployment_id = d.external_id
       WHERE ${inPeriod} AND d.commit_sha IS NOT NULL AND d.commit_sha <> ''`,
      params,
    );
    const mergeRequests = new Set<string>();
    const commits = new Set<string>();
    for (const m of mrs) {
      mergeRequests.add(mergeRequestRef(m.connector, m.project, m.iid));
      for (const sha of parseJson<string[]>(m.commit_shas) ?? [])
        commits.add(commitRef(m.connector, m.project, sha));
    }
    for (const c of deployed) commits.add(commitRef(c.connector, c.project, c.sha));
    return { mergeRequests, commits };
  }

  /** Runs started from the period start up to the as-of instant, oldest first. */
  private async runs(period: ReportPeriod, asOf: Instant): Promise<ReportRun[]> {
    const rows = await sqlQuery<{
      id: string;
      trigger: string;
      started_at: string;
      finished_at: string | null;
      status: string;
    }>(
      this.dataSource,
      `SELECT id, "trigger", started_at, finished_at, status FROM run
       WHERE started_at >= :start AND started_at <= :asOf`,
      { start: period.start, asOf },
    );
    return rows
      .map((r) => ({
        id: r.id,
        trigger: r.trigger,
        startedAt: r.started_at,
        finishedAt: r.finished_at,
        status: r.status,
      }))
      .sort((a, b) => compare(a.startedAt, b.startedAt) || compare(a.id, b.id));
  }

  private async population(period: ReportPeriod, asOf: Date): Promise<PopulationSection> {
    const rows = await sqlQuery<DeploymentRow>(
      this.dataSource,
      `SELECT d.connector, d.external_id, d.project, d.service, d.environment, d.started_at,
              d.finished_at, d.version, d.triggered_by
       FROM deployment d
       JOIN record r ON r.id = d.record_id
       WHERE d.is_production = TRUE AND d.status = 'success' AND d.deleted = FALSE
         AND d.started_at >= :start AND d.started_at <= :end
         AND r.first_seen_at <= :asOf`,
      { start: period.start, end: period.end, asOf: toInstant(asOf) },
    );
    const links = await linkReferencesOf(
      this.dataSource,
      rows.map((r) => ({ connector: r.connector, externalId: r.external_id })),
    );
    const numbers = [...new Set([...links.values()].flatMap((l) => l.map((x) => x.changeNumber)))];
    const changes = new Map<string, ChangeAsOf[]>();
    for (const part of chunk(numbers)) {
      for (const c of await this.asOfService.changesAsOf(asOf, part)) {
        pushTo(changes, c.number, c);
      }
    }
    const approvers = new Map<string, Set<string>>();
    for (const part of chunk([...changes.keys()])) {
      for (const a of await this.asOfService.changeApprovalsAsOf(asOf, part)) {
        if (a.state !== 'approved') continue;
        const key = `${a.connector}\u0000${a.change}`;
        approvers.set(key, (approvers.get(key) ?? new Set()).add(a.approver));
      }
    }

    const deployments: PopulationDeployment[] = rows.map((r) => {
      const refs = links.get(`${r.connector}\u0000${r.external_id}`) ?? [];
      const referenced = [...new Set(refs.map((l) => l.changeNumber))].sort(compare);
      const linked: LinkedChange[] = referenced
        .flatMap((n) => changes.get(n) ?? [])
        .sort((a, b) => compare(a.number, b.number) || compare(a.connector, b.connector))
        .map((c) => ({
          ref: changeRef(c.connector, c.number),
          number: c.number,
          type: c.type,
          state: c.state,
          approval: c.approval,
          approvalSetAt: c.approvalSetAt,
          closedAt: c.closedAt,
          requestedBy: c.requestedBy,
          assignedTo: c.assignedTo,
          approvers: [...(approvers.get(`${c.connector}\u0000${c.number}`) ?? [])].sort(compare),
          approvedAtDeployment: approvedAtDeployment(c, r.started_at),
        }));
      const tracedBy = linked.find((c) => c.approvedAtDeployment)?.ref ?? null;
      return {
        ref: deploymentRefFromExternalId(r.connector, r.project, r.external_id),
        connector: r.connector,
        service: r.service,
        environment: r.environment,
        startedAt: r.started_at,
        finishedAt: r.finished_at,
        version: r.version,
        triggeredBy: r.triggered_by,
        changes: linked,
        unknownChanges: referenced.filter((n) => !changes.has(n)),
        traced: tracedBy !== null,
        tracedBy,
      };
    });
    deployments.sort((a, b) => compare(a.startedAt, b.startedAt) || compare(a.ref, b.ref));

    const byService = new Map<string, { service: string; total: number; traced: number }>();
    for (const d of deployments) {
      const name = d.service ?? '(no service)';
      const s = byService.get(name) ?? { service: name, total: 0, traced: 0 };
      s.total++;
      if (d.traced) s.traced++;
      byService.set(name, s);
    }
    const traced = deployments.filter((d) => d.traced).length;
    return {
      total: deployments.length,
      traced,
      untraced: deployments.length - traced,
      traceabilityRate: deployments.length ? traced / deployments.length : null,
      byService: [...byService.values()].sort((a, b) => compare(a.service, b.service)),
      deployments,
    };
  }

  /**
   * Findings of the period: those about the population (its deployments and their changes), and
   * any other that was active during the period or changed status in it; each with its status as
   * of the as-of instant.
   */
  private async findings(
    period: ReportPeriod,
    asOf: Date,
    population: PopulationSection,
  ): Promise<ReportFinding[]> {
    const relevant = new Set<string>();
    for (const d of population.deployments) {
      relevant.add(d.ref);
      for (const c of d.changes) relevant.add(c.ref);
    }
    const inPeriod = (f: FindingAsOf) =>
      relevant.has(f.finding.subjectRef) ||
      (f.finding.related ?? []).some((r) => relevant.has(r.ref)) ||
      isActive(statusAt(f.events, period.start)) ||
      f.events.some((e) => e.at >= period.start && e.at <= period.end);
    const findings = (await this.asOfService.findingsAsOf(asOf)).filter(inPeriod).map((f) => {
      const e = f.exception as Record<string, string> | null;
      return {
        key: f.finding.key,
        controlId: f.finding.controlId,
        title: controlDefinition(f.finding.controlId)?.title ?? f.finding.controlId,
        severity: f.finding.severity,
        status: f.status,
        subject: {
          type: f.finding.subjectType,
          ref: f.finding.subjectRef,
          service: f.finding.service,
          environment: f.finding.environment,
        },
        reason: f.reason,
        related: (f.finding.related ?? []).map((r) => ({ type: r.type, ref: r.ref })),
        frameworks: [...(f.finding.frameworks ?? [])],
        firstSeenAt: f.firstSeenAt,
        statusSince: f.statusSince,
        resolvedAt: f.resolvedAt,
        ticket: f.finding.ticket
          ? {
              tracker: f.finding.ticket.tracker,
              key: f.finding.ticket.key,
              ...(f.finding.ticket.url ? { url: f.finding.ticket.url } : {}),
            }
          : null,
        exception: e
          ? {
              subject: String(e.subject ?? ''),
              reason: String(e.reason ?? ''),
              requestedBy: String(e.requestedBy ?? ''),
              approvedBy: String(e.approvedBy ?? ''),
              expires: String(e.expires ?? ''),
            }
          : null,
        evidence: f.events.map((ev) => ({
          ref: `finding_event:${ev.id}`,
          runId: ev.runId,
          at: ev.at,
          from: ev.fromStatus,
          to: ev.toStatus,
        })),
      } satisfies ReportFinding;
    });
    return findings.sort(
      (a, b) =>
        (SEVERITY_ORDER.get(a.severity) ?? 9) - (SEVERITY_ORDER.get(b.severity) ?? 9) ||
        compare(a.controlId, b.controlId) ||
        (STATUS_ORDER.get(a.status) ?? 9) - (STATUS_ORDER.get(b.status) ?? 9) ||
        compare(a.subject.ref, b.subject.ref),
    );
  }

  private async controls(
    lastRun: ReportRun | null,
    findings: readonly ReportFinding[],
    populationOf: (def: ControlDefinition) => SubjectPopulation[] | null,
  ): Promise<ControlResultView[]> {
    const rows = lastRun
      ? await this.dataSource.getRepository(ControlResultEntity).findBy({ runId: lastRun.id })
      : [];
    const byId = new Map(rows.map((r) => [r.controlId, r]));
    return CONTROL_CATALOG.map((def) => {
      const settings = this.config.controls?.[def.id];
      const row = byId.get(def.id);
      const params = this.paramsOf(def);
      return {
        id: def.id,
        title: def.title,
        severity: (settings?.severity as Severity | undefined) ?? def.severity,
        enabled: settings?.enabled ?? def.enabledByDefault,
        frameworks: [...def.frameworks],
        lastRun:
          row && lastRun
            ? {
                runId: lastRun.id,
                startedAt: lastRun.startedAt,
                status: row.status,
                reason: row.reason,
                open: row.open,
                flagged: row.flagged,
              }
            : null,
        findings: count(findings.filter((f) => f.controlId === def.id)),
        test: controlTest(
          def,
          params,
          row && lastRun ? row.status : null,
          row?.reason ?? null,
          findings,
          populationOf(def),
        ),
      };
    });
  }

  /** Each framework's clauses with the controls mapped to them (a control under every clause it maps to). */
  private frameworks(findings: readonly ReportFinding[]): FrameworkGroup[] {
    const clauses = new Map<string, Set<string>>();
    for (const def of CONTROL_CATALOG) {
      for (const token of def.frameworks) clauses.set(token, (clauses.get(token) ?? new Set()).add(def.id));
    }
    // Tokens only findings carry (GDPR:Art.32 joins findings of personal-data services).
    for (const f of findings) {
      for (const token of f.frameworks) {
        clauses.set(token, (clauses.get(token) ?? new Set()).add(f.controlId));
      }
    }
    const groups = new Map<string, FrameworkGroup>();
    for (const [token, controls] of clauses) {
      const i = token.indexOf(':');
      const framework = i > 0 ? token.slice(0, i) : token;
      const group = groups.get(framework) ?? {
        framework,
        name: FRAMEWORK_NAMES[framework] ?? framework,
        clauses: [],
      };
      const order = (id: string) => CONTROL_CATALOG.findIndex((c) => c.id === id);
      group.clauses.push({
        token,
        clause: i > 0 ? token.slice(i + 1) : token,
        controls: [...controls].sort((a, b) => order(a) - order(b)),
        findings: count(findings.filter((f) => f.frameworks.includes(token))),
      });
      groups.set(framework, group);
    }
    const rank = (f: string) => (FRAMEWORK_ORDER.includes(f) ? FRAMEWORK_ORDER.indexOf(f) : 99);
    return [...groups.values()]
      .sort((a, b) => rank(a.framework) - rank(b.framework) || compare(a.framework, b.framework))
      .map((g) => ({
        ...g,
        clauses: g.clauses.sort((a, b) => a.clause.localeCompare(b.clause, 'en', { numeric: true })),
      }));
  }

  private summary(period: ReportPeriod, findings: readonly ReportFinding[]): FindingSummary {
    const byStatus = Object.fromEntries(FINDING_STATUSES.map((s) => [s, 0])) as Record<FindingStatus, number>;
    const activeBySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
    for (const f of findings) {
      byStatus[f.status]++;
      if (isActive(f.status)) activeBySeverity[f.severity]++;
    }
    const within = (at: Instant) => at >= period.start && at <= period.end;
    return {
      total: findings.length,
      byStatus,
      activeBySeverity,
      newInPeriod: findings.filter((f) => within(f.firstSeenAt)).length,
      resolvedInPeriod: findings.filter((f) => f.evidence.some((e) => e.to === 'resolved' && within(e.at)))
        .length,
    };
  }

  /**
   * The accepted risks not expired before the period: the config's, and those approved through the
   * API by the as-of instant (table `exception`, when the API's migration has run), with the
   * findings of the report each covers.
   */
  private async exceptions(
    period: ReportPeriod,
    asOf: Instant,
    findings: readonly ReportFinding[],
  ): Promise<ReportException[]> {
    const rules: (Omit<ReportException, 'covers'> & { closedAt?: string | null })[] = (
      this.config.exceptions ?? []
    ).map((e) => ({
      source: 'config',
      control: e.control,
      subject: e.subject,
      reason: e.reason,
      requestedBy: e.requestedBy,
      approvedBy: e.approvedBy,
      expires: e.expires,
      active: asOf <= expiryEnd(e.expires).toISOString(),
    }));
    if (await this.tableExists('exception')) {
      const rows = await sqlQuery<{
        control: string;
        subject: string;
        reason: string;
        requested_by: string;
        approved_by: string | null;
        approved_at: string;
        expires: string;
        closed_at: string | null;
      }>(
        this.dataSource,
        `SELECT control, subject, reason, requested_by, approved_by, approved_at, expires, closed_at
         FROM exception
         WHERE status IN ('approved', 'expired') AND approved_at IS NOT NULL AND approved_at <= :asOf
         ORDER BY approved_at, id`,
        { asOf },
      );
      for (const r of rows) {
        rules.push({
          source: 'api',
          control: r.control,
          subject: r.subject,
          reason: r.reason,
          requestedBy: r.requested_by,
          approvedBy: r.approved_by ?? '',
          expires: r.expires,
          active: asOf <= expiryEnd(r.expires).toISOString() && !(r.closed_at && r.closed_at <= asOf),
        });
      }
    }
    return rules
      .filter((e) => expiryEnd(e.expires).toISOString() >= period.start)
      .map((e) => {
        const glob = subjectGlob(e.subject);
        return {
          source: e.source,
          control: e.control,
          subject: e.subject,
          reason: e.reason,
          requestedBy: e.requestedBy,
          approvedBy: e.approvedBy,
          expires: e.expires,
          active: e.active,
          covers: findings
            .filter((f) => f.status === 'accepted' && f.controlId === e.control && glob.test(f.subject.ref))
            .map((f) => f.key),
        };
      });
  }

  private async tableExists(name: string): Promise<boolean> {
    const runner = this.dataSource.createQueryRunner();
    try {
      return await runner.hasTable(name);
    } finally {
      await runner.release();
    }
  }

  /** Production deployments of the period linking an emergency change, and whether it was reviewed in time. */
  private emergencyReleases(population: PopulationSection, asOf: Instant): EmergencyRelease[] {
    const configured = this.config.controls?.['RM-EMG-001']?.params?.reviewHours;
    const reviewHours = Number(configured ?? controlDefinition('RM-EMG-001')?.params.reviewHours ?? 72);
    const out: EmergencyRelease[] = [];
    for (const d of population.deployments) {
      for (const c of d.changes.filter((x) => x.type === 'emergency')) {
        const finishedAt = d.finishedAt ?? d.startedAt;
        const reviewDue = plusHours(finishedAt, reviewHours);
        const review = c.closedAt
          ? c.closedAt <= reviewDue
            ? 'in_time'
            : 'late'
          : asOf > reviewDue
            ? 'overdue'
            : 'pending';
        out.push({
          deployment: d.ref,
          service: d.service,
          environment: d.environment,
          finishedAt,
          change: c.ref,
          changeState: c.state,
          closedAt: c.closedAt,
          reviewHours,
          reviewDue,
          review,
        });
      }
    }
    return out;
  }

  private async incompleteRuns(runs: readonly ReportRun[]): Promise<IncompleteRun[]> {
    const out: IncompleteRun[] = [];
    for (const run of runs.filter((r) => r.status === 'incomplete' || r.status === 'failed')) {
      const row = await this.dataSource.getRepository(RunEntity).findOneBy({ id: run.id });
      const sources = await this.dataSource.getRepository(SourceStatusEntity).findBy({ runId: run.id });
      out.push({
        id: run.id,
        startedAt: run.startedAt,
        finishedAt: run.finishedAt,
        status: run.status,
        error: row?.error ?? null,
        sources: sources
          .filter((s) => s.status !== 'complete')
          .sort((a, b) => compare(a.connector, b.connector) || compare(a.stream, b.stream))
          .map((s) => ({
            connector: s.connector,
            stream: s.stream,
            status: s.status,
            records: s.records,
            error: s.error,
            problems: (s.problems ?? []).map((p) => p.message),
          })),
      });
    }
    return out;
  }

  /** The latest evidence checkpoint created at or before the as-of instant, if the ledger keeps any. */
  private async checkpoint(asOf: Instant): Promise<CheckpointView> {
    const none: CheckpointView = {
      recorded: false,
      note: 'no evidence checkpoint recorded',
      id: null,
      runId: null,
      treeSize: null,
      rootHash: null,
      signed: false,
      keyId: null,
      createdAt: null,
      verifyCommand: VERIFY_COMMAND,
    };
    if (!(await this.tableExists('evidence_checkpoint'))) return none;
    const [row] = await sqlQuery<{
      id: number | string;
      run_id: string | null;
      tree_size: number | string;
      root_hash: string;
      signature: string | null;
      key_id: string | null;
      created_at: string | Date;
    }>(
      this.dataSource,
      `SELECT id, run_id, tree_size, root_hash, signature, key_id, created_at FROM evidence_checkpoint
       WHERE created_at <= :asOf ORDER BY created_at DESC, id DESC LIMIT 1`,
      { asOf },
    );
    if (!row) return none;
    const signed = !!row.signature;
    return {
      recorded: true,
      note: `tree size ${row.tree_size}, root hash ${row.root_hash}, ${signed ? 'signed' : 'unsigned'}`,
      id: Number(row.id),
      runId: row.run_id,
      treeSize: Number(row.tree_size),
      rootHash: row.root_hash,
      signed,
      keyId: row.key_id,
      createdAt: row.created_at instanceof Date ? row.created_at.toISOString() : row.created_at,
      verifyCommand: VERIFY_COMMAND,
    };
  }

  private async redact(report: AuditReport, request: ReportRequest): Promise<AuditReport> {
    const people = await collectPersonValues(this.dataSource, this.config);
    people.values.push(...personFieldValues(report));
    const key =
      request.pseudonymKey ?? resolvePseudonymKey(this.config.evidence?.signingKey, request.pseudonymKeyFile);
    const reserved = [
      ...report.scope.connectors.flatMap((c) => [c.id, c.plugin]),
      ...report.scope.services,
      ...report.scope.productionEnvironments,
    ];
    const redacted = new Pseudonymizer(key, people, reserved).redact(report, {
      keep: KEEP_ON_REDACT,
      personFields: PERSON_FIELDS,
    });
    return { ...redacted, redacted: true };
  }
}

/** The values the model itself holds in person fields (older record versions included). */
function personFieldValues(report: AuditReport): PersonValue[] {
  const out: PersonValue[] = [];
  const walk = (v: unknown, key: string | undefined): void => {
    if (typeof v === 'string') {
      if (key && PERSON_FIELDS.has(key) && v.trim())
        out.push({ value: v, kind: v.includes('@') ? 'email' : 'userName' });
    } else if (Array.isArray(v)) {
      for (const item of v) walk(item, key);
    } else if (v && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) walk(item, k);
    }
  };
  walk(report, undefined);
  return out;
}
