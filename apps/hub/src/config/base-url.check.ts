/**
 * Config-load half of the network policy (`network:`; `@audit-hub/http` address-policy): a
 * connector whose `baseUrl` names a refused address literally (`http://169.254.169.254/`, and the
 * forms URL parsing turns into it: `http://2852039166/`, `http://0xa9fea9fe/`,
 * `http://[::ffff:169.254.169.254]/`) is a config error with its path and line.
 *
 * Host names are not resolved here: loading is synchronous, and may run where the upstream's DNS is
 * not the one the hub will use. The HTTP client checks every address a name resolves to when it
 * connects, and refuses the connection (`address_refused`) before a byte is sent.
 */
import { AddressPolicy, parseAllowEntry } from '@audit-hub/http';
import type { ConfigPath } from './config.loader';

export interface BaseUrlIssue {
  path: ConfigPath;
  message: string;
}

/** The connectors' literal base-URL addresses the configured network policy refuses. */
export function baseUrlAddressIssues(raw: unknown): BaseUrlIssue[] {
  if (!isRecord(raw) || !Array.isArray(raw.connectors)) return [];
  const network = isRecord(raw.network) ? raw.network : {};
  // A bad `network` value is reported by the schema; the valid rest still applies here.
  const policy = new AddressPolicy({
    allowPrivate: typeof network.allowPrivate === 'boolean' ? network.allowPrivate : undefined,
    allow: Array.isArray(network.allow)
      ? network.allow.filter(
          (entry): entry is string => typeof entry === 'string' && typeof parseAllowEntry(entry) !== 'string',
        )
      : [],
  });
  const issues: BaseUrlIssue[] = [];
  raw.connectors.forEach((connector, i) => {
    const baseUrl = isRecord(connector) ? connector.baseUrl : undefined;
    if (typeof baseUrl !== 'string') return;
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      return; // not a URL: the schema says so
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return;
    const verdict = policy.checkLiteral(url);
    if (verdict && !verdict.allowed) {
      issues.push({
        path: ['connectors', i, 'baseUrl'],
        message: `refers to ${verdict.address}, ${verdict.reason}`,
      });
    }
  });
  return issues;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
