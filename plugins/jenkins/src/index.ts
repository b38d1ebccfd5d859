import { plugin } from './jenkins.plugin';

export { plugin };
export default plugin;
export { JenkinsAuth, JenkinsOptions, resolveOptions, type ResolvedJenkinsOptions } from './jenkins.config';
export { BUILD_TREE_FIELDS, FOLDER_TREE, ITEM_TREE_FIELDS, buildsTree, jobPath } from './jenkins.client';
export { DEPLOYMENTS_KINDS, DEPLOYMENTS_STREAM } from './jenkins-deployments.stream';
export { BUILDS_KINDS, BUILDS_STREAM } from './jenkins-builds.stream';
export { parseCursor, type JenkinsJobsCursor } from './jenkins-build-history.reader';
export {
  looksLikeLibrary,
  repositoryHintFor,
  selectCheckout,
  urlIsRepository,
  type GitCheckout,
  type RepositoryHint,
} from './jenkins-revision.selector';
