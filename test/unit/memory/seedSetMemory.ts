// Peak memory of the seven seed methods on one 224×224 image, as a user's process holds it: seedSetRun.ts
// bundled by esbuild and run with plain node (no tsx: ~100 MB of loader no user has), a WorkerPool over
// dist/worker.js, the kernel's peak RSS of the whole process. Shared by memoryBudget.test.ts and the bench.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

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

let bundle: string | undefined;

/** Runs the seed set `calls` times on `workers` workers of `threads` threads (0: automatic) in a fresh process. */
export function seedSetMemory(modelFile: string, dist: string, options: { workers: number; threads: number; calls: number }): SeedSetMemory {
  if (!bundle) {
    bundle = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'explain-image-memory-')), 'seedSetRun.js');
    buildSync({
      entryPoints: [path.join(__dirname, 'seedSetRun.ts')],
      bundle: true,
      platform: 'node',
      target: 'node18',
      outfile: bundle,
      external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
      logLevel: 'error',
    });
  }
  const out = execFileSync(process.execPath, [bundle, modelFile, String(options.workers), String(options.threads), dist, String(options.calls)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as SeedSetMemory;
}
