// Large dense layers take their VJP as (W·sᵀ)ᵀ, W itself the left operand, instead of s·Wᵀ with Wᵀ kept
// (layers/dense.ts, DENSE_TRANSPOSE): XNNPACK keeps a packed copy of a product's right operand, so a kept
// transpose costs two more copies of the weights, and again for each rule variant (AlexNet: ~1 GB per
// worker). Pinned with the threshold lowered on a dense-heavy graph: every method against the float64
// graph reference, the same maps as with transposes kept (to float32 rounding), and no transposes kept.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { explain, releasePrepared } from '../../../src/engine/methods/explain';
import { parseMethodSpec } from '../../../src/engine/methods/methodRegistry';
import { DENSE_TRANSPOSE } from '../../../src/engine/layers/dense';
import { TRANSIENT_VARIANTS } from '../../../src/engine/network/prepared';
import type { Network } from '../../../src/engine/types';
import type { ImageShape } from '../../../src/protocol/model';
import { ALL_SPECS, graphReferenceMap, toGraphNetwork, worstCancellation, type RefGraph } from '../graph/graphReference';
import { convNode, denseNode } from '../graph/graphs';
import { randomImages } from './nets';
import { assertClose, random } from './reference';

const SHAPE: ImageShape = [6, 6, 2];

/** [6, 6, 2] → conv 3×3 (4) → ReLU → flatten (64) → dense 40 → ReLU → dense 24 → ReLU → dense 5. */
function denseHeavyGraph(): RefGraph {
  const rand = random(57);
  return {
    inputShape: SHAPE,
    nodes: [
      convNode(rand, 0, [3, 3], 2, 4, { pads: [0, 0, 0, 0] }),
      { kind: 'relu', input: 1 },
      { kind: 'flatten', input: 2 },
      denseNode(rand, 3, 64, 40),
      { kind: 'relu', input: 4 },
      denseNode(rand, 5, 40, 24),
      { kind: 'relu', input: 6 },
      denseNode(rand, 7, 24, 5),
    ],
  };
}

describe('large dense layers keep no transposed kernel', () => {
  const defaults = { dense: DENSE_TRANSPOSE.maxKernelBytes, transient: TRANSIENT_VARIANTS.minKernelBytes };
  const graph = denseHeavyGraph();
  const images = randomImages(58, 40, 72)
    .filter((x) => worstCancellation(graph, x) >= 3e-4)
    .slice(0, 2);
  const specs = ALL_SPECS.map(parseMethodSpec);
  let network: Network;
  const call = () => explain(network, SHAPE, { images: images.map((x) => Float32Array.from(x)), methods: specs, bounds: [0, 1] });

  before(async () => {
    await initBackend(nodeModulesWasmDir());
    network = toGraphNetwork(graph).network;
    assert.equal(images.length, 2);
  });
  after(() => {
    Object.assign(DENSE_TRANSPOSE, { maxKernelBytes: defaults.dense });
    TRANSIENT_VARIANTS.minKernelBytes = defaults.transient;
    network.dispose();
  });

  for (const transient of [false, true]) {
    test(`every method against the float64 reference, as with transposes kept${transient ? ' (variants made per call)' : ''}`, () => {
      TRANSIENT_VARIANTS.minKernelBytes = transient ? 0 : Number.POSITIVE_INFINITY;
      DENSE_TRANSPOSE.maxKernelBytes = Number.POSITIVE_INFINITY;
      const kept = call();
      releasePrepared(network);
      DENSE_TRANSPOSE.maxKernelBytes = 0;
      const results = call();
      results.forEach((r, k) => {
        const label = `${r.method}, image ${r.image}`;
        assertClose(r.relevance, graphReferenceMap(graph, images[r.image], r.target, parseMethodSpec(r.method), SHAPE, [0, 1]), 1e-5, label);
        assertClose(r.relevance, Array.from(kept[k].relevance), 1e-6, `${label}: as with transposes kept`);
      });
      releasePrepared(network);
      if (transient) {
        // What a call keeps: with transposes, every dense kernel once more; without, nothing for them.
        const keptAfter = (maxKernelBytes: number) => {
          DENSE_TRANSPOSE.maxKernelBytes = maxKernelBytes;
          const before = tf.memory().numBytes;
          call();
          const bytes = tf.memory().numBytes - before;
          releasePrepared(network);
          return bytes;
        };
        const denseKernels = (64 * 40 + 40 * 24 + 24 * 5) * 4;
        assert.equal(keptAfter(Number.POSITIVE_INFINITY) - keptAfter(0), denseKernels);
      }
      releasePrepared(network);
    });
  }
});
