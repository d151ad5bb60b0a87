// Contrastive maps, "why c and not c′?" (docs/faithfulness.md, "Faithfulness measures"): the map of f_c − f_c′. LRP starts
// from +f_c at c and −f_c′ at c′, and every LRP rule is linear in the relevance it passes on, so the map is
// the map of c minus the map of c′ for every LRP method. The gradient family differentiates f_c − f_c′:
// gradient and x·∇ are exactly the difference, sensitivity the square of the difference of gradients, and
// guided backprop / deconvnet (not linear in their seed) equal a float64 reference seeded +1 at c, −1 at c′.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { isUserError } from '../../../src/engine/errors';
import { explain } from '../../../src/engine/methods/explain';
import { parseMethodSpec } from '../../../src/engine/methods/methodRegistry';
import { METHOD_IDS, methodRecord, runsAs } from '../../../src/engine/methods/methodTable';
import type { ImageShape } from '../../../src/protocol/model';
import type { Network } from '../../../src/engine/types';
import { mixedConvNet, randomImages } from './nets';
import { channelSumRef, conv, dense, gradientRef, logitsRef, random, toNetwork, type RefNet } from './reference';

/** An RGB CNN (conv, ReLU, max pool, conv, dense) with biases: 8×8×3 → 4 classes. */
function rgbNet(): RefNet {
  const rand = random(77);
  return {
    inputShape: [8, 8, 3],
    layers: [
      conv(rand, 3, 3, 5, 1, 'same'),
      { kind: 'relu' },
      { kind: 'maxPool', pool: 2, stride: 2, padding: 'valid' },
      conv(rand, 3, 5, 6, 1, 'valid'),
      { kind: 'relu' },
      { kind: 'reshape', shape: [24] },
      dense(rand, 24, 4),
    ],
  };
}

const LRP_SPECS = [...METHOD_IDS.filter((id) => runsAs(id, 'lrp')), ...Object.keys(methodRecord('lrp-ab').presets ?? {}), 'lrp-epsilon:epsilon=0.01', 'lrp-gamma:gamma=1'];

function maps(network: Network, shape: ImageShape, image: number[], methods: string[], target: number, contrast?: number) {
  return explain(network, shape, {
    images: [Float32Array.from(image)],
    methods: methods.map(parseMethodSpec),
    targets: [[target]],
    ...(contrast === undefined ? {} : { contrasts: [contrast] }),
    bounds: [0, 1],
  });
}

const maxAbs = (v: ArrayLike<number>) => Array.from(v).reduce((m, x) => Math.max(m, Math.abs(x)), 0);
function assertDifference(actual: ArrayLike<number>, a: ArrayLike<number>, b: ArrayLike<number>, tolerance: number, label: string): void {
  const scale = Math.max(maxAbs(a), maxAbs(b), 1e-6);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - (a[i] - b[i])) <= tolerance * scale, `${label}, pixel ${i}: ${actual[i]} vs ${a[i] - b[i]} (scale ${scale})`);
  }
}

describe('contrastive maps', () => {
  before(async () => {
    await initBackend(nodeModulesWasmDir());
  });

  it(`every LRP method (${LRP_SPECS.length} specs): the map of c against c′ is the map of c minus the map of c′`, () => {
    const net = rgbNet();
    const network = toNetwork(net);
    try {
      for (const image of randomImages(5, 2, 8 * 8 * 3)) {
        const [c, other] = [1, 3];
        const contrast = maps(network, [8, 8, 3], image, LRP_SPECS, c, other);
        const ofC = maps(network, [8, 8, 3], image, LRP_SPECS, c);
        const ofOther = maps(network, [8, 8, 3], image, LRP_SPECS, other);
        LRP_SPECS.forEach((spec, k) => {
          assert.equal(contrast[k].contrast, other);
          assert.equal(contrast[k].target, c);
          assertDifference(contrast[k].relevance, ofC[k].relevance, ofOther[k].relevance, 1e-4, spec);
        });
        // Conservative rules: Σ R follows the start relevance, f_c − f_c′ minus what biases absorb, as the
        // difference of the two maps' sums does.
        const logits = logitsRef(net, image);
        assert.ok(Math.abs(contrast[0].contrastLogit! - logits[other]) < 1e-4 * Math.max(1, Math.abs(logits[other])), 'the contrast’s logit');
        assert.ok(Math.abs(contrast[0].relevanceSum - (ofC[0].relevanceSum - ofOther[0].relevanceSum)) < 1e-4 * Math.max(1, Math.abs(logits[c] - logits[other])));
      }
    } finally {
      network.dispose();
    }
  });

  it('gradient and simple Taylor: exactly the difference; sensitivity: Σ_ch (∂(f_c − f_c′)/∂x)² (float64 reference)', () => {
    const net = rgbNet();
    const network = toNetwork(net);
    try {
      const [image] = randomImages(9, 1, 8 * 8 * 3);
      const methods = ['gradient', 'simple-taylor', 'sensitivity'];
      const contrast = maps(network, [8, 8, 3], image, methods, 0, 2);
      const [ofC, ofOther] = [maps(network, [8, 8, 3], image, methods, 0), maps(network, [8, 8, 3], image, methods, 2)];
      assertDifference(contrast[0].relevance, ofC[0].relevance, ofOther[0].relevance, 1e-5, 'gradient');
      assertDifference(contrast[1].relevance, ofC[1].relevance, ofOther[1].relevance, 1e-5, 'simple-taylor');
      const seed = [1, 0, -1, 0];
      const g = gradientRef(net, image, 0, 'gradient', seed);
      const expected = channelSumRef(g.map((v) => v * v), 3);
      const scale = maxAbs(expected);
      expected.forEach((v, i) => assert.ok(Math.abs(contrast[2].relevance[i] - v) <= 1e-4 * scale, `sensitivity pixel ${i}`));
    } finally {
      network.dispose();
    }
  });

  it('guided backprop and deconvnet backpropagate the seed +1 at c, −1 at c′ with their own ReLU rule', () => {
    const net = mixedConvNet();
    const shape = net.inputShape as ImageShape;
    const size = shape[0] * shape[1] * shape[2];
    const network = toNetwork(net);
    try {
      for (const image of randomImages(3, 2, size)) {
        const classes = logitsRef(net, image).length;
        const [c, other] = [classes - 1, 0];
        const seed = Array.from({ length: classes }, (_, j) => (j === c ? 1 : j === other ? -1 : 0));
        const got = maps(network, shape, image, ['guided-backprop', 'deconvnet'], c, other);
        for (const [k, mode] of [[0, 'guided'], [1, 'deconvnet']] as const) {
          const expected = channelSumRef(gradientRef(net, image, c, mode, seed), shape[2]);
          const scale = Math.max(maxAbs(expected), 1e-6);
          expected.forEach((v, i) => assert.ok(Math.abs(got[k].relevance[i] - v) <= 1e-4 * scale, `${mode} pixel ${i}: ${got[k].relevance[i]} vs ${v}`));
        }
      }
    } finally {
      network.dispose();
    }
  });

  it("integrated gradients' completeness holds for f_c − f_c′", () => {
    const net = rgbNet();
    const network = toNetwork(net);
    try {
      const [image] = randomImages(4, 1, 8 * 8 * 3);
      const [e] = maps(network, [8, 8, 3], image, ['integrated-gradients:steps=256'], 2, 1);
      const logits = logitsRef(net, image);
      const zero = logitsRef(net, new Array(image.length).fill(0));
      const difference = logits[2] - logits[1] - (zero[2] - zero[1]);
      assert.ok(e.completenessError! < 0.02 * Math.max(1, Math.abs(difference)), `completeness error ${e.completenessError} of ${difference}`);
      assert.ok(Math.abs(e.relevanceSum - difference) < 0.02 * Math.max(1, Math.abs(difference)));
    } finally {
      network.dispose();
    }
  });

  it('refuses a class contrasted with itself and one out of range, in one line', () => {
    const network = toNetwork(rgbNet());
    try {
      const [image] = randomImages(4, 1, 8 * 8 * 3);
      const fails = (target: number, contrast: number, message: RegExp) =>
        assert.throws(() => maps(network, [8, 8, 3], image, ['gradient'], target, contrast), (e: unknown) => isUserError(e) && message.test((e as Error).message));
      fails(2, 2, /class 2 cannot be contrasted with itself/);
      fails(2, 4, /contrast class 4 for image 0 is out of range \(the model has 4 classes\)/);
    } finally {
      network.dispose();
    }
  });
});
