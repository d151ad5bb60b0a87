// Stopping a job inside its worker, between two nodes, without stopping the worker: the host sets a flag the
// worker shares (an Int32Array over a SharedArrayBuffer, workerPool.ts), and the passes ask it before each
// node (network/forward.ts, methods/backwardWalk.ts) and runJob before each image. A cancelled job throws
// JobCancelledError there; the tidies it unwinds through free its tensors, and the worker keeps its loaded
// models for the next job. Terminating the thread, the only way before, threw those away with it.

export class JobCancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'JobCancelledError';
  }
}

export function isJobCancelled(e: unknown): e is JobCancelledError {
  return e instanceof Error && e.name === 'JobCancelledError';
}

let isCancelled: (() => boolean) | null = null;
let checks = 0;

/** Between two nodes (or images): throws JobCancelledError when the job under way has been cancelled. */
export function checkCancelled(): void {
  checks++;
  if (isCancelled?.()) throw new JobCancelledError();
}

/**
 * Runs `job` with `cancelled` asked at every check (one job at a time per thread: the worker runs its jobs
 * one after another). `checkpoints()` then says how many checks the job passed: the nodes it visited.
 */
export async function runCancellable<T>(cancelled: () => boolean, job: () => Promise<T>): Promise<T> {
  isCancelled = cancelled;
  checks = 0;
  try {
    return await job();
  } finally {
    isCancelled = null;
  }
}

/** Checks passed by the job run last (or running) in this thread: nodes visited, plus one per image. */
export function checkpoints(): number {
  return checks;
}
