/**
 * The evidence ledger's error: a closed set of codes, whether a retry helps, and the CLI exit code
 * (interfaces.md: 2 configuration or usage error). A ledger that does not verify is not an error
 * but a verdict (VerifyResult), exit 1.
 */
export type EvidenceErrorCode =
  /** `evidence.signingKey` (or `--public-key`) is not an Ed25519 PEM key. */
  | 'signing_key_invalid'
  /** A file given as an export cannot be read or is not an audit-hub evidence export. */
  | 'export_invalid'
  /** The database has no evidence ledger yet (migrations not applied). */
  | 'ledger_missing';

export class EvidenceError extends Error {
  override readonly name = 'EvidenceError';
  readonly exitCode = 2;
  readonly retryable = false;

  constructor(
    readonly code: EvidenceErrorCode,
    message: string,
  ) {
    super(message);
  }
}
