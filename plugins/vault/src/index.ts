import { plugin } from './vault.plugin';

export { plugin };
export default plugin;
export {
  LIST_METHODS,
  resolveOptions,
  VaultAuth,
  VaultOptions,
  type ListMethod,
  type ResolvedVaultOptions,
} from './vault.config';
export { vaultAuth } from './vault.auth';
export { HEALTH_STATUSES, VAULT_PATHS, VaultClient } from './vault.client';
export { ENTITLEMENTS_KINDS, ENTITLEMENTS_STREAM } from './vault-entitlements.stream';
export { GROUPS_KINDS, GROUPS_STREAM } from './vault-groups.stream';
export { MACHINE_AUTH_TYPES } from './vault-entitlement.mapper';
export { editionOf, type VaultEdition } from './vault-edition';
export {
  cleanNamespace,
  joinNamespace,
  qualify,
  GROUP_POLICY_APPLICATION_MODES,
  type GroupPolicyApplicationMode,
} from './vault-namespace';
