/**
 * Loads connector plugins: built-ins by id, third-party ones by npm package name, resolved from the
 * working directory first (where an ops team installs them) and then from audit-hub itself. Each
 * manifest is validated; duplicate ids and unsupported SDK ranges are refused with a clear error.
 */
import { Injectable } from '@nestjs/common';
import * as semver from 'semver';
import { AuditHubPlugin, manifestProblems, SDK_VERSION } from '@audit-hub/plugin-sdk';
import { HubError } from '../common/errors';

/* eslint-disable @typescript-eslint/no-require-imports -- plugins are loaded at start-up by name, which needs require() */
/** Built-in plugins: id → package, loaded by a static require so bundlers and tests see them. */
export const BUILTIN_PLUGINS: Readonly<Record<string, { packageName: string; load: () => unknown }>> = {
  gitlab: { packageName: '@audit-hub/plugin-gitlab', load: () => require('@audit-hub/plugin-gitlab') },
  servicenow: {
    packageName: '@audit-hub/plugin-servicenow',
    load: () => require('@audit-hub/plugin-servicenow'),
  },
  cyberark: { packageName: '@audit-hub/plugin-cyberark', load: () => require('@audit-hub/plugin-cyberark') },
  jenkins: { packageName: '@audit-hub/plugin-jenkins', load: () => require('@audit-hub/plugin-jenkins') },
  vault: { packageName: '@audit-hub/plugin-vault', load: () => require('@audit-hub/plugin-vault') },
  jira: { packageName: '@audit-hub/plugin-jira', load: () => require('@audit-hub/plugin-jira') },
  'gitlab-issues': {
    packageName: '@audit-hub/plugin-gitlab-issues',
    load: () => require('@audit-hub/plugin-gitlab-issues'),
  },
  sonarqube: {
    packageName: '@audit-hub/plugin-sonarqube',
    load: () => require('@audit-hub/plugin-sonarqube'),
  },
  cmdb: { packageName: '@audit-hub/plugin-cmdb', load: () => require('@audit-hub/plugin-cmdb') },
};

export interface LoadedPlugin {
  /** What the config named (`gitlab` or `@acme/audit-hub-plugin-bitbucket`). */
  ref: string;
  packageName: string;
  plugin: AuditHubPlugin;
}

@Injectable()
export class PluginRegistry {
  private readonly loaded = new Map<string, LoadedPlugin>();

  constructor(private readonly resolvePaths: string[] = [process.cwd(), __dirname]) {}

  /** Loads (once) the plugin a connector names. */
  load(ref: string): LoadedPlugin {
    const cached = this.loaded.get(ref);
    if (cached) return cached;
    const builtin = BUILTIN_PLUGINS[ref];
    const packageName = builtin?.packageName ?? ref;
    if (!builtin && !/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/.test(ref)) {
      throw new HubError(
        'plugin_not_found',
        `plugin "${ref}" is neither a built-in plugin (${Object.keys(BUILTIN_PLUGINS).join(', ')}) nor an npm package name`,
      );
    }
    let mod: any;
    try {
      mod = builtin ? builtin.load() : require(require.resolve(packageName, { paths: this.resolvePaths }));
    } catch (err) {
      if (
        (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' &&
        String((err as Error).message).includes(packageName)
      ) {
        throw new HubError(
          'plugin_not_found',
          `plugin "${ref}" not found: install the npm package ${packageName}, or use a built-in plugin (${Object.keys(BUILTIN_PLUGINS).join(', ')})`,
        );
      }
      throw new HubError('plugin_invalid', `plugin "${ref}" failed to load: ${(err as Error).message}`);
    }
    const plugin: AuditHubPlugin | undefined = mod?.plugin ?? mod?.default ?? mod;
    this.validate(ref, plugin);
    const entry: LoadedPlugin = { ref, packageName, plugin: plugin as AuditHubPlugin };
    for (const other of this.loaded.values()) {
      if (other.plugin.manifest.id === entry.plugin.manifest.id && other.packageName !== packageName) {
        throw new HubError(
          'plugin_duplicate',
          `plugin id "${entry.plugin.manifest.id}" is declared by both ${other.packageName} and ${packageName}`,
        );
      }
    }
    this.loaded.set(ref, entry);
    return entry;
  }

  private validate(ref: string, plugin: AuditHubPlugin | undefined): asserts plugin is AuditHubPlugin {
    if (!plugin || typeof plugin !== 'object') {
      throw new HubError(
        'plugin_invalid',
        `plugin "${ref}" exports no plugin object (export it as default or as "plugin")`,
      );
    }
    const problems = manifestProblems(plugin.manifest);
    if (typeof plugin.connect !== 'function') problems.push('connect: must be a function');
    if (!plugin.configSchema || typeof plugin.configSchema !== 'object')
      problems.push('configSchema: must be an object');
    if (problems.length) {
      throw new HubError(
        'plugin_invalid',
        `plugin "${ref}" has an invalid manifest:\n  ${problems.join('\n  ')}`,
      );
    }
    const range = plugin.manifest.sdkVersion;
    if (!semver.validRange(range) || !semver.satisfies(SDK_VERSION, range)) {
      throw new HubError(
        'plugin_sdk_unsupported',
        `plugin "${ref}" (${plugin.manifest.id}@${plugin.manifest.version}) needs plugin SDK ${range}; this audit-hub provides ${SDK_VERSION}`,
      );
    }
  }
}
