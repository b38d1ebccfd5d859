/**
 * Decides whether an entitlement's resource is production (controls.md RM-ACC-001: "Vault policy or
 * CyberArk safe matching `production.*` patterns"), per connector plugin: `vault` connectors use
 * `production.vaultPolicies`, `cyberark` connectors `production.cyberarkSafes`; no other plugin's
 * resources are production.
 */
import type { AppConfig } from '../config/config.schema';

/** The plugin ids whose entitlements are classified, and the config list that classifies them. */
const GLOBS_BY_PLUGIN = {
  vault: 'vaultPolicies',
  cyberark: 'cyberarkSafes',
} as const satisfies Record<string, keyof AppConfig['production']>;

/**
 * A glob over a whole name: `*` any characters (`/` included), `?` one character; case-insensitive,
 * since Vault stores policy names lower-cased and CyberArk compares safe names case-insensitively.
 */
export function resourceGlob(pattern: string): RegExp {
  const body = [...pattern]
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'is');
}

export class ProductionResourceClassifier {
  private readonly matchers = new Map<string, RegExp[]>();

  constructor(production: AppConfig['production']) {
    for (const [plugin, list] of Object.entries(GLOBS_BY_PLUGIN)) {
      this.matchers.set(plugin, production[list].map(resourceGlob));
    }
  }

  /**
   * The `IngestContext.isProductionResource` of a connector whose plugin is `plugin`; undefined
   * for plugins that have no production resources (their entitlements are never production).
   */
  forPlugin(plugin: string): ((resource: string) => boolean) | undefined {
    const matchers = this.matchers.get(plugin);
    if (!matchers) return undefined;
    return (resource: string) => matchers.some((re) => re.test(resource));
  }
}
