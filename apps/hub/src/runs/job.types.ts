/**
 * The jobs of a reconcile run. Each job name maps to one payload type and exactly one handler, in
 * every runtime shape (in-process runner or BullMQ).
 */
export interface CollectJob {
  runId: string;
  connector: string;
  stream: string;
  full: boolean;
}

export interface EvaluateJob {
  runId: string;
}

export interface JobPayloads {
  collect: CollectJob;
  evaluate: EvaluateJob;
}

export type JobName = keyof JobPayloads;

/**
 * A source the run reports (`run.sources`), as planned: read by a collect job now, read after every
 * collect job ended (shipped ranges, which need the deployments), or already failed (the connector
 * could not be connected).
 */
export interface PlannedSource {
  connector: string;
  stream: string;
  when: 'collect' | 'after-collect' | 'failed';
}

/** A run's plan: its collect jobs, then evaluation once every one of them ended. */
export interface RunPlan {
  runId: string;
  collect: CollectJob[];
  /** Every source of the run, collect jobs and the rest alike: what progress counts against. */
  sources?: PlannedSource[];
}

export interface ReconcileRunner {
  /** Executes a planned run to its end (every collect job, then evaluate) and waits for it. */
  execute(plan: RunPlan): Promise<void>;
  /** Starts a planned run without waiting (scheduled and API-triggered runs). */
  start(plan: RunPlan): Promise<unknown>;
}

export const RECONCILE_RUNNER = Symbol('RECONCILE_RUNNER');
