/**
 * Error types of the hub's boundaries, each with a closed code, whether a retry can help, and the
 * CLI exit code it maps to (interfaces.md: 2 configuration or usage error, 3 run failed/incomplete).
 */
export type HubErrorCode =
  | 'plugin_not_found'
  | 'plugin_invalid'
  | 'plugin_duplicate'
  | 'plugin_sdk_unsupported'
  | 'connector_config_invalid'
  | 'usage'
  | 'storage_unavailable'
  | 'not_found'
  | 'run_failed';

const EXIT: Record<HubErrorCode, number> = {
  plugin_not_found: 2,
  plugin_invalid: 2,
  plugin_duplicate: 2,
  plugin_sdk_unsupported: 2,
  connector_config_invalid: 2,
  usage: 2,
  storage_unavailable: 3,
  not_found: 2,
  run_failed: 3,
};

export class HubError extends Error {
  readonly exitCode: number;
  constructor(
    readonly code: HubErrorCode,
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'HubError';
    this.exitCode = EXIT[code];
  }
}
