/**
 * The remediation pipeline over a real database and the sandbox's tracker fakes: findings applied
 * through the real FindingService (so the outbox is written in the transition's transaction), the
 * relay connecting the tracker through the real ConnectorRegistry, and one clock for the hub and
 * the fakes so that backoffs, search lag and reminder intervals pass without sleeping.
 */
import { Writable } from 'node:stream';
import type { DataSource } from 'typeorm';
import { controlDefinition, type Severity } from '@audit-hub/domain';
import type { AuditHubPlugin } from '@audit-hub/plugin-sdk';
import { plugin as jiraPlugin } from '@audit-hub/plugin-jira';
import { plugin as gitlabIssuesPlugin } from '@audit-hub/plugin-gitlab-issues';
import { AppLogger } from '../../apps/hub/src/common/app-logger';
import { Clock } from '../../apps/hub/src/common/clock';
import { parseConfig, type LoadedConfig } from '../../apps/hub/src/config/config.loader';
import { Redactor } from '../../apps/hub/src/config/redactor';
import { ConnectorRegistry } from '../../apps/hub/src/connectors/connector.registry';
import type { Flag } from '../../apps/hub/src/controls/control';
import type { EffectiveControl } from '../../apps/hub/src/controls/control.registry';
import type { FindingTransitionListener } from '../../apps/hub/src/findings/finding-transition.listener';
import { FindingService } from '../../apps/hub/src/findings/finding.service';
import { PluginRegistry, type LoadedPlugin } from '../../apps/hub/src/plugins/plugin-registry';
import { RemediationActionEntity } from '../../apps/hub/src/remediation/remediation-action.entity';
import { RemediationOutboxListener } from '../../apps/hub/src/remediation/remediation-outbox.listener';
import { RemediationOutboxStore } from '../../apps/hub/src/remediation/remediation-outbox.store';
import { RemediationRunListener } from '../../apps/hub/src/remediation/remediation-run.listener';
import { RemediationTicketEntity } from '../../apps/hub/src/remediation/remediation-ticket.entity';
import { RemediationPlanner } from '../../apps/hub/src/remediation/remediation.planner';
import { RemediationRelay } from '../../apps/hub/src/remediation/remediation.relay';
import { TicketTextRenderer } from '../../apps/hub/src/remediation/ticket-text.renderer';
import { FindingEventEntity } from '../../apps/hub/src/store/entities/finding-event.entity';
import { FindingEntity } from '../../apps/hub/src/store/entities/finding.entity';
import {
  createGitlabIssuesFake,
  GitlabIssuesFakeState,
} from '../../apps/sandbox/src/fakes/gitlab-issues.fake';
import { createJiraFake, JiraFakeState } from '../../apps/sandbox/src/fakes/jira.fake';
import { serveFakes, type BodyFakeHandler, type FakeServer } from './tracker-fakes';

export const TRACKERS = ['jira-cloud', 'jira-datacenter', 'gitlab-issues'] as const;
export type TrackerKind = (typeof TRACKERS)[number];

export const T0 = new Date('2026-03-02T02:00:00.000Z');
export const TRACKER_TOKEN = 'tracker-token-s3cr3t-Zq81';
export const EMAIL = 'audit@acme.com';
/** Jira Cloud's search lag in these tests (the fake's index delay and the plugin's wait). */
export const SEARCH_LAG_MS = 5000;

/** The hub's clock, moved by hand; the fakes read it too. */
export class TestClock extends Clock {
  private ms?: number;
  override now(): Date {
    return new Date(this.ms ?? T0.getTime());
  }
  set(at: Date): void {
    this.ms = at.getTime();
  }
  advance(ms: number): void {
    this.ms = this.now().getTime() + ms;
  }
}

/** A ticket as the fakes hold it, whatever the tracker. */
export interface FakeTicket {
  key: string;
  open: boolean;
  title: string;
  body: string;
  labels: string[];
  comments: string[];
}

export interface HarnessOptions {
  /** A migrated database (one per test file keeps PostgreSQL fast); emptied of findings and outbox first. */
  ds: DataSource;
  tracker: TrackerKind;
  remediation?: {
    minSeverity?: Severity;
    grouping?: 'per-finding' | 'per-control-service';
    reminderDays?: number;
  };
  /** Extra YAML sections (exceptions, services). */
  yaml?: string;
  /** The store the relay commits through (a test makes one of its commits fail). */
  store?: (ds: DataSource) => RemediationOutboxStore;
  /** Wraps the tracker fake (a test makes it answer something odd). */
  wrap?: (handler: BodyFakeHandler) => BodyFakeHandler;
  /** Listeners after the outbox's (a test makes one throw, to roll the transition back). */
  moreListeners?: FindingTransitionListener[];
}

export interface Harness {
  ds: DataSource;
  clock: TestClock;
  loaded: LoadedConfig;
  relay: RemediationRelay;
  planner: RemediationPlanner;
  logger: AppLogger;
  runs: RemediationRunListener;
  listener: RemediationOutboxListener;
  jira: JiraFakeState;
  gitlab: GitlabIssuesFakeState;
  logs: string[];
  /** One evaluation of RM-CHG-001 that flags exactly these subjects. */
  apply(runId: string, flags: Flag[], service?: FindingService): Promise<void>;
  /** The same config with more YAML (exceptions), for a FindingService that sees it. */
  findingsWith(yaml: string): FindingService;
  /** The run-end listener: reminders, missing tickets, then the relay. */
  finish(runId: string): Promise<void>;
  tickets(): FakeTicket[];
  /** Sets the tracker down (503) or up (null). */
  outage(status: number | null): void;
  requests(): string[];
  actions(): Promise<RemediationActionEntity[]>;
  ticketRows(): Promise<RemediationTicketEntity[]>;
  finding(key: string): Promise<FindingEntity | null>;
  close(): Promise<void>;
}

/** Findings, their events and the outbox: what each test starts without. */
export async function emptyTables(ds: DataSource): Promise<void> {
  for (const entity of [RemediationActionEntity, RemediationTicketEntity, FindingEventEntity, FindingEntity])
    await ds.getRepository(entity).clear();
}

/** Ticket text without the trackers' inline-code marks (Markdown backticks, wiki `{{…}}`). */
export function plain(text: string): string {
  return text.replace(/`|\{\{|\}\}/g, '');
}

export function flag(id: number, patch: Partial<Flag> = {}): Flag {
  return {
    subjectType: 'deployment',
    subjectRef: `gitlab:acme/pay#${id}`,
    subjectConnector: 'gitlab',
    service: 'pay',
    environment: 'production',
    reason: `Deployment ${id} reached production with no linked change.`,
    related: [{ type: 'change', ref: 'servicenow:CHG0000001' }],
    input: { deployment: id },
    ...patch,
  };
}

export function findingKey(id: number): string {
  return `RM-CHG-001|gitlab:acme/pay#${id}`;
}

const RM_CHG_001: EffectiveControl = {
  definition: controlDefinition('RM-CHG-001')!,
  control: { definition: controlDefinition('RM-CHG-001')!, evaluate: async () => [] },
  enabled: true,
  severity: 'high',
  params: {},
};

function trackerYaml(tracker: TrackerKind, url: string): string {
  if (tracker === 'gitlab-issues')
    return `
  - id: tracker
    plugin: gitlab-issues
    baseUrl: ${url}/gitlab-issues
    auth: { token: "\${env:TRACKER_TOKEN}" }
    options: { project: acme/security, labels: [compliance] }
    http: { retries: 0, timeoutMs: 5000 }`;
  const cloud = tracker === 'jira-cloud';
  return `
  - id: tracker
    plugin: jira
    baseUrl: ${url}/jira
    auth: { ${cloud ? `email: ${EMAIL}, ` : ''}token: "\${env:TRACKER_TOKEN}" }
    options: { project: SEC, flavor: ${cloud ? 'cloud' : 'datacenter'}${cloud ? `, searchConsistencyMs: ${SEARCH_LAG_MS}` : ''} }
    http: { retries: 0, timeoutMs: 5000 }`;
}

class TestPlugins extends PluginRegistry {
  private static readonly OWN: Record<string, AuditHubPlugin> = {
    jira: jiraPlugin,
    'gitlab-issues': gitlabIssuesPlugin,
  };
  override load(ref: string): LoadedPlugin {
    const own = TestPlugins.OWN[ref];
    return own ? { ref, packageName: `@audit-hub/plugin-${ref}`, plugin: own } : super.load(ref);
  }
}

export async function createHarness(opts: HarnessOptions): Promise<Harness> {
  const clock = new TestClock();
  const jira = new JiraFakeState();
  const gitlab = new GitlabIssuesFakeState();
  const cloud = opts.tracker === 'jira-cloud';
  const jiraHandler = createJiraFake({
    email: EMAIL,
    token: TRACKER_TOKEN,
    now: () => clock.now(),
    indexDelayMs: cloud ? SEARCH_LAG_MS : 0,
    state: jira,
  });
  const gitlabHandler = createGitlabIssuesFake({
    token: TRACKER_TOKEN,
    now: () => clock.now(),
    state: gitlab,
  });
  const wrap = opts.wrap ?? ((h: BodyFakeHandler) => h);
  const server: FakeServer = await serveFakes({
    '/jira': wrap(jiraHandler),
    '/gitlab-issues': wrap(gitlabHandler),
  });

  const r = opts.remediation ?? {};
  const yaml = (extra: string) => `
connectors:
  - id: gitlab
    plugin: gitlab
    baseUrl: https://gitlab.example.com
    auth: { token: glpat-collector-token }${trackerYaml(opts.tracker, server.url)}
services:
  - { name: pay, team: payments }
  - { name: web, team: web }
remediation:
  tracker: tracker
  minSeverity: ${r.minSeverity ?? 'high'}
  grouping: ${r.grouping ?? 'per-finding'}
  reminderDays: ${r.reminderDays ?? 7}
${extra}`;
  const env = { TRACKER_TOKEN: TRACKER_TOKEN };
  const loaded = parseConfig(yaml(opts.yaml ?? ''), { env });
  const config = loaded.config;

  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const redactor = new Redactor(loaded.secrets);
  const logger = new AppLogger(redactor, undefined, sink);
  const ds = opts.ds;
  await emptyTables(ds);
  const store = opts.store?.(ds) ?? new RemediationOutboxStore(ds);
  const registry = new ConnectorRegistry(loaded, new TestPlugins(), redactor, clock, logger);
  const renderer = new TicketTextRenderer(config, redactor);
  const planner = new RemediationPlanner(config, ds, store, renderer, clock);
  const listener = new RemediationOutboxListener(planner);
  const relay = new RemediationRelay(config, store, registry, clock, redactor, logger);
  const runs = new RemediationRunListener(planner, relay, logger);
  const listeners = [listener, ...(opts.moreListeners ?? [])];
  const findings = new FindingService(config, ds, listeners);

  const noScope = { none: false, blockedConnectors: new Set<string>() };
  return {
    ds,
    clock,
    loaded,
    relay,
    planner,
    logger,
    runs,
    listener,
    jira,
    gitlab,
    logs,
    apply: async (runId, flags, service = findings) => {
      await service.apply(runId, clock.now(), RM_CHG_001, flags, noScope);
    },
    findingsWith: (extra) => new FindingService(parseConfig(yaml(extra), { env }).config, ds, listeners),
    finish: (runId) => runs.onRunFinished(runId, 'complete'),
    tickets: () =>
      opts.tracker === 'gitlab-issues'
        ? gitlab.issues.map((i) => ({
            key: `acme/security#${i.iid}`,
            open: i.state === 'opened',
            title: i.title,
            body: i.description ?? '',
            labels: i.labels,
            comments: i.notes.map((n) => n.body),
          }))
        : jira.issues.map((i) => ({
            key: i.key,
            open: i.status !== 'Done',
            title: i.summary,
            body: i.descriptionText,
            labels: i.labels,
            comments: i.comments.map((c) => c.text),
          })),
    outage: (status) => {
      jira.outage = status === null ? null : { status };
      gitlab.outage = status === null ? null : { status };
    },
    requests: () => (opts.tracker === 'gitlab-issues' ? gitlab.requests : jira.requests),
    actions: () => ds.getRepository(RemediationActionEntity).find({ order: { id: 'ASC' } }),
    ticketRows: () => ds.getRepository(RemediationTicketEntity).find(),
    finding: (key) => ds.getRepository(FindingEntity).findOneBy({ key }),
    close: () => server.close(),
  };
}
