/**
 * The previous successful deployment of a deployment, as GitLab defines it
 * (app/models/deployment.rb `previous_deployment`: the successful deployment of the same environment
 * with the highest lower id): where the range of commits it shipped starts.
 *
 * One index per environment of a project, filled lazily from `GET /deployments?environment=&
 * status=success&order_by=id&sort=desc`, one page at a time and only as deep as the oldest
 * deployment asked about needs, so an incremental run usually reads one page per environment. The
 * list is offset-paged; a deployment succeeding while it is read only repeats rows (dropped by id).
 * One that stops being listed (deleted) can hide a row at a page boundary: the previous found is
 * then an older one, whose range is a superset — more MRs attributed, never fewer.
 */
import type { GitLabClient, ListPage } from './gitlab.client';
import type { GitLabDeployment } from './gitlab.types';

export interface PreviousDeployment {
  id: number;
  sha: string;
}

export class PreviousDeploymentIndex {
  private readonly environments = new Map<string, EnvironmentSuccesses>();

  constructor(
    private readonly client: GitLabClient,
    private readonly projectId: number,
  ) {}

  /** The previous successful deployment to the environment; null when the deployment is its first. */
  previousOf(environment: string, deploymentId: number): Promise<PreviousDeployment | null> {
    let index = this.environments.get(environment);
    if (!index) {
      index = new EnvironmentSuccesses(this.client.successfulDeployments(this.projectId, environment));
      this.environments.set(environment, index);
    }
    return index.before(deploymentId);
  }
}

class EnvironmentSuccesses {
  /** Read so far, by id descending. */
  private readonly rows: PreviousDeployment[] = [];
  private readonly ids = new Set<number>();
  private exhausted = false;
  /** A page that could not be read: every later lookup fails with it, never reads "no previous". */
  private failure: unknown;
  /** The page being read: concurrent lookups wait for it instead of reading it twice. */
  private reading: Promise<void> | undefined;

  constructor(private readonly pages: AsyncGenerator<ListPage<GitLabDeployment>>) {}

  async before(id: number): Promise<PreviousDeployment | null> {
    for (;;) {
      const found = this.rows.find((row) => row.id < id);
      if (found) return found;
      if (this.failure !== undefined) throw this.failure;
      if (this.exhausted) return null;
      this.reading ??= this.readPage().finally(() => (this.reading = undefined));
      await this.reading;
    }
  }

  private async readPage(): Promise<void> {
    let next: IteratorResult<ListPage<GitLabDeployment>>;
    try {
      next = await this.pages.next();
    } catch (err) {
      this.failure = err;
      throw err;
    }
    if (next.done) {
      this.exhausted = true;
      return;
    }
    for (const row of next.value.items) {
      if (typeof row?.id !== 'number' || typeof row.sha !== 'string' || this.ids.has(row.id)) continue;
      this.ids.add(row.id);
      this.rows.push({ id: row.id, sha: row.sha });
    }
    this.rows.sort((a, b) => b.id - a.id);
    // GitLab's last page: nothing older is left to read.
    if (next.value.items.length === 0) this.exhausted = true;
  }
}
