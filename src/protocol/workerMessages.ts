// The envelopes between a worker pool and one engine worker thread. A job goes out with a messageId;
// its progress, result or failure come back naming it in inReplyTo (replies.ts).
import type { EngineJob } from './engineJobs';
import type { BackendInfo, ModelLoadProgress } from './model';

/** Given to each worker at spawn time (`workerData`). */
export interface WorkerInit {
  wasmDir: string;
  backend: 'wasm' | 'cpu';
  /** XNNPACK threads of this worker's wasm backend (1: the SIMD build; more: the threaded build). */
  threads: number;
  /** An Int32Array(1) shared with the pool: the messageId of the job the pool cancelled. The worker reads it
   *  between nodes and stops that job there (jobs/cancellation.ts); the thread and its models stay. */
  cancel: SharedArrayBuffer;
}

export interface ToWorker {
  messageId: number;
  job: EngineJob;
}

export type FromWorker =
  | { type: 'ready'; backend: BackendInfo }
  /** While a job runs: `done` of `total` units (SmoothGrad samples, integrated-gradients steps, …). */
  | { type: 'progress'; inReplyTo: number; done: number; total: number }
  /** While a job waits for its model to load: bytes read and nodes built so far (a few a second). */
  | { type: 'model-load'; inReplyTo: number; progress: ModelLoadProgress }
  | { type: 'done'; inReplyTo: number; result: unknown }
  /** The job saw its cancellation and stopped, after `checkpoints` nodes (and images); the worker takes the next job. */
  | { type: 'cancelled'; inReplyTo: number; checkpoints: number }
  /** `fault`: the worker's WebAssembly instance faulted (out-of-bounds access, out of memory, abort); every
   *  later job on it would fail the same way, so the pool replaces the worker before it takes another. */
  | { type: 'failed'; inReplyTo: number; message: string; userError: boolean; fault?: boolean };
