/**
 * Which projects a run audits: the configured project keys, or, with none, every project
 * (qualifier `TRK`) the token's user may browse, from `api/components/search`. That search is
 * permission-filtered and needs no admin right, unlike `api/projects/search` ('Administer System').
 */
import { isUpstreamError } from '@audit-hub/http';
import type { StreamProblem } from '@audit-hub/plugin-sdk';
import type { SonarQubeClient } from './sonarqube.client';
import type { ResolvedSonarQubeOptions } from './sonarqube.config';

export interface ProjectResolution {
  /** Project keys, each once, in the order configured or discovered. */
  projects: string[];
  /** A discovery page that could not be read: the projects after it are missing from this run. */
  problems: StreamProblem[];
}

export async function resolveProjects(
  client: SonarQubeClient,
  options: Pick<ResolvedSonarQubeOptions, 'projects'>,
): Promise<ProjectResolution> {
  if (options.projects.length > 0) return { projects: [...options.projects], problems: [] };
  const keys = new Set<string>();
  try {
    for await (const page of client.projects()) {
      for (const component of page.items) {
        if (typeof component?.key === 'string' && component.key.trim() !== '') keys.add(component.key);
      }
    }
  } catch (err) {
    if (!(isUpstreamError(err) && err.code === 'malformed')) throw err;
    return {
      projects: [...keys],
      problems: [
        { where: 'project discovery (GET /api/components/search?qualifiers=TRK)', error: err.message },
      ],
    };
  }
  return { projects: [...keys], problems: [] };
}
