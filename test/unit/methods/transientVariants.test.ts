// Large networks make their rule variants (W⁺, W⁻, γ, w² in both layouts) inside each call and free each
// node's as soon as the backward walk leaves it (network/prepared.ts, TRANSIENT_VARIANTS): on wasm a
// worker's memory never shrinks, so what a call holds at its peak is held for good. Pinned on a mid-size
// residual network with the threshold lowered: the same maps bit for bit as with every variant cached,
// only the plain kernels' layouts alive after the call, and a peak during the call that leaves out all but
// about one node's variants (the bound below is computed from the kernels' shapes).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { explain, releasePrepared } from '../../../src/engine/methods/explain';
import { SEED_METHODS } from '../../../src/engine/methods/methodTable';
import { parseMethodSpec } from '../../../src/engine/methods/methodRegistry';
import { TRANSIENT_VARIANTS } from '../../../src/engine/network/prepared';
import type { Network } from '../../../src/engine/types';
import type { ImageShape } from '../../../src/protocol/model';
import { toGraphNetwork, type RefGraph } from '../graph/graphReference';
import { convNode, denseNode } from '../graph/graphs';
import { randomImages } from './nets';
import { random } from './reference';

const SHAPE: ImageShape = [8, 8, 3];
/** Channels: wide layers on a small image, so that, as in ResNet-18 at batch 1, kernels outweigh activations. */
const C = 48;

/**
 * [8, 8, 3] → conv 3×3 (C) → ReLU → residual block (conv 3×3 C→C ×2, identity) → conv 3×3 stride 2 C→C
 * with a 1×1 stride-2 projection (polyphase backward kernels) → ReLU → depthwise 3×3 (grouped layouts)
 * → ReLU → conv 3×3 C→C → ReLU → global average pool → dense C → 10. No kernel dominates, so
 * keeping one node's variants at a time is far less than keeping all of them.
 */
function midSizeGraph(): RefGraph {
  const rand = random(41);
  const pad1: [number, number, number, number] = [1, 1, 1, 1];
  return {
    inputShape: SHAPE,
    nodes: [
      convNode(rand, 0, [3, 3], 3, C, { pads: pad1 }),
      { kind: 'relu', input: 1 },
      convNode(rand, 2, [3, 3], C, C, { pads: pad1 }),
      { kind: 'relu', input: 3 },
      convNode(rand, 4, [3, 3], C, C, { pads: pad1 }),
      { kind: 'add', inputs: [5, 2] },
      { kind: 'relu', input: 6 },
      convNode(rand, 7, [3, 3], C, C, { strides: [2, 2], pads: pad1 }),
      { kind: 'relu', input: 8 },
      convNode(rand, 9, [3, 3], C, C, { pads: pad1 }),
      convNode(rand, 7, [1, 1], C, C, { strides: [2, 2] }),
      { kind: 'add', inputs: [10, 11] },
      { kind: 'relu', input: 12 },
      convNode(rand, 13, [3, 3], C, C, { pads: pad1, groups: C }),
      { kind: 'relu', input: 14 },
      convNode(rand, 15, [3, 3], C, C, { pads: pad1 }),
      { kind: 'relu', input: 16 },
      { kind: 'globalAvgPool', input: 17 },
      denseNode(rand, 18, C, 10),
    ],
  };
}

/** Kernel bytes of every Dense/Conv node of the reference graph. */
function kernelBytes(g: RefGraph): number[] {
  return g.nodes.flatMap((n) => ('w' in n ? [n.w.length * 4] : []));
}

describe('large networks free their rule variants node by node', () => {
  const defaults = { ...TRANSIENT_VARIANTS };
  let network: Network;
  const graph = midSizeGraph();
  const images = randomImages(8, 1, 8 * 8 * 3).map((x) => Float32Array.from(x));
  // The seed set, and rules the seed set does not use (γ, ε, z, flat and the γ/box composite).
  const methods = [...SEED_METHODS, 'lrp-gamma:gamma=0.25', 'lrp-epsilon', 'lrp-z', 'epsilon-plus-flat', 'epsilon-gamma-box'].map((m) => parseMethodSpec(m));
  const call = (specs = methods) => explain(network, SHAPE, { images, methods: specs, bounds: [0, 1] }).map((e) => e.relevance);

  before(async () => {
    await initBackend(nodeModulesWasmDir());
    network = toGraphNetwork(graph).network;
  });
  after(() => {
    Object.assign(TRANSIENT_VARIANTS, defaults);
    network.dispose();
  });

  test('the same maps, only the plain layouts kept, and a peak without the other nodes’ variants', async () => {
    const start = tf.memory().numBytes;
    const kernels = kernelBytes(graph);
    assert.equal(kernels.length, 9);

    // Every variant cached (what small networks do): all of them are alive at the end of the first call.
    TRANSIENT_VARIANTS.minKernelBytes = Number.POSITIVE_INFINITY;
    // (tf.profile answers with one object that every later profile overwrites: take the number now.)
    const cachedPeak = (await tf.profile(() => void call())).peakBytes;
    const cachedKept = tf.memory().numBytes - start;
    const reference = call();
    releasePrepared(network);
    assert.equal(tf.memory().numBytes, start);

    // What the plain kernels' layouts alone take (sensitivity makes nothing else).
    call([parseMethodSpec('sensitivity')]);
    const plainKept = tf.memory().numBytes - start;
    releasePrepared(network);

    // Every node per call: no small node keeps its variants either.
    Object.assign(TRANSIENT_VARIANTS, { minKernelBytes: 0, keepTotalBytes: 0 });
    const transientPeak = (await tf.profile(() => void call())).peakBytes;
    const transientKept = tf.memory().numBytes - start;
    const maps = call();
    maps.forEach((m, k) => assert.deepEqual(m, reference[k], `map ${k} (${methods[k % methods.length].id}): the same bits as with cached variants`));
    assert.equal(tf.memory().numBytes - start, transientKept, 'a second call keeps no more');
    // After the call only the plain kernels' layouts stay, and the one-row constants cached per network
    // (z^B's input box and the box terms of its denominator, one row of the first node's output each).
    const firstOutputRow = 8 * 8 * C * 4;
    assert.ok(transientKept >= plainKept && transientKept - plainKept <= 3 * firstOutputRow, `kept ${transientKept} bytes, the plain layouts ${plainKept}`);

    // The rule variants: several per node (W⁺, W⁻, w², γ, ones; modified kernel and backward layout).
    const variants = cachedKept - transientKept;
    const total = kernels.reduce((a, b) => a + b, 0);
    assert.ok(variants >= 4 * total, `cached rule variants ${variants} bytes for ${total} bytes of kernels`);
    // During the walk at most one node's variants are alive: for these methods about six kernels' worth
    // (W⁺, W⁻, w², γ, ones: modified kernels and backward layouts; the stride-2 nodes' polyphase layouts
    // have zero taps too), so eight kernels of the largest node bound them.
    const oneNode = 8 * Math.max(...kernels);
    assert.ok(variants > 3 * oneNode, 'the network is one where keeping one node at a time matters');
    assert.ok(
      transientPeak <= cachedPeak - variants + oneNode,
      `peak ${transientPeak} transient vs ${cachedPeak} cached (variants ${variants}, one node ≤ ${oneNode})`,
    );
    console.log(`kernels ${total} B; cached: peak ${cachedPeak} B, kept ${cachedKept} B; transient: peak ${transientPeak} B, kept ${transientKept} B`);

    releasePrepared(network);
    assert.equal(tf.memory().numBytes, start);
  });

  test('the default threshold keeps every variant of a small network cached', () => {
    Object.assign(TRANSIENT_VARIANTS, defaults);
    assert.ok(kernelBytes(graph).reduce((a, b) => a + b, 0) < defaults.minKernelBytes);
    const start = tf.memory().numBytes;
    call([parseMethodSpec('sensitivity')]);
    const plainKept = tf.memory().numBytes - start;
    call();
    assert.ok(tf.memory().numBytes - start > 2 * plainKept, 'the rule variants stay after the call');
    releasePrepared(network);
    assert.equal(tf.memory().numBytes, start);
  });

  test('a large network keeps the variants of its small nodes, up to a total, and gives the same bits', () => {
    const kernels = kernelBytes(graph);
    Object.assign(TRANSIENT_VARIANTS, { minKernelBytes: Number.POSITIVE_INFINITY });
    const reference = call();
    releasePrepared(network);
    const start = tf.memory().numBytes;
    const keptAfter = (keepTotalBytes: number) => {
      Object.assign(TRANSIENT_VARIANTS, { minKernelBytes: 0, keepNodeBelowBytes: Math.max(...kernels) + 1, keepTotalBytes });
      const maps = call();
      maps.forEach((m, k) => assert.deepEqual(m, reference[k], `map ${k}: the same bits as with every variant cached`));
      const kept = tf.memory().numBytes - start;
      releasePrepared(network);
      return kept;
    };
    const none = keptAfter(0);
    // The first three nodes (3×3 convs 3→48, 48→48, 48→48) fit a total of their three kernels.
    const firstThree = kernels[0] + kernels[1] + kernels[2];
    const three = keptAfter(firstThree);
    const all = keptAfter(Number.POSITIVE_INFINITY);
    // Their variants (W⁺, W⁻, w², γ, ones in two layouts) stay: several times their kernels, and less than all nodes'.
    assert.ok(three - none >= 4 * firstThree, `the three nodes kept ${three - none} bytes of variants for ${firstThree} bytes of kernels`);
    assert.ok(all - three >= 4 * (kernels.reduce((a, b) => a + b, 0) - firstThree), 'every node keeps its variants when the total allows');
    assert.equal(tf.memory().numBytes, start);
  });
});
