import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluginRegistry } from './plugin-registry';
import { HubError } from '../common/errors';

/** Writes an npm package into `<root>/node_modules/<name>`, as `npm install` would. */
function writePackage(
  root: string,
  name: string,
  manifest: Record<string, unknown> | null,
  extra = '',
): void {
  const dir = join(root, 'node_modules', ...name.split('/'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'index.js' }));
  writeFileSync(
    join(dir, 'index.js'),
    manifest
      ? `exports.plugin = { manifest: ${JSON.stringify(manifest)}, configSchema: {}, connect: async () => ({ check: async () => [], streams: [] }) };${extra}`
      : 'module.exports = 42;',
  );
}

const good = {
  id: 'bitbucket',
  name: 'Bitbucket',
  version: '1.2.0',
  sdkVersion: '^1.0.0',
  capabilities: ['deployments', 'merge-requests'],
};

describe('PluginRegistry', () => {
  let root: string;
  let registry: PluginRegistry;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'audit-hub-plugins-'));
    registry = new PluginRegistry([root]);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('loads a third-party plugin from a local package by its npm name', () => {
    writePackage(root, '@acme/audit-hub-plugin-bitbucket', good);
    const loaded = registry.load('@acme/audit-hub-plugin-bitbucket');
    expect(loaded.plugin.manifest.id).toBe('bitbucket');
    expect(loaded.packageName).toBe('@acme/audit-hub-plugin-bitbucket');
  });

  it('loads built-in plugins by id', () => {
    const loaded = new PluginRegistry().load('gitlab');
    expect(loaded.plugin.manifest.id).toBe('gitlab');
    expect(loaded.plugin.manifest.capabilities).toContain('deployments');
  });

  it('refuses an unknown plugin with the package to install', () => {
    expect(() => registry.load('@acme/not-installed')).toThrow(
      /not found: install the npm package @acme\/not-installed/,
    );
    expect(() => registry.load('Not A Name')).toThrow(/neither a built-in plugin/);
  });

  it('refuses a bad manifest, naming each bad field', () => {
    writePackage(root, 'bad-plugin', { ...good, id: 'Bad_Id', capabilities: ['deployments', 'teleport'] });
    const err = (() => {
      try {
        registry.load('bad-plugin');
      } catch (e) {
        return e as HubError;
      }
    })();
    expect(err).toBeInstanceOf(HubError);
    expect(err!.code).toBe('plugin_invalid');
    expect(err!.exitCode).toBe(2);
    expect(err!.message).toMatch(/manifest\.id: must be a kebab-case string/);
    expect(err!.message).toMatch(/manifest\.capabilities\[1\]: unknown capability "teleport"/);
  });

  it('refuses a package that exports no plugin', () => {
    writePackage(root, 'not-a-plugin', null);
    expect(() => registry.load('not-a-plugin')).toThrow(/exports no plugin object/);
  });

  it('refuses an unsupported SDK range', () => {
    writePackage(root, 'future-plugin', { ...good, id: 'future', sdkVersion: '^2.0.0' });
    expect(() => registry.load('future-plugin')).toThrow(
      /needs plugin SDK \^2\.0\.0; this audit-hub provides 1\.0\.0/,
    );
  });

  it('refuses two packages declaring the same plugin id', () => {
    writePackage(root, 'first-plugin', good);
    writePackage(root, 'second-plugin', good);
    registry.load('first-plugin');
    expect(() => registry.load('second-plugin')).toThrow(
      /plugin id "bitbucket" is declared by both first-plugin and second-plugin/,
    );
  });
});
