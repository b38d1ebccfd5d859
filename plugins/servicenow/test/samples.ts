/** Reads vendor samples (shared/upstream-samples) and this plugin's doc-derived fixtures as raw text. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** `shared/upstream-samples`, relative to this folder (plugins/servicenow/test). */
export const SAMPLES_DIR = join(__dirname, '../../../../shared/upstream-samples');
export const FIXTURES_DIR = join(__dirname, 'fixtures');

/** A vendor-written body, e.g. `servicenow/table-problem-list.json`, exactly as stored. */
export function sample(path: string): string {
  return readFileSync(join(SAMPLES_DIR, path), 'utf8');
}

/** A fixture derived from the vendor documentation (see fixtures/README.md), exactly as stored. */
export function fixture(name: string): string {
  return readFileSync(join(FIXTURES_DIR, name), 'utf8');
}
