/**
 * Raw text of the real ServiceNow samples (`shared/upstream-samples/servicenow`) and of this
 * plugin's docs-derived fixtures (`test/fixtures`), through the SDK's helpers for plugin authors.
 */
import * as path from 'node:path';
import { sampleReader } from '@audit-hub/plugin-sdk/testing';

const reader = sampleReader('servicenow', path.join(__dirname, 'fixtures'));

/** A real ServiceNow response body (`table-problem-list.json`), as raw text. */
export const sample = reader.sample;
/** A docs-derived fixture of this plugin (see test/fixtures/README.md), as raw text. */
export const fixture = reader.fixture;
