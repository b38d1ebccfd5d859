/**
 * The controls that compare deployments with the CMDB and SonarQube (RM-CHG-004, RM-QG-001,
 * RM-INV-001, RM-INV-002): each violation beside its nearest compliant case, and the cases they
 * cannot decide or must not evaluate, on SQLite and PostgreSQL.
 */
import { controlDefinition } from '@audit-hub/domain';
import { DB_KINDS } from '../../../../test/support/database';
import type { AppConfig } from '../config/config.schema';
import { evaluationScope } from '../runs/evaluation-scope';
import { ChangeCiCoverageControl } from './change-ci-coverage.control';
import { CmdbVersionDriftControl } from './cmdb-version-drift.control';
import { MissingCmdbItemControl } from './missing-cmdb-item.control';
import { QualityGateControl } from './quality-gate.control';
import {
  at,
  change,
  configItem,
  connectorConfig,
  ControlHarness,
  deployment,
  flagged,
  qualityGate,
} from './testing/control-fixtures';

const config: Partial<AppConfig> = {
  connectors: [
    connectorConfig('gitlab'),
    connectorConfig('jenkins'),
    connectorConfig('servicenow'),
    connectorConfig('cmdb'),
    connectorConfig('sonarqube'),
  ],
  // pay's CMDB item and SonarQube project are named by the catalog; the other services by the
  // naming defaults (their name, case ignored).
  services: [{ name: 'pay', personalData: false, keys: { cmdb: 'PAY-API', sonarqube: 'acme_pay' } }],
};

const ref = (id: number, project = 'acme/pay') => `gitlab:${project}#${id}`;
const sha = (c: string) => c.repeat(40);

const failed = (connector: string, stream: string, kinds: any[]) => ({
  connector,
  stream,
  status: 'failed',
  kinds,
  error: 'down',
});

describe.each(DB_KINDS)('inventory and quality controls on %s', (kind) => {
  let h: ControlHarness;
  beforeEach(async () => {
    h = await ControlHarness.create(kind, config);
  });
  afterEach(() => h.close());

  describe('RM-CHG-004 change does not cover the deployed service', () => {
    it("flags linked changes that name another CI or none, passes one naming the service's CI by sys_id or name, and leaves an unmatched service undecided", async () => {
      await h.ingest('cmdb', [configItem('sys-pay', 'PAY-API'), configItem('sys-billing', 'Billing')]);
      await h.ingest('servicenow', [
        change('CHG0000001', { ci: { sysId: 'sys-pay', name: 'PAY-API' } }),
        change('CHG0000002', { ci: { sysId: 'sys-billing', name: 'Billing' } }),
        // the service's CI from another CMDB table: another sys_id, the item's name in other case
        change('CHG0000003', { ci: { sysId: 'sys-elsewhere', name: 'pay-api' } }),
        change('CHG0000004'), // names no CI
        change('CHG0000005', { ci: { sysId: 'sys-web', name: 'web' } }), // web's own name
      ]);
      await h.ingest('gitlab', [
        deployment(1, { variables: { C: 'CHG0000001' } }),
        deployment(2, { variables: { C: 'CHG0000002' } }),
        deployment(3, { variables: { A: 'CHG0000002', B: 'CHG0000003' } }),
        deployment(4), // no linked change: RM-CHG-001's
        deployment(5, { variables: { C: 'CHG0000004' } }),
        deployment(6, { project: 'acme/web', variables: { C: 'CHG0000002' } }), // web has no CMDB item
        deployment(7, { project: 'acme/web', variables: { C: 'CHG0000004' } }),
        deployment(8, { project: 'acme/web', variables: { C: 'CHG0000005' } }),
        deployment(9, { variables: { C: 'CHG0000002' }, environment: 'staging', tier: 'staging' }),
      ]);
      const out = await h.evaluate(new ChangeCiCoverageControl());
      expect(flagged(out)).toEqual([ref(2), ref(5), ref(7, 'acme/web')]);
      expect(out.flags.find((f) => f.subjectRef === ref(2))!.reason).toBe(
        "Deployed pay to production at 2026-11-02 14:00 UTC, but none of its linked changes names the service's CI: CHG0000002 names CI Billing (sys_id sys-billing); pay's CI is PAY-API (sys_id sys-pay).",
      );
      expect(out.flags.find((f) => f.subjectRef === ref(2))!.related).toEqual([
        { type: 'change', ref: 'servicenow:CHG0000002' },
      ]);
      expect(out.flags.find((f) => f.subjectRef === ref(7, 'acme/web'))!.reason).toMatch(
        /CHG0000004 names no CI; the CMDB has no item for web\.$/,
      );
      expect(out.undecided).toEqual([
        {
          subjectRef: ref(6, 'acme/web'),
          why: 'the CMDB has no item for web, so the CI its changes name cannot be matched to it',
        },
      ]);
    });
  });

  describe('RM-QG-001 quality gate not passed', () => {
    it('flags a failed gate as high and a missing analysis as medium; passes OK, WARN, NONE and a re-analysis that passed', async () => {
      await h.ingest('sonarqube', [
        qualityGate('A1', 'acme_pay', sha('a'), {
          status: 'ERROR',
          analysedAt: at(-40),
          conditions: [
            { metric: 'new_coverage', status: 'ERROR', actual: '42.1', threshold: '80' },
            { metric: 'new_bugs', status: 'OK', actual: '0', threshold: '0' },
          ],
        }),
        qualityGate('B1', 'acme_pay', sha('b'), { status: 'ERROR', analysedAt: at(-90) }),
        qualityGate('B2', 'acme_pay', sha('b'), { status: 'OK', analysedAt: at(-45) }), // re-analysed
        qualityGate('C1', 'acme_pay', sha('c'), { status: 'WARN' }),
        qualityGate('D1', 'acme_pay', sha('d'), { status: 'NONE' }),
        qualityGate('F1', 'acme_cart', sha('f'), { status: 'OK' }), // another service's project
        qualityGate('G1', 'acme_pay', sha('9'), { status: 'ERROR' }), // shipped to staging only
        qualityGate('K1', 'cart', sha('1'), { status: 'ERROR' }), // cart's by the naming defaults
      ]);
      await h.ingest('gitlab', [
        deployment(1, { commitSha: sha('a') }),
        deployment(2, { commitSha: sha('b') }),
        deployment(3, { commitSha: sha('c') }),
        deployment(4, { commitSha: sha('d') }),
        deployment(5, { commitSha: sha('e') }), // never analysed
        deployment(6, { commitSha: sha('f') }), // analysed, but in cart's project
        deployment(7, { commitSha: sha('9'), environment: 'staging', tier: 'staging' }),
        deployment(8, { commitSha: sha('1'), project: 'acme/cart' }),
      ]);
      await h.ingest('jenkins', [
        // a Jenkins build without the service's checkout: the deployed commit is unknown
        deployment('pay-deploy#3', { project: 'pay-deploy', service: 'pay', tier: null, commitSha: '' }),
      ]);
      const out = await h.evaluate(new QualityGateControl());
      expect(flagged(out)).toEqual([ref(8, 'acme/cart'), ref(1), ref(5), ref(6)]);
      const failedGate = out.flags.find((f) => f.subjectRef === ref(1))!;
      expect(failedGate.severity).toBeUndefined(); // the control's: high
      expect(failedGate.reason).toBe(
        'Deployed pay commit aaaaaaaaaaaa to production at 2026-11-02 14:00 UTC; its SonarQube analysis has quality gate ERROR: project acme_pay (analysis A1, 2026-11-02 13:20 UTC) failed its quality gate (new_coverage 42.1 against threshold 80).',
      );
      expect(failedGate.related).toEqual([
        { type: 'commit', ref: `gitlab:acme/pay@${sha('a')}` },
        { type: 'service', ref: 'pay@production' },
      ]);
      const missing = out.flags.find((f) => f.subjectRef === ref(5))!;
      expect(missing.severity).toBe('medium');
      expect(missing.reason).toBe(
        'Deployed pay commit eeeeeeeeeeee to production at 2026-11-02 14:00 UTC, but no SonarQube analysis of that commit exists: SonarQube holds 6 analyses of pay (project acme_pay), none of this commit.',
      );
      expect(out.flags.find((f) => f.subjectRef === ref(8, 'acme/cart'))!.severity).toBeUndefined();
      expect(out.undecided).toEqual([
        { subjectRef: 'jenkins:pay-deploy#3', why: 'the deployed commit is not known' },
      ]);
    });
  });

  describe('RM-INV-001 CMDB version drift', () => {
    it("flags a CMDB version behind the latest production deployment's, not one equal but for a leading v, or a non-production item", async () => {
      await h.ingest('cmdb', [
        configItem('sys-pay', 'PAY-API', { version: '1.4.0' }),
        configItem('sys-cart', 'Cart', { version: '2.0.0' }),
        configItem('sys-web', 'web', { version: '3.0', environment: 'Staging' }),
        configItem('sys-api', 'api', { version: '6.9', environment: undefined }), // blank used_for stands in
        configItem('sys-docs', 'docs', { version: undefined, environment: 'PROD' }),
        configItem('sys-batch', 'batch', { version: '1.0' }),
      ]);
      await h.ingest('gitlab', [
        deployment(1, { version: '1.4.0', startedAt: at(-600) }),
        deployment(2, { version: 'v1.5.0', startedAt: at(0) }), // pay's latest
        deployment(3, { version: '1.6.0', startedAt: at(60), status: 'failed' }), // not successful
        deployment(4, { version: '1.7.0', startedAt: at(120), environment: 'staging', tier: 'staging' }),
        deployment(11, { project: 'acme/cart', version: 'V2.0.0' }),
        deployment(21, { project: 'acme/web', version: '3.1' }),
        deployment(31, { project: 'acme/api', version: '7.0' }),
        deployment(41, { project: 'acme/docs', version: '1.0' }),
      ]);
      await h.ingest('jenkins', [
        deployment('batch-deploy#9', {
          project: 'batch-deploy',
          service: 'batch',
          tier: null,
          commitSha: '',
        }),
      ]);
      const out = await h.evaluate(new CmdbVersionDriftControl());
      expect(flagged(out)).toEqual(['api@production', 'docs@production', 'pay@production']);
      const pay = out.flags.find((f) => f.subjectRef === 'pay@production')!;
      expect(pay.reason).toBe(
        "pay's latest production deployment (gitlab:acme/pay#2, 2026-11-02 14:00 UTC) deployed version v1.5.0, but CMDB item PAY-API (sys_id sys-pay, used for Production) records version 1.4.0.",
      );
      expect(pay.related).toEqual([{ type: 'deployment', ref: ref(2) }]);
      expect(pay.service).toBe('pay');
      expect(out.flags.find((f) => f.subjectRef === 'docs@production')!.reason).toMatch(
        /CMDB item docs \(sys_id sys-docs, used for PROD\) records no version\.$/,
      );
      expect(out.undecided).toEqual([
        {
          subjectRef: 'batch@production',
          why: 'its latest production deployment jenkins:batch-deploy#9 records no version and no deployed commit',
        },
      ]);
    });
  });

  describe('RM-INV-002 deployed service missing from CMDB', () => {
    it('flags a service with no item or only retired ones, not one with an item in another install status', async () => {
      await h.ingest('cmdb', [
        configItem('sys-pay', 'PAY-API'),
        configItem('sys-cart', 'Cart', { installStatus: 'retired' }),
        configItem('sys-api-1', 'api', { installStatus: 'retired' }),
        configItem('sys-api-2', 'api', { installStatus: 'other' }), // e.g. In maintenance
      ]);
      await h.ingest('gitlab', [
        deployment(1),
        deployment(11, { project: 'acme/cart' }),
        deployment(21, { project: 'acme/web' }),
        deployment(31, { project: 'acme/api' }),
        deployment(41, { project: 'acme/lab', environment: 'staging', tier: 'staging' }), // not production
        deployment(51, { project: 'acme/beta', status: 'failed' }), // never deployed successfully
      ]);
      const out = await h.evaluate(new MissingCmdbItemControl());
      expect(flagged(out)).toEqual(['cart@production', 'web@production']);
      expect(out.flags.find((f) => f.subjectRef === 'cart@production')!.reason).toBe(
        'cart is deployed to production (latest gitlab:acme/cart#11, 2026-11-02 14:00 UTC), but its CMDB item Cart (sys_id sys-cart) is retired.',
      );
      expect(out.flags.find((f) => f.subjectRef === 'web@production')!.reason).toBe(
        'web is deployed to production (latest gitlab:acme/web#21, 2026-11-02 14:00 UTC), but the CMDB has no item for it (none named web, case ignored).',
      );
    });
  });
});

describe('inventory controls in partial runs: which subjects a failed source leaves unevaluated', () => {
  it('a failed CMDB leaves RM-INV-001, RM-INV-002 and RM-CHG-004 unevaluated', () => {
    for (const id of ['RM-INV-001', 'RM-INV-002', 'RM-CHG-004']) {
      const d = evaluationScope(controlDefinition(id)!, [failed('cmdb', 'inventory', ['config-item'])]);
      expect(d.scope.none).toBe(true);
    }
  });
  it('a failed SonarQube leaves every deployment of RM-QG-001 unevaluated; a failed Jenkins only its own', () => {
    const def = controlDefinition('RM-QG-001')!;
    expect(evaluationScope(def, [failed('sonarqube', 'quality-gates', ['quality-gate'])]).scope.none).toBe(
      true,
    );
    const jenkins = evaluationScope(def, [failed('jenkins', 'deployments', ['deployment'])]);
    expect(jenkins.scope.none).toBe(false);
    expect([...jenkins.scope.blockedConnectors]).toEqual(['jenkins']);
  });
});
