import { manifestProblems } from '@audit-hub/plugin-sdk';
import defaultExport, { plugin } from './index';

describe('sonarqube plugin', () => {
  it('exports a valid manifest for the quality-gates capability, as default and as `plugin`', () => {
    expect(defaultExport).toBe(plugin);
    expect(manifestProblems(plugin.manifest)).toEqual([]);
    expect(plugin.manifest).toMatchObject({
      id: 'sonarqube',
      capabilities: ['quality-gates'],
      sdkVersion: '^1.0.0',
    });
  });
});
