import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTROL_CATALOG } from '@audit-hub/domain';
import { controlsMarkdown } from './controls-doc';

describe('docs/controls.md', () => {
  it('is generated from the catalog and up to date (run `npm run docs:controls`)', () => {
    const onDisk = readFileSync(join(__dirname, '../../../../docs/controls.md'), 'utf8');
    expect(onDisk).toBe(controlsMarkdown());
  });

  it('lists every control of the catalog', () => {
    const doc = controlsMarkdown();
    expect(CONTROL_CATALOG).toHaveLength(21);
    for (const c of CONTROL_CATALOG) expect(doc).toContain(`### ${c.id} — ${c.title}`);
  });
});
