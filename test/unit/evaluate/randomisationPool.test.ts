// The model randomisation check on the worker pool: step 0 recomputes the trained model's maps (ρ = 1),
// re-drawn layers change the gradient methods' maps, the targets stay the trained model's, the numbers are
// those of Spearman's ρ on the maps of explain jobs, and the whole check is reproducible by seed.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { randomisationCheck, type RandomisationRequest } from '../../../src/engine/evaluate/randomisation';
import { spearman } from '../../../src/engine/evaluate/spearman';
import { CancelledError, WorkerPool } from '../../../src/engine/pool/workerPool';
import type { ExplainResult, ImageSource } from '../../../src/protocol/engineJobs';
import { saveModel, seedWeights, tempModelDir } from '../model/savedModels';
import { DIST, WORKER, bundleReady } from '../bundles';

const METHODS = ['gradient', 'guided-backprop', 'sensitivity', 'lrp-a2b1'];

function digitPixels(seed: number): ImageSource {
  const data = new Uint8Array(28 * 28);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + seed * 101) % 256 > 120 ? (i * 13 + seed * 7) % 256 : 0;
  return { kind: 'pixels', name: `sample-${seed}`, width: 28, height: 28, channels: 1, data };
}

describe('model randomisation check on the worker pool', () => {
  let modelPath: string;
  let layerNames: string[];
  let pool: WorkerPool;
  const images = [1, 2, 3].map(digitPixels);
  const request = (over: Partial<RandomisationRequest> = {}): RandomisationRequest => ({
    model: { path: modelPath },
    images,
    methods: METHODS,
    preprocess: 'none',
    seed: 7,
    ...over,
  });

  before(async () => {
    await bundleReady(WORKER);
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, activation: 'relu', name: 'conv' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 16, activation: 'relu', name: 'hidden' }),
        tf.layers.dense({ units: 10, activation: 'softmax', name: 'logits' }),
      ],
    });
    seedWeights(model, 21);
    layerNames = ['logits', 'hidden', 'conv'];
    modelPath = await saveModel(model, tempModelDir('randomise-cnn'));
    model.dispose();
    pool = new WorkerPool({ size: 2, workerScript: WORKER, wasmDir: DIST });
  });

  after(() => pool.dispose());

  it('steps re-draw the Dense/Conv layers from the logits down; ρ as Spearman of explain jobs’ maps', async () => {
    const progress: number[][] = [];
    const check = await randomisationCheck(pool, request({ targets: [5, null, null] }), { onProgress: (d, t) => progress.push([d, t]) });
    assert.deepEqual(check.steps, [
      { layers: 0, layer: null },
      { layers: 1, layer: 'logits' },
      { layers: 2, layer: 'hidden' },
      { layers: 3, layer: 'conv' },
    ]);
    assert.equal(check.results.length, 3 * METHODS.length);
    const trained: ExplainResult = await pool.run({ type: 'explain', model: { path: modelPath }, images, methods: METHODS, targets: [[5], null, null], preprocess: 'none' });
    const targets = check.results.map((r) => r.target);
    assert.deepEqual(targets, trained.explanations.map((e) => e.target));
    assert.equal(targets[0], 5);
    for (const step of [1, 3]) {
      const redrawn: ExplainResult = await pool.run({
        type: 'explain',
        model: { path: modelPath },
        images,
        methods: METHODS,
        targets: targets.filter((_, n) => n % METHODS.length === 0).map((t) => [t]),
        preprocess: 'none',
        randomise: { layers: step, seed: 7 },
      });
      check.results.forEach((r, n) => {
        const [a, b] = [trained.explanations[n].relevance, redrawn.explanations[n].relevance];
        assert.equal(r.spearman[step], spearman(a, b));
        assert.equal(r.spearmanAbs[step], spearman(a.map(Math.abs), b.map(Math.abs)));
      });
    }
    for (const r of check.results) {
      assert.equal(r.spearman[0], 1, `${r.method}: step 0 is the trained model`);
      assert.equal(r.spearmanAbs[0], 1);
    }
    // The gradient family follows the model: re-drawing the top layer changes its maps a lot.
    for (const method of ['gradient', 'guided-backprop', 'sensitivity']) {
      const s = check.summary.find((x) => x.method === method)!;
      assert.equal(s.images, 3);
      assert.ok(s.spearmanAbs[1] < 0.9 && s.spearmanAbs[3] < 0.9, `${method}: ${s.spearmanAbs}`);
    }
    const mean = (k: number, step: number) => check.results.filter((_, n) => n % METHODS.length === k).reduce((t, r) => t + r.spearman[step], 0) / 3;
    check.summary.forEach((s, k) => s.spearman.forEach((v, step) => assert.ok(Math.abs(v - mean(k, step)) < 1e-12)));
    assert.deepEqual(progress[progress.length - 1], [5, 5]);
  });

  it('is reproducible by seed; another seed draws other weights', async () => {
    const a = await randomisationCheck(pool, request());
    const b = await randomisationCheck(pool, request());
    const c = await randomisationCheck(pool, request({ seed: 8 }));
    assert.deepEqual(a.results, b.results);
    assert.notDeepEqual(a.results.map((r) => r.spearman[2]), c.results.map((r) => r.spearman[2]));
  });

  it('can be cancelled; the pool stays usable', async () => {
    const controller = new AbortController();
    const run = randomisationCheck(pool, request({ images: Array.from({ length: 40 }, (_, i) => digitPixels(i)) }), {
      signal: controller.signal,
      onProgress: (done) => done > 1 && controller.abort(),
    });
    await assert.rejects(run, (e: unknown) => e instanceof CancelledError);
    const again = await randomisationCheck(pool, request({ images: images.slice(0, 1), methods: ['gradient'] }));
    assert.equal(again.results[0].spearman[0], 1);
  });
});
