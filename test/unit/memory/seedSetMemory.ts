// Peak memory of the seven seed methods on one 224×224 image, as a user's process holds it: seedSetRun.ts
// in a plain-node process (test/bench/bundledRun.ts), a WorkerPool over dist/worker.js, the kernel's peak
// RSS of the whole process. Shared by memoryBudget.test.ts and the bench.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runBundled } from '../../bench/bundledRun';

export interface SeedSetMemory {
  model: string;
  workers: number;
  threads: number;
  /** RSS of the process before its pool started, bytes. */
  rssBefore: number;
  /** The process's peak RSS (main thread, workers, pthreads, wasm memories), bytes. */
  peakRss: number;
  /** Wall ms of each seed-set call. */
  ms: number[];
  /** Each worker's wasm memory at the end, bytes. */
  wasmHeapBytes: number[];
}

/** The budget for a model: 2 × its weights (the file's bytes, nearly all float32 weights) + 500 MB. */
export function memoryBudget(modelFile: string): number {
  return 2 * fs.statSync(modelFile).size + 500e6;
}

/** Runs the seed set `calls` times on `workers` workers of `threads` threads (0: automatic) in a fresh process. */
export function seedSetMemory(modelFile: string, dist: string, options: { workers: number; threads: number; calls: number }): SeedSetMemory {
  return runBundled<SeedSetMemory>(path.join(__dirname, 'seedSetRun.ts'), [modelFile, String(options.workers), String(options.threads), dist, String(options.calls)]);
}
