/**
 * Raw text of the real vendor samples (`shared/upstream-samples`, e.g. `servicenow/…`, `cmdb/…`)
 * and of this plugin's docs-derived fixtures (`test/fixtures`), served to nock as written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const SAMPLES_SUBDIR = path.join('shared', 'upstream-samples');

/**
 * The samples folder: `$AUDIT_HUB_SAMPLES_DIR` when set, else the first ancestor of this file (the
 * repository, or the folder that holds it next to `shared/`) that contains it.
 */
function samplesDir(): string {
  const fromEnv = process.env.AUDIT_HUB_SAMPLES_DIR;
  if (fromEnv) return fromEnv;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, SAMPLES_SUBDIR);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  throw new Error(
    `upstream samples not found: no ${SAMPLES_SUBDIR} in any folder above ${__dirname} (set AUDIT_HUB_SAMPLES_DIR)`,
  );
}

/** A real vendor response body (`servicenow/table-problem-list.json`), as raw text. */
export function sample(name: string): string {
  return fs.readFileSync(path.join(samplesDir(), name), 'utf8');
}

/** A docs-derived fixture of this plugin (see test/fixtures/README.md), as raw text. */
export function fixture(name: string): string {
  return fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');
}
