/** How the Vault client authenticates: a fixed token, and the namespace when one is configured. */
import type { AuthStrategy } from '@audit-hub/http';

/**
 * `X-Vault-Token` on every request, and `X-Vault-Namespace` when the namespace is not empty. Only
 * the token is a secret: the namespace is a name that errors and docs may show (the generic
 * `headerAuth` would redact it from every message).
 */
export function vaultAuth(token: string, namespace: string): AuthStrategy {
  const headers: Record<string, string> = { 'X-Vault-Token': token };
  if (namespace) headers['X-Vault-Namespace'] = namespace;
  return {
    secrets: token.length > 0 ? [token] : [],
    headers: async () => ({ ...headers }),
  };
}
