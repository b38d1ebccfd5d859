/**
 * Test helpers for plugin authors (`@audit-hub/plugin-sdk/testing`): the real vendor samples of
 * `shared/upstream-samples` and a plugin's own docs-derived fixtures, read as raw text so that nock
 * serves them byte for byte (numbers too large for JSON.parse reach the client intact), and the
 * `PluginContext` a contract test connects the plugin with (plugin-context.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export * from './plugin-context';

/**
 * `$AUDIT_HUB_SAMPLES_DIR/<system>` when set, else `shared/upstream-samples/<system>` in the first
 * folder above `from` that holds it (the repository, or the folder next to it, as CI lays it out).
 */
export function samplesDir(system: string, from: string = process.cwd()): string {
  const fromEnv = process.env.AUDIT_HUB_SAMPLES_DIR;
  if (fromEnv) return path.join(fromEnv, system);
  const sub = path.join('shared', 'upstream-samples', system);
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, sub);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  throw new Error(
    `${system} samples not found: no ${sub} in any folder above ${from} (set AUDIT_HUB_SAMPLES_DIR)`,
  );
}

export interface SampleReader {
  /** A real vendor response body, as raw text. */
  sample(name: string): string;
  /** A docs-derived fixture of the plugin (documented in its fixtures README), as raw text. */
  fixture(name: string): string;
}

/** Reads `system`'s samples and the fixtures in `fixturesDir`; `from` is where to look for samples. */
export function sampleReader(system: string, fixturesDir: string, from: string = fixturesDir): SampleReader {
  let dir: string | undefined;
  return {
    sample: (name) => fs.readFileSync(path.join((dir ??= samplesDir(system, from)), name), 'utf8'),
    fixture: (name) => fs.readFileSync(path.join(fixturesDir, name), 'utf8'),
  };
}

/** A sample or fixture parsed, for building a scenario the samples do not show (the test says how). */
export function parsed<T = any>(text: string): T {
  return JSON.parse(text) as T;
}

/** Raw bodies joined into a JSON array: a list page made of single-object samples. */
export function listOf(...bodies: string[]): string {
  return `[${bodies.join(',')}]`;
}
