/**
 * Resolves records to services (controls.md "service"): the `services` catalog maps one logical
 * service to its key in each system; services not listed get the naming defaults of
 * interfaces.md — a GitLab project's last path segment, a Jenkins job's last name segment without
 * a `-deploy` suffix — lower-cased.
 */
import type { RecordKind } from '@audit-hub/domain';
import type { ServiceConfig } from '../config/config.schema';

export class ServiceResolver {
  /** system (plugin id or connector id) → key → service name */
  private readonly byKey = new Map<string, Map<string, string>>();
  /** lower-cased catalog name → catalog name */
  private readonly byName = new Map<string, string>();

  constructor(services: ServiceConfig[]) {
    for (const s of services) {
      this.byName.set(s.name.toLowerCase(), s.name);
      for (const [system, key] of Object.entries(s.keys ?? {})) {
        const map = this.byKey.get(system) ?? new Map<string, string>();
        map.set(key, s.name);
        this.byKey.set(system, map);
      }
    }
  }

  /** The service of a project (GitLab path) or job (Jenkins full name) seen by a connector. */
  serviceOfKey(connector: { id: string; plugin: string }, key: string): string {
    const listed = this.byKey.get(connector.id)?.get(key) ?? this.byKey.get(connector.plugin)?.get(key);
    if (listed) return listed;
    const last = key.split('/').filter(Boolean).pop() ?? key;
    const name = connector.plugin === 'jenkins' ? last.replace(/-deploy$/i, '') : last;
    return name.toLowerCase();
  }

  /**
   * The service of a CMDB item (interfaces.md: "an item matches a service by name"): the catalog
   * service whose key for the connector (or its plugin, `cmdb`) is the item's name, else the
   * catalog service of that name, else the name lower-cased like the other naming defaults.
   */
  serviceOfConfigItem(connector: { id: string; plugin: string }, name: string): string {
    const listed = this.byKey.get(connector.id)?.get(name) ?? this.byKey.get(connector.plugin)?.get(name);
    if (listed) return listed;
    const lower = name.toLowerCase();
    return this.byName.get(lower) ?? lower;
  }

  /** The service of a record, for the kinds that have one by their project, job or name. */
  serviceOf(connector: { id: string; plugin: string }, kind: RecordKind, data: any): string | undefined {
    if (data && typeof data.service === 'string' && data.service) return data.service;
    switch (kind) {
      case 'deployment':
      case 'merge-request':
      case 'commit':
        return typeof data?.project === 'string' ? this.serviceOfKey(connector, data.project) : undefined;
      case 'build':
        return typeof data?.job === 'string' ? this.serviceOfKey(connector, data.job) : undefined;
      case 'quality-gate':
        return typeof data?.projectKey === 'string'
          ? this.serviceOfKey(connector, data.projectKey)
          : undefined;
      case 'config-item':
        return typeof data?.name === 'string' ? this.serviceOfConfigItem(connector, data.name) : undefined;
      default:
        return undefined;
    }
  }
}
