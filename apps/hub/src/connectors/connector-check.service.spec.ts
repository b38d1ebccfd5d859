import { CONTROL_CATALOG } from '@audit-hub/domain';
import { connectorCheckLines } from '../../../cli/src/output/connectors.format';
import { controlsUndecidedBy } from './connector-check.service';

describe('what a failed connector check costs', () => {
  it('a field read as null costs the controls deciding with it, no more', () => {
    expect(
      controlsUndecidedBy(
        { name: 'read:pipeline-variables', ok: false, affects: { fields: ['deployment.variables'] } },
        CONTROL_CATALOG,
      ),
    ).toEqual(['RM-CHG-001', 'RM-SOD-002', 'RM-INV-001']);
  });

  it('a kind left unread costs every control that needs it', () => {
    const ids = controlsUndecidedBy(
      { name: 'read:members', ok: false, affects: { kinds: ['group-membership'] } },
      CONTROL_CATALOG,
    );
    expect(ids).toEqual(CONTROL_CATALOG.filter((c) => c.needs.includes('group-membership')).map((c) => c.id));
    expect(ids.length).toBeGreaterThan(0);
  });

  it('the command prints each failed check with its cost and fix; a warn-only connector is not a failure', () => {
    const out = connectorCheckLines({
      connector: 'gitlab',
      plugin: 'gitlab',
      ok: true,
      checks: [
        { name: 'reachable', ok: true },
        {
          name: 'read:pipeline-variables',
          ok: false,
          severity: 'warn',
          detail: '403 on acme/payments-api',
          affects: { fields: ['deployment.variables'] },
          fix: 'the Maintainer role on each project',
          undecides: ['RM-CHG-001', 'RM-INV-001'],
        },
      ],
    });
    expect(out).toBe(
      'warn gitlab (gitlab): read:pipeline-variables: 403 on acme/payments-api\n' +
        '     - read:pipeline-variables: leaves undecided: RM-CHG-001, RM-INV-001; fix: the Maintainer role on each project\n',
    );
  });
});
