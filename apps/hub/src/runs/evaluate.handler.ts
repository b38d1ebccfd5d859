/**
 * Evaluates a run once every collect job ended: reads what shipped with Jenkins-style deployments
 * from their service repositories (shipped-range.source.ts), links deployments to changes, runs each enabled
 * control as a set-based query, applies the finding lifecycle, and closes the run as `complete`,
 * `incomplete` (a source failed or was partial) or `failed`.
 */
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import type { ControlStatus, RecordKind, RunStatus } from '@audit-hub/domain';
import { CAPABILITY_KINDS } from '@audit-hub/plugin-sdk';
import { Redactor } from '../config/redactor';
import { ConnectorRegistry } from '../connectors/connector.registry';
import { ControlRegistry } from '../controls/control.registry';
import { FindingService } from '../findings/finding.service';
import { LinkService } from '../linking/link.service';
import { DerivedModelService } from '../identities';
import { RunEntity } from '../store/entities/run.entity';
import { SourceStatusEntity } from '../store/entities/source-status.entity';
import { ControlResultEntity } from '../store/entities/control-result.entity';
import { FindingEntity } from '../store/entities/finding.entity';
import { AppLogger } from '../common/app-logger';
import { Clock } from '../common/clock';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { evaluationScope, type ScopeContext } from './evaluation-scope';
import { outcomeOf, Undecided } from '../controls/control';

/** "3 subjects not evaluated: their approvals could not be read from GitLab (gitlab:a!1, …)". */
function undecidedReason(undecided: Undecided[]): string {
  const byWhy = new Map<string, string[]>();
  for (const u of undecided) pushTo(byWhy, u.why, u.subjectRef);
  return [...byWhy]
    .map(
      ([why, refs]) =>
        `${refs.length} subject(s) not evaluated: ${why} (${refs.slice(0, 3).join(', ')}${refs.length > 3 ? ', …' : ''})`,
    )
    .join('; ');
}
import type { EvaluateJob } from './job.types';
import { CollectHandler } from './collect.handler';
import { SHIPPED_RANGES_STREAM } from './shipped-range.source';
import { RUN_FINISHED_LISTENERS, RunFinishedListener } from './run-lifecycle.listener';
import { pushTo } from '../common/group-by';

@Injectable()
export class EvaluateHandler {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly connectors: ConnectorRegistry,
    private readonly controls: ControlRegistry,
    private readonly findings: FindingService,
    private readonly links: LinkService,
    private readonly redactor: Redactor,
    private readonly logger: AppLogger,
    private readonly clock: Clock,
    private readonly derivedModel: DerivedModelService,
    private readonly collect: CollectHandler,
    @Inject(RUN_FINISHED_LISTENERS) private readonly finishedListeners: RunFinishedListener[] = [],
  ) {}

  async handle(job: EvaluateJob): Promise<RunStatus> {
    const runs = this.dataSource.getRepository(RunEntity);
    const run = await runs.findOneByOrFail({ id: job.runId });
    const now = new Date(run.startedAt);
    const log = this.logger.child({ runId: run.id });
    if (run.status !== 'running') {
      // Ended meanwhile (by the reaper, or a retried job after the run closed): keep its outcome.
      log.warn('run already ended; not evaluated again', { status: run.status });
      return run.status;
    }
    // What shipped with deployments made outside their repository's system (Jenkins) is read now
    // that every collect job stored its deployments, and before linking reads the MRs.
    const pendingRanges = await this.dataSource
      .getRepository(SourceStatusEntity)
      .findBy({ runId: run.id, stream: SHIPPED_RANGES_STREAM, status: 'running' });
    for (const s of pendingRanges) {
      await this.collect.handle({ runId: run.id, connector: s.connector, stream: s.stream, full: run.full });
    }
    const sources = await this.dataSource.getRepository(SourceStatusEntity).findBy({ runId: run.id });
    // Every collect job has ended by now; one still `running` ended without recording how (its
    // worker died, or BullMQ gave up on it after it stalled too often). It read nothing for sure.
    for (const s of sources.filter((x) => x.status === 'running')) {
      s.status = 'failed';
      s.error = 'its collect job ended without recording a result (its worker died or it stalled too often)';
      s.finishedAt = new Date(Math.max(this.clock.now().getTime(), now.getTime())).toISOString();
      await this.dataSource
        .getRepository(SourceStatusEntity)
        .update(
          { runId: s.runId, connector: s.connector, stream: s.stream, status: 'running' },
          { status: s.status, error: s.error, finishedAt: s.finishedAt },
        );
    }
    const provided = new Set<RecordKind>(
      this.connectors
        .instances()
        .flatMap((i) => i.plugin.manifest.capabilities.flatMap((c) => [...CAPABILITY_KINDS[c]])),
    );
    const providersOf = new Map<RecordKind, string[]>();
    for (const i of this.connectors.instances()) {
      for (const k of i.plugin.manifest.capabilities.flatMap((c) => [...CAPABILITY_KINDS[c]])) {
        pushTo(providersOf, k, i.id);
      }
    }
    // Which subjects a failed source leaves out depends on who provides what, the identity
    // sources and the roles' groups (evaluation-scope.ts).
    const scopeContext: ScopeContext = {
      providers: (kind) => providersOf.get(kind) ?? [],
      identitySources: this.config.identities.sources,
      roles: this.config.roles,
    };
    let failure: string | null = null;
    const results: ControlResultEntity[] = [];
    try {
      const derived = await this.derivedModel.rebuild();
      log.info('derived model rebuilt', derived);
      const relinked = await this.links.relink(run.id, run.full);
      log.info('linked', { deployments: relinked });
      for (const c of this.controls.effective()) {
        const id = c.definition.id;
        const base = { runId: run.id, controlId: id, open: 0, flagged: 0 };
        if (!c.enabled) {
          results.push({ ...base, status: 'disabled', reason: 'off in config' });
          continue;
        }
        const missing = (c.definition.requires ?? c.definition.needs).filter((k) => !provided.has(k));
        if (missing.length) {
          results.push({
            ...base,
            status: 'disabled',
            reason: `no configured connector provides ${missing.join(', ')}`,
          });
          continue;
        }
        const left = evaluationScope(c.definition, sources, scopeContext);
        const scope = left.scope;
        if (scope.none) {
          results.push({ ...base, status: 'not_evaluated', reason: left.reason });
          continue;
        }
        try {
          const { flags, undecided } = outcomeOf(
            await c.control.evaluate({
              db: this.dataSource,
              runId: run.id,
              now,
              params: c.params,
              config: this.config,
            }),
          );
          const applied = await this.findings.apply(
            run.id,
            now,
            c,
            flags,
            scope,
            new Set(undecided.map((u) => u.subjectRef)),
          );
          const partialWhy = [
            ...(left.reason ? [left.reason] : []),
            ...(undecided.length ? [undecidedReason(undecided)] : []),
          ];
          const status: ControlStatus = partialWhy.length ? 'partial' : 'evaluated';
          results.push({
            ...base,
            status,
            reason: partialWhy.length ? partialWhy.join('; ') : null,
            open: applied.open,
            flagged: applied.flagged,
            undecided: undecided.length ? undecided : null,
          } as ControlResultEntity);
        } catch (err) {
          const message = this.redactor.redact(err instanceof Error ? err.message : String(err));
          failure = failure ?? `${id}: ${message}`;
          log.error('control failed', { controlId: id, err });
          results.push({ ...base, status: 'not_evaluated', reason: `evaluation failed: ${message}` });
        }
      }
    } catch (err) {
      failure = this.redactor.redact(err instanceof Error ? err.message : String(err));
      log.error('evaluation failed', { err });
    }
    // Controls left unevaluated keep their open findings open: report those, not zero.
    for (const r of results.filter((x) => x.status === 'not_evaluated')) {
      r.open = await this.dataSource
        .getRepository(FindingEntity)
        .count({ where: { controlId: r.controlId, status: In(['open', 'reopened']) } });
    }
    await this.dataSource.getRepository(ControlResultEntity).save(results);
    const sourceProblems = sources.filter((s) => s.status !== 'complete');
    const status: RunStatus = failure ? 'failed' : sourceProblems.length ? 'incomplete' : 'complete';
    const error =
      failure ??
      (sourceProblems.length
        ? sourceProblems
            .map((s) => `${s.connector}/${s.stream} ${s.status}${s.error ? `: ${s.error}` : ''}`)
            .join('; ')
        : null);
    // The after-run steps (config evidence, the signed checkpoint, the remediation relay) come
    // before the run reads as ended: whoever waits on the run sees them done.
    for (const l of this.finishedListeners) {
      try {
        await l.onRunFinished(run.id, status);
      } catch (err) {
        log.error('after-run step failed', { err });
      }
    }
    await runs.update(
      { id: run.id },
      {
        status,
        error,
        finishedAt: new Date(Math.max(this.clock.now().getTime(), now.getTime())).toISOString(),
      },
    );
    log.info('run finished', { status });
    return status;
  }
}
