// On graphs too the WASM and CPU backends give the same maps for every method (each backend builds its own
// tensors and prepared weights; grouped and depthwise convolutions, strided VJPs, the walker's sums), and
// 100 explain calls on a graph leave no tensor behind.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { explain, predict, releasePrepared } from '../../../src/engine/methods/explain';
import { parseMethodSpec } from '../../../src/engine/methods/methodRegistry';
import type { InputBounds } from '../../../src/engine/types';
import type { Explanation } from '../../../src/protocol/explanation';
import type { ImageShape } from '../../../src/protocol/model';
import { ALL_SPECS, toGraphNetwork, worstCancellation, type RefGraph } from '../graph/graphReference';
import { branchyGraph, groupedGraph, normalisedBnGraph, projectionResidualGraph, residualConcatGraph } from '../graph/graphs';
import { randomImages } from './nets';

const SPECS = ALL_SPECS.map(parseMethodSpec);

interface Case {
  name: string;
  graph: RefGraph;
  imageShape: ImageShape;
  bounds: InputBounds | null;
  seed: number;
  /** The least |z| / Σ|terms| of every denominator for the images of this case (see below). */
  conditioning: number;
}

/**
 * Two float32 results summed in different orders differ by about u·Σ|terms| / |z| relative in a column
 * whose denominator z cancels (u ≈ 6e-8): rules with an ε or with terms of one sign do not cancel, but
 * LRP-0, LRP-γ and αβ with β > 0 do, and LRP-γ's z_γ = Σ a(w + γw⁺) + b + γb⁺ cancels more than z, so a
 * 1e-5 comparison of them needs every denominator at ≥ 1e-2 of its terms. Random graphs of several layers
 * rarely have such images; the cases' images are the first of a seeded pool at `conditioning`, and the
 * γ rules are compared where that is 1e-2.
 */
const CASES: Case[] = [
  { name: 'projection residual', graph: projectionResidualGraph(42), imageShape: [6, 6, 3], bounds: [0, 1], seed: 1, conditioning: 2.5e-3 },
  { name: 'depthwise and grouped, asymmetric pads', graph: groupedGraph(43), imageShape: [6, 5, 4], bounds: null, seed: 2, conditioning: 2.5e-3 },
  { name: 'strided asymmetric conv, concat, padded pools', graph: branchyGraph(44), imageShape: [7, 6, 4], bounds: [-1, 1], seed: 3, conditioning: 2.5e-3 },
  { name: 'normalisation, pad, BatchNorm folded and affine', graph: normalisedBnGraph(45), imageShape: [5, 5, 3], bounds: [0, 1], seed: 1, conditioning: 9e-3 },
];

const GAMMA_RULES = new Set(['lrp-gamma', 'epsilon-gamma-box']);

function imagesOf(c: Case): number[][] {
  const size = c.graph.inputShape.reduce((a, b) => a * b, 1);
  const good = randomImages(c.seed + 8, 200, size).filter((x) => worstCancellation(c.graph, x) >= c.conditioning).slice(0, 2);
  assert.equal(good.length, 2, `${c.name}: well-conditioned images`);
  return good;
}

async function runOn(backend: 'wasm' | 'cpu', images: number[][][]): Promise<Explanation[][]> {
  await initBackend(nodeModulesWasmDir(), backend);
  return CASES.map((c, k) => {
    const { network } = toGraphNetwork(c.graph);
    try {
      return explain(network, c.imageShape, { images: images[k].map((x) => Float32Array.from(x)), methods: SPECS, targets: [[null, 0], null], bounds: c.bounds });
    } finally {
      network.dispose();
    }
  });
}

describe('graphs: wasm and cpu agree', () => {
  after(async () => {
    await initBackend(nodeModulesWasmDir());
  });

  test('every method, relative 1e-5 of the map maximum', async () => {
    const images = CASES.map(imagesOf);
    const wasm = await runOn('wasm', images);
    const cpu = await runOn('cpu', images);
    const failures: string[] = [];
    CASES.forEach((c, k) => {
      assert.equal(wasm[k].length, cpu[k].length);
      wasm[k].forEach((w, i) => {
        const other = cpu[k][i];
        const label = `${c.name}: ${w.method}, image ${w.image}, target ${w.target}`;
        assert.equal(other.method, w.method, label);
        if (GAMMA_RULES.has(parseMethodSpec(w.method).id) && c.conditioning < 9e-3) return;
        const scale = Math.max(...Array.from(w.relevance, Math.abs), 1e-30);
        const worst = Math.max(...Array.from(w.relevance, (v, p) => Math.abs(v - other.relevance[p])));
        if (worst > 1e-5 * scale) failures.push(`${label}: max |wasm − cpu| = ${(worst / scale).toExponential(2)} of max |R|`);
      });
    });
    assert.deepEqual(failures, []);
  });
});

describe('graphs: tensor hygiene', () => {
  test('100 explain calls over every method on a residual / concatenating graph leak nothing', async () => {
    await initBackend(nodeModulesWasmDir());
    const { network } = toGraphNetwork(residualConcatGraph(46));
    const images = randomImages(47, 3, 300).map((x) => Float32Array.from(x));
    const start = tf.memory().numTensors;
    let afterAll = -1;
    for (let call = 0; call < 100; call++) {
      const results = explain(network, [10, 10, 3], {
        images: images.slice(0, 1 + (call % 3)),
        methods: [SPECS[call % SPECS.length], SPECS[(call * 7) % SPECS.length]],
        targets: call % 2 ? [[0, 1], null, [2]] : undefined,
        bounds: call % 4 === 3 ? null : call % 4 === 2 ? [[-1, -2, -1.5], [1, 2, 1.5]] : [0, 1],
      });
      assert.ok(results.length > 0);
      predict(network, images[0], 1);
      if (call === 2 * SPECS.length) afterAll = tf.memory().numTensors;
    }
    // Once every method has run with every bounds, the prepared cache is complete and stays constant.
    assert.equal(tf.memory().numTensors, afterAll);
    releasePrepared(network);
    assert.equal(tf.memory().numTensors, start);
    network.dispose();
  });
});
