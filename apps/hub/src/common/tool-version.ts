/** The version of audit-hub itself, from the package.json of the installation that runs. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/** `0.1.0`; `unknown` when no audit-hub package.json is found above this file. */
export function toolVersion(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'audit-hub' && pkg.version) return (cached = pkg.version);
    } catch {
      // not here: look further up
    }
    const parent = dirname(dir);
    if (parent === dir) return (cached = 'unknown');
    dir = parent;
  }
}
