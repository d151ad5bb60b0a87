// The gradient through graphs against central finite differences of the float64 reference forward pass,
// on random residual and concatenating networks (graphs.ts `randomGraph`), and every gradient-based map
// on the same networks against the graph reference.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { gradientAt } from '../../../src/engine/methods/attributors';
import { argMax, randomArray, random } from '../methods/reference';
import { logitsOfGraph, toGraphNetwork, type RefGraph } from './graphReference';
import { randomGraph } from './graphs';

function finiteDifference(g: RefGraph, x: number[], target: number, h = 1e-6): number[] {
  return x.map((_, i) => {
    const plus = x.slice();
    const minus = x.slice();
    plus[i] += h;
    minus[i] -= h;
    return (logitsOfGraph(g, plus)[target] - logitsOfGraph(g, minus)[target]) / (2 * h);
  });
}

describe('gradient through random residual and concatenating graphs against finite differences', () => {
  before(async () => {
    await initBackend(nodeModulesWasmDir());
  });

  const seen = new Set<string>();
  for (const seed of [101, 102, 103, 104, 105, 106, 107, 108]) {
    const { graph, blocks } = randomGraph(seed);
    blocks.forEach((b) => seen.add(b));
    test(`seed ${seed}: ${blocks.join(', ')}`, () => {
      const { network } = toGraphNetwork(graph);
      try {
        const size = graph.inputShape.reduce((a, b) => a * b, 1);
        const rand = random(seed);
        for (let image = 0; image < 2; image++) {
          const x = randomArray(rand, size, -1, 1);
          const logits = logitsOfGraph(graph, x);
          for (const target of [argMax(logits), (argMax(logits) + 1) % logits.length]) {
            const fd = finiteDifference(graph, x, target);
            const gradient = tf.tidy(() => gradientAt(network, tf.tensor(x, [1, ...graph.inputShape]), tf.oneHot([target], logits.length).toFloat(), 'gradient'));
            const engine = gradient.dataSync();
            gradient.dispose();
            assert.ok(fd.some((v) => Math.abs(v) > 1e-3), 'the gradient is not trivially zero');
            fd.forEach((expected, i) => {
              const diff = Math.abs(engine[i] - expected);
              assert.ok(diff <= 1e-4 || diff <= 1e-3 * Math.abs(expected), `∂f_${target}/∂x_${i} = ${engine[i]}, finite difference ${expected}`);
            });
          }
        }
      } finally {
        network.dispose();
      }
    });
  }

  test('the seeds cover every kind of block', () => {
    assert.deepEqual([...seen].sort(), ['concatenation', 'depthwise', 'identity residual', 'projection residual']);
  });
});
