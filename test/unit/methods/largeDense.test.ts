// Large dense layers (layers/dense.ts, LARGE_DENSE) keep no transpose: their VJP is (W·sᵀ)ᵀ with W itself
// the left operand; and the rules' modified kernels (W⁺, W⁻, w², γ, ones) are not made: the modifier is
// applied block by block inside each product (layers/modifiedKernels.ts). XNNPACK keeps a packed copy of a
// product's right operand and wasm memory never shrinks, so a kept Wᵀ costs two copies of the weights and
// a made variant two more (AlexNet: a worker grew to 2.6 GB). Pinned with the thresholds lowered on a
// dense-heavy graph: every method against the float64 graph reference; blocks give the same bits as whole
// kernels; nothing of the dense layers is kept after a call; the peak leaves out the variants.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { explain, releasePrepared } from '../../../src/engine/methods/explain';
import { parseMethodSpec } from '../../../src/engine/methods/methodRegistry';
import { LARGE_DENSE } from '../../../src/engine/layers/dense';
import { MODIFIED_BLOCK } from '../../../src/engine/layers/modifiedKernels';
import { TRANSIENT_VARIANTS } from '../../../src/engine/network/prepared';
import type { Network } from '../../../src/engine/types';
import type { ImageShape } from '../../../src/protocol/model';
import { ALL_SPECS, graphReferenceMap, toGraphNetwork, worstCancellation, type RefGraph } from '../graph/graphReference';
import { convNode, denseNode } from '../graph/graphs';
import { randomImages } from './nets';
import { assertClose, random } from './reference';

const SHAPE: ImageShape = [6, 6, 2];
const DENSE_FLOATS = 64 * 40 + 40 * 24 + 24 * 5;

/** [6, 6, 2] → conv 3×3 (4) → ReLU → flatten (64) → dense 40 → ReLU → dense 24 → ReLU → dense 5. */
function denseHeavyGraph(): RefGraph {
  const rand = random(57);
  return {
    inputShape: SHAPE,
    nodes: [
      convNode(rand, 0, [3, 3], 2, 4),
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

/** [6, 6, 2] → conv 3×3 (4) → ReLU → dense 4→24 per position ([4, 4, 24]) → ReLU → flatten → dense 5. */
function perPositionGraph(): RefGraph {
  const rand = random(59);
  return {
    inputShape: SHAPE,
    nodes: [
      convNode(rand, 0, [3, 3], 2, 4),
      { kind: 'relu', input: 1 },
      { ...denseNode(rand, 2, 4, 24), perPosition: true } as RefGraph['nodes'][number],
      { kind: 'relu', input: 3 },
      { kind: 'flatten', input: 4 },
      denseNode(rand, 5, 4 * 4 * 24, 5),
    ],
  };
}

describe('large dense layers: no kept transpose, modified kernels block by block', () => {
  const defaults = { dense: LARGE_DENSE.minKernelBytes, block: MODIFIED_BLOCK.bytes, transient: { ...TRANSIENT_VARIANTS } };
  const graph = denseHeavyGraph();
  const images = randomImages(58, 40, 72)
    .filter((x) => worstCancellation(graph, x) >= 3e-4)
    .slice(0, 2);
  const specs = ALL_SPECS.map(parseMethodSpec);
  let network: Network;
  /** The maps of every method, with dense layers large or not, and blocks of `blockBytes`. */
  const maps = (large: boolean, blockBytes = 10 * 4 * 24, net = network, xs = images) => {
    LARGE_DENSE.minKernelBytes = large ? 0 : Number.POSITIVE_INFINITY;
    MODIFIED_BLOCK.bytes = blockBytes;
    const results = explain(net, SHAPE, { images: xs.map((x) => Float32Array.from(x)), methods: specs, bounds: [0, 1] });
    releasePrepared(net);
    return results;
  };

  before(async () => {
    await initBackend(nodeModulesWasmDir());
    network = toGraphNetwork(graph).network;
    assert.equal(images.length, 2);
    // Every node makes its variants per call, small ones included.
    Object.assign(TRANSIENT_VARIANTS, { minKernelBytes: 0, keepTotalBytes: 0 });
  });
  after(() => {
    Object.assign(LARGE_DENSE, { minKernelBytes: defaults.dense });
    Object.assign(MODIFIED_BLOCK, { bytes: defaults.block });
    Object.assign(TRANSIENT_VARIANTS, defaults.transient);
    network.dispose();
  });

  test('every method against the float64 reference, and as with transposes and whole kernels', () => {
    const small = maps(false);
    // Blocks of 10 rows or columns: every layer takes several (64×40: 7 row blocks, 3–4 column blocks).
    const large = maps(true);
    large.forEach((r, k) => {
      const label = `${r.method}, image ${r.image}`;
      assertClose(r.relevance, graphReferenceMap(graph, images[r.image], r.target, parseMethodSpec(r.method), SHAPE, [0, 1]), 1e-5, label);
      assertClose(r.relevance, Array.from(small[k].relevance), 1e-6, `${label}: as with transposes kept`);
    });
    // Blocks split rows or columns, never a sum: the same bits as one block per product.
    const whole = maps(true, 1 << 30);
    whole.forEach((r, k) => assert.deepEqual(large[k].relevance, r.relevance, `${r.method}: blocks and whole kernels`));
  });

  test('dense per position (the last axis of a map, issue 21) keeps the same: every method against the float64 reference', () => {
    const g = perPositionGraph();
    const xs = randomImages(60, 40, 72)
      .filter((x) => worstCancellation(g, x) >= 3e-4)
      .slice(0, 2);
    assert.equal(xs.length, 2);
    const net = toGraphNetwork(g).network;
    try {
      const small = maps(false, undefined, net, xs);
      // Blocks of 3 columns of the 4×24 kernel, of 2 rows of the 384×5 one: several per product.
      const large = maps(true, 4 * 4 * 3, net, xs);
      large.forEach((r, k) => {
        const label = `${r.method}, image ${r.image}`;
        assertClose(r.relevance, graphReferenceMap(g, xs[r.image], r.target, parseMethodSpec(r.method), SHAPE, [0, 1]), 1e-5, label);
        assertClose(r.relevance, Array.from(small[k].relevance), 1e-6, `${label}: as with transposes kept`);
      });
    } finally {
      net.dispose();
    }
  });

  test('keeps nothing for the dense layers after a call, and never holds a whole modified kernel', async () => {
    const run = async (large: boolean) => {
      LARGE_DENSE.minKernelBytes = large ? 0 : Number.POSITIVE_INFINITY;
      const before = tf.memory().numBytes;
      const peak = (await tf.profile(() => void explain(network, SHAPE, { images: [Float32Array.from(images[0])], methods: specs, bounds: [0, 1] }))).peakBytes;
      const kept = tf.memory().numBytes - before;
      releasePrepared(network);
      return { peak, kept };
    };
    MODIFIED_BLOCK.bytes = 10 * 4 * 24;
    const small = await run(false);
    const large = await run(true);
    // With transposes every dense kernel is kept once more; without, nothing of theirs.
    assert.equal(small.kept - large.kept, DENSE_FLOATS * 4);
    // The ε, γ, w², flat and αβ variants of the 64×40 layer alone are ~5 kernels of it at once; blocks
    // hold at most a few blocks of 10 rows.
    assert.ok(large.peak <= small.peak - 2 * 64 * 40 * 4, `peak ${large.peak} bytes in blocks, ${small.peak} with whole variants`);
  });
});
