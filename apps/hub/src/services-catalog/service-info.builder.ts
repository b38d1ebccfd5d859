/**
 * One row per service (controls.md "service", "high-impact"): every entry of the `services`
 * catalog and every service seen on a deployment (naming defaults), with its team, criticality,
 * whether it is high-impact, its CMDB item, and its key in each system — the catalog's key where
 * it lists one, else the key its records come from.
 */
import type { AppConfig, Criticality } from '../config/config.schema';

/** The systems `service_info` has a key column for, by plugin id. */
export const KEYED_SYSTEMS = ['gitlab', 'jenkins', 'sonarqube', 'cmdb'] as const;
export type KeyedSystem = (typeof KEYED_SYSTEMS)[number];

/** CMDB `business_criticality` 1 (most critical) and 2 (somewhat critical) make a service high-impact. */
export const HIGH_IMPACT_CMDB_CRITICALITY = 2;

/** How often a service's records come from a project (GitLab path, Jenkins job, SonarQube key). */
export interface ServiceProjectCount {
  service: string;
  connector: string;
  project: string;
  count: number;
}

/** A current, not deleted `config_item` row with a service. */
export interface ServiceConfigItem {
  sysId: string;
  name: string;
  environment: string | null;
  installStatus: string;
  criticality: number | null;
  service: string;
}

export interface ServiceFacts {
  /** Services of current deployments. */
  deployed: readonly string[];
  /** Projects of deployments, merge requests and quality gates, per connector. */
  projects: readonly ServiceProjectCount[];
  configItems: readonly ServiceConfigItem[];
}

export interface ServiceInfoRow {
  name: string;
  team: string | null;
  criticality: Criticality | null;
  cmdbCriticality: number | null;
  highImpact: boolean;
  personalData: boolean;
  cmdbItem: string | null;
  gitlabKey: string | null;
  jenkinsKey: string | null;
  sonarqubeKey: string | null;
  cmdbKey: string | null;
}

export function buildServiceInfo(
  config: Pick<AppConfig, 'services' | 'connectors'>,
  facts: ServiceFacts,
): ServiceInfoRow[] {
  const pluginOf = new Map(config.connectors.map((c) => [c.id, c.plugin]));
  const catalog = new Map(config.services.map((s) => [s.name, s]));
  const names = new Set<string>([...catalog.keys(), ...facts.deployed.filter((name) => name.length > 0)]);

  const itemsByService = groupBy(facts.configItems, (item) => item.service);
  const seenKeys = mostUsedProjects(facts.projects, pluginOf);

  return [...names].sort().map((name) => {
    const entry = catalog.get(name);
    const items = itemsByService.get(name) ?? [];
    const item = bestItem(items);
    const criticalities = items.map((i) => i.criticality).filter((c): c is number => c !== null);
    const cmdbCriticality = criticalities.length ? Math.min(...criticalities) : null;
    const key = (system: KeyedSystem): string | null =>
      catalogKey(entry?.keys ?? {}, system, config.connectors) ?? seenKeys.get(name)?.get(system) ?? null;
    return {
      name,
      team: entry?.team ?? null,
      criticality: entry?.criticality ?? null,
      cmdbCriticality,
      highImpact:
        entry?.criticality === 'high' ||
        (cmdbCriticality !== null && cmdbCriticality <= HIGH_IMPACT_CMDB_CRITICALITY),
      personalData: entry?.personalData ?? false,
      cmdbItem: item?.sysId ?? null,
      gitlabKey: key('gitlab'),
      jenkinsKey: key('jenkins'),
      sonarqubeKey: key('sonarqube'),
      cmdbKey: catalogKey(entry?.keys ?? {}, 'cmdb', config.connectors) ?? item?.name ?? null,
    };
  });
}

/**
 * service → system → the project most of its records come from (ties: the smallest name), counting
 * deployments, merge requests and quality gates together.
 */
function mostUsedProjects(
  projects: readonly ServiceProjectCount[],
  pluginOf: ReadonlyMap<string, string>,
): Map<string, Map<string, string>> {
  const counts = new Map<string, { service: string; system: string; project: string; count: number }>();
  for (const p of projects) {
    const system = pluginOf.get(p.connector);
    if (!system) continue;
    const key = `${p.service}\u0000${system}\u0000${p.project}`;
    const entry = counts.get(key) ?? { service: p.service, system, project: p.project, count: 0 };
    entry.count += p.count;
    counts.set(key, entry);
  }
  const best = new Map<string, Map<string, { project: string; count: number }>>();
  for (const { service, system, project, count } of counts.values()) {
    const bySystem = best.get(service) ?? new Map<string, { project: string; count: number }>();
    best.set(service, bySystem);
    const current = bySystem.get(system);
    if (!current || count > current.count || (count === current.count && project < current.project)) {
      bySystem.set(system, { project, count });
    }
  }
  return new Map(
    [...best].map(([service, bySystem]) => [
      service,
      new Map([...bySystem].map(([system, { project }]) => [system, project])),
    ]),
  );
}

/**
 * A catalog entry's key for a system: `keys` are written by connector id (interfaces.md), so the
 * first connector of that plugin with a key wins; a key written under the plugin id is accepted too.
 */
function catalogKey(
  keys: Readonly<Record<string, string>>,
  system: KeyedSystem,
  connectors: AppConfig['connectors'],
): string | undefined {
  for (const c of connectors) if (c.plugin === system && keys[c.id]) return keys[c.id];
  return keys[system] || undefined;
}

/** The CMDB item that stands for the service: an installed one first, then one used for production. */
function bestItem(items: readonly ServiceConfigItem[]): ServiceConfigItem | undefined {
  const rank = (i: ServiceConfigItem) =>
    (i.installStatus === 'installed' ? 0 : 2) + (/^prod/i.test(i.environment ?? '') ? 0 : 1);
  return [...items].sort(
    (a, b) => rank(a) - rank(b) || (a.sysId < b.sysId ? -1 : a.sysId > b.sysId ? 1 : 0),
  )[0];
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
