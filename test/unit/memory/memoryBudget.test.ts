// The memory budget of a model (README, "Memory"): the seven seed methods on one 224×224 image, on a pool of
// 2 workers, peak RSS of the whole process ≤ 2 × the model's weights + 500 MB. Kept on a ResNet-18-shaped
// model (47 MB of weights: ≤ 594 MB) and an AlexNet-shaped one (244 MB, 95 % in its dense layers: ≤ 989 MB),
// both generated with seeded random weights (test/bench/, cached under .cache/). Not timed: memory only.
// What keeps it (each measured on these models): one worker per large model, dense layers with no
// transpose and their rules' weight variants applied block by block, a node's variants made and freed
// during its visit, the walk's temporaries and the ReLU masks freed as soon as they are done with, the ONNX
// import's decoded copies dropped, a GC after a load.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { alexnetOnnxFile } from '../../bench/alexnetOnnx';
import { resnet18OnnxFile } from '../../bench/resnet18Onnx';
import { DIST, WORKER, bundleReady } from '../bundles';
import { memoryBudget, seedSetMemory } from './seedSetMemory';

const MB = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

describe('memory budget: seed set on 2 workers within 2 × weights + 500 MB', () => {
  before(() => bundleReady(WORKER));

  for (const [name, file] of [
    ['ResNet-18', resnet18OnnxFile],
    ['AlexNet', alexnetOnnxFile],
  ] as const) {
    test(name, () => {
      const model = file();
      const budget = memoryBudget(model);
      // Three calls: the first loads the model, later ones run as the panel's and comparison's repeat calls do.
      const run = seedSetMemory(model, DIST, { workers: 2, threads: 0, calls: 3 });
      console.log(`${name}: peak RSS ${MB(run.peakRss)} (budget ${MB(budget)}), ${run.workers} workers × ${run.threads} threads, wasm memories ${run.wasmHeapBytes.map(MB).join(', ')}`);
      assert.equal(run.workers, 2);
      assert.ok(run.peakRss <= budget, `${name}: peak RSS ${MB(run.peakRss)} over the budget of ${MB(budget)}`);
      // One worker holds the model; the other's wasm memory never grew from its initial 16 MB.
      assert.ok(Math.min(...run.wasmHeapBytes) < 32e6, `wasm memories ${run.wasmHeapBytes.map(MB).join(', ')}: the model loaded in both workers`);
    });
  }
});
