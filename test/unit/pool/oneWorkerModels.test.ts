// Large models run on one worker (pool/oneWorkerModels.ts): every worker that runs a model holds its own
// copy, so the pool sends a large model's jobs only to the worker that has it (queued while it is busy, even
// with another worker free) and explainInParallel does not split its calls; a small model's jobs spread.
// The threshold is lowered so that a small test model counts as large.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { explainInParallel, SPLIT_POLICY } from '../../../src/engine/pool/parallelJobs';
import { ONE_WORKER, runsOnOneWorker } from '../../../src/engine/pool/oneWorkerModels';
import { WorkerPool } from '../../../src/engine/pool/workerPool';
import type { ExplainJob, MemoryResult } from '../../../src/protocol/engineJobs';
import { saveDigitMlp } from '../model/savedModels';
import { DIST, WORKER, bundleReady, stripedDigit } from '../bundles';

const SEED = ['sensitivity', 'guided-backprop', 'simple-taylor', 'deep-taylor', 'lrp-a1.2b0.2', 'lrp-a1.5b0.5', 'lrp-a2b1'];

describe('large models run on one worker', () => {
  const defaults = { bytes: ONE_WORKER.minModelBytes, split: SPLIT_POLICY.minMs };
  let small: string;
  let large: string;

  before(async () => {
    await bundleReady(WORKER);
    small = (await saveDigitMlp('one-worker-small', 3, 16)).path;
    large = (await saveDigitMlp('one-worker-large', 4, 16)).path;
    SPLIT_POLICY.minMs = 0;
  });
  after(() => {
    ONE_WORKER.minModelBytes = defaults.bytes;
    SPLIT_POLICY.minMs = defaults.split;
  });

  const job = (model: string, methods = ['lrp-a2b1'], image = 1): ExplainJob => ({ type: 'explain', model: { path: model }, images: [stripedDigit(image)], methods, preprocess: 'none' });
  /** Tensors each worker holds (a loaded model's weights among them); every worker answers one. */
  const holdings = async (pool: WorkerPool) => (await Promise.all(Array.from({ length: pool.size }, () => pool.run({ type: 'memory' })))).map((m: MemoryResult) => m.numTensors);

  it('by the size of its files: ResNet-18-sized and larger, not MNIST-sized', () => {
    assert.equal(runsOnOneWorker(path.resolve(__dirname, '../../../models/mnist-cnn/model.json')), false);
    ONE_WORKER.minModelBytes = 0;
    assert.equal(runsOnOneWorker(small), true);
    ONE_WORKER.minModelBytes = defaults.bytes;
  });

  it("sends every job of a large model to the worker that has it, and never splits its calls; a small model's jobs spread", async () => {
    const pool = new WorkerPool({ size: 2, threads: 1, workerScript: WORKER, wasmDir: DIST });
    try {
      await holdings(pool);
      const empty = await holdings(pool);
      // Small: jobs at once spread over both workers, and both load the model.
      ONE_WORKER.minModelBytes = Number.POSITIVE_INFINITY;
      await Promise.all([1, 2, 3, 4].map((k) => pool.run(job(small, ['lrp-a2b1'], k))));
      const spread = await holdings(pool);
      assert.ok(spread.every((n, w) => n > empty[w]), `small model in both workers: ${spread} tensors (empty ${empty})`);
      // Large: four jobs at once and a one-image seed-set call (split otherwise: SPLIT_POLICY is 0 ms here),
      // all on one worker; the other never loads it.
      ONE_WORKER.minModelBytes = 0;
      const results = await Promise.all([...[1, 2, 3, 4].map((k) => pool.run(job(large, ['lrp-a2b1'], k))), explainInParallel(pool, job(large, SEED))]);
      assert.equal(results[4].explanations.length, SEED.length);
      const after = await holdings(pool);
      const grew = after.map((n, w) => n - spread[w]);
      assert.equal(grew.filter((n) => n > 0).length, 1, `the large model loaded in one worker only: ${grew} more tensors`);
      // The same maps as one worker gives for the seed set in one call.
      const whole = await pool.run(job(large, SEED));
      results[4].explanations.forEach((e, k) => assert.deepEqual(e.relevance, whole.explanations[k].relevance, e.method));
    } finally {
      await pool.dispose();
    }
  });
});
