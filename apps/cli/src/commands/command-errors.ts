/**
 * Maps errors to the exit codes of interfaces.md: 2 configuration or usage error, 3 the run failed
 * or was incomplete (and any unexpected failure). The message goes to stderr, already redacted.
 */
import { ConfigError } from '../../../hub/src/config/config.error';
import { HubError } from '../../../hub/src/common/errors';

export const EXIT = { ok: 0, findings: 1, usage: 2, failed: 3 } as const;

export function exitCodeOf(err: unknown): number {
  if (err instanceof ConfigError) return EXIT.usage;
  if (err instanceof HubError) return err.exitCode;
  const code = (err as { exitCode?: unknown })?.exitCode;
  return typeof code === 'number' ? code : EXIT.failed;
}

export function reportError(err: unknown, redact: (s: string) => string = (s) => s): number {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`audit-hub: ${redact(message)}\n`);
  const code = exitCodeOf(err);
  process.exitCode = code;
  return code;
}

/** Runs a command body, turning any error into its message on stderr and its exit code. */
export async function guarded(body: () => Promise<number | void>): Promise<void> {
  try {
    const code = await body();
    if (typeof code === 'number') process.exitCode = code;
  } catch (err) {
    reportError(err);
  }
}

export function usage(message: string): HubError {
  return new HubError('usage', message);
}
