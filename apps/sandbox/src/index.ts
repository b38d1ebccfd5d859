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
export { createGitlabFake, type GitlabFakeOptions } from './fakes/gitlab.fake';
export { createServicenowFake, type ServicenowFakeOptions } from './fakes/servicenow.fake';
export { createJenkinsFake, type JenkinsFakeOptions } from './fakes/jenkins.fake';
export { createSonarqubeFake, type SonarqubeFakeOptions } from './fakes/sonarqube.fake';
export { createVaultFake, type VaultFakeOptions } from './fakes/vault.fake';
export { createCyberarkFake, type CyberarkFakeOptions } from './fakes/cyberark.fake';
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
export { startSandbox, type Sandbox, type SandboxOptions } from './sandbox.server';
export {
  buildSandboxConfigYaml,
  type SandboxConfigOptions,
  type SandboxConnectorHttp,
  type SandboxCredentials,
} from './sandbox-config.builder';
