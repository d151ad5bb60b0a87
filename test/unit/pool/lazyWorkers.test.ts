// The pool starts its workers as work needs them (workerPool.ts `grow`): one at first, another (up to its
// size) only while queued work waits that no live worker can take now and a new one could; a large model's
// jobs (oneWorkerModels.ts) wait for the worker that holds it, so they never start one. On real worker
// threads over dist/worker.js; the one-worker threshold is lowered so that a small model counts as large.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { explainInParallel, SPLIT_POLICY } from '../../../src/engine/pool/parallelJobs';
import { ONE_WORKER } from '../../../src/engine/pool/oneWorkerModels';
import { WorkerPool } from '../../../src/engine/pool/workerPool';
import type { ExplainJob, MemoryResult } from '../../../src/protocol/engineJobs';
import { saveDigitMlp } from '../model/savedModels';
import { DIST, WORKER, bundleReady, stripedDigit } from '../bundles';

const SEED = ['sensitivity', 'guided-backprop', 'simple-taylor', 'deep-taylor', 'lrp-a1.2b0.2', 'lrp-a1.5b0.5', 'lrp-a2b1'];

describe('workers start as work needs them', () => {
  const defaults = { bytes: ONE_WORKER.minModelBytes, split: SPLIT_POLICY.minMs };
  let small: string;
  let large: string;

  before(async () => {
    await bundleReady(WORKER);
    small = (await saveDigitMlp('lazy-workers-small', 3, 16)).path;
    large = (await saveDigitMlp('lazy-workers-large', 4, 64)).path; // 4× the small one's weights
  });
  after(() => {
    ONE_WORKER.minModelBytes = defaults.bytes;
    SPLIT_POLICY.minMs = defaults.split;
  });

  const job = (model: string, image = 1, methods = ['lrp-a2b1']): ExplainJob => ({ type: 'explain', model: { path: model }, images: [stripedDigit(image)], methods, preprocess: 'none' });
  /** Tensor bytes each live worker holds (loaded models' weights), in the order of pool.threads. */
  const holdings = async (pool: WorkerPool) => (await pool.runOnEachWorker({ type: 'memory' })).map((m: MemoryResult) => m.numBytes);

  it('one worker while jobs come one at a time; a second when two wait at once; never more than the size', async () => {
    ONE_WORKER.minModelBytes = Number.POSITIVE_INFINITY;
    const pool = new WorkerPool({ size: 2, threads: 1, workerScript: WORKER, wasmDir: DIST });
    try {
      await pool.backend();
      assert.equal(pool.threads.length, 1, 'one worker before any job');
      for (const k of [1, 2, 3]) await pool.run(job(small, k));
      assert.equal(pool.threads.length, 1, 'jobs one after another: no second worker');
      const first = pool.threads[0];
      // Two at once: the second waits, and no live worker can take it now, so a worker starts for it (which of
      // the two runs it depends on which is free first).
      const two = [pool.run(job(small, 4)), pool.run(job(small, 5))];
      assert.equal(pool.threads.length, 2);
      assert.equal((await Promise.all(two)).length, 2);
      assert.equal(pool.threads[0], first, 'the first worker stays');
      const held = await holdings(pool);
      assert.equal(held.length, 2, 'runOnEachWorker: one answer per live worker');
      assert.ok(held[0] > 0, `the first worker holds the model: ${held} bytes of tensors`);
      await Promise.all([6, 7, 8, 9, 10, 11].map((k) => pool.run(job(small, k))));
      assert.equal(pool.threads.length, 2, 'six at once: still the pool size');
    } finally {
      await pool.dispose();
    }
  });

  it('counts a worker still starting: two jobs queued before the first worker is up start one more, not two', async () => {
    ONE_WORKER.minModelBytes = Number.POSITIVE_INFINITY;
    const pool = new WorkerPool({ size: 3, threads: 1, workerScript: WORKER, wasmDir: DIST });
    try {
      await Promise.all([pool.run(job(small, 1)), pool.run(job(small, 2))]);
      assert.equal(pool.threads.length, 2);
    } finally {
      await pool.dispose();
    }
  });

  it("a large model's jobs, however many wait, run on the one worker that has it and start no other; other work does", async () => {
    ONE_WORKER.minModelBytes = 0;
    SPLIT_POLICY.minMs = 0; // a one-image seed-set call would be split for any model that may split
    const pool = new WorkerPool({ size: 2, threads: 1, workerScript: WORKER, wasmDir: DIST });
    try {
      // Queued before the first worker is up, and while it runs the first of them.
      const results = await Promise.all([...[1, 2, 3, 4].map((k) => pool.run(job(large, k))), explainInParallel(pool, job(large, 5, SEED))]);
      assert.equal(results[4].explanations.length, SEED.length);
      assert.equal(pool.threads.length, 1, 'no second worker for a large model held by the first');
      const held = await holdings(pool);
      assert.equal(held.length, 1);
      // A job no live worker can take now (the holder is busy) that a new worker could run: a second starts
      // at once (which of the two then runs it depends on which is free first).
      ONE_WORKER.minModelBytes = Number.POSITIVE_INFINITY;
      const busy = pool.run(job(large, 6, ['smoothgrad:samples=256']));
      const other = pool.run(job(small, 7));
      assert.equal(pool.threads.length, 2);
      await Promise.all([busy, other]);
      const after = await holdings(pool);
      assert.ok(after[0] >= held[0], `the holder keeps the large model: ${after} bytes, ${held} before`);
      assert.ok(after[1] < held[0], `the new worker did not load the large model: ${after} bytes, ${held} before`);
    } finally {
      await pool.dispose();
    }
  });
});
