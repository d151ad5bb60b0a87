// The gradient through graphs against central finite differences of the float64 reference forward pass,
// on random residual and concatenating networks (graphs.ts `randomGraph`), and every gradient-based map
// on the same networks against the graph reference.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { argMax, randomArray, random } from '../methods/reference';
import { assertGradientMatchesFiniteDifferences } from './finiteDifferences';
import { logitsOfGraph, toGraphNetwork } from './graphReference';
import { randomGraph } from './graphs';

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
            assertGradientMatchesFiniteDifferences(network, graph, x, target, 1e-3);
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
