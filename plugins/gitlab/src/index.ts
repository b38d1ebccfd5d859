import { plugin } from './gitlab.plugin';

export { plugin };
export default plugin;
export { GitLabAuth, GitLabOptions, resolveOptions, type ResolvedGitLabOptions } from './gitlab.config';
export {
  DEPLOYMENTS_KINDS,
  DEPLOYMENTS_STREAM,
  parseCursor,
  type GitLabDeploymentsCursor,
} from './gitlab-deployments.stream';
