import { CONTROL_CATALOG } from '@audit-hub/domain';
import { ciFixtureReport, NASTY_REASON } from '../../../../test/support/run-report.fixture';
import { ruleName, runSarif, SARIF_SCHEMA, type ControlInEffect } from './sarif.format';
import { validateSarif } from './sarif.validator';

const controls: ControlInEffect[] = CONTROL_CATALOG.map((d) => ({
  id: d.id,
  title: d.title,
  description: d.description,
  subjectType: d.subjectType,
  severity: d.id === 'RM-CHG-003' ? 'high' : d.severity, // as a config override would
  enabled: d.enabledByDefault && d.id !== 'RM-SOD-003',
  params: d.params,
  frameworks: d.frameworks,
}));

describe('reconcile --format sarif', () => {
  const text = runSarif(ciFixtureReport(), controls);
  const log = JSON.parse(text);
  const run = log.runs[0];

  it('is a SARIF 2.1.0 log that passes the structural check of the OASIS schema', () => {
    expect(log.$schema).toBe(SARIF_SCHEMA);
    expect(log.version).toBe('2.1.0');
    expect(validateSarif(log)).toEqual([]);
  });

  it('lists the control catalog in effect as the rules', () => {
    const rules = run.tool.driver.rules;
    expect(run.tool.driver.name).toBe('audit-hub');
    expect(run.tool.driver.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(rules.map((r: { id: string }) => r.id)).toEqual(CONTROL_CATALOG.map((c) => c.id));
    const chg = rules.find((r: { id: string }) => r.id === 'RM-CHG-001');
    expect(chg).toMatchObject({
      name: 'UnlinkedProductionDeployment',
      shortDescription: { text: 'Unlinked production deployment' },
      fullDescription: { text: CONTROL_CATALOG[0].description },
      defaultConfiguration: { enabled: true, level: 'error' },
      properties: {
        severity: 'high',
        'security-severity': '8.0',
        frameworks: CONTROL_CATALOG[0].frameworks,
        tags: expect.arrayContaining(['compliance', 'SOX:ITGC-CM']),
      },
    });
    expect(chg.help.text).toContain('Frameworks: SOX:ITGC-CM');
    expect(chg.help.markdown).toContain('**RM-CHG-001 — Unlinked production deployment**');
    const window = rules.find((r: { id: string }) => r.id === 'RM-CHG-003');
    expect(window.defaultConfiguration.level).toBe('error'); // the severity in effect, not the default
    expect(window.help.text).toContain('Parameters in effect: graceMinutes=15.');
    expect(rules.find((r: { id: string }) => r.id === 'RM-SOD-003').defaultConfiguration.enabled).toBe(false);
    expect(ruleName('Change not approved at deployment time')).toBe('ChangeNotApprovedAtDeploymentTime');
  });

  it('has one result per open or reopened finding, located by its subject ref', () => {
    expect(run.results).toHaveLength(2);
    const [open, reopened] = run.results;
    expect(open).toMatchObject({
      ruleId: 'RM-CHG-001',
      ruleIndex: 0,
      level: 'error',
      kind: 'fail',
      message: { text: NASTY_REASON },
      locations: [
        {
          logicalLocations: [
            {
              fullyQualifiedName: 'gitlab:acme/payments-api#1042',
              name: 'gitlab:acme/payments-api#1042',
              kind: 'deployment',
            },
          ],
        },
      ],
      relatedLocations: [
        { id: 0, logicalLocations: [{ fullyQualifiedName: 'servicenow:CHG0030042', kind: 'change' }] },
      ],
      partialFingerprints: { 'auditHubFindingKey/v1': 'RM-CHG-001|gitlab:acme/payments-api#1042' },
      properties: { status: 'open', ticket: { key: 'SEC-12' } },
    });
    expect(open.locations[0].physicalLocation).toBeUndefined();
    expect(reopened).toMatchObject({
      level: 'error',
      properties: { status: 'reopened', severity: 'critical' },
    });
  });

  it('says what the run could not check: failed and partial sources, partial and unevaluated controls', () => {
    const [invocation] = run.invocations;
    expect(invocation.executionSuccessful).toBe(false);
    expect(invocation.startTimeUtc).toBe('2026-11-02T02:00:00.000Z');
    expect(invocation.endTimeUtc).toBe('2026-11-02T02:03:30.000Z');
    expect(invocation.toolExecutionNotifications).toEqual([
      expect.objectContaining({
        level: 'warning',
        message: { text: 'vault/entitlements partial: policy prod-db: permission denied' },
      }),
      expect.objectContaining({
        level: 'error',
        message: { text: 'jenkins/deployments failed: HTTP 503 <html>' },
      }),
      expect.objectContaining({
        associatedRule: { id: 'RM-ACC-003', index: 11 },
        message: { text: 'RM-ACC-003 partial: vault/entitlements was partial' },
      }),
      expect.objectContaining({ associatedRule: { id: 'RM-SOD-001', index: 6 } }),
    ]);
  });

  it('the structural check rejects what the schema rejects', () => {
    const broken = JSON.parse(text);
    delete broken.runs[0].results[0].message;
    broken.runs[0].results[1].level = 'critical';
    broken.runs[0].results[1].locations[0].physicalLocation = { uri: 'x' };
    broken.runs[0].tool.driver.rules[1] = broken.runs[0].tool.driver.rules[0];
    broken.runs[0].invocations[0].startTimeUtc = '2 Nov 2026';
    delete broken.runs[0].invocations[0].executionSuccessful;
    broken.runs[0].results[0].ruleIndex = 3;
    expect(validateSarif(broken)).toEqual([
      '$.runs[0].tool.driver.rules[1]: duplicates an earlier item (uniqueItems)',
      '$.runs[0].invocations[0].executionSuccessful: required',
      '$.runs[0].invocations[0].startTimeUtc: must be an RFC 3339 date-time',
      '$.runs[0].results[0].message: required',
      '$.runs[0].results[1].level: must be one of none, note, warning, error',
      '$.runs[0].results[1].locations[0].physicalLocation: not a property of this SARIF object',
      '$.runs[0].results[0].ruleIndex: does not point at rule RM-CHG-001',
    ]);
    expect(validateSarif({ version: '2.0.0', runs: [{}] })).toEqual([
      '$.version: must be one of 2.1.0',
      '$.runs[0].tool: required',
    ]);
  });
});
