// Chooses and initialises the tfjs backend: WASM with SIMD from the .wasm files on disk, on `threads`
// XNNPACK threads when more than one is asked for (the threaded build, wasmThreads.ts), else the CPU
// backend with the reason recorded, so every result can say what computed it.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as fs from 'fs';
import * as path from 'path';
import type { BackendInfo } from '../protocol/model';
import { MAX_THREADS, stopIdlePthreads, THREADED_FILES, withThreadedStart } from './wasmThreads';
import { installWasmSlice } from './wasmSlice';

export const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/** How long the threaded build may take to start (8 pthreads each compile their glue; ~0.25 s on an idle
 *  2-core machine) before the SIMD build is used instead. */
const THREADED_START_MS = 30_000;

let current: BackendInfo | undefined;

/**
 * Initialises tfjs once per thread. `wasmDir` is the folder holding the tfjs .wasm files (beside the
 * bundle in dist/, or node_modules in tests). `prefer: 'cpu'` is for tests that compare backends.
 * `threads` > 1 asks for the threaded build with that many XNNPACK threads (at most 8); it needs the
 * pthread files of wasmThreads.ts in `wasmDir` (dist/ has them), and falls back to the one-thread SIMD
 * build, saying why in `reason`, when it does not start. The thread count is set once: a later call with
 * another count gets the backend as it is.
 */
export async function initBackend(wasmDir: string, prefer: 'wasm' | 'cpu' = 'wasm', threads = 1): Promise<BackendInfo> {
  if (current && (prefer === 'cpu') === (current.name === 'cpu')) return current;
  tf.env().set('IS_NODE', true);
  if (prefer === 'cpu') {
    await tf.setBackend('cpu');
    await tf.ready();
    current = { name: 'cpu', reason: 'requested', threads: 1 };
    return current;
  }
  const missing = WASM_FILES.slice(0, 2).filter((f) => !fs.existsSync(path.join(wasmDir, f)));
  if (missing.length > 0) {
    await tf.setBackend('cpu');
    current = { name: 'cpu', reason: `wasm files missing in ${wasmDir}: ${missing.join(', ')}`, threads: 1 };
    return current;
  }
  setWasmPaths(wasmDir.endsWith(path.sep) ? wasmDir : wasmDir + path.sep);
  const wanted = Math.min(Math.max(1, Math.floor(threads)), MAX_THREADS);
  let fallback: string | undefined;
  if (wanted > 1) {
    const threaded = await startThreaded(wasmDir, wanted);
    if (typeof threaded !== 'string') return (current = threaded);
    fallback = `${wanted} threads asked for, but the threaded wasm build did not start (${threaded}); one thread`;
  }
  try {
    await startWasm(false);
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const reason = simd ? fallback : [fallback, 'this runtime has no WebAssembly SIMD'].filter(Boolean).join('; ');
    current = { name: simd ? 'wasm-simd' : 'wasm', threads: 1, ...(reason ? { reason } : {}) };
  } catch (e) {
    await tf.setBackend('cpu');
    current = { name: 'cpu', reason: `wasm backend failed to start: ${(e as Error).message}`, threads: 1 };
  }
  return current;
}

/** The wasm backend, threaded or not (WASM_HAS_MULTITHREAD_SUPPORT decides which build tfjs loads). */
async function startWasm(threaded: boolean): Promise<void> {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threaded);
  const ok = await tf.setBackend('wasm');
  if (!ok) throw new Error('tf.setBackend("wasm") returned false');
  await tf.ready();
  installWasmSlice();
}

/** The threaded build on `threads` threads, or why it did not start. */
async function startThreaded(wasmDir: string, threads: number): Promise<BackendInfo | string> {
  const absent = Object.values(THREADED_FILES).filter((f) => !fs.existsSync(path.join(wasmDir, f)));
  if (absent.length > 0) return `${absent.join(', ')} missing in ${wasmDir}`;
  if (!(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))) return 'this runtime has no WebAssembly SIMD';
  setThreadsCount(threads);
  try {
    await withThreadedStart(wasmDir, threads, THREADED_START_MS, () => startWasm(true));
  } catch (e) {
    // tfjs keeps no backend whose start failed (or is outdated by a newer start): the next
    // setBackend('wasm') starts the SIMD build afresh.
    setThreadsCount(1);
    return (e as Error).message ?? String(e);
  }
  stopIdlePthreads(tf.backend());
  const got = getThreadsCount();
  return { name: 'wasm-simd', threads: got, ...(got < threads ? { reason: `${threads} threads asked for, XNNPACK took ${got}` } : {}) };
}

/** The folder of the .wasm files in a source checkout (tests, scripts). */
export function nodeModulesWasmDir(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
}

export function backendInfo(): BackendInfo | undefined {
  return current;
}
