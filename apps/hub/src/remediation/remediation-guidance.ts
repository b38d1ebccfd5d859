/**
 * How to fix a finding of each control: what the team that owns the subject does, in the systems
 * where it lives. Kept by control id beside the catalog (libs/domain/src/catalog.ts), which holds
 * the control's title, description and framework clauses.
 */
export const REMEDIATION_GUIDANCE: Readonly<Record<string, string[]>> = {
  'RM-CHG-001': [
    'Raise a retrospective change request for this deployment in the change source and link it: put its number in a pipeline variable, the deployed commit message or the title of a merge request shipped with it.',
    'If a change exists, check that its number matches `linking.changePattern` and that it exists in the change source audit-hub reads.',
    'Make the deploy job refuse to run without a change number (a required pipeline variable or build parameter).',
  ],
  'RM-CHG-002': [
    'Have the linked change approved, or record why it was deployed before approval (emergency process), in the change source.',
    'Gate the production deploy job on the change being approved (state Scheduled or Implement, approval `approved`).',
  ],
  'RM-CHG-003': [
    'Deploy only inside the planned window of the linked change, or have the change rescheduled before deploying.',
    'If the window was wrong, correct the planned start and end on the change and note why.',
  ],
  'RM-CHG-004': [
    "Set the change's configuration item to the CMDB item of the deployed service, or link the change that does cover it.",
  ],
  'RM-EMG-001': [
    'Complete the post-implementation review of the emergency change and close it in the change source.',
    'Schedule emergency reviews within the review window (`reviewHours`) of the first production deployment.',
  ],
  'RM-EMG-002': [
    'Review why this service relies on emergency changes and plan normal (or standard) changes for routine releases.',
  ],
  'RM-SOD-001': [
    'Have the change or merge request approved again by someone other than its requester or author.',
    'Configure the tool to forbid self-approval (GitLab: prevent approval by the author; ServiceNow: approval rules excluding the requester).',
  ],
  'RM-SOD-002': [
    'Obtain the missing independent approvals (neither the deployer nor a code author) for this release, and record them.',
    'Require the minimum number of approvers on production deployments of high-impact services (GitLab deployment approvals or change approval groups).',
  ],
  'RM-SOD-003': [
    'Have production deployments triggered by someone who did not author the shipped changes, or by the pipeline after independent approval.',
  ],
  'RM-ACC-001': [
    'Remove the production entitlement from this developer, or grant it through the break-glass role with an expiry.',
    'Review which group or policy grants it and narrow that grant.',
  ],
  'RM-ACC-002': [
    'Revoke the entitlement now: its holder is inactive in the identity source, or unknown to it.',
    'If the holder is a legitimate account missing from the identity source, register it (or add an identity alias) and record who owns it.',
  ],
  'RM-ACC-003': [
    'Set an expiry on this production entitlement, or move the holder to the break-glass role with time-bound grants.',
  ],
  'RM-PIPE-001': [
    'Find out who deployed outside the pipeline and why; redeploy the same version through the pipeline.',
    'Remove direct deployment rights from people and restrict the production environment to CI jobs (protected environments).',
  ],
  'RM-PIPE-002': [
    'Require signed commits (GitLab push rules) and have the authors set up verified GPG, SSH or X.509 signing keys.',
    'Confirm that the unsigned commit is known to its author, and re-sign it if it is to be released again.',
  ],
  'RM-PIPE-003': [
    'Obtain the missing merge request approvals after the fact and record why it was merged without them.',
    'Enforce the approval rule in the project so that merges without approvals are blocked.',
  ],
  'RM-QG-001': [
    'Fix the failing quality gate conditions in SonarQube and redeploy, or run the missing analysis of the deployed commit.',
    'Make the deploy job wait for a passing quality gate of the commit it deploys.',
  ],
  'RM-ART-001': [
    'Stop using the artifact: its digest differs from the one the build recorded. Rebuild it through CI and redeploy.',
    'Find out where the deployed file came from, and deploy only artifacts fingerprinted by the build that produced them.',
  ],
  'RM-INV-001': [
    "Update the CMDB item's version to the version running in production, or automate that update from the deploy job.",
  ],
  'RM-INV-002': [
    'Register the service in the CMDB (or set it back to installed) with its owner group and criticality.',
  ],
  'RM-RBK-001': [
    "Review this service's recent rollbacks with its team and add the tests or release checks that would have caught them.",
  ],
  'RM-EVD-001': [
    'Archive the test report in the pipeline that deploys to production (GitLab `artifacts:reports:junit`, Jenkins JUnit publisher).',
  ],
};

export const GENERIC_GUIDANCE = [
  'Review the finding with the team that owns the subject, fix the cause in the system named above, and let the next run confirm it.',
  'If the risk is accepted, record an exception (control, subject, reason, approver, expiry) in the audit-hub config instead of closing this ticket by hand.',
];

export function guidanceFor(controlId: string): string[] {
  return REMEDIATION_GUIDANCE[controlId] ?? GENERIC_GUIDANCE;
}
