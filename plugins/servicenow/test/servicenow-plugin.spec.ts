import { manifestProblems } from '@audit-hub/plugin-sdk';
import defaultExport, { plugin } from '../src';
import { connect } from './harness';

describe('servicenow plugin', () => {
  it('exports a valid manifest, as default and as `plugin`', () => {
    expect(defaultExport).toBe(plugin);
    expect(manifestProblems(plugin.manifest)).toEqual([]);
    expect(plugin.manifest).toMatchObject({
      id: 'servicenow',
      capabilities: ['changes', 'identities', 'groups'],
    });
  });

  it('offers one stream per record source, with the kinds and modes the core relies on', async () => {
    const { connection } = await connect();
    expect(connection.streams.map(({ name, kinds, mode }) => ({ name, kinds, mode }))).toEqual([
      { name: 'changes', kinds: ['change'], mode: 'incremental' },
      { name: 'approvals', kinds: ['change-approval'], mode: 'incremental' },
      { name: 'users', kinds: ['identity'], mode: 'incremental' },
      { name: 'groups', kinds: ['group-membership'], mode: 'snapshot' },
    ]);
  });
});
