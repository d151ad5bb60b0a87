// The transpose → flatten → Dense fold (canonise.ts) permutes the Dense kernel's rows in JS, straight into
// the new tensor's memory: it must equal tf.gather of those rows on wasm and on the CPU backend, and a
// folded network must give the logits of the unfolded transpose → flatten → Dense.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { permuteRows } from '../../../src/engine/graph/canonise';
import { logitsOf } from '../../../src/engine/network/forward';
import { random, randomArray } from '../methods/reference';
import { logitsOfGraph, toGraphNetwork, type RefGraph } from './graphReference';
import { denseNode } from './graphs';

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

describe('permuteRows', () => {
  for (const backend of ['wasm', 'cpu']) {
    test(`equals tf.gather of the rows (${backend})`, async () => {
      await tf.setBackend(backend);
      try {
        const rand = random(5);
        const kernel = tf.tensor2d(randomArray(rand, 60 * 7, -1, 1), [60, 7]);
        // A permutation of the 60 rows, far from the identity.
        const rows = Array.from({ length: 60 }, (_, j) => (j * 37 + 11) % 60);
        const ours = permuteRows(kernel, rows);
        const gathered = tf.gather(kernel, tf.tensor1d(rows, 'int32'));
        assert.deepEqual(ours.shape, [60, 7]);
        assert.deepEqual(Array.from(ours.dataSync()), Array.from(gathered.dataSync()));
        assert.notDeepEqual(Array.from(ours.dataSync()), Array.from(kernel.dataSync()));
        tf.dispose([kernel, ours, gathered]);
      } finally {
        await tf.setBackend('wasm');
      }
    });
  }

  test('refuses a row list of another length', () => {
    const kernel = tf.zeros([4, 2]) as tf.Tensor2D;
    assert.throws(() => permuteRows(kernel, [0, 1, 2]), /3 rows for a kernel of 4/);
    kernel.dispose();
  });

  test('a folded C, H, W flatten (transpose [2, 0, 1] → flatten → Dense) keeps the logits of the float64 graph', () => {
    const rand = random(8);
    const graph: RefGraph = {
      inputShape: [3, 4, 5],
      nodes: [{ kind: 'transpose', input: 0, perm: [2, 0, 1] }, { kind: 'flatten', input: 1 }, denseNode(rand, 2, 60, 6)],
    };
    const { network, notes } = toGraphNetwork(graph);
    try {
      assert.deepEqual(network.nodes.map((n) => n.kind), ['input', 'reshape', 'dense']);
      assert.ok(notes.some((n) => /folded into the rows/.test(n)), notes.join('; '));
      const x = randomArray(rand, 60, -1, 1);
      const ours = logitsOf(network, tf.tensor(x, [1, 3, 4, 5])).dataSync();
      logitsOfGraph(graph, x).forEach((v, j) => assert.ok(Math.abs(ours[j] - v) < 1e-5, `logit ${j}: ${ours[j]} vs ${v}`));
    } finally {
      network.dispose();
    }
  });
});
