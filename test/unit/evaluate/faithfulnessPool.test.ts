// Pixel flipping on the worker pool (real worker threads, bundled dist/worker.js, WASM): a saved model with
// a card that has range and mean/std, curves checked against a float64 forward pass written here with the
// maps the engine produced, the summary, progress, targets, unreadable images, cancellation, leaks.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { blurred } from '../../../src/engine/evaluate/baselines';
import { evaluateFaithfulness, type FaithfulnessRequest } from '../../../src/engine/evaluate/faithfulness';
import { imputeRemoved, roadNoise } from '../../../src/engine/evaluate/roadImputation';
import { meanWithError } from '../../../src/engine/evaluate/statistics';
import { verdictOf } from '../../../src/engine/evaluate/verdict';
import { CancelledError, WorkerPool } from '../../../src/engine/pool/workerPool';
import type { ExplainResult, ImageSource } from '../../../src/protocol/engineJobs';
import { saveDigitMlp, saveModel, seedWeights, tempModelDir } from '../model/savedModels';
import { DIST, WORKER, bundleReady } from '../bundles';

const HIDDEN = 16;

function digitPixels(seed: number): ImageSource {
  const data = new Uint8Array(28 * 28);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + seed * 101) % 256 > 150 ? (i * 13 + seed) % 256 : 0;
  return { kind: 'pixels', name: `sample-${seed}`, width: 28, height: 28, channels: 1, data };
}

describe('pixel flipping on the worker pool', () => {
  let modelPath: string;
  let pool: WorkerPool;
  let weights: Float32Array[];
  const request = (images: ImageSource[], over: Partial<FaithfulnessRequest> = {}): FaithfulnessRequest => ({
    model: { path: modelPath },
    images,
    methods: ['gradient', 'lrp-ab:alpha=2,beta=1', 'deep-taylor'],
    preprocess: 'none',
    steps: 7,
    ...over,
  });

  before(async () => {
    await bundleReady(WORKER);
    ({ path: modelPath, weights } = await saveDigitMlp('flip-mlp', 11, HIDDEN, true));
    const dir = path.dirname(modelPath);
    // Pixels map to [−1, 1], then (x − 0.5)/0.25: a pixel 0 is (−1 − 0.5)/0.25 = −6 at the model input.
    fs.writeFileSync(path.join(dir, 'card.json'), JSON.stringify({ inputRange: [-1, 1], mean: 0.5, std: 0.25 }));
    pool = new WorkerPool({ size: 2, workerScript: WORKER, wasmDir: DIST });
  });

  after(() => pool.dispose());

  /** f_target of the saved MLP on a model input, in float64. */
  function logit(x: Float64Array, target: number): number {
    const [w1, b1, w2, b2] = weights;
    let out = b2[target];
    for (let j = 0; j < HIDDEN; j++) {
      let z = b1[j];
      for (let i = 0; i < 784; i++) z += x[i] * w1[i * HIDDEN + j];
      out += Math.max(0, z) * w2[j * 10 + target];
    }
    return out;
  }

  /** The curve the protocol asks for, from the map and the 8-bit pixels, written out plainly. */
  function referenceCurve(pixels: Uint8Array, map: Float32Array, target: number, steps: number, order: 'morf' | 'lerf'): number[] {
    const idx = [...map.keys()].sort((a, b) => {
      const d = order === 'morf' ? map[b] - map[a] : map[a] - map[b];
      return d !== 0 ? d : a - b;
    });
    return Array.from({ length: steps + 1 }, (_, k) => {
      const x = Float64Array.from(pixels, (v) => (-1 + (2 * v) / 255 - 0.5) / 0.25);
      for (const p of idx.slice(0, Math.floor((k * 784) / steps))) x[p] = -6;
      return logit(x, target);
    });
  }

  it('gives every image × method its MoRF/LeRF curves, AOPC and ABPC, as the protocol computes them', async () => {
    const images = [1, 2, 3, 4, 5, 6].map(digitPixels);
    const progress: Array<[number, number]> = [];
    const evaluation = await evaluateFaithfulness(pool, request(images, { targets: [3, null, null, null, null, 9] }), {
      onProgress: (done, total) => progress.push([done, total]),
    });
    const maps: ExplainResult = await pool.run({
      type: 'explain',
      model: { path: modelPath },
      images,
      methods: ['gradient', 'lrp-a2b1', 'deep-taylor'],
      targets: [[3], null, null, null, null, [9]],
      preprocess: 'none',
    });
    assert.equal(evaluation.backend.name, 'wasm-simd');
    assert.equal(evaluation.steps, 7);
    assert.equal(evaluation.images.length, 6);
    assert.equal(evaluation.results.length, 18);
    evaluation.results.forEach((r, n) => {
      const e = maps.explanations[n];
      assert.equal(r.image, Math.floor(n / 3));
      assert.equal(r.method, ['gradient', 'lrp-ab:alpha=2,beta=1', 'deep-taylor'][n % 3], 'the spec as given');
      assert.equal(r.target, r.image === 0 ? 3 : r.image === 5 ? 9 : e.predicted);
      assert.equal(r.predicted, e.predicted);
      for (const order of ['morf', 'lerf'] as const) {
        const expected = referenceCurve(maps.images[r.image].pixels, e.relevance, r.target, 7, order);
        assert.equal(r.curves[order].length, 8);
        r.curves[order].forEach((v, k) => assert.ok(Math.abs(v - expected[k]) < 1e-4 * Math.max(1, Math.abs(expected[k])), `${n} ${order}[${k}]: ${v} vs ${expected[k]}`));
      }
      assert.ok(Math.abs(r.curves.morf[0] - e.logit) < 1e-5 * Math.max(1, Math.abs(e.logit)), 'step 0 is the explained logit');
      const drop = (c: number[]) => c.reduce((s, v) => s + c[0] - v, 0) / c.length;
      assert.ok(Math.abs(r.aopcMorf - drop(r.curves.morf)) < 1e-12);
      assert.ok(Math.abs(r.aopcLerf - drop(r.curves.lerf)) < 1e-12);
      assert.ok(Math.abs(r.abpc - (r.aopcMorf - r.aopcLerf)) < 1e-12);
    });
    // Every map of an image ends at the all-baseline image: the same logit for every method.
    for (let i = 0; i < 6; i++) {
      const ends = evaluation.results.filter((r) => r.image === i).map((r) => r.curves.morf[7]);
      assert.ok(ends.every((v) => v === ends[0]));
    }
    assert.deepEqual(evaluation.summary.map((s) => s.method), ['gradient', 'lrp-ab:alpha=2,beta=1', 'deep-taylor']);
    evaluation.summary.forEach((s, k) => {
      const mine = evaluation.results.filter((_, n) => n % 3 === k);
      assert.equal(s.images, 6);
      const mean = (f: (r: (typeof mine)[number]) => number) => mine.reduce((t, r) => t + f(r), 0) / 6;
      assert.ok(Math.abs(s.aopcMorf - mean((r) => r.aopcMorf)) < 1e-9);
      assert.ok(Math.abs(s.aopcLerf - mean((r) => r.aopcLerf)) < 1e-9);
      assert.ok(Math.abs(s.abpc - mean((r) => r.abpc)) < 1e-9);
      assert.ok(Math.abs(s.meanCurves.morf[3] - mean((r) => r.curves.morf[3])) < 1e-9);
    });
    assert.deepEqual(progress[0], [0, 18]);
    assert.deepEqual(progress[progress.length - 1], [18, 18]);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i][0] >= progress[i - 1][0]);
  });

  it('ROAD, the blurred baseline and a contrast on the same maps, with the summary’s standard errors and the verdict', async () => {
    const images = [1, 2, 3, 4, 5, 6].map(digitPixels);
    const steps = 4;
    const methods = ['gradient', 'lrp-a2b1'];
    const evaluation = await evaluateFaithfulness(pool, request(images, { methods, steps, road: true, baseline: 'blur', contrasts: images.map(() => 7), targets: images.map(() => 2) }));
    const maps: ExplainResult = await pool.run({ type: 'explain', model: { path: modelPath }, images, methods, targets: images.map(() => [2]), contrasts: images.map(() => 7), preprocess: 'none' });
    assert.equal(evaluation.baseline, 'blur');
    assert.equal(evaluation.patch, 1);
    const toInput = (pixels: Uint8Array) => Float32Array.from(pixels, (v) => (-1 + (2 * v) / 255 - 0.5) / 0.25);
    const score = (x: Float32Array) => logit(Float64Array.from(x), 2) - logit(Float64Array.from(x), 7);
    evaluation.results.forEach((r, n) => {
      const e = maps.explanations[n];
      assert.equal(r.contrast, 7);
      assert.equal(e.contrast, 7);
      const input = toInput(maps.images[r.image].pixels);
      const blur = blurred(input, [28, 28, 1], 1);
      (['morf', 'lerf'] as const).forEach((order, o) => {
        const idx = [...e.relevance.keys()].sort((a, b) => (order === 'morf' ? e.relevance[b] - e.relevance[a] : e.relevance[a] - e.relevance[b]) || a - b);
        // Pixel flipping with the blurred copy: K + 1 points.
        const flip = Array.from({ length: steps + 1 }, (_, k) => {
          const x = Float32Array.from(input);
          for (const p of idx.slice(0, Math.floor((k * 784) / steps))) x[p] = blur[p];
          return score(x);
        });
        // ROAD: K points, the imputed image with σ = 0.01 · (2 / 0.25) = 0.08 in model-input units.
        const road = Array.from({ length: steps }, (_, k) => {
          const mask = new Uint8Array(784);
          for (const p of idx.slice(0, Math.floor((k * 784) / steps))) mask[p] = 1;
          const x = new Float32Array(784);
          imputeRemoved(x, input, mask, [28, 28, 1], roadNoise([0.08], k, o as 0 | 1));
          return score(x);
        });
        const near = (got: number[], want: number[], what: string) => {
          assert.equal(got.length, want.length, what);
          got.forEach((v, k) => assert.ok(Math.abs(v - want[k]) < 1e-4 * Math.max(1, Math.abs(want[k])), `${what} ${n} ${order}[${k}]: ${v} vs ${want[k]}`));
        };
        near(r.curves[order], flip, 'pixel flipping');
        near(r.road!.curves[order], road, 'ROAD');
      });
    });
    evaluation.summary.forEach((s, k) => {
      const mine = evaluation.results.filter((_, n) => n % 2 === k);
      const abpc = meanWithError(mine.map((r) => r.abpc));
      assert.ok(Math.abs(s.abpc - abpc.mean) < 1e-12 && Math.abs(s.standardErrors.abpc - abpc.standardError) < 1e-12);
      const road = meanWithError(mine.map((r) => r.road!.abpc));
      assert.ok(Math.abs(s.road!.abpc - road.mean) < 1e-12 && Math.abs(s.road!.standardErrors.abpc - road.standardError) < 1e-12);
      assert.equal(s.road!.meanCurves.morf.length, steps);
      assert.ok(Math.abs(s.curveErrors.morf[2] - meanWithError(mine.map((r) => r.curves.morf[2])).standardError) < 1e-12);
    });
    const expected = verdictOf({ score: 'ABPC', methods: [{ name: 'Gradient', values: evaluation.results.filter((_, n) => n % 2 === 0).map((r) => r.abpc) }, { name: 'LRP-α2β1', values: evaluation.results.filter((_, n) => n % 2 === 1).map((r) => r.abpc) }] });
    assert.equal(evaluation.verdict.sentence, expected.sentence);
    assert.equal(evaluation.verdict.images, 6);
    assert.match(evaluation.roadVerdict!.sentence, /ROAD ABPC/);
  });

  it('skips an unreadable image and names it, evaluating the others', async () => {
    const bad: ImageSource = { kind: 'bytes', name: 'broken.png', bytes: new Uint8Array([1, 2, 3, 4, 5]) };
    const evaluation = await evaluateFaithfulness(pool, request([digitPixels(1), bad, digitPixels(2)], { methods: ['gradient'] }));
    assert.match(evaluation.images[1].error ?? '', /broken\.png/);
    assert.deepEqual(evaluation.results.map((r) => r.image), [0, 2]);
    assert.equal(evaluation.summary[0].images, 2);
  });

  it('a cancelled evaluation stops and the pool stays usable', async () => {
    const images = Array.from({ length: 24 }, (_, i) => digitPixels(i));
    const small = request([digitPixels(1)], { methods: ['gradient'], steps: 4 });
    const before = await evaluateFaithfulness(pool, small);
    const controller = new AbortController();
    let seen = 0;
    const started = performance.now();
    const run = evaluateFaithfulness(pool, request(images, { steps: 784 }), {
      signal: controller.signal,
      onProgress: (done) => {
        seen = done;
        if (done > 0) controller.abort();
      },
    });
    await assert.rejects(run, (e: unknown) => e instanceof CancelledError);
    assert.ok(seen < 72, `stopped early (${seen} of 72 done)`);
    const again = await evaluateFaithfulness(pool, small);
    assert.deepEqual(again.results[0].curves, before.results[0].curves);
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(evaluateFaithfulness(pool, small, { signal: aborted.signal }), (e: unknown) => e instanceof CancelledError);
    assert.ok(performance.now() - started < 60_000);
  });

  it('rejects a bad method spec before running anything, and a bad step count with one line', async () => {
    await assert.rejects(evaluateFaithfulness(pool, request([digitPixels(1)], { methods: ['lrp-ab:alpha=3'] , steps: 0 })), /whole number of steps from 1 to 784 .*got 0/);
    await assert.rejects(evaluateFaithfulness(pool, request([digitPixels(1)], { methods: ['nonsense'] })), /unknown method "nonsense"/);
  });

  it('leaks no tensors over many pixel-flip jobs in a worker', async () => {
    const one = new WorkerPool({ size: 1, workerScript: WORKER, wasmDir: DIST });
    try {
      const small = request([digitPixels(1), digitPixels(2)], { steps: 5 });
      await evaluateFaithfulness(one, small);
      const start = await one.run({ type: 'memory' });
      for (let i = 0; i < 10; i++) await evaluateFaithfulness(one, { ...small, steps: 1 + i * 7 });
      const end = await one.run({ type: 'memory' });
      assert.equal(end.numTensors, start.numTensors);
    } finally {
      await one.dispose();
    }
  });

  it('an RGB model with per-channel mean/std: removed pixels take the baseline of their channel', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [6, 6, 3], filters: 2, kernelSize: 3, activation: 'relu' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 4 }),
      ],
    });
    seedWeights(model, 4);
    const dir = tempModelDir('flip-rgb');
    const rgbModel = await saveModel(model, dir);
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    fs.writeFileSync(path.join(dir, 'card.json'), JSON.stringify({ mean, std }));
    const data = Uint8Array.from({ length: 108 }, (_, i) => (i * 53) % 256);
    const image: ImageSource = { kind: 'pixels', name: 'rgb', width: 6, height: 6, channels: 3, data };
    const evaluation = await evaluateFaithfulness(pool, { model: { path: rgbModel }, images: [image], methods: ['gradient'], preprocess: 'none', steps: 3 });
    // Reference: the saved model itself (tfjs layers, this thread) on the normalised image with the first
    // ⌊k·36/3⌋ MoRF pixels set to (0 − mean_c)/std_c.
    const map = (
      (await pool.run({ type: 'explain', model: { path: rgbModel }, images: [image], methods: ['gradient'], preprocess: 'none' })) as ExplainResult
    ).explanations[0];
    const order = [...map.relevance.keys()].sort((a, b) => map.relevance[b] - map.relevance[a] || a - b);
    const expected = [0, 1, 2, 3].map((k) => {
      const x = Float32Array.from(data, (v, i) => (v / 255 - mean[i % 3]) / std[i % 3]);
      for (const p of order.slice(0, k * 12)) for (let c = 0; c < 3; c++) x[p * 3 + c] = -mean[c] / std[c];
      return tf.tidy(() => (model.predict(tf.tensor4d(x, [1, 6, 6, 3])) as tf.Tensor).dataSync()[map.target]);
    });
    model.dispose();
    evaluation.results[0].curves.morf.forEach((v, k) => assert.ok(Math.abs(v - expected[k]) < 1e-4 * Math.max(1, Math.abs(expected[k])), `${k}: ${v} vs ${expected[k]}`));
  });
});
