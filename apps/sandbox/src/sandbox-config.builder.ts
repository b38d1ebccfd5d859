import { Document } from 'yaml';
import type { Estate } from './estate/estate.model';

/** Credentials the sandbox's fake upstreams accept; written literally into the generated config. */
export interface SandboxCredentials {
  gitlabToken: string;
  servicenowUser: string;
  servicenowPassword: string;
}

export interface SandboxConfigInput {
  url: string;
  estate: Estate;
  credentials: SandboxCredentials;
}

/**
 * An audit-hub config (interfaces.md format) pointing at a running sandbox: the GitLab and
 * ServiceNow connectors, the service catalog, identities and roles. The secrets are the sandbox's
 * own throwaway values, so they are written as literals rather than `${env:…}` references.
 */
export function buildSandboxConfigYaml({ url, estate, credentials }: SandboxConfigInput): string {
  const config = {
    collect: { since: '90d' },
    linking: { changePattern: '\\bCHG\\d{7}\\b' },
    connectors: [
      {
        id: 'gitlab',
        plugin: 'gitlab',
        baseUrl: `${url}/gitlab`,
        auth: { token: credentials.gitlabToken },
        options: { groups: [estate.organization.path] },
      },
      {
        id: 'servicenow',
        plugin: 'servicenow',
        baseUrl: `${url}/servicenow`,
        auth: { username: credentials.servicenowUser, password: credentials.servicenowPassword },
      },
    ],
    services: estate.services
      .filter((s) => !s.archived)
      .map((s) => ({
        name: s.name,
        criticality: s.criticality,
        team: s.team,
        ...(s.personalData ? { personalData: true } : {}),
        keys: { gitlab: s.gitlabPath },
      })),
    identities: { sources: ['servicenow'], serviceAccountPattern: '^svc[-_]' },
    roles: {
      developer: { groups: ['servicenow:Developers'] },
      'break-glass': { groups: ['servicenow:SRE'] },
    },
  };
  const doc = new Document(config);
  doc.commentBefore =
    ` audit-hub config for the simulated estate at ${url} (seed ${estate.seed}, scale ${estate.scale}).\n` +
    " The credentials are the sandbox's own throwaway values.";
  return doc.toString({ lineWidth: 0 });
}
