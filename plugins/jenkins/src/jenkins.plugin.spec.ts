import { manifestProblems } from '@audit-hub/plugin-sdk';
import defaultExport, { plugin } from './index';

describe('jenkins plugin', () => {
  it('exports a valid manifest, as default and as `plugin`', () => {
    expect(defaultExport).toBe(plugin);
    expect(manifestProblems(plugin.manifest)).toEqual([]);
    expect(plugin.manifest).toMatchObject({
      id: 'jenkins',
      sdkVersion: '^1.0.0',
      capabilities: ['deployments', 'builds'],
    });
  });

  it('authenticates with HTTP basic (user + API token) and treats the token as a secret', async () => {
    const auth = plugin.createAuth?.({ username: 'audit-bot', token: '11deadbeef' }, {});
    expect(await auth?.headers({ request: jest.fn(), addSecret: jest.fn() })).toEqual({
      Authorization: `Basic ${Buffer.from('audit-bot:11deadbeef').toString('base64')}`,
    });
    expect(auth?.secrets).toContain('11deadbeef');
  });
});
