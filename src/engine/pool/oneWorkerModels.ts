// Large models run on one worker. Every worker that explains a model holds its own copy of it: the weights,
// XNNPACK's packed copy of each kernel, the backward layouts and a wasm memory that never shrinks back from
// its largest call (ResNet-18: ~480 MB per worker; AlexNet over 1 GB). Splitting one image's methods over
// two workers saves at most half of a call's time, and with the threaded wasm build one worker already
// uses several cores; loading the model twice doubles the memory. So the calls of a model whose files take
// at least ONE_WORKER.minModelBytes are not split (parallelJobs.ts); the memory budget test pins the result
// (test/unit/memory/memoryBudget.test.ts).
import * as fs from 'fs';
import { modelFilesBeforeLoading } from '../import/modelFiles';

/** ~8 M float32 weights: MobileNet-v2 (14 MB) splits, ResNet-18 (47 MB) and larger do not. An object so
 *  that tests can move it. */
export const ONE_WORKER = { minModelBytes: 32 * 1024 * 1024 };

/** Whether the calls of the model at `modelPath` stay on one worker: its files (model, weight shards, card,
 *  labels) take at least ONE_WORKER.minModelBytes. A few stat calls; a missing file counts nothing. */
export function runsOnOneWorker(modelPath: string): boolean {
  let bytes = 0;
  for (const file of modelFilesBeforeLoading(modelPath)) {
    try {
      bytes += fs.statSync(file).size;
    } catch {
      // not there (an optional card or labels file)
    }
  }
  return bytes >= ONE_WORKER.minModelBytes;
}
