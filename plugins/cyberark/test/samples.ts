/** Reads vendor samples (shared/upstream-samples) and this plugin's doc-derived fixtures as raw text. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** `shared/upstream-samples`, relative to this folder (plugins/cyberark/test). */
export const SAMPLES_DIR = join(__dirname, '../../../../shared/upstream-samples');
export const FIXTURES_DIR = join(__dirname, 'fixtures');

/** A vendor-written body, e.g. `pvwa11-auth-logon.json`, exactly as stored. */
export function sample(name: string): string {
  return readFileSync(join(SAMPLES_DIR, 'cyberark', name), 'utf8');
}

/** A fixture derived from the vendor documentation (see fixtures/README.md), exactly as stored. */
export function fixture(name: string): string {
  return readFileSync(join(FIXTURES_DIR, name), 'utf8');
}

/** The session token a fixture log-on answer holds (a bare JSON string). */
export function fixtureToken(name = 'logon-token.json'): string {
  return JSON.parse(fixture(name)) as string;
}
