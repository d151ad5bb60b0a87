// Every method id, preset and non-default parameter on small graphs (residual blocks, concatenations, a
// tensor read by two branches, depthwise and grouped convolutions, asymmetric pads, BatchNorm folded and
// affine, normalised inputs with per-channel z^B boxes), against the float64 graph reference
// (test/unit/graph/graphReference.ts), to 1e-5 of each map's largest value.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { explain } from '../../../src/engine/methods/explain';
import { parseMethodSpec } from '../../../src/engine/methods/methodRegistry';
import type { InputBounds } from '../../../src/engine/types';
import type { ImageShape } from '../../../src/protocol/model';
import { ALL_SPECS, graphReferenceMap, logitsOfGraph, toGraphNetwork, worstCancellation, type RefGraph } from '../graph/graphReference';
import {
  branchyGraph,
  concatBranchesGraph,
  groupedGraph,
  identityResidualGraph,
  normalisedBnGraph,
  projectionResidualGraph,
  residualBnGraph,
  sharedTensorGraph,
  spatialConcatGraph,
} from '../graph/graphs';
import { randomImages } from './nets';
import { argMax, assertClose } from './reference';

interface Case {
  name: string;
  graph: RefGraph;
  imageShape: ImageShape;
  images: number[][];
  targets?: Array<Array<number | null> | null>;
  bounds: InputBounds | null;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * LRP-0 and LRP-γ have no ε: where a column's terms cancel to 1e-4 of their size, float32 keeps ~3 digits of
 * its relevance and a 1e-5 comparison with float64 measures rounding, not the method (backends.test.ts
 * does the same for chains). The images of a case are therefore the first of a seeded pool whose columns
 * all keep |z_j| ≥ 3e-4 · Σ|terms| (asserted again in the test).
 */
const CONDITIONING = 3e-4;
function conditionedImages(graph: RefGraph, seed: number, count: number, map: (x: number[]) => number[] = (x) => x): number[][] {
  const pool = randomImages(seed, 60, size(graph.inputShape)).map(map);
  const good = pool.filter((x) => worstCancellation(graph, x) >= CONDITIONING).slice(0, count);
  assert.equal(good.length, count, `only ${good.length} well-conditioned images in the pool`);
  return good;
}

function withImages(c: Omit<Case, 'images'>, seed: number, count: number, map?: (x: number[]) => number[]): Case {
  return { ...c, images: conditionedImages(c.graph, seed, count, map) };
}

const CASES: Case[] = [
  withImages({ name: 'identity residual block', graph: identityResidualGraph(21), imageShape: [6, 6, 2], targets: [null, [0, 2]], bounds: [0, 1] }, 31, 2),
  withImages({ name: 'residual block with a 1×1 stride-2 projection', graph: projectionResidualGraph(22), imageShape: [6, 6, 3], bounds: [0, 1] }, 32, 2),
  withImages(
    {
      name: 'projection residual, per-channel bounds (card mean/std)',
      graph: projectionResidualGraph(23),
      imageShape: [6, 6, 3],
      bounds: [
        [-0.5 / 0.25, -0.4 / 0.5, -0.3 / 0.2],
        [0.5 / 0.25, 0.6 / 0.5, 0.7 / 0.2],
      ],
    },
    33,
    2,
    (x) => x.map((v, i) => (v - [0.5, 0.4, 0.3][i % 3]) / [0.25, 0.5, 0.2][i % 3]),
  ),
  withImages({ name: 'concatenation of two branches (conv and padded max pool)', graph: concatBranchesGraph(24), imageShape: [5, 5, 2], bounds: [0, 1] }, 34, 2),
  withImages({ name: 'one tensor read by two branches, then added', graph: sharedTensorGraph(25), imageShape: [2, 4, 1], bounds: [0, 1] }, 35, 3),
  withImages({ name: 'depthwise and grouped convolutions, asymmetric pads on conv and max pool', graph: groupedGraph(26), imageShape: [6, 5, 4], bounds: [0, 1] }, 36, 2),
  withImages({ name: 'grouped, unbounded', graph: groupedGraph(27), imageShape: [6, 5, 4], bounds: null }, 37, 2),
  withImages(
    { name: 'normalisation in the graph (z^B box mapped and zero-padded), BatchNorm folded and affine', graph: normalisedBnGraph(28), imageShape: [5, 5, 3], bounds: [0, 1] },
    38,
    2,
  ),
  withImages(
    { name: 'residual with BatchNorms, dilation, pad node, grouped strided conv, global max pool', graph: residualBnGraph(29), imageShape: [6, 6, 3], bounds: [0, 1] },
    39,
    2,
  ),
  withImages({ name: 'strided asymmetric conv, depthwise + grouped branches, padded pools', graph: branchyGraph(30), imageShape: [7, 6, 4], bounds: [-1, 1] }, 40, 2),
  withImages({ name: 'spatial concat of one tensor twice, avg pool, transposed flatten', graph: spatialConcatGraph(31), imageShape: [3, 4, 2], bounds: [0, 1] }, 41, 2),
];

describe('every method on graphs matches the float64 graph reference', () => {
  before(async () => {
    await initBackend(nodeModulesWasmDir());
  });

  for (const c of CASES) {
    test(c.name, () => {
      assert.equal(c.images[0].length, size(c.graph.inputShape));
      for (const x of c.images) assert.ok(worstCancellation(c.graph, x) >= CONDITIONING);
      const { network } = toGraphNetwork(c.graph);
      try {
        const specs = ALL_SPECS.map(parseMethodSpec);
        const results = explain(network, c.imageShape, { images: c.images.map((x) => Float32Array.from(x)), methods: specs, targets: c.targets, bounds: c.bounds });
        assert.equal(results.length, c.images.reduce((n, _, i) => n + (c.targets?.[i]?.length ?? 1), 0) * specs.length);
        for (const r of results) {
          const x = c.images[r.image];
          const logits = logitsOfGraph(c.graph, x);
          const label = `${c.name}: ${r.method}, image ${r.image}, target ${r.target}`;
          assert.equal(r.predicted, argMax(logits), label);
          assert.ok(Math.abs(r.logit - logits[r.target]) < 1e-5 * Math.max(1, Math.abs(logits[r.target])), label);
          const expected = graphReferenceMap(c.graph, x, r.target, parseMethodSpec(r.method), c.imageShape, c.bounds);
          assertClose(r.relevance, expected, 1e-5, label);
        }
      } finally {
        network.dispose();
      }
    });
  }

  after(() => {
    assert.equal(tf.memory().numTensors, 0);
  });
});
