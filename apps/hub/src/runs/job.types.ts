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

/** A run's plan: its collect jobs, then evaluation once every one of them ended. */
export interface RunPlan {
  runId: string;
  collect: CollectJob[];
}

export interface ReconcileRunner {
  /** Executes a planned run to its end (every collect job, then evaluate) and waits for it. */
  execute(plan: RunPlan): Promise<void>;
  /** Starts a planned run without waiting (scheduled and API-triggered runs). */
  start(plan: RunPlan): Promise<unknown>;
}

export const RECONCILE_RUNNER = Symbol('RECONCILE_RUNNER');
