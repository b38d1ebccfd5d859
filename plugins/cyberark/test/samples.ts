/**
 * Raw text of the real CyberArk samples (`shared/upstream-samples/cyberark`) and of this plugin's
 * docs-derived fixtures (`test/fixtures`), through the SDK's helpers for plugin authors.
 */
import * as path from 'node:path';
import { sampleReader } from '@audit-hub/plugin-sdk/testing';

const reader = sampleReader('cyberark', path.join(__dirname, 'fixtures'));

/** A vendor-written body, e.g. `pvwa11-auth-logon.json`, exactly as stored. */
export const sample = reader.sample;
/** A fixture derived from the vendor documentation (see fixtures/README.md), exactly as stored. */
export const fixture = reader.fixture;

/** The session token a fixture log-on answer holds (a bare JSON string). */
export function fixtureToken(name = 'logon-token.json'): string {
  return JSON.parse(fixture(name)) as string;
}
