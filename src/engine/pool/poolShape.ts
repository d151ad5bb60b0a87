// How many engine workers, and how many XNNPACK threads each, for this machine: workers × threads ≤ cores.
// Threads make one heatmap faster (the threaded wasm build: a ResNet-18 map 1.7× on 2 threads), workers
// spread a call's methods or images (each worker runs its own forward pass and holds its own copy of the
// model). So: a few threads per worker first, then more workers. Automatic (0 or unset):
//   cores:        1   2   3   4   6   8   16  32
//   workers × threads: 1×1 1×2 1×3 2×2 2×3 2×4 2×8 4×8
// A count asked for is kept; the other one fills the cores. Threads are at most 8 (wasmThreads.ts).
import * as os from 'os';
import { MAX_THREADS } from '../wasmThreads';

export interface PoolShape {
  workers: number;
  threads: number;
}

/** Workers and threads per worker for the counts asked for (0 or undefined: automatic) on `cores` cores. */
export function poolShape(asked: { workers?: number; threads?: number }, cores = availableCores()): PoolShape {
  const n = Math.max(1, Math.floor(cores));
  const workers = wholeOrAuto(asked.workers);
  const threads = wholeOrAuto(asked.threads);
  if (workers && threads) return { workers, threads: Math.min(threads, MAX_THREADS) };
  if (workers) return { workers, threads: clamp(Math.floor(n / workers), 1, MAX_THREADS) };
  if (threads) {
    const t = Math.min(threads, MAX_THREADS);
    return { workers: Math.max(1, Math.floor(n / t)), threads: t };
  }
  const t = clamp(n >= 4 ? Math.floor(n / 2) : n, 1, MAX_THREADS);
  return { workers: Math.max(1, Math.floor(n / t)), threads: t };
}

export function availableCores(): number {
  return os.availableParallelism?.() ?? os.cpus().length;
}

function wholeOrAuto(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) && value >= 1 ? Math.floor(value) : undefined;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}
