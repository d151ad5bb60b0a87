// Weight-heavy convolutions (layers/convAsProduct.ts, CONV_AS_PRODUCT) take their rules' modified kernels
// as placeholders applied block by block inside matrix products with the kernel as the left operand, and
// every VJP as such a product: no flipped layout, no packed copy per variant (ResNet-18's last two stages).
// Pinned with the threshold lowered on a graph whose convolutions have more output channels than output
// pixels, with strides, asymmetric pads, a dilation and a residual: every method against the float64 graph
// reference; close to the convolution path; blocks of the kernel and chunks of the rows give the same bits as
// one product; nothing of these nodes is kept after a call but their kernels laid out [out, K].
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { CONV_AS_PRODUCT, isConvAsProduct } from '../../../src/engine/layers/convAsProduct';
import { MODIFIED_BLOCK } from '../../../src/engine/layers/modifiedKernels';
import { explain, releasePrepared } from '../../../src/engine/methods/explain';
import { parseMethodSpec } from '../../../src/engine/methods/methodRegistry';
import { TRANSIENT_VARIANTS } from '../../../src/engine/network/prepared';
import type { Conv2dNode } from '../../../src/engine/graph/nodes';
import type { Network } from '../../../src/engine/types';
import type { ImageShape } from '../../../src/protocol/model';
import { ALL_SPECS, graphReferenceMap, toGraphNetwork, worstCancellation, type RefGraph } from '../graph/graphReference';
import { convNode, denseNode } from '../graph/graphs';
import { randomImages } from './nets';
import { assertClose, random } from './reference';

const SHAPE: ImageShape = [4, 4, 3];

/**
 * [4, 4, 3] → conv 3×3 pad 1 (16: 16 pixels, the first layer, z^B) → ReLU → conv 3×3 stride 2, pads
 * [1, 0, 0, 1] (20, 2×2) → ReLU → conv 3×3 dilation 2 pad 2 (20, 2×2) + the residual → ReLU → conv 2×2
 * (24, 1×1) → ReLU → global average pool → dense 24 → 5. Every convolution has out ≥ outH·outW.
 */
function weightHeavyGraph(): RefGraph {
  const rand = random(73);
  return {
    inputShape: SHAPE,
    nodes: [
      convNode(rand, 0, [3, 3], 3, 16, { pads: [1, 1, 1, 1] }),
      { kind: 'relu', input: 1 },
      convNode(rand, 2, [3, 3], 16, 20, { strides: [2, 2], pads: [1, 0, 0, 1] }),
      { kind: 'relu', input: 3 },
      convNode(rand, 4, [3, 3], 20, 20, { dilations: [2, 2], pads: [2, 2, 2, 2] }),
      { kind: 'add', inputs: [5, 4] },
      { kind: 'relu', input: 6 },
      convNode(rand, 7, [2, 2], 20, 24),
      { kind: 'relu', input: 8 },
      { kind: 'globalAvgPool', input: 9 },
      denseNode(rand, 10, 24, 5),
    ],
  };
}

describe('weight-heavy convolutions as products with the kernel on the left', () => {
  const defaults = { product: CONV_AS_PRODUCT.minKernelBytes, block: MODIFIED_BLOCK.bytes, transient: { ...TRANSIENT_VARIANTS } };
  const graph = weightHeavyGraph();
  const images = randomImages(74, 60, 48)
    .filter((x) => worstCancellation(graph, x) >= 3e-4)
    .slice(0, 2);
  const specs = ALL_SPECS.map(parseMethodSpec);
  let network: Network;
  /** The maps of every method, convolutions as products or not, modified kernels in blocks of `blockBytes`. */
  const maps = (products: boolean, blockBytes = 4 * 4 * 9 * 16) => {
    CONV_AS_PRODUCT.minKernelBytes = products ? 0 : Number.POSITIVE_INFINITY;
    MODIFIED_BLOCK.bytes = blockBytes;
    const results = explain(network, SHAPE, { images: images.map((x) => Float32Array.from(x)), methods: specs, bounds: [0, 1] });
    releasePrepared(network);
    return results;
  };
  const convolutions = () => network.nodes.filter((n): n is Conv2dNode => n.kind === 'conv2d');

  before(async () => {
    await initBackend(nodeModulesWasmDir());
    network = toGraphNetwork(graph).network;
    assert.equal(images.length, 2);
    // Every node makes its variants per call, small ones included.
    Object.assign(TRANSIENT_VARIANTS, { minKernelBytes: 0, keepTotalBytes: 0 });
  });
  after(() => {
    Object.assign(CONV_AS_PRODUCT, { minKernelBytes: defaults.product });
    Object.assign(MODIFIED_BLOCK, { bytes: defaults.block });
    Object.assign(TRANSIENT_VARIANTS, defaults.transient);
    network.dispose();
    assert.equal(tf.memory().numTensors, 0);
  });

  test('which convolutions: out ≥ outH·outW and a large kernel, one group', () => {
    CONV_AS_PRODUCT.minKernelBytes = 0;
    assert.deepEqual(convolutions().map(isConvAsProduct), [true, true, true, true]);
    CONV_AS_PRODUCT.minKernelBytes = defaults.product;
    assert.deepEqual(convolutions().map(isConvAsProduct), [false, false, false, false], 'small kernels stay convolutions');
  });

  test('every method against the float64 reference, and as with convolutions', () => {
    const asConvolutions = maps(false);
    // Blocks of 4 output channels (forward) or 64 kernel rows (VJP) of the 3×3×16×20 kernel: several per
    // product; and one row per chunk of windows (every node's windows of a row take more than 2,304 bytes).
    const asProducts = maps(true);
    asProducts.forEach((r, k) => {
      const label = `${r.method}, image ${r.image}`;
      assertClose(r.relevance, graphReferenceMap(graph, images[r.image], r.target, parseMethodSpec(r.method), SHAPE, [0, 1]), 1e-5, label);
      assertClose(r.relevance, Array.from(asConvolutions[k].relevance), 1e-6, `${label}: as with convolutions`);
    });
    // Blocks split output channels or kernel rows, chunks the rows, never a sum: the same bits as one product.
    const whole = maps(true, 1 << 30);
    whole.forEach((r, k) => assert.deepEqual(asProducts[k].relevance, r.relevance, `${r.method}: blocks and whole kernels`));
  });

  test('keeps no flipped layout and no rule variant of these convolutions, only their kernels laid out [out, K]', () => {
    const kept = (products: boolean, methods = specs) => {
      CONV_AS_PRODUCT.minKernelBytes = products ? 0 : Number.POSITIVE_INFINITY;
      const before = tf.memory().numBytes;
      explain(network, SHAPE, { images: [Float32Array.from(images[0])], methods, bounds: [0, 1] });
      const bytes = tf.memory().numBytes - before;
      releasePrepared(network);
      return bytes;
    };
    const kernels = convolutions().reduce((total, n) => total + n.kernel.size * 4, 0);
    // The gradient alone: as convolutions it keeps the flipped (or polyphase) layouts, at least one copy of
    // each kernel; as products nothing, as both directions read the node's own kernel. (Both keep the small
    // dense layer's transpose.)
    const denseTranspose = 24 * 5 * 4;
    const sensitivity = [parseMethodSpec('sensitivity')];
    const flipped = kept(false, sensitivity) - denseTranspose;
    assert.ok(flipped >= kernels, `flipped layouts ${flipped} bytes, kernels ${kernels} bytes`);
    assert.equal(kept(true, sensitivity), denseTranspose);
    // Every method (variants made per call here, TRANSIENT_VARIANTS = 0): beyond what both keep (the z^B
    // constants), the products keep each kernel once more as [out, K] and the convolutions their flipped layouts.
    assert.equal(kept(true) - kept(false), kernels - flipped);
  });
});
