/**
 * Config-load check of every reference the config makes to something defined elsewhere — in the
 * config itself (connector ids) or in a registry (the plugins that can be loaded, the control
 * catalog) — so a typo is a config error with its path and line for every command that loads the
 * config, instead of a connector that fails at its first run, an exception that silently never
 * applies, or a tracker that files nothing:
 *
 * - `connectors[].plugin`: a plugin that loads (built-in id, or an installed npm package with a
 *   valid manifest) — enabled connectors only, as a disabled one is never connected;
 * - `remediation.tracker`: an enabled connector whose plugin has the `tracker` capability;
 * - `identities.sources[]`: connectors whose plugin has the `identities` capability;
 * - `roles.<role>.groups[]`: `<connector>:<group>` of a connector whose plugin has `groups`;
 * - `services[].keys.<system>`: a connector id, the plugin of a configured connector, or a built-in
 *   plugin (a catalog may carry a system's keys before, or after, its connector is configured);
 * - `controls.<id>` and `exceptions[].control`: a control of the catalog; `controls.<id>.params`:
 *   the control's own parameters, each of its type.
 *
 * Only well-formed values are checked: the schema reports the rest.
 */
import { CONTROL_CATALOG, type ControlDefinition } from '@audit-hub/domain';
import type { Capability, PluginManifest } from '@audit-hub/plugin-sdk';
import { BUILTIN_PLUGINS, PluginRegistry } from '../plugins/plugin-registry';
import type { ConfigPath } from './config.loader';
import { CONTROL_ID } from './config.schema';
import { didYouMean } from './suggest';

export interface ReferenceIssue {
  path: ConfigPath;
  message: string;
}

/** What references are checked against: the real plugin registry and control catalog by default. */
export interface ReferenceCatalog {
  /** Loads the plugin a connector names; throws an error saying why it cannot. */
  plugin(ref: string): { manifest: PluginManifest };
  /** Built-in plugin ids, offered when a name is mistyped. */
  builtinPlugins: readonly string[];
  controls: readonly ControlDefinition[];
}

export function defaultReferenceCatalog(registry: PluginRegistry = new PluginRegistry()): ReferenceCatalog {
  return {
    plugin: (ref) => registry.load(ref).plugin,
    builtinPlugins: Object.keys(BUILTIN_PLUGINS),
    controls: CONTROL_CATALOG,
  };
}

interface ConnectorRef {
  index: number;
  id: string;
  plugin?: string;
  enabled: boolean;
  /** Undefined when the plugin did not load (reported once, at its `plugin`). */
  capabilities?: readonly Capability[];
}

const suffix = (hint: string | undefined): string => (hint ? `; ${hint}` : '');

export function referenceIssues(raw: unknown, catalog: ReferenceCatalog): ReferenceIssue[] {
  if (!isRecord(raw)) return [];
  const issues: ReferenceIssue[] = [];
  const connectors = connectorRefs(raw.connectors, catalog, issues);
  const byId = new Map<string, ConnectorRef>();
  for (const c of connectors) if (!byId.has(c.id)) byId.set(c.id, c);

  /**
   * Why `id` cannot serve as a connector with `capability` (`what` says what it is not: "a
   * tracker"), or undefined when it can.
   */
  const capabilityProblem = (id: string, capability: Capability, what: string): string | undefined => {
    const c = byId.get(id);
    if (!c) {
      return (
        `no connector "${id}" is configured${suffix(didYouMean(id, byId.keys()))}` +
        (byId.size ? ` (connectors: ${[...byId.keys()].join(', ')})` : ' (there are no connectors)')
      );
    }
    if (!c.capabilities) return undefined; // its plugin did not load: said at connectors[i].plugin
    if (c.capabilities.includes(capability)) return undefined;
    const able = [...byId.values()].filter((o) => o.capabilities?.includes(capability)).map((o) => o.id);
    return (
      `connector "${id}" (plugin ${c.plugin}) is not ${what}: its plugin's capabilities are ` +
      `${c.capabilities.join(', ')} (` +
      (able.length
        ? `connectors that are: ${able.join(', ')})`
        : `no configured connector is; built-in plugins that are: ${pluginsWith(catalog, capability).join(', ') || 'none'})`)
    );
  };

  const remediation = isRecord(raw.remediation) ? raw.remediation : {};
  if (isNonEmptyString(remediation.tracker)) {
    const tracker = remediation.tracker;
    const c = byId.get(tracker);
    const problem =
      c && !c.enabled
        ? `connector "${tracker}" is disabled (connectors[${c.index}].enabled: false): enable it, or name another tracker`
        : capabilityProblem(tracker, 'tracker', 'a tracker (it cannot file tickets)');
    if (problem) issues.push({ path: ['remediation', 'tracker'], message: problem });
  }

  const identities = isRecord(raw.identities) ? raw.identities : {};
  list(identities.sources).forEach((source, i) => {
    if (!isNonEmptyString(source)) return;
    const problem = capabilityProblem(source, 'identities', 'an identity source (it has no users)');
    if (problem) issues.push({ path: ['identities', 'sources', i], message: problem });
  });

  for (const [role, members] of Object.entries(isRecord(raw.roles) ? raw.roles : {})) {
    list(isRecord(members) ? members.groups : undefined).forEach((group, i) => {
      const connector = typeof group === 'string' ? /^([^:\s]+):.+$/.exec(group)?.[1] : undefined;
      if (!connector) return;
      const problem = capabilityProblem(
        connector,
        'groups',
        'a source of groups (it has no group memberships)',
      );
      if (problem) issues.push({ path: ['roles', role, 'groups', i], message: problem });
    });
  }

  const systems = new Set<string>([
    ...byId.keys(),
    ...connectors.map((c) => c.plugin).filter(isNonEmptyString),
    ...catalog.builtinPlugins,
  ]);
  list(raw.services).forEach((service, i) => {
    const keys = isRecord(service) && isRecord(service.keys) ? service.keys : {};
    for (const system of Object.keys(keys)) {
      if (systems.has(system)) continue;
      issues.push({
        path: ['services', i, 'keys', system],
        message:
          `"${system}" is neither a configured connector nor a plugin${suffix(didYouMean(system, systems))}` +
          ` (keys are by connector id: ${byId.size ? [...byId.keys()].join(', ') : 'there are no connectors'})`,
      });
    }
  });

  if (isRecord(raw.controls)) issues.push(...controlSettingsIssues(raw.controls, catalog.controls));

  list(raw.exceptions).forEach((exception, i) => {
    const control = isRecord(exception) ? exception.control : undefined;
    if (typeof control !== 'string' || !CONTROL_ID.test(control)) return;
    if (catalog.controls.some((c) => c.id === control)) return;
    issues.push({ path: ['exceptions', i, 'control'], message: unknownControl(control, catalog.controls) });
  });

  return issues;
}

/**
 * The `controls` section against the catalog: each id a control of it, each parameter one the
 * control takes, of its type. The control registry applies the same check to a config built in code.
 */
export function controlSettingsIssues(
  controls: Record<string, unknown>,
  catalog: readonly ControlDefinition[] = CONTROL_CATALOG,
): ReferenceIssue[] {
  const issues: ReferenceIssue[] = [];
  for (const [id, settings] of Object.entries(controls)) {
    const def = catalog.find((c) => c.id === id);
    if (!CONTROL_ID.test(id)) {
      const near = didYouMean(
        id,
        catalog.map((c) => c.id),
      );
      issues.push({
        path: ['controls', id],
        message: `is not a control id (RM-<AREA>-<NNN>, such as RM-CHG-001)${suffix(near)}`,
      });
      continue;
    }
    if (!def) {
      issues.push({ path: ['controls', id], message: unknownControl(id, catalog) });
      continue;
    }
    const params = isRecord(settings) && isRecord(settings.params) ? settings.params : {};
    for (const [name, value] of Object.entries(params)) {
      const names = Object.keys(def.params);
      if (!(name in def.params)) {
        issues.push({
          path: ['controls', id, 'params', name],
          message: names.length
            ? `unknown parameter of ${id}${suffix(didYouMean(name, names))} (its parameters: ${names.join(', ')})`
            : `unknown parameter: ${id} takes none`,
        });
      } else if (typeof value !== typeof def.params[name]) {
        issues.push({
          path: ['controls', id, 'params', name],
          message: `must be a ${typeof def.params[name]} (default ${JSON.stringify(def.params[name])})`,
        });
      }
    }
  }
  return issues;
}

function unknownControl(id: string, catalog: readonly ControlDefinition[]): string {
  const ids = catalog.map((c) => c.id);
  const near = didYouMean(id, ids);
  return near
    ? `unknown control "${id}"; ${near} (\`audit-hub controls\` lists the catalog)`
    : `unknown control "${id}" (the catalog: ${ids.join(', ')})`;
}

/** Each connector's id, plugin and, when its plugin loads, capabilities; plugin failures reported. */
function connectorRefs(value: unknown, catalog: ReferenceCatalog, issues: ReferenceIssue[]): ConnectorRef[] {
  const refs: ConnectorRef[] = [];
  list(value).forEach((connector, index) => {
    if (!isRecord(connector) || !isNonEmptyString(connector.id)) return;
    const enabled = connector.enabled !== false;
    const plugin = isNonEmptyString(connector.plugin) ? connector.plugin : undefined;
    const ref: ConnectorRef = { index, id: connector.id, plugin, enabled };
    if (plugin) {
      try {
        ref.capabilities = catalog.plugin(plugin).manifest.capabilities;
      } catch (err) {
        // A disabled connector is never connected: its plugin may be uninstalled for now.
        if (enabled) {
          const message = err instanceof Error ? err.message : String(err);
          const near = catalog.builtinPlugins.includes(plugin)
            ? undefined
            : didYouMean(plugin, catalog.builtinPlugins);
          issues.push({ path: ['connectors', index, 'plugin'], message: `${message}${suffix(near)}` });
        }
      }
    }
    refs.push(ref);
  });
  return refs;
}

function pluginsWith(catalog: ReferenceCatalog, capability: Capability): string[] {
  return catalog.builtinPlugins.filter((id) => {
    try {
      return catalog.plugin(id).manifest.capabilities.includes(capability);
    } catch {
      return false;
    }
  });
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
