// One engine worker thread: its own tfjs WASM backend, its own model cache, one job at a time.
import { parentPort, workerData } from 'worker_threads';
import { initBackend } from '../backend';
import { runCancellable } from '../jobs/cancellation';
import { observeModelLoad } from '../jobs/loadProgress';
import { runJob } from '../jobs/runJob';
import type { ModelLoadProgress } from '../../protocol/model';
import type { FromWorker, ToWorker, WorkerInit } from '../../protocol/workerMessages';
import { failureReply } from './jobFailure';

const port = parentPort;
if (!port) throw new Error('engineWorker must run in a worker thread');

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  const backend = await initBackend(init.wasmDir, init.backend, init.threads);
  const post = (msg: FromWorker, transfer: ArrayBuffer[] = []) => port!.postMessage(msg, transfer);
  const cancelled = new Int32Array(init.cancel);
  port!.on('message', async ({ messageId: inReplyTo, job }: ToWorker) => {
    try {
      // The job runs synchronously; these messages leave at once, so the host sees progress while it runs.
      const onProgress = (done: number, total: number) => post({ type: 'progress', inReplyTo, done, total });
      const onModelLoad = throttled((progress: ModelLoadProgress) => post({ type: 'model-load', inReplyTo, progress }));
      const result = await runCancellable(
        () => Atomics.load(cancelled, 0) === inReplyTo,
        () => observeModelLoad(onModelLoad, () => runJob(job, backend, onProgress)),
      );
      post({ type: 'done', inReplyTo, result }, transferablesOf(result));
    } catch (e) {
      post(failureReply(e, job, inReplyTo));
    }
  });
  post({ type: 'ready', backend });
}

/** Load progress at most every 100 ms: a read reports per 8 MB and the builder per node. */
function throttled(post: (progress: ModelLoadProgress) => void): (progress: ModelLoadProgress) => void {
  let last = 0;
  return (progress) => {
    const now = Date.now();
    if (now - last < 100) return;
    last = now;
    post(progress);
  };
}

/** Buffers smaller than this are copied with the message rather than transferred: each transferred buffer
 *  costs ~10 µs (a batch of 256 heatmaps with their own buffers took 7.5 ms to transfer, 2.4 ms to copy). */
const TRANSFER_MIN_BYTES = 64 * 1024;

/** The distinct large ArrayBuffers of typed arrays in a result, moved rather than copied to the host. Only
 *  buffers a typed array covers entirely: a partial view may share its buffer with something still in use. */
function transferablesOf(value: unknown, found = new Set<ArrayBuffer>()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    const { buffer } = value;
    if (buffer instanceof ArrayBuffer && value.byteLength === buffer.byteLength && buffer.byteLength >= TRANSFER_MIN_BYTES) found.add(buffer);
  } else if (Array.isArray(value)) {
    for (const v of value) transferablesOf(v, found);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) transferablesOf(v, found);
  }
  return [...found];
}

main().catch((e) => {
  // Without a backend this worker is useless; the pool sees the exit and reports the reason.
  console.error(`engine worker failed to start: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
