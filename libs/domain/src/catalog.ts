/**
 * The control catalog (shared/spec/controls.md v1): ids, titles, default severities, parameters,
 * the record kinds each needs, and its framework clauses. The single description that the
 * `controls` command, findings, reports, tickets and the dashboard all read.
 */
import type { ControlDefinition } from './controls';

const F = {
  CHG: [
    'SOX:ITGC-CM',
    'PCI-DSS-4.0:6.5.1',
    'PCI-DSS-4.0:6.5.2',
    'ISO27001-2022:A.8.32',
    'SOC2:CC8.1',
    'HIPAA:164.308(a)(1)(ii)(D)',
  ],
  EMG: ['SOX:ITGC-CM', 'PCI-DSS-4.0:6.5.1', 'ISO27001-2022:A.8.32', 'SOC2:CC8.1'],
  SOD: [
    'SOX:ITGC-SOD',
    'PCI-DSS-4.0:6.5.4',
    'ISO27001-2022:A.5.3',
    'SOC2:CC5.1',
    'SOC2:CC8.1',
    'HIPAA:164.308(a)(3)',
  ],
  ACC: [
    'SOX:ITGC-AC',
    'PCI-DSS-4.0:7.2.1',
    'PCI-DSS-4.0:7.2.2',
    'PCI-DSS-4.0:8.2.6',
    'ISO27001-2022:A.5.15',
    'ISO27001-2022:A.5.18',
    'ISO27001-2022:A.8.2',
    'SOC2:CC6.1',
    'SOC2:CC6.2',
    'SOC2:CC6.3',
    'HIPAA:164.308(a)(4)',
    'HIPAA:164.312(a)(1)',
  ],
  PIPE: [
    'SOX:ITGC-CM',
    'PCI-DSS-4.0:6.5.1',
    'PCI-DSS-4.0:6.5.3',
    'ISO27001-2022:A.8.32',
    'ISO27001-2022:A.8.25',
    'SOC2:CC8.1',
  ],
  QG: ['SOX:ITGC-CM', 'PCI-DSS-4.0:6.2.3', 'PCI-DSS-4.0:6.2.4', 'ISO27001-2022:A.8.29', 'SOC2:CC8.1'],
  ART: [
    'SOX:ITGC-CM',
    'PCI-DSS-4.0:6.5.1',
    'PCI-DSS-4.0:11.5.2',
    'ISO27001-2022:A.8.32',
    'SOC2:CC7.1',
    'HIPAA:164.312(c)(1)',
  ],
  INV: ['SOX:ITGC-CM', 'PCI-DSS-4.0:12.5.1', 'ISO27001-2022:A.5.9', 'ISO27001-2022:A.8.9', 'SOC2:CC6.1'],
  RBK: ['SOX:ITGC-CM', 'PCI-DSS-4.0:6.5.1', 'ISO27001-2022:A.8.32', 'SOC2:CC8.1'],
  EVD: ['SOX:ITGC-CM', 'PCI-DSS-4.0:6.2.4', 'ISO27001-2022:A.8.29', 'SOC2:CC8.1', 'HIPAA:164.312(b)'],
};

/** Added to every finding of a service tagged `personalData: true`. */
export const GDPR_TOKEN = 'GDPR:Art.32';

function def(
  d: Omit<ControlDefinition, 'enabledByDefault'> & { enabledByDefault?: boolean },
): ControlDefinition {
  return { enabledByDefault: true, ...d };
}

export const CONTROL_CATALOG: readonly ControlDefinition[] = [
  def({
    id: 'RM-CHG-001',
    title: 'Unlinked production deployment',
    subjectType: 'deployment',
    description: 'A production deployment has no linked change that exists in the change source.',
    severity: 'high',
    params: {},
    needs: ['deployment', 'change'],
    fields: ['deployment.variables'],
    frameworks: F.CHG,
  }),
  def({
    id: 'RM-CHG-002',
    title: 'Change not approved at deployment time',
    subjectType: 'deployment',
    description:
      'A linked change that is not standard (pre-approved) was not approved at deployment time: approval `approved` set no later than the deployment start, and not canceled, New, Assess or Authorize.',
    severity: 'high',
    params: {},
    needs: ['deployment', 'change'],
    frameworks: F.CHG,
  }),
  def({
    id: 'RM-CHG-003',
    title: 'Deployment outside change window',
    subjectType: 'deployment',
    description:
      'The deployment started outside [planned start − grace, planned end + grace] of every linked non-emergency change.',
    severity: 'medium',
    params: { graceMinutes: 15 },
    needs: ['deployment', 'change'],
    frameworks: F.CHG,
  }),
  def({
    id: 'RM-CHG-004',
    title: 'Change does not cover the deployed service',
    subjectType: 'deployment',
    description: "The deployment has linked changes and none of them names the deployed service's CI.",
    severity: 'low',
    params: {},
    needs: ['deployment', 'change', 'config-item'],
    frameworks: F.CHG,
  }),
  def({
    id: 'RM-EMG-001',
    title: 'Emergency change review overdue',
    subjectType: 'change',
    description:
      'An emergency change linked to a production deployment was not closed within reviewHours of the first linked deployment finishing.',
    severity: 'high',
    params: { reviewHours: 72 },
    needs: ['deployment', 'change'],
    frameworks: F.EMG,
  }),
  def({
    id: 'RM-EMG-002',
    title: 'Emergency change rate too high',
    subjectType: 'service',
    description:
      "Over the last windowDays, the share of the service's production deployments linking an emergency change is above maxShare (with at least minDeployments).",
    severity: 'medium',
    params: { windowDays: 30, maxShare: 0.2, minDeployments: 5 },
    needs: ['deployment', 'change'],
    frameworks: F.EMG,
  }),
  def({
    id: 'RM-SOD-001',
    title: 'Self-approval',
    subjectType: 'change or merge_request',
    description:
      'An approver of a linked change is its requester, or an approver of a shipped MR is its author (same identity).',
    severity: 'high',
    params: {},
    needs: ['change', 'change-approval', 'merge-request', 'deployment-mr', 'identity'],
    fields: ['merge-request.approvedBy'],
    frameworks: F.SOD,
  }),
  def({
    id: 'RM-SOD-002',
    title: 'Dual control missing on high-impact release',
    subjectType: 'deployment',
    description:
      'A production deployment of a high-impact service has fewer than minApprovers distinct approvers, excluding the deployer and the code authors.',
    severity: 'high',
    params: { minApprovers: 2 },
    needs: [
      'deployment',
      'change',
      'change-approval',
      'deployment-mr',
      'merge-request',
      'identity',
      'config-item',
    ],
    // High impact comes from the services catalog too; the CMDB's criticality adds to it where present.
    requires: ['deployment', 'change', 'change-approval'],
    fields: ['deployment.variables', 'deployment.approvals'],
    frameworks: F.SOD,
  }),
  def({
    id: 'RM-SOD-003',
    title: 'Author deployed own change',
    subjectType: 'deployment',
    description: 'The identity that triggered the production deployment authored an MR shipped with it.',
    severity: 'medium',
    params: {},
    needs: ['deployment', 'deployment-mr', 'merge-request', 'identity'],
    frameworks: F.SOD,
    enabledByDefault: false,
  }),
  def({
    id: 'RM-ACC-001',
    title: 'Developer holds production access',
    subjectType: 'entitlement',
    description:
      'An identity with role developer holds a production entitlement and is not in role break-glass with an unexpired grant.',
    severity: 'high',
    params: {},
    needs: ['entitlement', 'identity', 'group-membership'],
    roles: ['developer', 'break-glass'],
    frameworks: F.ACC,
  }),
  def({
    id: 'RM-ACC-002',
    title: 'Access held by leaver or unknown identity',
    subjectType: 'entitlement',
    description:
      'An entitlement is held by an identity that is inactive or unknown to every identity source.',
    severity: 'high',
    params: {},
    needs: ['entitlement', 'identity'],
    frameworks: F.ACC,
  }),
  def({
    id: 'RM-ACC-003',
    title: 'Standing privileged access',
    subjectType: 'entitlement',
    description:
      'A production entitlement has no expiry and the holder is not a service account or in role break-glass.',
    severity: 'medium',
    params: {},
    needs: ['entitlement', 'identity', 'group-membership'],
    requires: ['entitlement', 'identity'],
    roles: ['break-glass'],
    frameworks: F.ACC,
  }),
  def({
    id: 'RM-PIPE-001',
    title: 'Deployment bypassed the pipeline',
    subjectType: 'deployment',
    description: 'A production deployment was not produced by a CI job.',
    severity: 'high',
    params: {},
    needs: ['deployment'],
    frameworks: F.PIPE,
  }),
  def({
    id: 'RM-PIPE-002',
    title: 'Unsigned or unverified commit released',
    subjectType: 'commit',
    description: 'A commit shipped with a production deployment has no passing signature.',
    severity: 'medium',
    params: {},
    needs: ['deployment', 'deployment-mr', 'merge-request', 'commit'],
    frameworks: F.PIPE,
  }),
  def({
    id: 'RM-PIPE-003',
    title: 'Merge without required approvals',
    subjectType: 'merge_request',
    description: 'An MR shipped with a production deployment was merged with fewer approvals than required.',
    severity: 'high',
    params: { minApprovals: 1 },
    needs: ['deployment', 'deployment-mr', 'merge-request'],
    fields: ['merge-request.approvedBy', 'merge-request.approvalsRequired'],
    frameworks: F.PIPE,
  }),
  def({
    id: 'RM-QG-001',
    title: 'Quality gate not passed',
    subjectType: 'deployment',
    description: 'The SonarQube analysis of the deployed commit failed its quality gate, or none exists.',
    severity: 'high',
    params: {},
    needs: ['deployment', 'quality-gate'],
    frameworks: F.QG,
  }),
  def({
    id: 'RM-ART-001',
    title: 'Artifact changed between build and deployment',
    subjectType: 'deployment',
    description:
      'An artifact the deployment used has a different digest from the one recorded when it was built.',
    severity: 'critical',
    params: {},
    needs: ['deployment', 'build'],
    frameworks: F.ART,
  }),
  def({
    id: 'RM-INV-001',
    title: 'CMDB version drift',
    subjectType: 'service',
    description:
      "The CMDB item's version differs from the version of the service's latest successful production deployment.",
    severity: 'medium',
    params: {},
    needs: ['deployment', 'config-item'],
    fields: ['deployment.variables'],
    frameworks: F.INV,
  }),
  def({
    id: 'RM-INV-002',
    title: 'Deployed service missing from CMDB',
    subjectType: 'service',
    description: 'A service deployed to production has no CMDB item, or its item is retired.',
    severity: 'low',
    params: {},
    needs: ['deployment', 'config-item'],
    frameworks: F.INV,
  }),
  def({
    id: 'RM-RBK-001',
    title: 'Rollback rate over threshold',
    subjectType: 'service',
    description: 'A service had more than maxRollbacks production rollbacks in the last windowDays.',
    severity: 'medium',
    params: { maxRollbacks: 3, windowDays: 30 },
    needs: ['deployment'],
    frameworks: F.RBK,
  }),
  def({
    id: 'RM-EVD-001',
    title: 'Test evidence missing',
    subjectType: 'deployment',
    description: 'A production deployment produced by a pipeline archived no test report.',
    severity: 'low',
    params: {},
    needs: ['deployment', 'build'],
    // GitLab deployments carry their pipeline's test report themselves; Jenkins builds add theirs.
    requires: ['deployment'],
    frameworks: F.EVD,
  }),
];

export function controlDefinition(id: string): ControlDefinition | undefined {
  return CONTROL_CATALOG.find((c) => c.id === id);
}
