import { plugin } from './sonarqube.plugin';

export { plugin };
export default plugin;
export {
  SonarQubeAuth,
  SonarQubeOptions,
  resolveOptions,
  SONARQUBE_MAX_PAGE_SIZE,
  SONARQUBE_DEFAULT_PAGE_SIZE,
  type ResolvedSonarQubeOptions,
  type SonarQubeAuthScheme,
} from './sonarqube.config';
export {
  QUALITY_GATES_KINDS,
  QUALITY_GATES_STREAM,
  parseCursor,
  type SonarQubeCursor,
} from './sonarqube-quality-gates.stream';
export { mapQualityGate, sonarTimeToIso, formatSonarTime } from './sonarqube-quality-gate.mapper';
export { SonarQubeClient, PATHS, SEARCH_RESULT_LIMIT } from './sonarqube.client';
export { parseSonarVersion, schemeFor, BEARER_SINCE_MAJOR, type SonarVersion } from './sonarqube-version';
export { createSonarQubeAuth, SERVER_VERSION_PATH } from './sonarqube.auth';
export { cataloguedKeys } from './sonarqube-projects.resolver';
