import type { DataSource } from 'typeorm';
import { controlDefinition } from '@audit-hub/domain';
import { dropTestDataSource, testDataSource } from '../../../../test/support/database';
import { defaultConfig } from '../config/config.schema';
import { Redactor } from '../config/redactor';
import type { EffectiveControl } from '../controls/control.registry';
import type { Flag } from '../controls/control';
import { FindingEntity } from '../store/entities/finding.entity';
import { FindingEventEntity } from '../store/entities/finding-event.entity';
import { FindingService } from './finding.service';
import type { FindingTransition } from './finding-transition.listener';

const SECRET = 'glpat-Pasted/Token+42';
const T0 = new Date('2026-11-02T00:00:00.000Z');

const RM_CHG_001: EffectiveControl = {
  definition: controlDefinition('RM-CHG-001')!,
  control: { definition: controlDefinition('RM-CHG-001')!, evaluate: async () => [] },
  enabled: true,
  severity: 'high',
  params: {},
};

describe('FindingService redaction', () => {
  let ds: DataSource;
  beforeAll(async () => {
    ds = await testDataSource('sqlite');
  });
  afterAll(() => dropTestDataSource(ds));

  it('stores, events and hands on a flag with every secret in it redacted', async () => {
    const transitions: FindingTransition[] = [];
    const service = new FindingService(
      defaultConfig(),
      ds,
      [{ onTransitions: async (_m, t) => void transitions.push(...t) }],
      undefined,
      new Redactor([SECRET]),
    );
    const flag: Flag = {
      subjectType: 'deployment',
      subjectRef: 'gitlab:acme/pay#1',
      subjectConnector: 'gitlab',
      service: 'pay',
      environment: 'production',
      reason: `Commit "Fix ${SECRET}" deployed; token ${encodeURIComponent(SECRET)}`,
      related: [{ type: 'commit', ref: `gitlab:acme/pay@${Buffer.from(SECRET).toString('base64')}` }],
      input: { title: `Fix ${SECRET}`, nested: [{ note: SECRET }] },
    };
    await service.apply('run-1', T0, RM_CHG_001, [flag], { none: false, blockedConnectors: new Set() });

    const stored = JSON.stringify([
      await ds.getRepository(FindingEntity).find(),
      await ds.getRepository(FindingEventEntity).find(),
      transitions,
    ]);
    expect(stored).toContain('Commit \\"Fix [REDACTED]\\" deployed; token [REDACTED]');
    expect(stored).toContain('gitlab:acme/pay@[REDACTED]');
    expect(stored).not.toContain(SECRET);
    expect(stored).not.toContain(encodeURIComponent(SECRET));
    expect(stored).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(transitions).toHaveLength(1);
  });
});
