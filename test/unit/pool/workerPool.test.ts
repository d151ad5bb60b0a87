// The worker pool with real worker threads running the bundled worker (dist/worker.js, built by
// `npm run build`) on the real WASM backend.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { explainInParallel, predictInParallel, splitEvenly } from '../../../src/engine/pool/parallelJobs';
import { CancelledError, WorkerPool } from '../../../src/engine/pool/workerPool';
import type { ExplainJob, ImageSource } from '../../../src/protocol/engineJobs';
import { saveDigitMlp } from '../model/savedModels';
import { DIST, WORKER, bundleReady, stripedDigit } from '../bundles';

const digitPixels = stripedDigit;

describe('worker pool', () => {
  let modelPath: string;
  let pool: WorkerPool;

  before(async () => {
    await bundleReady(WORKER);
    modelPath = (await saveDigitMlp('pool-mlp', 7, 16)).path;
    pool = new WorkerPool({ size: 2, workerScript: WORKER, wasmDir: DIST });
  });

  after(() => pool.dispose());

  const job = (images: ImageSource[], methods = ['lrp-a2b1']): ExplainJob => ({
    type: 'explain',
    model: { path: modelPath },
    images,
    methods,
    preprocess: 'none',
  });

  it('explains on wasm-simd in worker threads, split over the workers like one call', async () => {
    const images = [1, 2, 3, 4, 5].map(digitPixels);
    const whole = await pool.run(job(images, ['gradient', 'deep-taylor']));
    const split = await explainInParallel(pool, job(images, ['gradient', 'deep-taylor']));
    assert.equal(whole.backend.name, 'wasm-simd');
    assert.equal(split.explanations.length, 10);
    for (let k = 0; k < 10; k++) {
      assert.equal(split.explanations[k].image, whole.explanations[k].image);
      assert.equal(split.explanations[k].method, whole.explanations[k].method);
      assert.deepEqual(Array.from(split.explanations[k].relevance), Array.from(whole.explanations[k].relevance));
    }
  });

  it('reports SmoothGrad and IG progress from the worker while the job runs; the maps match one unchunked run', async () => {
    const image = digitPixels(3);
    for (const [method, points] of [['smoothgrad:samples=64', 64], ['integrated-gradients:steps=48', 48]] as const) {
      const seen: Array<[number, number]> = [];
      const withProgress = await pool.run(job([image], [method]), undefined, (done, total) => seen.push([done, total]));
      assert.ok(seen.length >= 4, `${method}: ${seen.length} progress messages (${JSON.stringify(seen)})`);
      assert.ok(seen.every(([, total]) => total === points), `${method}: totals ${JSON.stringify(seen)}`);
      assert.ok(seen.every(([done], i) => i === 0 || done > seen[i - 1][0]), `${method}: progress moves forward`);
      assert.deepEqual(seen[seen.length - 1], [points, points]);
      // Without a callback the points are evaluated in one batch: the same map up to float32 summation order.
      const plain = await pool.run(job([image], [method]));
      const a = withProgress.explanations[0].relevance;
      const b = plain.explanations[0].relevance;
      const scale = Math.max(...Array.from(b, Math.abs));
      assert.ok(scale > 0);
      for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-5 * scale, `${method} pixel ${i}: ${a[i]} vs ${b[i]}`);
    }
    // Two images split over both workers: the chunks' progress is added up.
    const both: Array<[number, number]> = [];
    await explainInParallel(pool, job([digitPixels(1), digitPixels(2)], ['smoothgrad:samples=64']), undefined, (d, t) => both.push([d, t]));
    assert.deepEqual(both[both.length - 1], [128, 128]);
  });

  it('leaks no tensors over 100 explain calls in a worker', async () => {
    const one = new WorkerPool({ size: 1, workerScript: WORKER, wasmDir: DIST });
    try {
      const methods = ['lrp-a2b1', 'sensitivity', 'deep-taylor'];
      // The first call loads the model and prepares its per-rule weights (kept on purpose, once).
      await one.run(job([digitPixels(1)], methods));
      const start = await one.run({ type: 'memory' });
      for (let i = 0; i < 100; i++) await one.run(job([digitPixels(i)], methods));
      const end = await one.run({ type: 'memory' });
      assert.equal(end.numTensors, start.numTensors);
    } finally {
      await one.dispose();
    }
  });

  it('predicts in chunks spread over the workers, same numbers as one job', async () => {
    const count = 25;
    const pixels = new Uint8Array(count * 784);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7919) % 256;
    const whole = await pool.run({ type: 'predict', model: { path: modelPath }, pixels, count });
    const progress: number[] = [];
    const chunked = await predictInParallel(pool, { type: 'predict', model: { path: modelPath }, pixels, count }, { chunkSize: 6, onProgress: (d) => progress.push(d) });
    assert.deepEqual(Array.from(chunked.probabilities), Array.from(whole.probabilities));
    assert.equal(progress.at(-1), count);
    assert.equal(whole.classes, 10);
  });

  it('replaces a crashed worker and retries its job once', async () => {
    const crashing = new WorkerPool({ size: 1, workerScript: WORKER, wasmDir: DIST });
    try {
      await crashing.run(job([digitPixels(1)]));
      const victim = crashing.threads[0];
      const running = crashing.run(job([digitPixels(2)], ['occlusion', 'integrated-gradients:steps=128']));
      // Kill the thread while the job runs, as a crash would.
      setImmediate(() => void victim.terminate());
      const result = await running;
      assert.equal(result.explanations.length, 2);
      assert.notEqual(crashing.threads[0], victim);
    } finally {
      await crashing.dispose();
    }
  });

  it('cancels queued and running jobs, and keeps working afterwards', async () => {
    const one = new WorkerPool({ size: 1, workerScript: WORKER, wasmDir: DIST });
    try {
      const controller = new AbortController();
      const running = one.run(job([digitPixels(3)], ['integrated-gradients:steps=64']), controller.signal);
      const queued = one.run(job([digitPixels(4)]), controller.signal);
      controller.abort();
      await assert.rejects(running, CancelledError);
      await assert.rejects(queued, CancelledError);
      const after = await one.run(job([digitPixels(5)]));
      assert.equal(after.explanations.length, 1);
    } finally {
      await one.dispose();
    }
  });

  it('reports a user error from a worker as one line naming the file', async () => {
    const missing = path.join(path.dirname(modelPath), 'nope', 'model.json');
    await assert.rejects(pool.run({ ...job([digitPixels(1)]), model: { path: missing } }), (e: Error) => {
      assert.equal(e.name, 'UserError');
      assert.match(e.message, /nope[\\/]model\.json/);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
  });

  it('reports an unreadable image per image and explains the others', async () => {
    const result = await pool.run(job([digitPixels(1), { kind: 'bytes', name: 'broken.png', bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]) }]));
    assert.equal(result.images[1].error !== undefined, true);
    assert.match(result.images[1].error!, /broken\.png/);
    assert.equal(result.explanations.length, 1);
    assert.equal(result.explanations[0].image, 0);
  });

  it('splits evenly', () => {
    assert.deepEqual(splitEvenly(5, 2), [
      [0, 2],
      [2, 5],
    ]);
    assert.deepEqual(splitEvenly(1, 4), [[0, 1]]);
  });
});
