// Chooses and initialises the tfjs backend: WASM with SIMD from the .wasm files on disk, else the CPU
// backend with the reason recorded, so every result can say what computed it.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as fs from 'fs';
import * as path from 'path';
import type { BackendInfo } from '../protocol/model';

export const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

let current: BackendInfo | undefined;

/**
 * Initialises tfjs once per thread. `wasmDir` is the folder holding the tfjs .wasm files (beside the
 * bundle in dist/, or node_modules in tests). `prefer: 'cpu'` is for tests that compare backends.
 */
export async function initBackend(wasmDir: string, prefer: 'wasm' | 'cpu' = 'wasm'): Promise<BackendInfo> {
  if (current && (prefer === 'cpu') === (current.name === 'cpu')) return current;
  tf.env().set('IS_NODE', true);
  if (prefer === 'cpu') {
    await tf.setBackend('cpu');
    await tf.ready();
    current = { name: 'cpu', reason: 'requested' };
    return current;
  }
  const missing = WASM_FILES.slice(0, 2).filter((f) => !fs.existsSync(path.join(wasmDir, f)));
  if (missing.length > 0) {
    await tf.setBackend('cpu');
    current = { name: 'cpu', reason: `wasm files missing in ${wasmDir}: ${missing.join(', ')}` };
    return current;
  }
  // The threaded build does not run in Node (FACTS.md); parallelism comes from worker threads instead.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setWasmPaths(wasmDir.endsWith(path.sep) ? wasmDir : wasmDir + path.sep);
  try {
    const ok = await tf.setBackend('wasm');
    if (!ok) throw new Error('tf.setBackend("wasm") returned false');
    await tf.ready();
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    current = simd ? { name: 'wasm-simd' } : { name: 'wasm', reason: 'this runtime has no WebAssembly SIMD' };
  } catch (e) {
    await tf.setBackend('cpu');
    current = { name: 'cpu', reason: `wasm backend failed to start: ${(e as Error).message}` };
  }
  return current;
}

/** The folder of the .wasm files in a source checkout (tests, scripts). */
export function nodeModulesWasmDir(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
}

export function backendInfo(): BackendInfo | undefined {
  return current;
}
