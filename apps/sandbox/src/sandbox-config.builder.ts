import { Document } from 'yaml';
import { DEFAULT_CONNECTORS, subjectRefOf } from './estate/estate.manifest';
import type { Estate } from './estate/estate.model';

/** Credentials the sandbox's fake upstreams accept; written literally into the generated config. */
export interface SandboxCredentials {
  gitlabToken: string;
  servicenowUser: string;
  servicenowPassword: string;
  jenkinsUser: string;
  jenkinsToken: string;
  sonarqubeToken: string;
  vaultToken: string;
  cyberarkUser: string;
  cyberarkPassword: string;
  jiraEmail: string;
  jiraToken: string;
}

/** A connector's `http:` policy in the generated config (interfaces.md). */
export interface SandboxConnectorHttp {
  timeoutMs?: number;
  concurrency?: number;
  retries?: number;
  maxRetryAfterMs?: number;
}

export interface SandboxConfigOptions {
  /** Files tickets for the findings in this tracker of the sandbox (`remediation.tracker`); default none. */
  tracker?: 'jira' | 'gitlab-issues';
  /**
   * Only these connectors (by id: `gitlab`, `servicenow`, `cmdb`, `jenkins`, `sonarqube`, `vault`,
   * `cyberark`, `jira`, `gitlab-issues`), for a smaller run; the tracker's is always kept. Default: all.
   */
  only?: readonly string[];
  /** Per connector id, its `http:` policy (short timeouts, fewer retries for fault tests). */
  http?: Readonly<Record<string, SandboxConnectorHttp>>;
  /**
   * Per connector id, plugin options merged over the generated ones; a key set to null is removed
   * (`gitlab: { groups: null, projects: ['acme/payments-api'] }`).
   */
  options?: Readonly<Record<string, Record<string, unknown>>>;
}

export interface SandboxConfigInput extends SandboxConfigOptions {
  url: string;
  estate: Estate;
  credentials: SandboxCredentials;
}

/** The SonarQube project key of a service (the sonarqube fake names projects so). */
export function sonarqubeKey(estate: Estate, service: string): string {
  return `${estate.organization.path}_${service}`;
}

/**
 * An audit-hub config (interfaces.md format) pointing at a running sandbox: a connector for every
 * simulated system (GitLab, ServiceNow and its CMDB, Jenkins, SonarQube, Vault, CyberArk, and the
 * Jira and GitLab issues trackers), the service catalog with each service's key in every system,
 * identities, roles, the production patterns, RM-SOD-003 switched on, and the exceptions the
 * planted cases need. The secrets are the sandbox's own throwaway values, so they are written as
 * literals rather than `${env:…}` references. GitLab and ServiceNow stay the first two connectors.
 */
export function buildSandboxConfigYaml(input: SandboxConfigInput): string {
  const { url, estate, credentials, tracker } = input;
  const config = {
    collect: { since: '90d' },
    linking: { changePattern: '\\bCHG\\d{7}\\b' },
    connectors: [
      {
        id: DEFAULT_CONNECTORS.gitlab,
        plugin: 'gitlab',
        baseUrl: `${url}/gitlab`,
        auth: { token: credentials.gitlabToken },
        options: { groups: [estate.organization.path] },
      },
      {
        id: DEFAULT_CONNECTORS.servicenow,
        plugin: 'servicenow',
        baseUrl: `${url}/servicenow`,
        auth: { username: credentials.servicenowUser, password: credentials.servicenowPassword },
      },
      {
        id: 'cmdb',
        plugin: 'cmdb',
        baseUrl: `${url}/servicenow`,
        auth: { username: credentials.servicenowUser, password: credentials.servicenowPassword },
        options: { table: 'cmdb_ci_appl' },
      },
      {
        id: DEFAULT_CONNECTORS.jenkins,
        plugin: 'jenkins',
        baseUrl: `${url}/jenkins`,
        auth: { username: credentials.jenkinsUser, token: credentials.jenkinsToken },
        options: {
          deployJobs: ['*-deploy'],
          environmentParameter: 'ENVIRONMENT',
          versionParameter: 'VERSION',
        },
      },
      {
        id: 'sonarqube',
        plugin: 'sonarqube',
        baseUrl: `${url}/sonarqube`,
        auth: { token: credentials.sonarqubeToken },
      },
      {
        id: DEFAULT_CONNECTORS.vault,
        plugin: 'vault',
        baseUrl: `${url}/vault`,
        auth: { token: credentials.vaultToken },
      },
      {
        id: DEFAULT_CONNECTORS.cyberark,
        plugin: 'cyberark',
        baseUrl: `${url}/cyberark`,
        auth: { username: credentials.cyberarkUser, password: credentials.cyberarkPassword },
        options: { authMethod: 'Cyberark' },
      },
      {
        id: 'jira',
        plugin: 'jira',
        baseUrl: `${url}/jira`,
        auth: { email: credentials.jiraEmail, token: credentials.jiraToken },
        options: { project: 'SEC', issueType: 'Task', flavor: 'cloud' },
      },
      {
        id: 'gitlab-issues',
        plugin: 'gitlab-issues',
        baseUrl: `${url}/gitlab`,
        auth: { token: credentials.gitlabToken },
        options: { project: `${estate.organization.path}/security` },
      },
    ],
    services: estate.services
      .filter((s) => !s.archived)
      .map((s) => ({
        name: s.name,
        criticality: s.criticality,
        team: s.team,
        ...(s.personalData ? { personalData: true } : {}),
        keys: {
          gitlab: s.gitlabPath,
          ...(s.jenkins ? { jenkins: s.jenkins.deployJob } : {}),
          sonarqube: sonarqubeKey(estate, s.name),
          cmdb: estate.configItems.find((ci) => ci.service === s.name)?.name ?? s.name,
        },
      })),
    identities: { sources: [DEFAULT_CONNECTORS.servicenow], serviceAccountPattern: '^svc[-_]' },
    roles: {
      developer: { groups: [`${DEFAULT_CONNECTORS.servicenow}:Developers`] },
      'break-glass': {
        groups: [`${DEFAULT_CONNECTORS.servicenow}:SRE`],
        ...(estate.breakGlassUsers.length ? { users: [...estate.breakGlassUsers] } : {}),
      },
    },
    production: { vaultPolicies: ['*prod*'], cyberarkSafes: ['PROD-*'] },
    controls: { 'RM-SOD-003': { enabled: true } },
    exceptions: estate.exceptions.map((e) => {
      const planted = estate.planted.find((p) => p.id === e.caseId);
      if (!planted) throw new Error(`sandbox config: exception for unknown planted case ${e.caseId}`);
      return {
        control: planted.controlId,
        subject: subjectRefOf(planted.subject),
        reason: e.reason,
        requestedBy: e.requestedBy,
        approvedBy: e.approvedBy,
        expires: e.expires,
      };
    }),
    ...(tracker ? { remediation: { tracker } } : {}),
  };
  config.connectors = trimConnectors(config.connectors, input);
  const doc = new Document(config);
  doc.commentBefore =
    ` audit-hub config for the simulated estate at ${url} (seed ${estate.seed}, scale ${estate.scale}).\n` +
    " The credentials are the sandbox's own throwaway values.";
  return doc.toString({ lineWidth: 0 });
}

/** The connectors `only` keeps (and the tracker's), with the `options` and `http` asked for. */
function trimConnectors<C extends { id: string; options?: object }>(
  connectors: C[],
  input: SandboxConfigOptions,
): C[] {
  const known = connectors.map((c) => c.id);
  const named = [
    ...(input.only ?? []),
    ...Object.keys(input.http ?? {}),
    ...Object.keys(input.options ?? {}),
  ];
  for (const id of named)
    if (!known.includes(id))
      throw new Error(`sandbox config: no connector "${id}" (one of ${known.join(', ')})`);
  return connectors
    .filter((c) => !input.only || input.only.includes(c.id) || c.id === input.tracker)
    .map((c) => ({
      ...c,
      ...(input.options?.[c.id] ? { options: mergeOptions(c.options, input.options[c.id]) } : {}),
      ...(input.http?.[c.id] ? { http: { ...input.http[c.id] } } : {}),
    }));
}

function mergeOptions(base: object | undefined, over: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base, ...over };
  for (const [key, value] of Object.entries(merged)) if (value === null) delete merged[key];
  return merged;
}
