/** The simulated estate: a fake enterprise whose upstreams speak the real vendor wire shapes. */
export * from './estate/estate.model';
export { generateEstate, advanceEstate, type GenerateEstateOptions } from './estate/estate.generator';
export {
  expectedFindings,
  plantedCases,
  flaggedAt,
  type ConnectorIds,
  type ExpectedFinding,
  type PlantedCaseView,
} from './estate/estate.manifest';
export { RESOLVE_AFTER, REOPEN_AFTER, MISSING_CHANGE, LATE_CHANGE } from './estate/planted.scenarios';
export { createGitlabFake, type GitlabFakeOptions } from './fakes/gitlab.fake';
export { createServicenowFake, type ServicenowFakeOptions } from './fakes/servicenow.fake';
export type { FakeHandler, FakeRequest, FakeResponse } from './fakes/fake-http.util';
export { startSandbox, type Sandbox, type SandboxOptions } from './sandbox.server';
export { buildSandboxConfigYaml, type SandboxCredentials } from './sandbox-config.builder';
