// Pixel flipping in one thread (METHODS.md "Faithfulness: pixel flipping"): orders and their tie rule,
// the perturbed copies, curves and AOPC/ABPC on a linear model whose logits are written out by hand, and
// on a small ReLU net against a plain float64 forward pass written here.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { isUserError } from '../../../src/engine/errors';
import { flipCurves } from '../../../src/engine/evaluate/flipCurves';
import { blackInput } from '../../../src/engine/evaluate/baselines';
import { removedAt } from '../../../src/engine/evaluate/perturbation';
import { pixelOrder } from '../../../src/engine/evaluate/pixelOrder';
import { aopc, flipScores } from '../../../src/engine/evaluate/scores';
import type { ModelCard } from '../../../src/protocol/model';
import { random, randomArray, toNetwork, type RefNet } from '../methods/reference';
import { reluMlp } from './reluMlp';

/** f_0(x) = x0 + 2·x1 + 3·x2 + 4·x3 + 0.5 and f_1(x) = −x0 + x3 on a 2×2 grey image: every logit below is exact. */
const LINEAR: RefNet = {
  inputShape: [2, 2, 1],
  layers: [{ kind: 'reshape', shape: [4] }, { kind: 'dense', inputs: 4, outputs: 2, w: [1, -1, 2, 0, 3, 0, 4, 1], b: [0.5, 0] }],
};
const ONES = Float32Array.from([1, 1, 1, 1]);
/** Pixel flipping with a constant baseline colour (per channel) for every image. */
const constant = (values: readonly number[], images: Float32Array[]) => ({
  kind: 'replace' as const,
  baselines: images.map((image) => Float32Array.from(image, (_, i) => values[i % values.length])),
});
/** Pixels 0 and 1 tie: the lower index goes first in both orders. MoRF = [2, 0, 1, 3], LeRF = [3, 0, 1, 2]. */
const TIED_MAP = Float32Array.from([1, 1, 2, 0]);

describe('pixel flipping orders', () => {
  it('MoRF sorts by R descending, LeRF ascending, ties by the lower row-major index in both', () => {
    const r = [0.5, 1, 0.5, -1, 1, 0.5];
    assert.deepEqual(Array.from(pixelOrder(r, 'morf')), [1, 4, 0, 2, 5, 3]);
    assert.deepEqual(Array.from(pixelOrder(r, 'lerf')), [3, 0, 2, 5, 1, 4]);
    assert.deepEqual(Array.from(pixelOrder(new Float32Array(5), 'morf')), [0, 1, 2, 3, 4]);
    assert.deepEqual(Array.from(pixelOrder(new Float32Array(5), 'lerf')), [0, 1, 2, 3, 4]);
  });

  it('a NaN ranks last in both orders', () => {
    assert.deepEqual(Array.from(pixelOrder([NaN, 2, -1, NaN], 'morf')), [1, 2, 0, 3]);
    assert.deepEqual(Array.from(pixelOrder([NaN, 2, -1, NaN], 'lerf')), [2, 1, 0, 3]);
  });

  it('removes ⌊k·H·W/K⌋ pixels at step k', () => {
    assert.deepEqual([0, 1, 2, 3].map((k) => removedAt(k, 3, 4)), [0, 1, 2, 4]);
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map((k) => removedAt(k, 7, 784)), [0, 112, 224, 336, 448, 560, 672, 784]);
    assert.deepEqual([0, 1, 2, 3].map((k) => removedAt(k, 3, 10)), [0, 3, 6, 10]);
  });
});

describe('AOPC and ABPC', () => {
  it('AOPC is the mean drop below the first value, over all K+1 points', () => {
    assert.equal(aopc([10.5, 6.5, 0.5]), 14 / 3);
    assert.equal(aopc([3]), 0);
    const s = flipScores({ morf: [2, 0, -1], lerf: [2, 2, 1] });
    assert.deepEqual(s, { aopcMorf: 5 / 3, aopcLerf: 1 / 3, abpc: 5 / 3 - 1 / 3 });
  });
});

describe('pixel-flipping curves', () => {
  before(async () => {
    await initBackend(nodeModulesWasmDir());
  });

  /** Curves of the tied map on ONES for class `target` with K = `steps` and the given baseline. */
  function linearCurves(steps: number, target = 0, baseline = [0]) {
    const network = toNetwork(LINEAR);
    try {
      return flipCurves({ network, imageShape: [2, 2, 1], images: [ONES], items: [{ image: 0, relevance: TIED_MAP, target }], steps, removal: constant(baseline, [ONES]) })[0];
    } finally {
      network.dispose();
    }
  }

  it('K = 2 on a linear model, logits by hand; the tie rule decides MoRF step 1', () => {
    const c = linearCurves(2);
    // f(1,1,1,1) = 10.5. MoRF step 1 removes pixels 2 and 0 (not 2 and 1, which would give 5.5): 2 + 4 + 0.5.
    assert.deepEqual(c.morf, [10.5, 6.5, 0.5]);
    // LeRF step 1 removes pixels 3 and 0: 2 + 3 + 0.5.
    assert.deepEqual(c.lerf, [10.5, 5.5, 0.5]);
    assert.deepEqual(flipScores(c), { aopcMorf: 14 / 3, aopcLerf: 5, abpc: 14 / 3 - 5 });
  });

  it('K = H·W removes one pixel per step', () => {
    const c = linearCurves(4);
    assert.deepEqual(c.morf, [10.5, 7.5, 6.5, 4.5, 0.5]);
    assert.deepEqual(c.lerf, [10.5, 6.5, 5.5, 3.5, 0.5]);
    assert.equal(flipScores(c).aopcMorf, 23 / 5);
    assert.equal(flipScores(c).aopcLerf, 26 / 5);
  });

  it('K = 1 is the image and the all-baseline image', () => {
    const c = linearCurves(1);
    assert.deepEqual(c, { morf: [10.5, 0.5], lerf: [10.5, 0.5] });
    assert.deepEqual(flipScores(c), { aopcMorf: 5, aopcLerf: 5, abpc: 0 });
  });

  it('K = 3 does not divide the 4 pixels: 0, 1, 2, 4 removed', () => {
    const c = linearCurves(3);
    assert.deepEqual(c.morf, [10.5, 7.5, 6.5, 0.5]);
    assert.deepEqual(c.lerf, [10.5, 6.5, 5.5, 0.5]);
  });

  it('another target scores its own logit; a non-zero baseline replaces the pixels', () => {
    // f_1 = −x0 + x3 = 0 on ONES, removed pixels set to −2. MoRF removes 2 (no change), 0 (−(−2) + 1 = 3),
    // 1 (no change), 3 (2 − 2 = 0); LeRF removes 3 (−1 − 2 = −3), 0 (2 − 2 = 0), 1 and 2 (no change).
    const c = linearCurves(4, 1, [-2]);
    assert.deepEqual(c.morf, [0, 0, 3, 3, 0]);
    assert.deepEqual(c.lerf, [0, -3, 0, 0, 0]);
  });

  it('several images and maps in one call agree with a float64 forward pass written here (ReLU net, 2 channels)', () => {
    const rand = random(5);
    const [h, w, c] = [3, 3, 2];
    const { net, logit } = reluMlp(rand, [h, w, c], 5);
    const images = [randomArray(rand, h * w * c, 0, 1), randomArray(rand, h * w * c, 0, 1)];
    const baseline = [-0.5, 0.25];
    // Map 0 has ties; map 2 is constant (the orders are then the index order).
    const maps = [Float32Array.from([3, 1, 1, 0, 2, 2, -1, 0, 5]), Float32Array.from(randomArray(rand, 9)), new Float32Array(9)];
    const items = [
      { image: 0, relevance: maps[0], target: 2 },
      { image: 1, relevance: maps[1], target: 0 },
      { image: 1, relevance: maps[2], target: 1 },
      { image: 0, relevance: maps[1], target: 1 },
    ];
    const steps = 4; // 0, 2, 4, 6, 9 pixels
    const network = toNetwork(net);
    const inputs = images.map((x) => Float32Array.from(x));
    const curves = flipCurves({ network, imageShape: [h, w, c], images: inputs, items, steps, removal: constant(baseline, inputs) });
    network.dispose();

    items.forEach((item, n) => {
      for (const order of ['morf', 'lerf'] as const) {
        // Plain reference: sort with the tie rule, set the first ⌊k·9/4⌋ pixels to the baseline per channel.
        const idx = [...Array(9).keys()].sort((a, b) => {
          const d = order === 'morf' ? item.relevance[b] - item.relevance[a] : item.relevance[a] - item.relevance[b];
          return d !== 0 ? d : a - b;
        });
        const expected = [0, 1, 2, 3, 4].map((k) => {
          const x = [...images[item.image]];
          for (const p of idx.slice(0, Math.floor((k * 9) / steps))) for (let ch = 0; ch < c; ch++) x[p * c + ch] = baseline[ch];
          return logit(x, item.target);
        });
        const got = curves[n][order];
        assert.equal(got.length, steps + 1);
        got.forEach((v, k) => assert.ok(Math.abs(v - expected[k]) < 1e-5, `item ${n} ${order} step ${k}: ${v} vs ${expected[k]}`));
      }
    });
  });

  it('rejects steps outside 1 … H·W, maps of the wrong size and targets out of range, one line each', () => {
    const network = toNetwork(LINEAR);
    const call = (over: object) => () =>
      flipCurves({ network, imageShape: [2, 2, 1], images: [ONES], items: [{ image: 0, relevance: TIED_MAP, target: 0 }], steps: 2, removal: constant([0], [ONES]), ...over });
    const fails = (over: object, message: RegExp) =>
      assert.throws(call(over), (e: unknown) => isUserError(e) && message.test((e as Error).message) && !(e as Error).message.includes('\n'));
    fails({ steps: 0 }, /whole number of steps from 1 to 4 .*got 0/);
    fails({ steps: 5 }, /from 1 to 4 \(the 2×2 pixels\), got 5/);
    fails({ steps: 1.5 }, /got 1.5/);
    fails({ items: [{ image: 0, relevance: new Float32Array(3), target: 0 }] }, /map of item 0 has 3 values; the image has 2×2 = 4 pixels/);
    fails({ items: [{ image: 0, relevance: TIED_MAP, target: 2 }] }, /target class 2 of item 0 is out of range \(the model has 2 classes\)/);
    fails({ items: [{ image: 1, relevance: TIED_MAP, target: 0 }] }, /item 0 names image 1 of 1/);
    fails({ removal: constant([0], [ONES, ONES]) }, /a baseline image per image \(1\), got 2/);
    fails({ removal: { kind: 'replace', baselines: [new Float32Array(8)] } }, /the baseline of image 0 has 8 values; the model expects 2×2×1 = 4/);
    fails({ items: [{ image: 0, relevance: TIED_MAP, target: 0, contrast: 0 }] }, /item 0 contrasts class 0 with itself/);
    fails({ items: [{ image: 0, relevance: TIED_MAP, target: 0, contrast: 5 }] }, /contrast class 5 of item 0 is out of range/);
    network.dispose();
  });

  it('leaks no tensors', () => {
    const network = toNetwork(LINEAR);
    const start = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      flipCurves({ network, imageShape: [2, 2, 1], images: [ONES], items: [{ image: 0, relevance: TIED_MAP, target: i % 2 }], steps: 1 + (i % 4), removal: constant([0], [ONES]) });
    }
    assert.equal(tf.memory().numTensors, start);
    network.dispose();
  });
});

describe('the baseline', () => {
  const card = (over: Partial<ModelCard>): ModelCard => ({ id: 'm', name: 'm', labels: ['a'], inputShape: [28, 28, 1], inputRange: [0, 1], ...over });
  it('is the model input of a pixel 0: 0 for [0, 1], the range low end, then (low − mean)/std per channel', () => {
    assert.deepEqual(blackInput(card({})), [0]);
    assert.deepEqual(blackInput(card({ inputRange: [-1, 1] })), [-1]);
    assert.deepEqual(blackInput(card({ inputRange: [-1, 1], mean: 0.5, std: 0.25 })), [-6]);
    const imagenet = blackInput(card({ inputShape: [8, 8, 3], mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }));
    [-0.485 / 0.229, -0.456 / 0.224, -0.406 / 0.225].forEach((v, c) => assert.ok(Math.abs(imagenet[c] - v) < 1e-12));
    // Unbounded input (inputRange null): a pixel 0 maps to 0 before mean/std, as the engine's pixel conversion does.
    assert.deepEqual(blackInput(card({ inputRange: null, mean: 2, std: 4 })), [-0.5]);
  });
});
