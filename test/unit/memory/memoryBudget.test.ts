// The memory budget of a model (README, "Memory"): the seven seed methods on one 224×224 image, on a pool of
// 2 workers and on the machine's default pool shape, peak RSS of the whole process ≤ 2 × the model's weights
// + 500 MB. Kept on a ResNet-18-shaped model (47 MB of weights: ≤ 594 MB) and an AlexNet-shaped one (244 MB,
// 95 % in its dense layers: ≤ 989 MB), both generated with seeded random weights (test/bench/, cached under
// .cache/). Not timed: memory only. What keeps it (each measured on these models): one worker per large
// model and no second worker started for it (the pool starts workers as work needs them), dense layers and
// weight-heavy convolutions with no transposed or flipped copy and their rules' weight variants applied
// block by block inside their products, a node's variants made and freed during its visit, the walk's
// temporaries and the ReLU masks freed as soon as they are done with, the ONNX import's decoded copies
// dropped, a GC after a load.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { alexnetOnnxFile } from '../../bench/alexnetOnnx';
import { resnet18OnnxFile } from '../../bench/resnet18Onnx';
import { DIST, WORKER, bundleReady } from '../bundles';
import { memoryBudget, seedSetMemory } from './seedSetMemory';

const MB = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

describe('memory budget: seed set within 2 × weights + 500 MB, on 2 workers and on the default pool shape', () => {
  before(() => bundleReady(WORKER));

  for (const [name, file] of [
    ['ResNet-18', resnet18OnnxFile],
    ['AlexNet', alexnetOnnxFile],
  ] as const) {
    // The shape (2 workers of 1 thread on 2 cores) and the one the product starts with here (workers
    // and threads automatic: 1 worker of 2 XNNPACK threads on 2 cores, whose pthreads cost memory too).
    for (const shape of [
      { label: '2 workers', workers: 2 },
      { label: 'default pool shape', workers: 0 },
    ]) {
      test(`${name}, ${shape.label}`, () => {
        const model = file();
        const budget = memoryBudget(model);
        // Three calls: the first loads the model, later ones run as the panel's and comparison's repeat calls do.
        const run = seedSetMemory(model, DIST, { workers: shape.workers, threads: 0, calls: 3 });
        console.log(`${name}: peak RSS ${MB(run.peakRss)} (budget ${MB(budget)}), ${run.workers} workers (${run.liveWorkers} started) × ${run.threads} threads, wasm memories ${run.wasmHeapBytes.map(MB).join(', ')}`);
        if (shape.workers) assert.equal(run.workers, shape.workers);
        assert.ok(run.peakRss <= budget, `${name}: peak RSS ${MB(run.peakRss)} over the budget of ${MB(budget)}`);
        // One worker holds the model: any other started never grew its wasm memory from the initial 16 MB.
        assert.equal(run.wasmHeapBytes.length, run.liveWorkers);
        assert.equal(run.wasmHeapBytes.filter((bytes) => bytes >= 32e6).length, 1, `wasm memories ${run.wasmHeapBytes.map(MB).join(', ')}: the model loaded in more than one worker`);
      });
    }
  }
});
