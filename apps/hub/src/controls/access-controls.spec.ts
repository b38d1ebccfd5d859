/**
 * The access controls (RM-ACC-001/002/003) over entitlements, with holders resolved to persons and
 * roles by the derived model: each violation beside its nearest compliant case, and the cases they
 * cannot decide or must not evaluate, on SQLite and PostgreSQL.
 */
import { controlDefinition } from '@audit-hub/domain';
import { DB_KINDS } from '../../../../test/support/database';
import type { AppConfig } from '../config/config.schema';
import { evaluationScope } from '../runs/evaluation-scope';
import { DeveloperProductionAccessControl } from './developer-production-access.control';
import { LeaverAccessControl } from './leaver-access.control';
import { StandingAccessControl } from './standing-access.control';
import {
  connectorConfig,
  ControlHarness,
  entitlement,
  flagged,
  groupMembership,
  hours,
  identity,
  T0,
} from './testing/control-fixtures';

const config: Partial<AppConfig> = {
  connectors: [connectorConfig('servicenow'), connectorConfig('vault'), connectorConfig('cyberark')],
  identities: { sources: ['servicenow'], aliases: {}, serviceAccountPattern: '^svc[-_]' },
  roles: {
    developer: { groups: ['servicenow:Developers'], users: [] },
    'break-glass': { groups: [], users: ['bob', 'carol'] },
  },
  production: { vaultPolicies: ['*prod*'], cyberarkSafes: ['PROD-*'] },
};

const failed = (connector: string, stream: string, kinds: any[]) => ({
  connector,
  stream,
  status: 'failed',
  kinds,
  error: 'down',
});

describe.each(DB_KINDS)('access controls on %s', (kind) => {
  let h: ControlHarness;
  beforeEach(async () => {
    h = await ControlHarness.create(kind, config);
    await h.ingest('servicenow', [
      identity('alice'),
      identity('bob'),
      identity('carol'),
      identity('dave'),
      identity('leo', { active: false }),
      identity('svc-deploy'),
      identity('svc-old', { active: false }),
      // The group is named in lower case upstream: role groups match ignoring case.
      groupMembership('developers', 'alice'),
      groupMembership('developers', 'bob'),
      groupMembership('developers', 'carol'),
      groupMembership('developers', 'svc-deploy'),
    ]);
  });
  afterEach(() => h.close());

  describe('RM-ACC-001 developer holds production access', () => {
    beforeEach(async () => {
      await h.ingest('vault', [
        entitlement('alice', 'payments-prod-rw'), // developer, production, no break-glass
        entitlement('alice', 'dev-read'), // not production
        entitlement('dave', 'payments-prod-rw'), // not a developer
        entitlement('svc-deploy', 'payments-prod-rw'), // service account
        entitlement('bob', 'payments-prod-ro'), // break-glass, no expiry: unexpired
        // A Vault entity whose own name no source knows, resolved through its alias.
        entitlement('entity-7f3a', 'billing-prod', { holderAliases: ['alice'], via: 'prod-admins' }),
      ]);
      await h.ingest('cyberark', [
        entitlement('bob', 'PROD-Payments', { expiresAt: hours(2) }), // break-glass, unexpired
        entitlement('carol', 'PROD-Payments', { expiresAt: hours(-24) }), // break-glass, expired
        entitlement('Developers', 'PROD-Payments', { holderType: 'group' }), // a group, not a person
      ]);
    });

    it('flags a developer outside break-glass and a break-glass grant that expired, not an unexpired break-glass grant', async () => {
      const out = await h.evaluate(new DeveloperProductionAccessControl());
      expect(flagged(out)).toEqual([
        'cyberark:carol:PROD-Payments',
        'vault:alice:payments-prod-rw',
        'vault:entity-7f3a:billing-prod',
      ]);
      const alice = out.flags.find((f) => f.subjectRef === 'vault:alice:payments-prod-rw')!;
      expect(alice.reason).toBe(
        'alice (Name of alice, alice@acme.com), in role developer (through servicenow:Developers), holds production Vault policy payments-prod-rw with no expiry; alice is not in role break-glass.',
      );
      expect(alice.subjectType).toBe('entitlement');
      expect(alice.subjectConnector).toBe('vault');
      expect(alice.input).toMatchObject({
        person: 'alice@acme.com',
        developerVia: ['servicenow:Developers'],
      });
      expect(out.flags.find((f) => f.subjectRef === 'cyberark:carol:PROD-Payments')!.reason).toBe(
        'carol (Name of carol, carol@acme.com), in role developer (through servicenow:Developers), holds production CyberArk safe PROD-Payments which expired 2026-11-01 14:00 UTC; carol is in role break-glass (listed in roles.break-glass.users), which exempts only an unexpired grant.',
      );
      expect(out.flags.find((f) => f.subjectRef === 'vault:entity-7f3a:billing-prod')!.reason).toMatch(
        /^entity-7f3a \(Name of alice, alice@acme.com\), in role developer .* holds production Vault policy billing-prod \(through group prod-admins\) with no expiry/,
      );
    });

    it("flags bob's break-glass grant once the run's clock is past its expiry", async () => {
      const later = await h.evaluate(
        new DeveloperProductionAccessControl(),
        {},
        new Date(T0.getTime() + 3 * 3_600_000),
      );
      expect(flagged(later)).toContain('cyberark:bob:PROD-Payments');
      expect(flagged(later)).not.toContain('vault:bob:payments-prod-ro');
    });
  });

  describe('RM-ACC-002 access held by leaver or unknown identity', () => {
    beforeEach(async () => {
      await h.ingest('vault', [
        entitlement('leo', 'dev-read'), // known, inactive: a leaver (production or not)
        entitlement('ghost', 'dev-read'), // unknown to the identity source
        entitlement('alice', 'dev-read'), // active
        entitlement('entity-9', 'dev-read', { holderAliases: ['LEO'] }), // a leaver through an alias
        entitlement('entity-5', 'dev-read', { holderAliases: ['alice'] }), // active through an alias
        entitlement('svc-old', 'dev-read'), // inactive service account: exempt
        entitlement('svc-ci', 'ci-prod', { holderType: 'service' }), // unknown service account: exempt
      ]);
      await h.ingest('cyberark', [
        entitlement('Master', 'PROD-Payments', { holderType: 'predefined' }), // built-in member
        entitlement('PROD-Ops', 'PROD-Payments', { holderType: 'group' }), // a group
      ]);
    });

    it('flags leavers and unknown holders, through aliases too, not active persons, service accounts or groups', async () => {
      const out = await h.evaluate(new LeaverAccessControl());
      expect(flagged(out)).toEqual(['vault:entity-9:dev-read', 'vault:ghost:dev-read', 'vault:leo:dev-read']);
      expect(out.undecided).toEqual([]);
      expect(out.flags.find((f) => f.subjectRef === 'vault:leo:dev-read')!.reason).toBe(
        'leo (Name of leo, leo@acme.com) holds Vault policy dev-read and is a leaver: known to servicenow but active in no identity source.',
      );
      expect(out.flags.find((f) => f.subjectRef === 'vault:ghost:dev-read')!.reason).toBe(
        'ghost holds Vault policy dev-read and is unknown to every identity source (servicenow).',
      );
      expect(out.flags.find((f) => f.subjectRef === 'vault:entity-9:dev-read')!.input).toMatchObject({
        holderAliases: ['LEO'],
        person: 'leo@acme.com',
        known: true,
        active: false,
      });
    });

    it('leaves every holder undecided when no identity source is configured', async () => {
      const blind = await ControlHarness.create(kind, {
        ...config,
        identities: { sources: [], aliases: {}, serviceAccountPattern: '^svc[-_]' },
      });
      try {
        await blind.ingest('vault', [entitlement('alice', 'dev-read')]);
        const out = await blind.evaluate(new LeaverAccessControl());
        expect(out.flags).toEqual([]);
        expect(out.undecided).toEqual([
          {
            subjectRef: 'vault:alice:dev-read',
            why: 'no identity source is configured (identities.sources)',
          },
        ]);
      } finally {
        await blind.close();
      }
    });
  });

  describe('RM-ACC-003 standing privileged access', () => {
    beforeEach(async () => {
      await h.ingest('vault', [
        entitlement('alice', 'payments-prod-rw'), // production, no expiry
        entitlement('alice', 'dev-read'), // no expiry, but not production
        entitlement('bob', 'payments-prod-rw'), // break-glass
        entitlement('svc-deploy', 'payments-prod-rw'), // service account
      ]);
      await h.ingest('cyberark', [
        entitlement('alice', 'PROD-Payments', { expiresAt: hours(8) }), // time-boxed
        entitlement('dave', 'PROD-Payments', { expiresAt: hours(-8) }), // expired: not standing
        entitlement('PROD-Ops', 'PROD-Payments', { holderType: 'group' }), // a group's standing access
        entitlement('Master', 'PROD-Payments', { holderType: 'predefined' }), // built-in member
      ]);
    });

    it('flags production grants without expiry outside break-glass, not time-boxed ones, service accounts or break-glass', async () => {
      const out = await h.evaluate(new StandingAccessControl());
      expect(flagged(out)).toEqual(['cyberark:PROD-Ops:PROD-Payments', 'vault:alice:payments-prod-rw']);
      expect(out.flags.find((f) => f.subjectRef === 'vault:alice:payments-prod-rw')!.reason).toBe(
        'alice (Name of alice, alice@acme.com) holds production Vault policy payments-prod-rw with no expiry (standing access), and is neither a service account nor in role break-glass.',
      );
      expect(out.flags.find((f) => f.subjectRef === 'cyberark:PROD-Ops:PROD-Payments')!.reason).toMatch(
        /^group PROD-Ops holds production CyberArk safe PROD-Payments with no expiry/,
      );
    });
  });
});

describe('access controls in partial runs: which subjects a failed source leaves unevaluated', () => {
  it('RM-ACC-001 is not evaluated when the role groups could not be read, and only for Vault subjects when Vault failed', () => {
    const def = controlDefinition('RM-ACC-001')!;
    expect(evaluationScope(def, [failed('servicenow', 'groups', ['group-membership'])]).scope.none).toBe(
      true,
    );
    const vaultDown = evaluationScope(def, [failed('vault', 'entitlements', ['entitlement'])]);
    expect(vaultDown.scope.none).toBe(false);
    expect([...vaultDown.scope.blockedConnectors]).toEqual(['vault']);
  });

  it('RM-ACC-002 is not evaluated at all when the identity source failed', () => {
    const d = evaluationScope(controlDefinition('RM-ACC-002')!, [
      failed('servicenow', 'users', ['identity']),
    ]);
    expect(d.scope.none).toBe(true);
  });

  it('RM-ACC-003 leaves CyberArk subjects unevaluated when CyberArk failed, and Vault ones evaluated', () => {
    const d = evaluationScope(controlDefinition('RM-ACC-003')!, [
      failed('cyberark', 'safe-members', ['entitlement']),
    ]);
    expect(d.scope.none).toBe(false);
    expect([...d.scope.blockedConnectors]).toEqual(['cyberark']);
  });
});
