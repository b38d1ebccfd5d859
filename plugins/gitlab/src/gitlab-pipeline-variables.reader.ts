/**
 * Pipeline variables of one project's deployments, read so that a token without the role to read
 * them costs one request and one problem per project, not one of each per deployment.
 *
 * GitLab grants `read_pipeline_variable` only to Maintainers (`admin_pipeline`) and to a pipeline's
 * triggerer who may update it (app/policies/ci/pipeline_policy.rb); `GET
 * /projects/:id/pipelines/:pipeline_id/variables` answers every other member, the documented
 * least-privilege Reporter included, `403 {"message":"403 Forbidden"}` (lib/api/ci/pipelines.rb
 * `authorize! :read_pipeline_variable`, lib/api/helpers.rb `forbidden!`). The answer is the same
 * for every pipeline of the project, so after the first such 403 no more variables are requested in
 * that project for the rest of the run: those deployments are recorded with `variables: null`.
 * (GitLabClient#pipelineVariables tells that refusal from any other 403.)
 */
import type { StreamProblem } from '@audit-hub/plugin-sdk';
import { mapVariables } from './gitlab-deployment.mapper';
import type { GitLabClient } from './gitlab.client';

export const VARIABLES_FORBIDDEN = 'pipeline-variables-forbidden';

/** What the operator must grant (GitLab's policy names no narrower permission). */
export const VARIABLES_FIX =
  "give the token's user the Maintainer role on the project: GitLab lets only Maintainers (and a pipeline's own triggerer) read pipeline variables";

/** One pipeline's variables: name → value; null when GitLab's policy refused them. */
export type VariablesRead = Record<string, string> | null;

export class PipelineVariablesReader {
  private denied: { pipelineId: number; error: string } | undefined;
  private reported = false;
  /** The first read of the project, while it is in flight: the others wait for its answer. */
  private probe: Promise<unknown> | undefined;
  private answered = false;

  constructor(
    private readonly client: GitLabClient,
    private readonly projectId: number,
    private readonly path: string,
  ) {}

  /** Whether GitLab refused this run's reads of the project's variables. */
  get forbidden(): boolean {
    return this.denied !== undefined;
  }

  /** The refused pipeline (for the cursor: the one to ask again next run). */
  get refusedPipeline(): number | undefined {
    return this.denied?.pipelineId;
  }

  /**
   * The variables of a pipeline; null without a request once the project refused them. Errors that
   * are not the policy's refusal are thrown, for the caller to report.
   */
  async read(pipelineId: number): Promise<VariablesRead> {
    while (!this.answered && this.probe) await this.probe.catch(() => undefined);
    if (this.denied) return null;
    const request = this.client.pipelineVariables(this.projectId, pipelineId);
    if (!this.answered) this.probe = request;
    let variables: Awaited<typeof request>;
    try {
      variables = await request;
    } catch (err) {
      // Not an answer about the permission: the next read asks again.
      if (this.probe === request) this.probe = undefined;
      throw err;
    }
    this.answered = true;
    if (variables !== null) return mapVariables(variables);
    this.denied ??= {
      pipelineId,
      error: `GET /api/v4/projects/${this.projectId}/pipelines/${pipelineId}/variables answered 403 Forbidden`,
    };
    return null;
  }

  /**
   * The one problem of the project's refusal, the first time it is asked for after the refusal:
   * lasting (reading again cannot help until someone grants the role), and leaving no record kind
   * incomplete — the deployments say themselves, with `variables: null`, what they lack.
   */
  takeProblem(): StreamProblem | undefined {
    if (!this.denied || this.reported) return undefined;
    this.reported = true;
    return {
      where: `project ${this.path} pipeline variables`,
      error:
        `${this.denied.error}: the token may not read pipeline variables in this project. Its deployments are ` +
        'recorded with variables unknown (null) and linked through their commit messages and shipped merge ' +
        'requests; no more variables are requested in this project until a later run can read them.',
      code: VARIABLES_FORBIDDEN,
      kinds: [],
      lasting: true,
      fix: VARIABLES_FIX,
    };
  }
}
