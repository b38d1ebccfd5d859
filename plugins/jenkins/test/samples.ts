/**
 * Raw text of the real Jenkins samples (`shared/upstream-samples/jenkins`) and of this plugin's
 * docs-derived fixtures (`test/fixtures`), through the SDK's helpers for plugin authors: served to
 * nock as the vendor wrote them, so numbers too large for `JSON.parse` reach the client intact.
 */
import * as path from 'node:path';
import { sampleReader } from '@audit-hub/plugin-sdk/testing';

const reader = sampleReader('jenkins', path.join(__dirname, 'fixtures'));

/** A real Jenkins response body, as raw text. */
export const sample = reader.sample;
/** A docs-derived fixture of this plugin (see test/fixtures/README.md), as raw text. */
export const fixture = reader.fixture;
export { parsed } from '@audit-hub/plugin-sdk/testing';

/**
 * A `tree=allBuilds[…]` page made of raw build bodies (real samples are single builds, as
 * `GET /job/…/<n>/api/json` answers them): the bodies are embedded as the vendor wrote them.
 */
export function buildsPageOf(...builds: string[]): string {
  return `{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowJob","allBuilds":[${builds.join(',')}]}`;
}

/** A folder listing made of raw item bodies (a real job body stands for an item of the listing). */
export function listingOf(...items: string[]): string {
  return `{"_class":"hudson.model.Hudson","jobs":[${items.join(',')}]}`;
}
