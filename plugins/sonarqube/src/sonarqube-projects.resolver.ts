/**
 * Which projects a run audits: the configured project keys, or, with none, every project
 * (qualifier `TRK`) the token's user may browse, from `api/components/search`, and the project key
 * of every service in the catalog. That search is permission-filtered and needs no admin right,
 * unlike `api/projects/search` ('Administer System'); being filtered, it cannot show a project the
 * token may not browse, which would then pass for a project without analyses. The catalog's keys
 * are therefore read as well: SonarQube answers 403 for a project that exists and may not be
 * browsed, so that project becomes a problem instead of vanishing.
 */
import { isUpstreamError } from '@audit-hub/http';
import type { ServiceKeys, StreamProblem } from '@audit-hub/plugin-sdk';
import { SEARCH_RESULT_LIMIT, type SonarQubeClient } from './sonarqube.client';
import type { ResolvedSonarQubeOptions } from './sonarqube.config';

export interface ProjectResolution {
  /** Project keys, each once, in the order configured or discovered (catalogued ones after). */
  projects: string[];
  /** Keys taken from the service catalog and not discovered: a 404 there is no project, not a problem. */
  catalogued: Set<string>;
  /** A discovery page that could not be read, or the search's cap: projects are missing from this run. */
  problems: StreamProblem[];
}

export const DISCOVERY_WHERE = 'project discovery (GET /api/components/search?qualifiers=TRK)';

/** The SonarQube project key of each catalogued service (`keys.<connector id>`, else `keys.sonarqube`). */
export function cataloguedKeys(services: readonly ServiceKeys[], connectorId: string): string[] {
  const keys = services.map((service) => service.keys?.[connectorId] ?? service.keys?.sonarqube);
  return [...new Set(keys.filter((key): key is string => typeof key === 'string' && key.trim() !== ''))];
}

export async function resolveProjects(
  client: SonarQubeClient,
  options: Pick<ResolvedSonarQubeOptions, 'projects'>,
  catalogue: readonly string[] = [],
): Promise<ProjectResolution> {
  if (options.projects.length > 0)
    return { projects: [...options.projects], catalogued: new Set(), problems: [] };
  const keys = new Set<string>();
  const problems: StreamProblem[] = [];
  try {
    for await (const page of client.projects()) {
      for (const component of page.items) {
        if (typeof component?.key === 'string' && component.key.trim() !== '') keys.add(component.key);
      }
      if (page.capped) {
        problems.push({
          where: DISCOVERY_WHERE,
          error:
            `${page.total} projects are visible, but SonarQube's search returns only the first ` +
            `${SEARCH_RESULT_LIMIT.toLocaleString('en-US')}: the others (except the catalogued services' projects) are not read`,
          code: 'sonarqube-discovery-limit',
          fix: 'list the projects to audit in options.projects, or give every service its sonarqube key in the service catalog',
        });
      }
    }
  } catch (err) {
    if (!(isUpstreamError(err) && err.code === 'malformed')) throw err;
    problems.push({ where: DISCOVERY_WHERE, error: err.message });
  }
  const catalogued = new Set(catalogue.filter((key) => !keys.has(key)));
  return { projects: [...keys, ...catalogued], catalogued, problems };
}
