/**
 * The config as the ledger records it: every resolved secret redacted by value, connectors' auth
 * values and URL passwords masked whatever they are, the signing key replaced by its key id. Its
 * canonical digest tells one run's config from the next, so only changes are recorded.
 */
import type { AppConfig } from '../config/config.schema';
import type { Redactor } from '../config/redactor';
import { redactDatabaseUrl } from '../store/data-source.factory';
import { canonicalJson, sha256Hex, toJsonValue } from './ledger-hash';

const MASK = '[REDACTED]';

export interface ConfigEvidence {
  digest: string;
  config: Record<string, unknown>;
}

export function configEvidence(
  config: AppConfig,
  redactor: Redactor,
  signingKeyId: string | null,
): ConfigEvidence {
  const copy = toJsonValue(config) as Record<string, any>;
  if (copy.storage?.database) copy.storage.database = redactDatabaseUrl(copy.storage.database);
  if (copy.storage?.redis) copy.storage.redis = redactDatabaseUrl(copy.storage.redis);
  for (const connector of copy.connectors ?? []) {
    connector.auth = Object.fromEntries(Object.keys(connector.auth ?? {}).map((key) => [key, MASK]));
  }
  if (copy.evidence?.signingKey) copy.evidence.signingKey = signingKeyId ? `ed25519:${signingKeyId}` : MASK;
  const redacted = redactor.redactDeep(copy);
  return { digest: sha256Hex(canonicalJson(redacted)), config: redacted };
}
