// The gradient backward pass against central finite differences of a float64 forward pass, on random conv
// nets with valid and same padding, stride 2, max and average pooling.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { gradientAt } from '../../../src/engine/methods/attributors';
import { explain } from '../../../src/engine/methods/explain';
import { parseMethodSpec } from '../../../src/engine/methods/methodRegistry';
import { randomImages } from './nets';
import { argMax, conv, dense, logitsRef, random, toNetwork, type RefNet } from './reference';

function finiteDifference(net: RefNet, x: number[], target: number, h = 1e-6): number[] {
  return x.map((_, i) => {
    const plus = x.slice();
    const minus = x.slice();
    plus[i] += h;
    minus[i] -= h;
    return (logitsRef(net, plus)[target] - logitsRef(net, minus)[target]) / (2 * h);
  });
}

const NETS: Array<{ name: string; net: RefNet }> = [
  {
    name: 'valid conv → same conv stride 2 → max pool (same) → dense',
    net: (() => {
      const rand = random(21);
      return {
        inputShape: [9, 9, 2],
        layers: [
          conv(rand, 3, 2, 4, 1, 'valid'),
          { kind: 'relu' },
          conv(rand, 3, 4, 4, 2, 'same'),
          { kind: 'relu' },
          { kind: 'maxPool', pool: 2, stride: 2, padding: 'same' },
          { kind: 'reshape', shape: [16] },
          dense(rand, 16, 5),
        ],
      };
    })(),
  },
  {
    name: 'same conv (even kernel) → avg pool → valid conv stride 2 → max pool → dense',
    net: (() => {
      const rand = random(25);
      return {
        inputShape: [10, 10, 1],
        layers: [
          { kind: 'rescale', scale: 0.5, offset: 0.25 },
          conv(rand, 4, 1, 3, 1, 'same'),
          { kind: 'relu' },
          { kind: 'avgPool', pool: 2, stride: 2, padding: 'valid' },
          conv(rand, 3, 3, 4, 2, 'valid'),
          { kind: 'relu' },
          { kind: 'maxPool', pool: 2, stride: 1, padding: 'valid' },
          { kind: 'reshape', shape: [4] },
          dense(rand, 4, 3),
        ],
      };
    })(),
  },
  {
    name: 'valid conv stride 2 (odd leftover) → avg pool same → global avg pool → dense',
    net: (() => {
      const rand = random(23);
      return {
        inputShape: [8, 8, 3],
        layers: [
          conv(rand, 3, 3, 5, 2, 'valid'),
          { kind: 'relu' },
          { kind: 'avgPool', pool: 2, stride: 2, padding: 'same' },
          { kind: 'globalAvgPool' },
          dense(rand, 5, 4),
        ],
      };
    })(),
  },
  {
    name: 'max pool before its ReLU (all-negative windows), overlapping windows 3×3/2 same',
    net: (() => {
      const rand = random(24);
      return {
        inputShape: [7, 7, 2],
        layers: [
          conv(rand, 2, 2, 3, 1, 'valid'),
          { kind: 'maxPool', pool: 3, stride: 2, padding: 'same' },
          { kind: 'relu' },
          conv(rand, 2, 3, 3, 1, 'valid'),
          { kind: 'maxPool', pool: 2, stride: 2, padding: 'valid' },
          { kind: 'reshape', shape: [3] },
          dense(rand, 3, 3),
        ],
      };
    })(),
  },
];

describe('gradient against finite differences', () => {
  before(async () => {
    await initBackend(nodeModulesWasmDir());
  });

  for (const { name, net } of NETS) {
    test(name, () => {
      const network = toNetwork(net);
      const size = net.inputShape.reduce((a, b) => a * b, 1);
      const images = randomImages(31, 3, size);
      try {
        for (const x of images) {
          const logits = logitsRef(net, x);
          for (const target of [argMax(logits), (argMax(logits) + 1) % logits.length]) {
            const fd = finiteDifference(net, x, target);
            const g = tf.tidy(() =>
              gradientAt(network, tf.tensor(x, [1, ...net.inputShape]), tf.oneHot([target], logits.length).toFloat(), 'gradient'),
            );
            const engine = g.dataSync();
            g.dispose();
            assert.ok(fd.some((v) => Math.abs(v) > 1e-3), 'the gradient is not trivially zero');
            fd.forEach((expected, i) => {
              const diff = Math.abs(engine[i] - expected);
              assert.ok(diff <= 1e-3 || diff <= 1e-2 * Math.abs(expected), `${name}: ∂f_${target}/∂x_${i} = ${engine[i]}, finite difference ${expected}`);
            });
          }
        }
        // The public API's "gradient" map is the same gradient summed over channels.
        const [r] = explain(network, net.inputShape as [number, number, number], {
          images: [Float32Array.from(images[0])],
          methods: [parseMethodSpec('gradient')],
          bounds: null,
        });
        const channels = net.inputShape[2];
        const fd = finiteDifference(net, images[0], r.target);
        r.relevance.forEach((value, p) => {
          let expected = 0;
          for (let c = 0; c < channels; c++) expected += fd[p * channels + c];
          assert.ok(Math.abs(value - expected) <= 1e-3 + 1e-2 * Math.abs(expected), `${name}: map pixel ${p}`);
        });
      } finally {
        network.dispose();
      }
    });
  }
});
