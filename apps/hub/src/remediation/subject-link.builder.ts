/**
 * Links a person can open for a subject ref (interfaces.md "Subject refs"), built from the base URL
 * of the connector the ref names. Only refs of built-in plugins whose web URLs are stable get one.
 */
import type { ConnectorConfig } from '../config/config.schema';

export interface SubjectLink {
  label: string;
  url: string;
}

const encodePath = (path: string) => path.split('/').map(encodeURIComponent).join('/');

export class SubjectLinkBuilder {
  private readonly connectors: Map<string, { plugin: string; baseUrl: string }>;

  constructor(connectors: Pick<ConnectorConfig, 'id' | 'plugin' | 'baseUrl'>[]) {
    this.connectors = new Map(
      connectors.map((c) => [c.id, { plugin: c.plugin, baseUrl: c.baseUrl.replace(/\/+$/, '') }] as const),
    );
  }

  /** A link for a ref of the given type, or undefined when none is known. */
  link(type: string, ref: string): SubjectLink | undefined {
    const colon = ref.indexOf(':');
    if (colon <= 0) return undefined;
    const connector = this.connectors.get(ref.slice(0, colon));
    if (!connector) return undefined;
    const rest = ref.slice(colon + 1);
    const base = connector.baseUrl;

    if (connector.plugin === 'gitlab') {
      if (type === 'deployment') {
        const m = /^(.+)#(\d+)$/.exec(rest);
        // GitLab has no page per deployment id; the project's environments page lists them.
        if (m) return { label: `${m[1]} environments`, url: `${base}/${encodePath(m[1])}/-/environments` };
      }
      if (type === 'merge_request') {
        const m = /^(.+)!(\d+)$/.exec(rest);
        if (m)
          return { label: `${m[1]}!${m[2]}`, url: `${base}/${encodePath(m[1])}/-/merge_requests/${m[2]}` };
      }
      if (type === 'commit') {
        const m = /^(.+)@([0-9a-f]{7,64})$/i.exec(rest);
        if (m)
          return {
            label: `${m[1]}@${m[2].slice(0, 12)}`,
            url: `${base}/${encodePath(m[1])}/-/commit/${m[2]}`,
          };
      }
    }
    if (connector.plugin === 'jenkins' && type === 'deployment') {
      const m = /^(.+)#(\d+)$/.exec(rest);
      if (m) {
        const job = m[1]
          .split('/')
          .map((s) => `job/${encodeURIComponent(s)}`)
          .join('/');
        return { label: `${m[1]} #${m[2]}`, url: `${base}/${job}/${m[2]}/` };
      }
    }
    if (connector.plugin === 'servicenow' && type === 'change') {
      return {
        label: rest,
        url: `${base}/change_request.do?sysparm_query=${encodeURIComponent(`number=${rest}`)}`,
      };
    }
    return undefined;
  }
}
