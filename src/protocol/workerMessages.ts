// The envelopes between a worker pool and one engine worker thread. A job goes out with a messageId;
// its progress, result or failure come back naming it in inReplyTo (replies.ts).
import type { EngineJob } from './engineJobs';
import type { BackendInfo } from './model';

/** Given to each worker at spawn time (`workerData`). */
export interface WorkerInit {
  wasmDir: string;
  backend: 'wasm' | 'cpu';
  /** XNNPACK threads of this worker's wasm backend (1: the SIMD build; more: the threaded build). */
  threads: number;
}

export interface ToWorker {
  messageId: number;
  job: EngineJob;
}

export type FromWorker =
  | { type: 'ready'; backend: BackendInfo }
  /** While a job runs: `done` of `total` units (SmoothGrad samples, integrated-gradients steps, …). */
  | { type: 'progress'; inReplyTo: number; done: number; total: number }
  | { type: 'done'; inReplyTo: number; result: unknown }
  | { type: 'failed'; inReplyTo: number; message: string; userError: boolean };
