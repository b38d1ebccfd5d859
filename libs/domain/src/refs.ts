/**
 * Subject refs and finding keys (shared/spec/interfaces.md "Subject refs and finding keys").
 * Every ref is built here, so a finding key never drifts between controls, reports and tickets.
 */

export type SubjectType = 'deployment' | 'change' | 'merge_request' | 'commit' | 'entitlement' | 'service';

/** GitLab: `<connector>:<project path>#<deployment id>`; Jenkins: `<connector>:<job fullName>#<build>`. */
export function deploymentRef(connector: string, project: string, id: string | number): string {
  return `${connector}:${project}#${id}`;
}

/** Deployment ref from a stored deployment's externalId (Jenkins ids already hold `job#number`). */
export function deploymentRefFromExternalId(connector: string, project: string, externalId: string): string {
  return externalId.includes('#')
    ? `${connector}:${externalId}`
    : deploymentRef(connector, project, externalId);
}

export function changeRef(connector: string, number: string): string {
  return `${connector}:${number}`;
}

export function mergeRequestRef(connector: string, project: string, iid: string | number): string {
  return `${connector}:${project}!${iid}`;
}

export function commitRef(gitlabConnector: string, project: string, sha: string): string {
  return `${gitlabConnector}:${project}@${sha}`;
}

export function entitlementRef(connector: string, holder: string, resource: string): string {
  return `${connector}:${holder}:${resource}`;
}

export function serviceRef(service: string): string {
  return `${service}@production`;
}

export function findingKey(controlId: string, subjectRef: string): string {
  return `${controlId}|${subjectRef}`;
}

/** External ids of the record kinds whose id is composite (records.md). */
export const externalIds = {
  mergeRequest: (project: string, iid: string | number) => `${project}!${iid}`,
  commit: (project: string, sha: string) => `${project}@${sha}`,
  jenkinsBuild: (jobFullName: string, number: number) => `${jobFullName}#${number}`,
  deploymentMr: (deployment: string, mergeRequest: string) => `${deployment}→${mergeRequest}`,
  groupMembership: (group: string, member: string) => `${group}/${member}`,
  entitlement: (holder: string, resource: string) => `${holder}:${resource}`,
};
