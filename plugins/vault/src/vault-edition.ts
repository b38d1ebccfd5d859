/**
 * Which Vault answers: its version and whether it is Enterprise (or HCP Vault Dedicated), where
 * namespaces exist. `sys/health` says so in its `enterprise` field from 1.16 (hashicorp/vault PR
 * #24270); before, the version carries the build's metadata (`1.15.6+ent`, `1.9.0+prem`,
 * `+ent.hsm`, `+ent.fips1402`: `version.GetVersion().VersionNumber()`), and only Enterprise
 * builds send a `license` object (`http/sys_health.go`).
 */
import type { VaultHealth } from './vault.types';

export interface VaultEdition {
  version?: string;
  enterprise: boolean;
}

const ENTERPRISE_METADATA = /\+(ent|prem|pro)(\.|$)/i;

export function editionOf(health: VaultHealth): VaultEdition {
  const version = typeof health.version === 'string' && health.version ? health.version : undefined;
  const enterprise =
    health.enterprise === true ||
    (version !== undefined && ENTERPRISE_METADATA.test(version)) ||
    (typeof health.license === 'object' && health.license !== null);
  return { ...(version ? { version } : {}), enterprise };
}
