// Every method on models read through the ONNX import, against the float64 graph reference of the same
// numbers (test/unit/graph/graphReference.ts): the reference graphs are written as the ONNX a PyTorch
// export makes of them (NCHW, OIHW kernels, Gemm, BatchNormalization, Pad, Concat on axis 1; see
// refGraphToOnnx.ts), loaded with the engine's ONNX front end, explained, and compared to 1e-5 of each
// map's largest value. Then conservation (Σ R = f_c(x), 1e-4) on bias-free ONNX residual nets.
import assert from 'node:assert/strict';
import * as path from 'path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nodeModulesWasmDir } from '../../../../src/engine/backend';
import { loadOnnxNetwork } from '../../../../src/engine/import/onnx/loadOnnx';
import { explain } from '../../../../src/engine/methods/explain';
import { parseMethodSpec } from '../../../../src/engine/methods/methodRegistry';
import type { InputBounds } from '../../../../src/engine/types';
import type { ImageShape } from '../../../../src/protocol/model';
import { ALL_SPECS, graphReferenceMap, logitsOfGraph, worstCancellation, type RefGraph } from '../../graph/graphReference';
import { concatBranchesGraph, groupedGraph, identityResidualGraph, normalisedBnGraph, projectionResidualGraph, reluAfterEveryLinear, residualBnGraph } from '../../graph/graphs';
import { randomImages } from '../../methods/nets';
import { argMax, assertClose } from '../../methods/reference';
import { tempModelDir } from '../../model/savedModels';
import { refGraphToOnnx } from './refGraphToOnnx';

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Writes `graph` as ONNX and loads it through the ONNX front end. */
function viaOnnx(graph: RefGraph, name: string) {
  const file = refGraphToOnnx(graph).save(path.join(tempModelDir('onnx-methods'), `${name.replace(/\W+/g, '-')}.onnx`));
  return loadOnnxNetwork(file);
}

/** As graphMethods.test.ts: images whose LRP-0 columns keep |z| ≥ 3e-4 of their terms, so float32 vs float64 compares the method. */
function conditioned(graph: RefGraph, seed: number, count: number, map: (x: number[]) => number[] = (x) => x): number[][] {
  const good = randomImages(seed, 60, size(graph.inputShape))
    .map(map)
    .filter((x) => worstCancellation(graph, x) >= 3e-4)
    .slice(0, count);
  assert.equal(good.length, count);
  return good;
}

const MEAN = [0.5, 0.4, 0.3];
const STD = [0.25, 0.5, 0.2];

const CASES: Array<{ name: string; graph: RefGraph; imageShape: ImageShape; images: number[][]; bounds: InputBounds | null }> = [
  (() => {
    const graph = projectionResidualGraph(23);
    return {
      name: 'residual block with a 1×1 stride-2 projection, per-channel z^B boxes (card mean/std)',
      graph,
      imageShape: [6, 6, 3] as ImageShape,
      images: conditioned(graph, 33, 2, (x) => x.map((v, i) => (v - MEAN[i % 3]) / STD[i % 3])),
      bounds: [MEAN.map((m, c) => (0 - m) / STD[c]), MEAN.map((m, c) => (1 - m) / STD[c])] as InputBounds,
    };
  })(),
  (() => {
    const graph = concatBranchesGraph(24);
    return { name: 'concatenation of a conv and a padded max pool', graph, imageShape: [5, 5, 2] as ImageShape, images: conditioned(graph, 34, 2), bounds: [0, 1] as InputBounds };
  })(),
  (() => {
    const graph = groupedGraph(26);
    return { name: 'depthwise and grouped convolutions, asymmetric pads', graph, imageShape: [6, 5, 4] as ImageShape, images: conditioned(graph, 36, 2), bounds: [0, 1] as InputBounds };
  })(),
  (() => {
    const graph = normalisedBnGraph(28);
    return { name: 'normalisation as Mul/Add input maps, BatchNormalization folded and unfolded', graph, imageShape: [5, 5, 3] as ImageShape, images: conditioned(graph, 38, 2), bounds: [0, 1] as InputBounds };
  })(),
  (() => {
    const graph = residualBnGraph(29);
    return { name: 'residual with BatchNorms, dilation, a Pad node, grouped strided conv, global max pool', graph, imageShape: [6, 6, 3] as ImageShape, images: conditioned(graph, 39, 2), bounds: null };
  })(),
];

describe('every method on ONNX-imported graphs matches the float64 graph reference', () => {
  before(async () => {
    await initBackend(nodeModulesWasmDir());
  });

  for (const c of CASES) {
    test(c.name, () => {
      const { network } = viaOnnx(c.graph, c.name);
      try {
        const specs = ALL_SPECS.map(parseMethodSpec);
        const results = explain(network, c.imageShape, { images: c.images.map((x) => Float32Array.from(x)), methods: specs, bounds: c.bounds });
        assert.equal(results.length, c.images.length * specs.length);
        for (const r of results) {
          const x = c.images[r.image];
          const logits = logitsOfGraph(c.graph, x);
          const label = `${c.name}: ${r.method}, image ${r.image}`;
          assert.equal(r.predicted, argMax(logits), label);
          assert.ok(Math.abs(r.logit - logits[r.target]) < 1e-5 * Math.max(1, Math.abs(logits[r.target])), label);
          assertClose(r.relevance, graphReferenceMap(c.graph, x, r.target, parseMethodSpec(r.method), c.imageShape, c.bounds), 1e-5, label);
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

describe('conservation on bias-free ONNX residual nets: Σ R = f_c(x)', () => {
  const graphs: Array<[string, RefGraph]> = [
    ['identity residual block, ReLU before the merge', reluAfterEveryLinear(identityResidualGraph(51, false))],
    ['projection residual block, ReLU before the merge', reluAfterEveryLinear(projectionResidualGraph(52, false))],
  ];
  for (const [name, graph] of graphs) {
    test(name, () => {
      const { network } = viaOnnx(graph, name);
      try {
        const images = randomImages(71, 24, size(graph.inputShape))
          .filter((x) => Math.max(...logitsOfGraph(graph, x)) > 0.01)
          .slice(0, 5);
        assert.ok(images.length >= 4);
        const methods = ['simple-taylor', 'lrp-z', 'lrp-a1b0', 'deep-taylor'];
        const results = explain(network, graph.inputShape as ImageShape, { images: images.map((x) => Float32Array.from(x)), methods: methods.map(parseMethodSpec), bounds: [0, 1] });
        assert.equal(results.length, images.length * methods.length);
        for (const r of results) {
          const logit = logitsOfGraph(graph, images[r.image])[r.target];
          assert.ok(Math.abs(r.relevanceSum - logit) <= 1e-4 * Math.max(1, Math.abs(logit)), `${name}: ${r.method}: Σ R ${r.relevanceSum} vs f_c ${logit}`);
        }
      } finally {
        network.dispose();
      }
    });
  }
});
