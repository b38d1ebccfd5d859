/**
 * Text pasted into the estate's free-text fields, as people paste tokens into commit messages,
 * merge request descriptions, change tickets and build parameters. A fault test pastes a
 * configured secret (and its encoded forms) and checks that none of it reaches any output; every
 * upstream renders these fields in its own wire shape, so the secret arrives in normalized fields
 * and in the raw JSON alike. Identifiers (names, refs, versions, environments) are left alone, so
 * every planted case is still found.
 */
import type { Estate } from './estate.model';

/** How many values of each field were given the text. */
export type PastedFields = Record<string, number>;

/**
 * Appends ` <text>` to every free-text field of the estate and adds a `RELEASE_NOTES` variable
 * (GitLab pipelines) and parameter (Jenkins builds) holding it. Returns what it changed.
 */
export function pasteIntoEstate(estate: Estate, text: string): PastedFields {
  const counts: PastedFields = {};
  const paste = (field: string, value: string): string => {
    counts[field] = (counts[field] ?? 0) + 1;
    return `${value} ${text}`;
  };

  for (const commit of estate.commits) {
    const title = paste('commit.title', commit.title);
    // GitLab's title is the message's first line.
    commit.message = commit.message.startsWith(commit.title)
      ? title + commit.message.slice(commit.title.length)
      : paste('commit.message', commit.message);
    commit.title = title;
  }
  for (const mr of estate.mergeRequests) {
    mr.title = paste('mergeRequest.title', mr.title);
    mr.description = paste('mergeRequest.description', mr.description);
  }
  for (const pipeline of estate.pipelines) {
    counts['pipeline.variables'] = (counts['pipeline.variables'] ?? 0) + 1;
    pipeline.variables.push({ key: 'RELEASE_NOTES', value: text, variableType: 'env_var' });
  }
  for (const deployment of estate.deployments) {
    for (const approval of deployment.approvals) {
      approval.comment = paste('deployment.approval.comment', approval.comment ?? '');
    }
  }
  for (const change of estate.changes) {
    change.shortDescription = paste('change.shortDescription', change.shortDescription);
    change.description = paste('change.description', change.description);
    for (const revision of change.revisions) {
      revision.closeNotes = paste('change.closeNotes', revision.closeNotes);
    }
  }
  for (const approval of estate.changeApprovals) {
    for (const revision of approval.revisions) {
      revision.comment = paste('changeApproval.comment', revision.comment);
    }
  }
  for (const job of estate.ciJobs) job.description = paste('ciJob.description', job.description);
  for (const build of estate.ciBuilds) {
    counts['ciBuild.parameters'] = (counts['ciBuild.parameters'] ?? 0) + 1;
    build.parameters.push({ name: 'RELEASE_NOTES', value: text, kind: 'string' });
    for (const change of build.changeSet) change.message = paste('ciBuild.changeSet', change.message);
  }
  for (const service of estate.services)
    service.description = paste('service.description', service.description);
  for (const group of estate.groups) group.description = paste('group.description', group.description);
  for (const person of estate.people) person.title = paste('person.title', person.title);
  for (const policy of estate.access.policies)
    policy.description = paste('policy.description', policy.description);
  for (const safe of estate.access.safes) safe.description = paste('safe.description', safe.description);
  // The fakes rebuild their indexes when the version moves.
  estate.version++;
  return counts;
}
