/**
 * Which projects a run audits: the configured projects and the projects of the configured groups
 * (subgroups included); with neither, every unarchived project the token is a member of.
 */
import { isUpstreamError } from '@audit-hub/http';
import type { StreamProblem } from '@audit-hub/plugin-sdk';
import type { ResolvedGitLabOptions } from './gitlab.config';
import type { GitLabClient, ListPage } from './gitlab.client';
import type { GitLabProject } from './gitlab.types';

export interface ResolvedProject {
  id: number;
  /** `path_with_namespace` as GitLab names it now. */
  path: string;
}

export interface ProjectResolution {
  projects: ResolvedProject[];
  /** Configured projects or groups that could not be read, and discovery pages that were unreadable. */
  problems: StreamProblem[];
}

export async function resolveProjects(
  client: GitLabClient,
  options: Pick<ResolvedGitLabOptions, 'projects' | 'groups'>,
): Promise<ProjectResolution> {
  const byId = new Map<number, ResolvedProject>();
  const problems: StreamProblem[] = [];
  const add = (project: GitLabProject) => {
    if (typeof project?.id !== 'number' || byId.has(project.id)) return;
    byId.set(project.id, { id: project.id, path: project.path_with_namespace ?? String(project.id) });
  };

  for (const configured of options.projects) {
    try {
      add((await client.project(configured)).data);
    } catch (err) {
      if (!isMissing(err)) throw err;
      problems.push({
        where: `project "${configured}"`,
        error: `${message(err)} (not found, or not visible to the token)`,
      });
    }
  }

  for (const group of options.groups) {
    try {
      await collect(client.groupProjects(group), add);
    } catch (err) {
      if (isMissing(err)) {
        problems.push({
          where: `group "${group}"`,
          error: `${message(err)} (not found, or not visible to the token)`,
        });
      } else if (isUpstreamError(err) && err.code === 'malformed') {
        problems.push({ where: `group "${group}" projects`, error: err.message });
      } else {
        throw err;
      }
    }
  }

  if (options.projects.length === 0 && options.groups.length === 0) {
    try {
      await collect(client.memberProjects(), add);
    } catch (err) {
      if (!(isUpstreamError(err) && err.code === 'malformed')) throw err;
      problems.push({ where: 'project discovery (GET /projects?membership=true)', error: err.message });
    }
  }

  return { projects: [...byId.values()], problems };
}

async function collect(pages: AsyncGenerator<ListPage<GitLabProject>>, add: (p: GitLabProject) => void) {
  for await (const page of pages) page.items.forEach(add);
}

function isMissing(err: unknown): boolean {
  return isUpstreamError(err) && (err.code === 'not_found' || err.code === 'forbidden');
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
