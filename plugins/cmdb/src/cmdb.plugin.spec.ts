import { manifestProblems } from '@audit-hub/plugin-sdk';
import defaultExport, { plugin } from './index';

describe('cmdb plugin', () => {
  it('exports a valid manifest for the inventory capability, as default and as `plugin`', () => {
    expect(defaultExport).toBe(plugin);
    expect(manifestProblems(plugin.manifest)).toEqual([]);
    expect(plugin.manifest).toMatchObject({ id: 'cmdb', capabilities: ['inventory'], sdkVersion: '^1.0.0' });
  });
});
