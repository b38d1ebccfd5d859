import { plugin } from './gitlab-issues.plugin';

export { plugin };
export default plugin;
export {
  GitLabIssuesAuth,
  GitLabIssuesOptions,
  resolveOptions,
  type ResolvedGitLabIssuesOptions,
} from './gitlab-issues.config';
export { issueIid, markerLabel } from './gitlab-issues.tracker';
