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

/** Executes a planned run to its end (every collect job, then evaluate). */
export interface ReconcileRunner {
  execute(plan: RunPlan): Promise<void>;
}

export const RECONCILE_RUNNER = Symbol('RECONCILE_RUNNER');
