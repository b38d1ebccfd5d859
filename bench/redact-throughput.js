#!/usr/bin/env node
/**
 * Redaction benchmark (issue 15: "Redaction costs 15× API throughput"): how many strings a second
 * the hub's Redactor redacts, and how long redacting one API page of 100 findings takes
 * (redactDeep, as the API and reports do), with 0, 1, 9 and 50 configured secrets — the issue's
 * case was nine `${env:}` secrets, where every string recomputed every secret's encoded forms. The
 * target: with nine secrets, within a small factor of none (one regex test per string).
 *
 *   npm run build && node bench/redact-throughput.js
 *
 * Writes bench/results/redact-throughput.json.
 */
'use strict';
const { randomBytes } = require('node:crypto');
const { writeFileSync, mkdirSync } = require('node:fs');
const { cpus } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..');
const { Redactor } = require(join(root, 'dist/apps/hub/src/config/redactor'));

function secret() {
  return `glpat-${randomBytes(15).toString('base64url')}`;
}

/** One finding as the API answers it: a dozen strings of ordinary length. */
function finding(i) {
  return {
    key: `RM-CHG-001|gitlab:acme/payments-api#${1000 + i}`,
    controlId: 'RM-CHG-001',
    subjectRef: `gitlab:acme/payments-api#${1000 + i}`,
    status: 'open',
    severity: 'high',
    title: 'Unlinked production deployment',
    reason: `production deployment ${1000 + i} of acme/payments-api on 2026-11-01 links no change that exists in ServiceNow`,
    service: 'payments-api',
    firstSeenAt: '2026-11-01T02:00:00.000Z',
    lastSeenAt: '2026-11-02T02:00:00.000Z',
    frameworks: ['SOX:ITGC-CM', 'PCI-DSS-4.0:6.5.1', 'ISO27001-2022:A.8.32', 'SOC2:CC8.1'],
    evidence: {
      deployment: {
        id: String(1000 + i),
        environment: 'production',
        commit: randomBytes(20).toString('hex'),
      },
    },
  };
}

/**
 * The redaction the hub had before (until commit c53f708), for comparison: every call recomputed
 * every secret's encoded forms, then searched the text once per form.
 */
function legacyRedact(text, secrets) {
  const forms = new Set();
  for (const secret of secrets) {
    forms.add(secret);
    const encoded = encodeURIComponent(secret);
    forms.add(encoded);
    forms.add(encoded.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()));
    forms.add(new URLSearchParams({ s: secret }).toString().slice(2));
    const base64 = Buffer.from(secret, 'utf8').toString('base64');
    forms.add(base64);
    forms.add(base64.replace(/=+$/, ''));
    forms.add(Buffer.from(secret, 'utf8').toString('base64url'));
  }
  const sorted = [...forms].sort((a, b) => b.length - a.length);
  return sorted.some((form) => text.includes(form)) ? '[REDACTED]' : text;
}

function timeIt(fn, minMs = 1000) {
  let n = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < minMs) {
    fn();
    n++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return { n, ms: elapsed };
}

const page = Array.from({ length: 100 }, (_, i) => finding(i));
const strings = page.flatMap((f) => [f.key, f.reason, f.title, f.subjectRef, f.evidence.deployment.commit]);
const results = [];
for (const count of [0, 1, 9, 50]) {
  const redactor = new Redactor(Array.from({ length: count }, secret));
  let i = 0;
  const str = timeIt(() => redactor.redact(strings[i++ % strings.length]));
  const deep = timeIt(() => redactor.redactDeep(page), 2000);
  const list = redactor.secrets();
  let j = 0;
  const legacy = timeIt(() => legacyRedact(strings[j++ % strings.length], list));
  results.push({
    secrets: count,
    stringsPerSecond: Math.round((str.n / str.ms) * 1000),
    legacyStringsPerSecond: Math.round((legacy.n / legacy.ms) * 1000),
    findingsPageMs: Number((deep.ms / deep.n).toFixed(3)),
  });
}
const out = {
  benchmark: 'redact-throughput',
  at: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  results,
};
mkdirSync(join(__dirname, 'results'), { recursive: true });
writeFileSync(join(__dirname, 'results', 'redact-throughput.json'), JSON.stringify(out, null, 2) + '\n');
console.log(JSON.stringify(out, null, 2));
