#!/usr/bin/env node
// Rewrites docs/controls.md from the control catalog (needs `npm run build` first).
'use strict';
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { controlsMarkdown } = require('../dist/apps/cli/src/output/controls-doc');
writeFileSync(join(__dirname, '..', 'docs', 'controls.md'), controlsMarkdown());
process.stdout.write('docs/controls.md written\n');
