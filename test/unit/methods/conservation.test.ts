// Conservation laws: on bias-free ReLU nets the conservative methods give Σ R = f_c(x); IG's completeness.
// Also the αβ constraint as users meet it.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { isUserError } from '../../../src/engine/errors';
import { explain } from '../../../src/engine/methods/explain';
import { parseMethodSpec } from '../../../src/engine/methods/methodRegistry';
import type { Network } from '../../../src/engine/types';
import type { ImageShape } from '../../../src/protocol/model';
import { randomImages } from './nets';
import { conv, dense, logitsRef, random, toNetwork, type RefNet } from './reference';

function biasFreeMlp(): RefNet {
  const rand = random(41);
  return {
    inputShape: [36],
    layers: [dense(rand, 36, 24, false), { kind: 'relu' }, dense(rand, 24, 16, false), { kind: 'relu' }, dense(rand, 16, 5, false)],
  };
}

function biasFreeCnn(): RefNet {
  const rand = random(42);
  return {
    inputShape: [8, 8, 2],
    layers: [
      conv(rand, 3, 2, 4, 1, 'same', false),
      { kind: 'relu' },
      { kind: 'maxPool', pool: 2, stride: 2, padding: 'valid' },
      conv(rand, 3, 4, 6, 1, 'valid', false),
      { kind: 'relu' },
      { kind: 'reshape', shape: [24] },
      dense(rand, 24, 4, false),
    ],
  };
}

const CONSERVATIVE = ['simple-taylor', 'lrp-z', 'deep-taylor', 'lrp-a1b0'];

function run(network: Network, imageShape: ImageShape, images: number[][], methods: string[], bounds: [number, number] | null = [0, 1]) {
  return explain(network, imageShape, {
    images: images.map((x) => Float32Array.from(x)),
    methods: methods.map(parseMethodSpec),
    bounds,
  });
}

describe('conservation', () => {
  before(async () => {
    await initBackend(nodeModulesWasmDir());
  });

  for (const [name, net, imageShape] of [
    ['bias-free MLP', biasFreeMlp(), [6, 6, 1]],
    ['bias-free CNN', biasFreeCnn(), [8, 8, 2]],
  ] as Array<[string, RefNet, ImageShape]>) {
    test(`${name}: Σ R = f_c(x) for ${CONSERVATIVE.join(', ')}`, () => {
      const network = toNetwork(net);
      try {
        const size = imageShape[0] * imageShape[1] * imageShape[2];
        // Inputs inside the z^B bounds [0, 1]; keep the images whose predicted logit is positive (the
        // relevance of a negative logit has no positive contribution to flow through under z⁺).
        const images = randomImages(43, 12, size).filter((x) => Math.max(...logitsRef(net, x)) > 0.05);
        assert.ok(images.length >= 6, 'enough images with a positive logit');
        let checked = 0;
        for (const r of run(network, imageShape, images, CONSERVATIVE)) {
          const logit = Math.max(...logitsRef(net, images[r.image]));
          const sum = r.relevance.reduce((a, b) => a + b, 0);
          assert.ok(Math.abs(sum - logit) <= 1e-4 * Math.abs(logit), `${name} ${r.method} image ${r.image}: Σ R = ${sum}, logit ${logit}`);
          assert.ok(Math.abs(r.relevanceSum - sum) <= 1e-5 * Math.abs(logit));
          checked++;
        }
        assert.equal(checked, images.length * CONSERVATIVE.length);
      } finally {
        network.dispose();
      }
    });
  }

  test('lrp-ab:alpha=1,beta=0 is exactly lrp-a1b0', () => {
    const net = biasFreeCnn();
    const network = toNetwork(net);
    try {
      const images = randomImages(44, 3, 128);
      const [a, b] = [run(network, [8, 8, 2], images, ['lrp-ab:alpha=1,beta=0']), run(network, [8, 8, 2], images, ['lrp-a1b0'])];
      assert.equal(a.length, 3);
      a.forEach((r, i) => {
        assert.equal(r.method, 'lrp-a1b0');
        assert.deepEqual(Array.from(r.relevance), Array.from(b[i].relevance));
      });
    } finally {
      network.dispose();
    }
  });

  test('α − β ≠ 1 is rejected with a clear message, from strings and from code', () => {
    assert.throws(
      () => parseMethodSpec('lrp-ab:alpha=3,beta=1'),
      (e: unknown) => isUserError(e) && (e as Error).message === 'lrp-ab: alpha - beta must be 1 (got alpha=3, beta=1)',
    );
    const network = toNetwork(biasFreeMlp());
    try {
      assert.throws(
        () =>
          explain(network, [6, 6, 1], {
            images: [new Float32Array(36)],
            methods: [{ id: 'lrp-ab', params: { alpha: 2, beta: 2 } }],
            bounds: null,
          }),
        (e: unknown) => isUserError(e) && /alpha - beta must be 1 \(got alpha=2, beta=2\)/.test((e as Error).message),
      );
    } finally {
      network.dispose();
    }
  });

  test('integrated gradients: completeness error small with many steps, and shrinking with more', () => {
    // A net with biases: f(0) ≠ 0, so completeness is about f(x) − f(x̄), not f(x).
    const rand = random(45);
    const net: RefNet = {
      inputShape: [16],
      layers: [dense(rand, 16, 12), { kind: 'relu' }, dense(rand, 12, 8), { kind: 'relu' }, dense(rand, 8, 3)],
    };
    const network = toNetwork(net);
    try {
      const images = randomImages(46, 4, 16);
      const coarse = run(network, [4, 4, 1], images, ['integrated-gradients:steps=2'], null);
      const fine = run(network, [4, 4, 1], images, ['integrated-gradients:steps=1024'], null);
      let coarseTotal = 0;
      let fineTotal = 0;
      fine.forEach((r, i) => {
        const x = images[r.image];
        const delta = logitsRef(net, x)[r.target] - logitsRef(net, x.map(() => 0))[r.target];
        const sum = r.relevance.reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(r.completenessError! - Math.abs(sum - delta)) < 1e-4);
        assert.ok(r.completenessError! <= 1e-2 * Math.abs(delta) + 1e-4, `image ${i}: error ${r.completenessError} for Δf ${delta}`);
        fineTotal += r.completenessError!;
        coarseTotal += coarse[i].completenessError!;
      });
      assert.ok(fineTotal < coarseTotal, `1024 steps (${fineTotal}) beat 2 steps (${coarseTotal})`);
    } finally {
      network.dispose();
    }
  });
});
