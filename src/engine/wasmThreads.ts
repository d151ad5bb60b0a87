// tfjs's threaded SIMD wasm build (XNNPACK's thread pool over emscripten pthreads) in Node worker threads.
// tfjs 4.22.0 never picks it in Node (WASM_HAS_MULTITHREAD_SUPPORT answers false there, tfjs issue 3830),
// but it runs once four things are arranged (FACTS.md, "tfjs in Node"):
//  1. the flag is forced true before the backend starts;
//  2. emscripten hands each pthread its worker script and the module factory as `blob:` URLs, which Node's
//     Worker and the pthread's importScripts (a readFileSync) refuse: the two are files instead, written
//     beside the .wasm files at build time (esbuild.js, `pthreadWorkerText`), and URL.createObjectURL
//     returns the worker file's path while the backend starts. The factory file is emscripten's own
//     output as tfjs ships it (wasm-out/), which names no bundle-internal variables, so no prelude is
//     needed for them; the worker file's prelude points the pthread's createObjectURL at that file;
//  3. backend.cc sizes XNNPACK's pool as min(asked, os.cpus().length / 2, 8) (tfjs 4972): os.cpus()
//     reports at least 2n entries while the backend starts, so that n threads are honoured;
//  4. the count is set once per thread (re-initialising leaks the pool), at most 8.
// Emscripten starts 8 pthreads whatever the count; XNNPACK takes n − 1 of them (the calling thread is the
// n-th) and the others idle at ~8 MB each, so they are stopped once the backend is up. A worker thread's
// terminate() ends its pthreads; a main thread that started them has to call process.exit().
import * as path from 'path';
import type * as tf from '@tensorflow/tfjs';
// `import x = require(...)`: the module objects themselves (an ES namespace import is a copy whose members
// cannot be replaced; tfjs's glue calls require('os').cpus() and takes require('worker_threads').Worker).
import os = require('os');
import workerThreads = require('worker_threads');

/** The threaded build's files in the wasm folder: the binary, emscripten's factory and the pthread script. */
export const THREADED_FILES = {
  wasm: 'tfjs-backend-wasm-threaded-simd.wasm',
  factory: 'tfjs-backend-wasm-threaded-simd.js',
  worker: 'tfjs-backend-wasm-threaded-simd.worker.js',
} as const;

/** XNNPACK's pool beyond 8 threads crashes or hangs in this build (FACTS.md). */
export const MAX_THREADS = 8;

/**
 * The pthread worker script: emscripten's (the text tfjs ships as `wasmWorkerContents`) after a prelude
 * that makes the pthread's URL.createObjectURL, which it calls on the factory Blob it is sent, return the
 * factory file beside this script. Written at build time by esbuild.js.
 */
export function pthreadWorkerText(wasmWorkerContents: string): string {
  const prelude = [
    '"use strict";',
    '// Explain Image: emscripten sends this pthread the module factory as a Blob, but importScripts reads files;',
    `// the factory is ${THREADED_FILES.factory} beside this script (see src/engine/wasmThreads.ts).`,
    `URL.createObjectURL = () => require("path").join(__dirname, ${JSON.stringify(THREADED_FILES.factory)});`,
    'URL.revokeObjectURL = () => {};',
  ].join('\n');
  // tfjs escapes the newlines of string literals in the text before making its Blob (they are real
  // newlines in wasmWorkerContents); the file needs the same.
  return `${prelude}\n${wasmWorkerContents.replace(/\n/g, '\\n')}`;
}

/**
 * Runs `start` (which starts the wasm backend) with the process arranged for `threads` XNNPACK threads:
 * URL.createObjectURL gives the pthread worker file of `wasmDir`, and os.cpus() has at least 2 × threads
 * entries. A pthread that fails to load (a broken script) fails the start, as does a start slower than
 * `limitMs`: emscripten's own handler would rethrow the pthread's error and end this thread (and the same
 * worker would fail again), and a start that never ends would leave the worker waiting for good. The
 * process is restored afterwards whatever happens; the pthreads of a failed start are stopped.
 */
export async function withThreadedStart<T>(wasmDir: string, threads: number, limitMs: number, start: () => Promise<T>): Promise<T> {
  const createObjectURL = URL.createObjectURL;
  const cpus = os.cpus;
  const NodeWorker = workerThreads.Worker;
  let failed: (e: Error) => void = () => undefined;
  const failure = new Promise<never>((_, reject) => (failed = reject));
  const timer = setTimeout(() => failed(new Error(`not ready after ${limitMs / 1000} s`)), limitMs);
  URL.createObjectURL = () => path.join(wasmDir, THREADED_FILES.worker);
  os.cpus = () => {
    const real = cpus();
    const wanted = 2 * threads;
    return real.length >= wanted ? real : Array.from({ length: wanted }, (_, k) => real[k % Math.max(real.length, 1)]);
  };
  // Emscripten takes the Worker class from require('worker_threads') when its factory runs. The pthreads of
  // a start that failed are stopped, and their later errors ignored.
  let started = false;
  const pthreads: workerThreads.Worker[] = [];
  workerThreads.Worker = class extends NodeWorker {
    constructor(...args: ConstructorParameters<typeof NodeWorker>) {
      super(...args);
      pthreads.push(this);
    }
    override on(event: string | symbol, listener: (...args: any[]) => void): this {
      if (event !== 'error') return super.on(event, listener);
      return super.on('error', (e: Error) => (started ? listener(e) : failed(new Error(`a pthread failed to load: ${e.message}`))));
    }
  };
  try {
    const result = await Promise.race([start(), failure]);
    started = true;
    return result;
  } catch (e) {
    for (const pthread of pthreads) void pthread.terminate();
    throw e;
  } finally {
    clearTimeout(timer);
    URL.createObjectURL = createObjectURL;
    os.cpus = cpus;
    workerThreads.Worker = NodeWorker;
  }
}

/** The emscripten module of a started threaded backend (tfjs keeps it as `backend.wasm`). */
interface ThreadedModule {
  PThread?: { unusedWorkers: Array<{ terminate(): unknown }> };
}

/**
 * Stops the pthreads XNNPACK did not take (emscripten starts 8; see the header). Nothing starts a pthread
 * after the backend is up, so none is needed again.
 */
export function stopIdlePthreads(backend: tf.KernelBackend): void {
  const threaded = (backend as unknown as { wasm?: ThreadedModule }).wasm?.PThread;
  for (const worker of threaded?.unusedWorkers.splice(0) ?? []) void worker.terminate();
}
