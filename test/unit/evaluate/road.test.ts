// ROAD (docs/faithfulness.md, "Faithfulness measures"): the noisy linear imputation against a plain loop that applies the
// definition itself (every removed pixel = the weighted mean of its in-image neighbours, Gauss–Seidel until
// nothing moves, float64), its noise (seeded, in the documented order, σ = 0.01 on the image scale), and the
// ROAD curves of a small ReLU net against a float64 forward pass of the reference's imputed images; the
// patch units and the baselines (black, mean colour, blur) against plain loops.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { blackInput, blurred, describeBaseline, meanInput } from '../../../src/engine/evaluate/baselines';
import { flipCurves } from '../../../src/engine/evaluate/flipCurves';
import { removedAt } from '../../../src/engine/evaluate/perturbation';
import { roadNoiseLevels } from '../../../src/engine/evaluate/pixelFlipJob';
import { pixelOrder } from '../../../src/engine/evaluate/pixelOrder';
import { imputeRemoved, ROAD_NEIGHBOURS, roadNoise } from '../../../src/engine/evaluate/roadImputation';
import { defaultPatch, flipUnits, unitRelevance } from '../../../src/engine/evaluate/units';
import { normalStream } from '../../../src/engine/seededRandom';
import type { ModelCard } from '../../../src/protocol/model';
import { random, randomArray, toNetwork } from '../methods/reference';
import { reluMlp } from './reluMlp';

/** The definition as a plain loop: Gauss–Seidel sweeps of x_p ← Σ w_q x_q / Σ w_q over the removed pixels. */
function imputeReference(input: ArrayLike<number>, mask: ArrayLike<number>, [h, w, c]: number[]): number[] {
  const x = Array.from(input);
  for (let sweep = 0; sweep < 100000; sweep++) {
    let moved = 0;
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        if (!mask[y * w + xx]) continue;
        for (let ch = 0; ch < c; ch++) {
          let total = 0;
          let weights = 0;
          for (const [dy, dx, weight] of [[-1, -1, 1 / 12], [-1, 0, 1 / 6], [-1, 1, 1 / 12], [0, -1, 1 / 6], [0, 1, 1 / 6], [1, -1, 1 / 12], [1, 0, 1 / 6], [1, 1, 1 / 12]]) {
            if (y + dy < 0 || y + dy >= h || xx + dx < 0 || xx + dx >= w) continue;
            total += weight * x[((y + dy) * w + xx + dx) * c + ch];
            weights += weight;
          }
          const v = total / weights;
          moved = Math.max(moved, Math.abs(v - x[(y * w + xx) * c + ch]));
          x[(y * w + xx) * c + ch] = v;
        }
      }
    }
    if (moved < 1e-13) return x;
  }
  throw new Error('the reference did not converge');
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('ROAD noisy linear imputation', () => {
  it("uses the reference implementation's weights: 1/6 straight, 1/12 diagonal, summing to 1", () => {
    assert.equal(ROAD_NEIGHBOURS.length, 8);
    for (const [dy, dx, weight] of ROAD_NEIGHBOURS) assert.equal(weight, dy !== 0 && dx !== 0 ? 1 / 12 : 1 / 6);
    assert.ok(Math.abs(ROAD_NEIGHBOURS.reduce((s, n) => s + n[2], 0) - 1) < 1e-15);
  });

  it('by hand: one removed pixel in a 3×3 grey image is the weighted mean of its 8 neighbours', () => {
    const input = Float32Array.from([1, 2, 3, 4, 100, 6, 7, 8, 9]);
    const out = new Float32Array(9);
    imputeRemoved(out, input, Uint8Array.from([0, 0, 0, 0, 1, 0, 0, 0, 0]), [3, 3, 1]);
    // (1 + 3 + 7 + 9)/12 + (2 + 4 + 6 + 8)/6 = 20/12 + 20/6 = 5
    assert.ok(Math.abs(out[4] - 5) < 1e-6);
    // A corner pixel: neighbours right (1/6), below (1/6), diagonal (1/12), renormalised by 5/12.
    imputeRemoved(out, input, Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0]), [3, 3, 1]);
    assert.ok(Math.abs(out[0] - (2 / 6 + 4 / 6 + 100 / 12) / (5 / 12)) < 1e-5);
    assert.deepEqual(Array.from(out.subarray(1)), Array.from(input.subarray(1)));
  });

  it('equals the plain loop on masks of every density, borders and RGB included', () => {
    const rand = random(11);
    for (const [h, w, c, fraction] of [[7, 5, 1, 0.3], [12, 12, 3, 0.6], [16, 9, 3, 0.95], [10, 10, 1, 0.99]] as const) {
      const input = Float32Array.from(randomArray(rand, h * w * c, -2, 2));
      const mask = Uint8Array.from({ length: h * w }, () => (rand() < fraction ? 1 : 0));
      if (mask.every(Boolean)) mask[0] = 0;
      const out = new Float32Array(input.length);
      imputeRemoved(out, input, mask, [h, w, c]);
      const reference = imputeReference(input, mask, [h, w, c]);
      assert.ok(maxDiff(out, reference) < 2e-6, `${h}×${w}×${c}, ${fraction}: ${maxDiff(out, reference)}`);
      // Kept pixels are untouched, exactly.
      for (let p = 0; p < h * w; p++) if (!mask[p]) for (let ch = 0; ch < c; ch++) assert.equal(out[p * c + ch], input[p * c + ch]);
    }
  });

  it('imputes a constant image to itself, and commutes with a per-channel affine map', () => {
    const mask = Uint8Array.from({ length: 64 }, (_, p) => (p % 3 === 0 || p > 40 ? 1 : 0));
    const flat = new Float32Array(64 * 2).fill(0.7);
    const out = new Float32Array(flat.length);
    imputeRemoved(out, flat, mask, [8, 8, 2]);
    assert.ok(maxDiff(out, flat) < 1e-6);
    const rand = random(3);
    const image = Float32Array.from(randomArray(rand, 64, 0, 1));
    const scaled = image.map((v) => (v - 0.5) / 0.25);
    const [a, b] = [new Float32Array(64), new Float32Array(64)];
    imputeRemoved(a, image, mask, [8, 8, 1]);
    imputeRemoved(b, scaled, mask, [8, 8, 1]);
    assert.ok(maxDiff(b, a.map((v) => (v - 0.5) / 0.25)) < 1e-5);
  });

  it('adds seeded noise of σ per channel, drawn in row-major order with channels innermost', () => {
    const rand = random(4);
    const input = Float32Array.from(randomArray(rand, 6 * 6 * 3));
    const mask = Uint8Array.from({ length: 36 }, (_, p) => (p % 4 === 1 ? 1 : 0));
    const [clean, noisy] = [new Float32Array(input.length), new Float32Array(input.length)];
    imputeRemoved(clean, input, mask, [6, 6, 3]);
    imputeRemoved(noisy, input, mask, [6, 6, 3], roadNoise([0.1, 0.2, 0.3], 3, 1));
    const draw = normalStream(2 * 3 + 1);
    for (let p = 0; p < 36; p++) {
      for (let ch = 0; ch < 3; ch++) {
        const expected = mask[p] ? clean[p * 3 + ch] + [0.1, 0.2, 0.3][ch] * draw() : input[p * 3 + ch];
        assert.ok(Math.abs(noisy[p * 3 + ch] - expected) < 1e-6);
      }
    }
  });

  it("σ is 0.01 of the image scale in model-input units: 0.01·(high − low)/std", () => {
    const card = (over: Partial<ModelCard>): ModelCard => ({ id: 'm', name: 'm', labels: ['a'], inputShape: [4, 4, 3], inputRange: [0, 1], ...over });
    roadNoiseLevels(card({})).forEach((s) => assert.ok(Math.abs(s - 0.01) < 1e-15));
    roadNoiseLevels(card({ mean: [0.5, 0.45, 0.4], std: [0.25, 0.24, 0.26] })).forEach((s, c) => assert.ok(Math.abs(s - 0.01 / [0.25, 0.24, 0.26][c]) < 1e-12));
    roadNoiseLevels(card({ inputRange: [0, 255] })).forEach((s) => assert.ok(Math.abs(s - 2.55) < 1e-12));
  });

  it('refuses a mask that removes every pixel', () => {
    assert.throws(() => imputeRemoved(new Float32Array(4), new Float32Array(4), new Uint8Array(4).fill(1), [2, 2, 1]), /at least one kept pixel/);
  });
});

describe('units and baselines', () => {
  it('patches: pixels up to 64×64, round(max(H, W)/28) above; tiles from the top-left, narrower at the edge', () => {
    assert.deepEqual([[28, 28], [64, 64], [65, 65], [96, 96], [128, 128], [224, 224], [224, 112]].map(([h, w]) => defaultPatch(h, w)), [1, 1, 2, 3, 5, 8, 8]);
    const units = flipUnits(5, 5, 2);
    assert.equal(units.count, 9);
    const pixelsOf = (u: number) => Array.from(units.pixels.subarray(units.offsets[u], units.offsets[u + 1]));
    assert.deepEqual(pixelsOf(0), [0, 1, 5, 6]);
    assert.deepEqual(pixelsOf(2), [4, 9]);
    assert.deepEqual(pixelsOf(8), [24]);
    const r = Float32Array.from({ length: 25 }, (_, i) => i);
    assert.deepEqual(Array.from(unitRelevance(units, r)), [12, 20, 13, 52, 60, 33, 41, 45, 24]);
    assert.throws(() => flipUnits(5, 5, 0), /patch side must be a whole number from 1 to 5/);
  });

  it("black is the input of an 8-bit 0; the mean colour is 0 under the card's mean, else the image's own mean", () => {
    const card: ModelCard = { id: 'm', name: 'm', labels: ['a'], inputShape: [2, 2, 3], inputRange: [0, 1], mean: [0.5, 0.45, 0.4], std: [0.25, 0.24, 0.26] };
    blackInput(card).forEach((v, c) => assert.ok(Math.abs(v - -[0.5, 0.45, 0.4][c] / [0.25, 0.24, 0.26][c]) < 1e-12));
    const image = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert.deepEqual(meanInput(card, image), [0, 0, 0]);
    assert.deepEqual(meanInput({ ...card, mean: undefined, std: undefined }, image), [(0 + 3 + 6 + 9) / 4, (1 + 4 + 7 + 10) / 4, (2 + 5 + 8 + 11) / 4]);
  });

  it('the blur is a normalised Gaussian with repeated edges, as a plain 2-D loop computes it', () => {
    const rand = random(8);
    const [h, w, c, sigma] = [6, 7, 2, 1.3];
    const input = Float32Array.from(randomArray(rand, h * w * c));
    const radius = Math.ceil(3 * sigma);
    const g = (d: number) => Math.exp(-(d * d) / (2 * sigma * sigma));
    let norm = 0;
    for (let d = -radius; d <= radius; d++) norm += g(d);
    const clamp = (v: number, n: number) => Math.min(n - 1, Math.max(0, v));
    const out = blurred(input, [h, w, c], sigma);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let ch = 0; ch < c; ch++) {
          let total = 0;
          for (let dy = -radius; dy <= radius; dy++) for (let dx = -radius; dx <= radius; dx++) total += (g(dy) * g(dx) * input[(clamp(y + dy, h) * w + clamp(x + dx, w)) * c + ch]) / (norm * norm);
          assert.ok(Math.abs(out[(y * w + x) * c + ch] - total) < 1e-5);
        }
      }
    }
  });

  it("says the baseline in the user's terms", () => {
    const card: ModelCard = { id: 'm', name: 'm', labels: ['a'], inputShape: [32, 32, 1], inputRange: [0, 1], mean: 0.5, std: 0.25 };
    assert.equal(describeBaseline('black', card), "pixels set to black (0 in the image), i.e. −2 after the card's mean/std");
    assert.equal(describeBaseline('black', { ...card, mean: undefined, std: undefined }), 'pixels set to black (0 in the image), i.e. 0 in the model input');
    assert.equal(describeBaseline('mean', card), "pixels set to the data set's mean colour (the card's mean), i.e. 0 after the card's mean/std");
    assert.equal(describeBaseline('mean', { ...card, mean: undefined, std: undefined }), "pixels set to the image's own mean colour (the card has no mean/std to name the data set's)");
    assert.equal(describeBaseline('blur', { ...card, inputShape: [224, 224, 3] }), 'pixels replaced by a blurred copy of the image (Gaussian, σ = 8 px)');
  });
});

describe('ROAD and patch curves', () => {
  before(async () => {
    await initBackend(nodeModulesWasmDir());
  });

  // A ReLU net on 6×6×2 inputs, 3 classes, and its float64 logits.
  const rand = random(21);
  const [h, w, c] = [6, 6, 2];
  const { net, logit } = reluMlp(rand, [h, w, c], 7);
  const images = [Float32Array.from(randomArray(rand, h * w * c, 0, 1)), Float32Array.from(randomArray(rand, h * w * c, 0, 1))];
  const maps = [Float32Array.from(randomArray(rand, h * w)), Float32Array.from({ length: h * w }, (_, i) => (i % 5) - 2)];
  const items = [
    { image: 0, relevance: maps[0], target: 2 },
    { image: 1, relevance: maps[1], target: 0, contrast: 1 },
  ];
  const score = (x: ArrayLike<number>, item: (typeof items)[number]) => logit(x, item.target) - ('contrast' in item ? logit(x, item.contrast as number) : 0);

  it('ROAD: K curve points per order, each the score of the imputed image with the noise of its step (reference loop)', () => {
    const steps = 5;
    const noise = [0.05, 0.02];
    const network = toNetwork(net);
    const curves = flipCurves({ network, imageShape: [h, w, c], images, items, steps, removal: { kind: 'road', noise } });
    network.dispose();
    items.forEach((item, n) => {
      (['morf', 'lerf'] as const).forEach((order, o) => {
        const idx = Array.from(pixelOrder(item.relevance, order));
        const expected = Array.from({ length: steps }, (_, k) => {
          const mask = new Uint8Array(h * w);
          for (const p of idx.slice(0, removedAt(k, steps, h * w))) mask[p] = 1;
          const x = imputeReference(images[item.image], mask, [h, w, c]);
          const draw = normalStream(2 * k + o);
          for (let p = 0; p < h * w; p++) if (mask[p] && k > 0) for (let ch = 0; ch < c; ch++) x[p * c + ch] += noise[ch] * draw();
          return score(x, item);
        });
        const got = curves[n][order];
        assert.equal(got.length, steps);
        got.forEach((v, k) => assert.ok(Math.abs(v - expected[k]) < 2e-5, `item ${n} ${order} step ${k}: ${v} vs ${expected[k]}`));
      });
    });
  });

  it('patches: a step removes whole patches by their summed relevance; contrast scores f_c − f_c′', () => {
    const steps = 3;
    const patch = 4; // 2×2 patches of 4×4, 4×2, 2×4, 2×2 pixels
    const baselines = images.map((image) => image.map(() => -0.5));
    const network = toNetwork(net);
    const curves = flipCurves({ network, imageShape: [h, w, c], images, items, steps, patch, removal: { kind: 'replace', baselines } });
    network.dispose();
    const units = flipUnits(h, w, patch);
    items.forEach((item, n) => {
      for (const order of ['morf', 'lerf'] as const) {
        const patchR = [0, 0, 0, 0];
        for (let p = 0; p < h * w; p++) patchR[Math.floor(Math.floor(p / w) / patch) * 2 + Math.floor((p % w) / patch)] += item.relevance[p];
        const byPatch = [0, 1, 2, 3].sort((a, b) => (order === 'morf' ? patchR[b] - patchR[a] : patchR[a] - patchR[b]) || a - b);
        const expected = [0, 1, 2, 3].map((k) => {
          const x = Array.from(images[item.image]);
          for (const u of byPatch.slice(0, Math.floor((k * 4) / steps))) for (const p of units.pixels.subarray(units.offsets[u], units.offsets[u + 1])) for (let ch = 0; ch < c; ch++) x[p * c + ch] = -0.5;
          return score(x, item);
        });
        curves[n][order].forEach((v, k) => assert.ok(Math.abs(v - expected[k]) < 2e-5, `item ${n} ${order} step ${k}: ${v} vs ${expected[k]}`));
      }
    });
    assert.throws(
      () => flipCurves({ network: toNetwork(net), imageShape: [h, w, c], images, items, steps: 5, patch, removal: { kind: 'replace', baselines } }),
      /from 1 to 4 \(the 2×2 patches of 4×4 pixels\), got 5/,
    );
  });
});
