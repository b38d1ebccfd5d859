import { defaultConfig, type AppConfig } from '../config/config.schema';
import { Redactor } from '../config/redactor';
import type { FindingEntity } from '../store/entities/finding.entity';
import { dedupeMarker, ticketGroupKey } from './remediation.marker';
import { SubjectLinkBuilder } from './subject-link.builder';
import { TicketTextRenderer } from './ticket-text.renderer';

const SECRET = 'sn-password-9f8e7d';

function finding(patch: Partial<FindingEntity> = {}): FindingEntity {
  return {
    key: 'RM-CHG-002|gitlab:acme/payments-api#1042',
    controlId: 'RM-CHG-002',
    subjectType: 'deployment',
    subjectRef: 'gitlab:acme/payments-api#1042',
    service: 'payments-api',
    environment: 'production',
    team: 'payments',
    severity: 'high',
    status: 'open',
    reason: 'Deployed at 2026-11-02 14:00 UTC; CHG0030042 approved at 15:10 UTC, after it.',
    related: [{ type: 'change', ref: 'servicenow:CHG0030042' }],
    frameworks: ['SOX:ITGC-CM', 'PCI-DSS-4.0:6.5.1', 'GDPR:Art.32'],
    firstSeenAt: '2026-11-03T02:00:00.000Z',
    lastSeenAt: '2026-11-03T02:00:00.000Z',
    resolvedAt: null,
    resolvedByRun: null,
    lastRunId: 'run-7',
    exception: null,
    ticket: null,
    ...patch,
  };
}

describe('ticket text', () => {
  const config: AppConfig = {
    ...defaultConfig(),
    connectors: [
      {
        id: 'gitlab',
        plugin: 'gitlab',
        baseUrl: 'https://gitlab.example.com/',
        enabled: true,
        auth: {},
        options: {},
        http: {},
      },
      {
        id: 'servicenow',
        plugin: 'servicenow',
        baseUrl: 'https://acme.service-now.com',
        enabled: true,
        auth: {},
        options: {},
        http: {},
      },
    ],
  };
  const renderer = new TicketTextRenderer(config, new Redactor([SECRET]));

  it('says what was found, where, why it matters, the evidence, how to fix it and the key', () => {
    const f = finding();
    const t = renderer.ticket({
      groupKey: f.key,
      marker: dedupeMarker(f.key),
      findings: [f],
      evidence: new Map([
        [f.key, { eventId: 31, runId: 'run-7', at: '2026-11-03T02:00:00.000Z', toStatus: 'open' }],
      ]),
    });
    expect(t.title).toBe(
      '[audit-hub] RM-CHG-002 Change not approved at deployment time: gitlab:acme/payments-api#1042',
    );
    expect(t.labels).toEqual(['audit-hub', 'RM-CHG-002', 'severity-high']);
    expect(t.findingKeys).toEqual([f.key]);
    const sections = t.body.split('\n').filter((l) => l.startsWith('## '));
    expect(sections).toEqual([
      '## What was found',
      '## Subject',
      '## Why it matters',
      '## Evidence',
      '## How to fix it',
      '## Finding key',
    ]);
    expect(t.body).toContain(f.reason);
    expect(t.body).toContain('- service payments-api, environment production, team payments');
    expect(t.body).toContain('https://gitlab.example.com/acme/payments-api/-/environments');
    expect(t.body).toContain(
      'related change `servicenow:CHG0030042` https://acme.service-now.com/change_request.do?sysparm_query=number%3DCHG0030042',
    );
    expect(t.body).toContain('Framework clauses: SOX:ITGC-CM, PCI-DSS-4.0:6.5.1, GDPR:Art.32.');
    expect(t.body).toContain('finding event #31 (open) in run `run-7` at 2026-11-03 02:00 UTC');
    expect(t.body).toContain('Gate the production deploy job on the change being approved');
    expect(t.body).toContain(`\`${f.key}\``);
    expect(t.body).toContain(`dedupe marker \`${dedupeMarker(f.key)}\``);
  });

  it('redacts secrets from every text', () => {
    const f = finding({ reason: `password ${SECRET} found in a variable` });
    const t = renderer.ticket({ groupKey: f.key, marker: 'm', findings: [f] });
    expect(JSON.stringify(t)).not.toContain(SECRET);
    expect(renderer.reopened([f], 'run-8', '2026-11-04T02:00:00.000Z')).not.toContain(SECRET);
  });

  it('writes a reminder with the first-seen date and the interval', () => {
    expect(renderer.reminder([finding()], 'run-9', '2026-11-10T02:00:00.000Z')).toBe(
      'Still open: audit-hub run `run-9` still flags this at 2026-11-10 02:00 UTC (first seen 2026-11-03 02:00 UTC).\nReminders come at most every 7 days while the finding stays open.',
    );
  });
});

describe('ticket groups and markers', () => {
  const f = { key: 'RM-ACC-001|vault:jdoe:prod-db', controlId: 'RM-ACC-001', service: null };

  it('groups per finding, or per control and service when a service is known', () => {
    expect(ticketGroupKey({ ...f, service: 'pay' }, 'per-finding')).toBe(f.key);
    expect(ticketGroupKey({ ...f, service: 'pay' }, 'per-control-service')).toBe('RM-ACC-001|pay');
    expect(ticketGroupKey(f, 'per-control-service')).toBe(f.key);
  });

  it('derives a stable, label-safe marker from the group key', () => {
    expect(dedupeMarker(f.key)).toMatch(/^[0-9a-f]{16}$/);
    expect(dedupeMarker(f.key)).toBe(dedupeMarker(f.key));
    expect(dedupeMarker(f.key)).not.toBe(dedupeMarker('RM-ACC-001|vault:jdoe:prod-db2'));
  });
});

describe('subject links', () => {
  const links = new SubjectLinkBuilder([
    { id: 'gitlab', plugin: 'gitlab', baseUrl: 'https://gitlab.example.com' },
    { id: 'jenkins', plugin: 'jenkins', baseUrl: 'https://ci.example.com/' },
  ]);

  it('links GitLab MRs and commits, and Jenkins builds through their folders', () => {
    expect(links.link('merge_request', 'gitlab:acme/pay!12')?.url).toBe(
      'https://gitlab.example.com/acme/pay/-/merge_requests/12',
    );
    expect(links.link('commit', 'gitlab:acme/pay@0123456789abcdef0123456789abcdef01234567')?.url).toBe(
      'https://gitlab.example.com/acme/pay/-/commit/0123456789abcdef0123456789abcdef01234567',
    );
    expect(links.link('deployment', 'jenkins:payments/payments-api-deploy#311')?.url).toBe(
      'https://ci.example.com/job/payments/job/payments-api-deploy/311/',
    );
  });

  it('gives no link for unknown connectors or subjects without a page', () => {
    expect(links.link('deployment', 'other:x#1')).toBeUndefined();
    expect(links.link('service', 'pay@production')).toBeUndefined();
  });
});
