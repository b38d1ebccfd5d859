/**
 * The configuration boundary's error: every problem found in the config file at once, each naming
 * the key path and the file's line, so a user fixes them in one pass. The CLI maps it to exit 2
 * (shared/spec/interfaces.md "Exit codes").
 */

export type ConfigErrorCode = 'config_invalid' | 'config_missing';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** A configuration or usage error: the CLI exits with this. */
  readonly exitCode = 2;
  /** Fixing the file, not retrying, is what helps. */
  readonly retryable = false;

  /**
   * @param problems one line each (`connectors[1].baseUrl (line 14): must be an http(s) URL`),
   *   already redacted: callers pass them through the secrets' redactor first.
   * @param source the config file the problems are in, when there is one.
   */
  constructor(
    readonly code: ConfigErrorCode,
    readonly problems: string[],
    readonly source: string | null = null,
  ) {
    super(ConfigError.describe(code, problems, source));
  }

  private static describe(code: ConfigErrorCode, problems: string[], source: string | null): string {
    const where = source ? ` in ${source}` : '';
    const header =
      code === 'config_missing'
        ? `configuration file not found${where}:`
        : `invalid configuration${where} (${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}):`;
    return [header, ...problems.map((problem) => `  ${problem}`)].join('\n');
  }
}
