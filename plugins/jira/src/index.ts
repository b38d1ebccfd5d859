import { plugin } from './jira.plugin';

export { plugin };
export default plugin;
export {
  JiraAuth,
  JiraOptions,
  detectFlavor,
  resolveOptions,
  type JiraFlavor,
  type ResolvedJiraOptions,
} from './jira.config';
export { markerLabel, type JiraTracker } from './jira.tracker';
export { toAdf, toWiki, type AdfDocument } from './jira-document.format';
