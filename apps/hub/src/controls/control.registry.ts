/**
 * The controls this hub evaluates, with the parameters, severity and enablement in effect: catalog
 * defaults (libs/domain catalog.ts) overridden by the config's `controls` section.
 */
import { Inject, Injectable } from '@nestjs/common';
import { CONTROL_CATALOG, ControlDefinition, ParamValue, Severity } from '@audit-hub/domain';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { ConfigError } from '../config/config.error';
import { controlSettingsIssues } from '../config/config-references.check';
import { formatPath } from '../config/config.loader';
import type { Control } from './control';
import { UnlinkedDeploymentControl } from './unlinked-deployment.control';
import { UnapprovedChangeControl } from './unapproved-change.control';
import { ChangeWindowControl } from './change-window.control';
import { EmergencyReviewControl } from './emergency-review.control';
import { EmergencyRateControl } from './emergency-rate.control';
import { PipelineBypassControl } from './pipeline-bypass.control';
import { UnsignedCommitControl } from './unsigned-commit.control';
import { MergeApprovalsControl } from './merge-approvals.control';
import { RollbackRateControl } from './rollback-rate.control';
import { MissingTestEvidenceControl } from './missing-test-evidence.control';
import { SelfApprovalControl } from './self-approval.control';
import { DualControlControl } from './dual-control.control';
import { AuthorDeployedControl } from './author-deployed.control';
import { ArtifactIntegrityControl } from './artifact-integrity.control';
import { ChangeCiCoverageControl } from './change-ci-coverage.control';
import { DeveloperProductionAccessControl } from './developer-production-access.control';
import { LeaverAccessControl } from './leaver-access.control';
import { StandingAccessControl } from './standing-access.control';
import { QualityGateControl } from './quality-gate.control';
import { CmdbVersionDriftControl } from './cmdb-version-drift.control';
import { MissingCmdbItemControl } from './missing-cmdb-item.control';

/** Every implemented control class; the registry and the module both read this list. */
export const CONTROL_CLASSES = [
  UnlinkedDeploymentControl,
  UnapprovedChangeControl,
  ChangeWindowControl,
  EmergencyReviewControl,
  EmergencyRateControl,
  PipelineBypassControl,
  UnsignedCommitControl,
  MergeApprovalsControl,
  RollbackRateControl,
  MissingTestEvidenceControl,
  SelfApprovalControl,
  DualControlControl,
  AuthorDeployedControl,
  ArtifactIntegrityControl,
  ChangeCiCoverageControl,
  DeveloperProductionAccessControl,
  LeaverAccessControl,
  StandingAccessControl,
  QualityGateControl,
  CmdbVersionDriftControl,
  MissingCmdbItemControl,
];

export const CONTROLS = Symbol('CONTROLS');

export interface EffectiveControl {
  definition: ControlDefinition;
  control: Control;
  enabled: boolean;
  severity: Severity;
  params: Record<string, ParamValue>;
}

@Injectable()
export class ControlRegistry {
  private readonly controls: Control[];
  private effectiveCache?: EffectiveControl[];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CONTROLS) controls: Control[],
  ) {
    this.controls = controls;
  }

  /** Implemented controls in catalog order, with config applied; throws on config naming unknown ones. */
  effective(): EffectiveControl[] {
    if (this.effectiveCache) return this.effectiveCache;
    const overrides = this.config.controls ?? {};
    // The loader checks a file's section with its lines; this covers a config built in code.
    const problems = controlSettingsIssues(overrides).map((i) => `${formatPath(i.path)}: ${i.message}`);
    if (problems.length) throw new ConfigError('config_invalid', problems);
    const byId = new Map(this.controls.map((c) => [c.definition.id, c]));
    this.effectiveCache = CONTROL_CATALOG.filter((d) => byId.has(d.id)).map((definition) => {
      const o = overrides[definition.id] ?? {};
      return {
        definition,
        control: byId.get(definition.id)!,
        enabled: o.enabled ?? definition.enabledByDefault,
        severity: (o.severity as Severity | undefined) ?? definition.severity,
        params: { ...definition.params, ...(o.params ?? {}) } as Record<string, ParamValue>,
      };
    });
    return this.effectiveCache;
  }
}
