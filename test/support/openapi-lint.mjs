// Lints an OpenAPI document as `redocly lint` does (@redocly/openapi-core with the repository's
// redocly.yaml), in a process of its own: the package is ESM-only, which Jest's CommonJS runtime
// cannot load. Usage: node openapi-lint.mjs <document.json> <redocly.yaml>; prints the problems as JSON.
import { readFileSync } from 'node:fs';
import { lintFromString, loadConfig } from '@redocly/openapi-core';

const [documentPath, configPath] = process.argv.slice(2);
const config = await loadConfig({ configPath });
const problems = await lintFromString({
  source: readFileSync(documentPath, 'utf8'),
  absoluteRef: documentPath,
  config,
});
process.stdout.write(
  JSON.stringify(
    problems.map((p) => ({
      severity: p.severity,
      rule: p.ruleId,
      where: p.location?.[0]?.pointer ?? null,
      message: p.message,
    })),
  ),
);
