/**
 * The one error type of the store boundary: a closed code and whether a retry can help. Messages
 * name what is wrong and where (connector, kind, external id, field) and never hold a secret.
 */
export type StoreErrorCode =
  | 'invalid_database_url' // storage.database is neither sqlite:PATH nor postgres://…
  | 'invalid_record' // a normalized record a connector emitted cannot be stored as it is
  | 'concurrent_write'; // another writer stored a current version of the same record first

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  readonly retryable: boolean;

  constructor(code: StoreErrorCode, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StoreError';
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

export function isStoreError(err: unknown): err is StoreError {
  return err instanceof StoreError;
}
