/** The simulated estate: a fake enterprise whose upstreams speak the real vendor wire shapes. */
export * from './estate/estate.model';
export { generateEstate, advanceEstate, type GenerateEstateOptions } from './estate/estate.generator';
export {
  expectedFindings,
  plantedCases,
  flaggedAt,
  manifestDocument,
  subjectRefOf,
  DEFAULT_CONNECTORS,
  type ConnectorIds,
  type ExpectedFinding,
  type PlantedCaseView,
} from './estate/estate.manifest';
export { RESOLVE_AFTER, REOPEN_AFTER, MISSING_CHANGE, LATE_CHANGE } from './estate/planted.scenarios';
export { pasteIntoEstate, type PastedFields } from './estate/pasted-text.scenario';
export {
  createGitlabFake,
  GITLAB_LOSSY_BEHAVIOURS,
  GITLAB_TRANSPARENT_BEHAVIOURS,
  type GitlabBehaviours,
  type GitlabFakeOptions,
} from './fakes/gitlab.fake';
export {
  GITLAB_ISSUES_LOSSY_BEHAVIOURS,
  GITLAB_ISSUES_TRANSPARENT_BEHAVIOURS,
  type GitlabIssuesBehaviours,
} from './fakes/gitlab-issues.fake';
export {
  createServicenowFake,
  SERVICENOW_LOSSY_BEHAVIOURS,
  SERVICENOW_TRANSPARENT_BEHAVIOURS,
  type ServicenowBehaviours,
  type ServicenowFakeOptions,
} from './fakes/servicenow.fake';
export {
  createJenkinsFake,
  JENKINS_LOSSY_BEHAVIOURS,
  JENKINS_TRANSPARENT_BEHAVIOURS,
  jenkinsJobName,
  type JenkinsBehaviours,
  type JenkinsFakeOptions,
} from './fakes/jenkins.fake';
export {
  createSonarqubeFake,
  SONARQUBE_LOSSY_BEHAVIOURS,
  SONARQUBE_TRANSPARENT_BEHAVIOURS,
  type SonarqubeBehaviours,
  type SonarqubeFakeOptions,
} from './fakes/sonarqube.fake';
export {
  createVaultFake,
  VAULT_LOSSY_BEHAVIOURS,
  VAULT_TRANSPARENT_BEHAVIOURS,
  type VaultBehaviours,
  type VaultFakeOptions,
} from './fakes/vault.fake';
export {
  createCyberarkFake,
  CYBERARK_LOSSY_BEHAVIOURS,
  CYBERARK_TRANSPARENT_BEHAVIOURS,
  type CyberarkBehaviours,
  type CyberarkFakeOptions,
} from './fakes/cyberark.fake';
export { JIRA_LOSSY_BEHAVIOURS, JIRA_TRANSPARENT_BEHAVIOURS, type JiraBehaviours } from './fakes/jira.fake';
export type { FakeHandler, FakeRequest, FakeResponse } from './fakes/fake-http.util';
export {
  SANDBOX_SYSTEMS,
  type FaultKind,
  type FaultSwitches,
  type RequestLogEntry,
  type SandboxFaults,
  type SandboxSystem,
  type SystemStats,
} from './fault.switches';
export { startSandbox, type Sandbox, type SandboxBehaviours, type SandboxOptions } from './sandbox.server';
export {
  buildSandboxConfigYaml,
  type SandboxConfigOptions,
  type SandboxConnectorHttp,
  type SandboxCredentials,
} from './sandbox-config.builder';
