import { CONTROL_CATALOG, controlDefinition, type RecordKind } from '@audit-hub/domain';
import { CAPABILITY_KINDS, type AuditHubPlugin } from '@audit-hub/plugin-sdk';
import { connectForTest } from '@audit-hub/plugin-sdk/testing';
import { BREAK_GLASS_ROLE, DEVELOPER_ROLE } from '../controls/entitlement.queries';
import { BUILTIN_PLUGINS } from '../plugins/plugin-registry';
import { evaluationScope, type ScopeContext, type SourceHealth } from './evaluation-scope';
import { SHIPPED_RANGES_KINDS, SHIPPED_RANGES_STREAM } from './shipped-range.source';

/** The sandbox's estate (sandbox-config.builder.ts): one connector of each plugin, named like it. */
const CONNECTORS: Record<string, object> = {
  gitlab: { groups: ['acme'] },
  servicenow: {},
  cmdb: { table: 'cmdb_ci_appl' },
  jenkins: { deployJobs: ['*-deploy'] },
  sonarqube: {},
  vault: {},
  cyberark: { authMethod: 'Cyberark' },
};

const ROLES = {
  [DEVELOPER_ROLE]: { groups: ['servicenow:Developers'] },
  [BREAK_GLASS_ROLE]: { groups: ['servicenow:SRE'] },
};

function pluginOf(id: string): AuditHubPlugin {
  const mod = BUILTIN_PLUGINS[id].load() as { plugin?: AuditHubPlugin; default?: AuditHubPlugin };
  return (mod.plugin ?? mod.default)!;
}

/** Every stream the built-in plugins really have, with the kinds it declares, and the core's shipped ranges. */
async function realStreams(): Promise<{ connector: string; stream: string; kinds: RecordKind[] }[]> {
  const out: { connector: string; stream: string; kinds: RecordKind[] }[] = [];
  for (const [id, options] of Object.entries(CONNECTORS)) {
    const connection = await connectForTest(pluginOf(id), {
      connectorId: id,
      baseUrl: 'http://upstream.invalid',
      auth: { token: 'unit-test-token', username: 'audit', password: 'unit-test-password' },
      options,
    });
    for (const s of connection.streams) out.push({ connector: id, stream: s.name, kinds: [...s.kinds] });
  }
  // The repository connector's reader of what shipped with Jenkins deployments (shipped-range.source.ts).
  out.push({ connector: 'gitlab', stream: SHIPPED_RANGES_STREAM, kinds: [...SHIPPED_RANGES_KINDS] });
  return out;
}

/** Who provides each kind, from the plugins' manifests, as evaluate.handler.ts computes it. */
function providers(kind: RecordKind): string[] {
  return Object.keys(CONNECTORS).filter((id) =>
    pluginOf(id).manifest.capabilities.some((c) => CAPABILITY_KINDS[c].includes(kind)),
  );
}

const SANDBOX: ScopeContext = { providers, identitySources: ['servicenow'], roles: ROLES };

const failed = (connector: string, stream: string, kinds: RecordKind[]): SourceHealth => ({
  connector,
  stream,
  status: 'failed',
  kinds,
  error: 'down',
});

/** `all`: no subject evaluated; a list: those connectors' subjects left out; `-`: nothing left out. */
type Outcome = 'all' | '-' | string[];

function outcome(controlId: string, sources: SourceHealth[], context: ScopeContext = SANDBOX): Outcome {
  const { scope } = evaluationScope(controlDefinition(controlId)!, sources, context);
  if (scope.none) return 'all';
  return scope.blockedConnectors.size ? [...scope.blockedConnectors].sort() : '-';
}

const CHG = ['RM-CHG-001', 'RM-CHG-002', 'RM-CHG-003', 'RM-CHG-004'];
const ACC = ['RM-ACC-001', 'RM-ACC-002', 'RM-ACC-003'];
const SERVICE = ['RM-EMG-002', 'RM-INV-001', 'RM-INV-002', 'RM-RBK-001'];
const each = (ids: string[], o: Outcome) => Object.fromEntries(ids.map((id) => [id, o]));

/**
 * For each stream failing alone: the subjects each control leaves out. A control not listed
 * evaluates every subject.
 */
const EXPECTED: Record<string, Record<string, Outcome>> = {
  'gitlab/deployments': {
    ...each(CHG, ['gitlab']),
    ...each(SERVICE, 'all'),
    // A change may be linked to any deployment.
    'RM-EMG-001': 'all',
    'RM-SOD-001': ['gitlab'],
    'RM-SOD-002': ['gitlab'],
    'RM-SOD-003': ['gitlab'],
    'RM-PIPE-001': ['gitlab'],
    // GitLab holds every MR and commit subject.
    'RM-PIPE-002': 'all',
    'RM-PIPE-003': 'all',
    'RM-QG-001': ['gitlab'],
    'RM-ART-001': ['gitlab'],
    'RM-EVD-001': ['gitlab'],
  },
  // No role names a GitLab group, and GitLab holds no entitlements.
  'gitlab/group-members': {},
  // What shipped with Jenkins deployments: GitLab's own deployments ship their MRs themselves.
  'gitlab/shipped-ranges': {
    'RM-SOD-001': ['gitlab'],
    'RM-SOD-002': ['jenkins'],
    'RM-SOD-003': ['jenkins'],
    'RM-PIPE-002': 'all',
    'RM-PIPE-003': 'all',
  },
  'jenkins/deployments': {
    ...each(CHG, ['jenkins']),
    ...each(SERVICE, 'all'),
    'RM-EMG-001': 'all',
    'RM-SOD-002': ['jenkins'],
    'RM-SOD-003': ['jenkins'],
    'RM-PIPE-001': ['jenkins'],
    // Any MR or commit may have shipped with a Jenkins deployment.
    'RM-PIPE-002': 'all',
    'RM-PIPE-003': 'all',
    'RM-QG-001': ['jenkins'],
    'RM-ART-001': ['jenkins'],
    'RM-EVD-001': ['jenkins'],
  },
  // The builds behind Jenkins' own deploy builds; GitLab deployments carry their test reports.
  'jenkins/builds': { 'RM-ART-001': ['jenkins'], 'RM-EVD-001': ['jenkins'] },
  // The change source: every deployment could link to any change.
  'servicenow/changes': {
    ...each(CHG, 'all'),
    'RM-EMG-001': 'all',
    'RM-EMG-002': 'all',
    'RM-SOD-001': ['servicenow'],
    'RM-SOD-002': 'all',
  },
  'servicenow/approvals': { 'RM-SOD-001': ['servicenow'], 'RM-SOD-002': 'all' },
  // The identity source: every name is resolved through it.
  'servicenow/users': {
    ...each(ACC, 'all'),
    'RM-SOD-001': 'all',
    'RM-SOD-002': 'all',
    'RM-SOD-003': 'all',
  },
  // The groups of roles developer and break-glass.
  'servicenow/groups': { 'RM-ACC-001': 'all', 'RM-ACC-003': 'all' },
  'cmdb/inventory': {
    'RM-CHG-004': 'all',
    'RM-SOD-002': 'all',
    'RM-INV-001': 'all',
    'RM-INV-002': 'all',
  },
  'sonarqube/quality-gates': { 'RM-QG-001': 'all' },
  'vault/entitlements': each(ACC, ['vault']),
  // Vault's groups stand behind Vault's own grants only: no role names one.
  'vault/groups': { 'RM-ACC-001': ['vault'], 'RM-ACC-003': ['vault'] },
  'cyberark/entitlements': each(ACC, ['cyberark']),
};

describe('evaluationScope: which subjects one failed stream leaves out, control by control', () => {
  let streams: { connector: string; stream: string; kinds: RecordKind[] }[];
  beforeAll(async () => {
    streams = await realStreams();
  });

  it('the table covers every stream the built-in plugins have, with the kinds they declare', () => {
    expect(streams.map((s) => `${s.connector}/${s.stream}`).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.keys(EXPECTED))('%s failing alone', (name) => {
    const s = streams.find((x) => `${x.connector}/${x.stream}` === name)!;
    const got = Object.fromEntries(
      CONTROL_CATALOG.map((c) => [c.id, outcome(c.id, [failed(s.connector, s.stream, s.kinds)])]),
    );
    const want = Object.fromEntries(CONTROL_CATALOG.map((c) => [c.id, EXPECTED[name][c.id] ?? '-']));
    expect(got).toEqual(want);
  });

  it('a whole connector failing leaves out the union of what its streams leave out', () => {
    const down = (connector: string) =>
      streams.filter((s) => s.connector === connector).map((s) => failed(s.connector, s.stream, s.kinds));
    // Vault sealed: only Vault's grants go unevaluated; CyberArk's are still decided.
    expect(Object.fromEntries(ACC.map((id) => [id, outcome(id, down('vault'))]))).toEqual(
      each(ACC, ['vault']),
    );
    // GitLab down: its deployments, and what shipped with Jenkins' — every deployment.
    expect(outcome('RM-SOD-003', down('gitlab'))).toBe('all');
    expect(outcome('RM-CHG-001', down('gitlab'))).toEqual(['gitlab']);
    expect(outcome('RM-ACC-001', down('gitlab'))).toBe('-');
    // Jenkins down: a change may be linked to a Jenkins deployment.
    expect(outcome('RM-ART-001', down('jenkins'))).toEqual(['jenkins']);
    expect(outcome('RM-EMG-001', down('jenkins'))).toBe('all');
    expect(outcome('RM-SOD-001', down('jenkins'))).toBe('-');
  });
});

describe('evaluationScope: rules that depend on the config', () => {
  it('a Vault group named by a role leaves every subject of the controls using that role out', () => {
    const roles = { ...ROLES, [DEVELOPER_ROLE]: { groups: ['servicenow:Developers', 'vault:prod-admins'] } };
    const vaultGroups = [failed('vault', 'groups', ['group-membership'])];
    expect(outcome('RM-ACC-001', vaultGroups, { ...SANDBOX, roles })).toBe('all');
    // RM-ACC-003 reads role break-glass only, which names no Vault group.
    expect(outcome('RM-ACC-003', vaultGroups, { ...SANDBOX, roles })).toEqual(['vault']);
  });

  it('a GitLab group named by role break-glass leaves RM-ACC-001 and RM-ACC-003 out', () => {
    const roles = { ...ROLES, [BREAK_GLASS_ROLE]: { groups: ['gitlab:acme/sre'] } };
    const gitlabGroups = [failed('gitlab', 'group-members', ['group-membership'])];
    expect(outcome('RM-ACC-001', gitlabGroups, { ...SANDBOX, roles })).toBe('all');
    expect(outcome('RM-ACC-003', gitlabGroups, { ...SANDBOX, roles })).toBe('all');
  });

  it('the users of a connector that is no identity source decide nothing; those of one that is, everything', () => {
    const context = { ...SANDBOX, identitySources: ['hr'] };
    expect(outcome('RM-ACC-002', [failed('servicenow', 'users', ['identity'])], context)).toBe('-');
    expect(outcome('RM-ACC-002', [failed('hr', 'users', ['identity'])], context)).toBe('all');
  });

  it('without the config, takes every group for a role group and every connector for an identity source', () => {
    expect(outcome('RM-ACC-001', [failed('vault', 'groups', ['group-membership'])], {})).toBe('all');
    expect(outcome('RM-ACC-002', [failed('cyberark', 'users', ['identity'])], {})).toBe('all');
    expect(outcome('RM-SOD-003', [failed('gitlab', 'shipped-ranges', [...SHIPPED_RANGES_KINDS])], {})).toBe(
      'all',
    );
  });

  it('a stream that completed, or writes nothing the control needs, leaves nothing out', () => {
    const complete: SourceHealth = {
      ...failed('vault', 'entitlements', ['entitlement']),
      status: 'complete',
    };
    expect(evaluationScope(controlDefinition('RM-ACC-001')!, [complete], SANDBOX).reason).toBeNull();
    expect(outcome('RM-PIPE-001', [failed('vault', 'entitlements', ['entitlement'])])).toBe('-');
  });
});

describe('evaluationScope: the reason the control reports', () => {
  const vaultSealed: SourceHealth[] = [
    { ...failed('vault', 'entitlements', ['entitlement']), error: 'Vault is sealed' },
    { ...failed('vault', 'groups', ['group-membership']), error: 'Vault is sealed' },
    { ...failed('cyberark', 'entitlements', ['entitlement']), status: 'complete', error: null },
  ];

  it('names the connector whose subjects were left out, and each failed stream behind it', () => {
    const d = evaluationScope(controlDefinition('RM-ACC-001')!, vaultSealed, SANDBOX);
    expect(d.scope.none).toBe(false);
    expect([...d.blocked.keys()]).toEqual(['vault']);
    expect(d.reason).toBe(
      "not evaluated for the subjects of vault: vault/entitlements failed: Vault is sealed (it collects vault's subjects); " +
        "vault/groups failed: Vault is sealed (its group-membership records belong to vault's subjects)",
    );
  });

  it('says why every subject was left out when one was for all', () => {
    const d = evaluationScope(
      controlDefinition('RM-ACC-003')!,
      [{ ...failed('servicenow', 'groups', ['group-membership']), status: 'partial', error: 'page 3 of 5' }],
      SANDBOX,
    );
    expect(d.scope.none).toBe(true);
    expect(d.reason).toBe(
      'not evaluated: servicenow/groups partial: page 3 of 5 (roles read its groups (servicenow:SRE), and any holder may be a member)',
    );
  });

  it('says so when every connector providing the subjects was left out', () => {
    const d = evaluationScope(
      controlDefinition('RM-ACC-002')!,
      [failed('vault', 'entitlements', ['entitlement']), failed('cyberark', 'entitlements', ['entitlement'])],
      SANDBOX,
    );
    expect(d.scope.none).toBe(true);
    expect(d.reason).toBe(
      "not evaluated: vault/entitlements failed: down (it collects vault's subjects); cyberark/entitlements failed: down (it collects cyberark's subjects)",
    );
  });
});

describe('a partial stream leaves out only the kinds its problems name', () => {
  const deployments = ['deployment', 'deployment-mr', 'merge-request', 'commit'] as RecordKind[];
  const partial = (problems: SourceHealth['problems']): SourceHealth => ({
    ...failed('gitlab', 'deployments', deployments),
    status: 'partial',
    error: null,
    problems,
  });

  it('a lasting problem whose records carry the gap (`kinds: []`) leaves no subject out', () => {
    const s = partial([
      {
        message: 'x',
        where: 'project 12',
        error: '403',
        kinds: [],
        code: 'pipeline-variables-forbidden',
        count: 9,
      },
    ]);
    for (const id of CHG) expect(outcome(id, [s])).toBe('-');
  });

  it('a problem with the commits only leaves out what needs commits', () => {
    const s = partial([{ message: 'x', where: 'commit abc', error: '503', kinds: ['commit'] }]);
    expect(outcome('RM-CHG-001', [s])).toBe('-');
    // GitLab holds every commit subject.
    expect(outcome('RM-PIPE-002', [s])).toBe('all');
  });

  it('a problem naming no kinds leaves out every kind the stream writes, as before', () => {
    const s = partial([
      { message: 'x', where: 'project 12', error: '403', kinds: [] },
      { message: 'y', where: 'page 3', error: '503' },
    ]);
    expect(outcome('RM-CHG-001', [s])).toEqual(['gitlab']);
  });
});

describe('the catalog names the roles each access control decides with', () => {
  it('RM-ACC-001 reads developer and break-glass, RM-ACC-003 break-glass, no other control a role', () => {
    expect(Object.fromEntries(CONTROL_CATALOG.filter((c) => c.roles).map((c) => [c.id, c.roles]))).toEqual({
      'RM-ACC-001': [DEVELOPER_ROLE, BREAK_GLASS_ROLE],
      'RM-ACC-003': [BREAK_GLASS_ROLE],
    });
  });
});
