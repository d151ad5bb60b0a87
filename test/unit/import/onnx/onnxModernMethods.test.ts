// The modern CNN graphs of the graph tests (graph/modernGraphs.ts: squeeze-excite, products, LayerNorm /
// GroupNorm / RMSNorm with dense layers per position, channel split and shuffle, resizes and transposed
// convolutions) written as torch 1.13 exports them (refGraphToOnnx.ts) at opsets 13 and 17, read through the
// ONNX front end's patterns, and explained with every method: the same maps as the float64 graph reference
// of the same numbers (graphReference.ts, written from METHODS.md), and the same logits as onnxruntime.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { before, describe, test } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../../src/engine/backend';
import { loadOnnxNetwork } from '../../../../src/engine/import/onnx/loadOnnx';
import { explain } from '../../../../src/engine/methods/explain';
import { parseMethodSpec } from '../../../../src/engine/methods/methodRegistry';
import type { InputBounds } from '../../../../src/engine/types';
import type { ImageShape } from '../../../../src/protocol/model';
import { ALL_SPECS, graphReferenceMap, logitsOfGraph, worstCancellation, type RefGraph } from '../../graph/graphReference';
import { layerNormGraph, plainProductGraph, resizeGraph, shuffleGraph, squeezeExciteGraph } from '../../graph/modernGraphs';
import { onCpuBackend } from '../../methods/backendRounding';
import { randomImages } from '../../methods/nets';
import { argMax } from '../../methods/reference';
import { assertMapMatchesReference } from '../../methods/referenceComparison';
import { tempModelDir } from '../../model/savedModels';
import { engineLogits, nchwToNhwc, ortOutputs, relativeError } from './onnxReference';
import { refGraphToOnnx } from './refGraphToOnnx';

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

/** [N, H, W, C] → [N, C, H, W]. */
function nhwcToNchw(x: number[], [h, w, c]: number[]): Float32Array {
  const out = new Float32Array(x.length);
  for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) for (let k = 0; k < c; k++) out[(k * h + y) * w + xx] = x[(y * w + xx) * c + k];
  return out;
}

const CASES: Array<{ name: string; graph: RefGraph; bounds: InputBounds | null; seed: number; kinds: string[]; conditioning?: number }> = [
  { name: 'squeeze-excite: Mul(x, Sigmoid(conv(relu(conv(GlobalAveragePool(x)))))) and SiLU as Mul(x, Sigmoid(x))', graph: squeezeExciteGraph(81), bounds: [0, 1], seed: 11, kinds: ['product'] },
  { name: "squeeze-excite with a HardSigmoid gate, hard swish's x·HardSigmoid(x)", graph: squeezeExciteGraph(82, true), bounds: null, seed: 12, kinds: ['product'] },
  { name: 'Mul of two activations without a gate, and with the gate first', graph: plainProductGraph(83), bounds: [0, 1], seed: 13, kinds: ['product'] },
  { name: 'LayerNorm between the permutes, MatMul + Add per position, GELU with Erf, layer scale, GroupNorm export, RMSNorm written out', graph: layerNormGraph(84), bounds: [0, 1], seed: 14, kinds: ['layerNorm', 'dense'] },
  { name: 'channel split as Slice, channel shuffle as Reshape → Transpose → Reshape, a Slice with step −2', graph: shuffleGraph(85), bounds: [0, 1], seed: 15, kinds: ['gather'] },
  { name: 'Resize (scales, nearest; sizes from Shape, linear) and ConvTranspose', graph: resizeGraph(86), bounds: [0, 1], seed: 16, kinds: ['resize', 'convTranspose'], conditioning: 3e-4 },
];

describe('modern CNN graphs written as torch exports them, read by the ONNX front end', () => {
  for (const opset of [13, 17]) {
    for (const c of CASES) {
      test(`opset ${opset}: ${c.name}`, async () => {
        const shape = c.graph.inputShape as ImageShape;
        const file = refGraphToOnnx(c.graph, opset).save(path.join(tempModelDir('onnx-modern'), `${c.seed}-${opset}.onnx`));
        const images = randomImages(c.seed, 150, size(shape)).filter((x) => worstCancellation(c.graph, x, [0, 0.25, 0.5, 1]) >= (c.conditioning ?? 1e-3)).slice(0, 2);
        assert.equal(images.length, 2, 'well-conditioned images');
        // The forward pass against onnxruntime-web.
        const nchw = [c.graph.inputShape[2], c.graph.inputShape[0], c.graph.inputShape[1]];
        const batch = Float32Array.from(images.flatMap((x) => Array.from(nhwcToNchw(x, shape))));
        const expected = await ortOutputs(fs.readFileSync(file), batch, [2, ...nchw]);
        const { network } = loadOnnxNetwork(file);
        try {
          const kinds = network.nodes.map((n) => n.kind);
          for (const kind of c.kinds) assert.ok(kinds.includes(kind as never), `${kind} in ${kinds.join(' ')}`);
          assert.ok(!kinds.includes('transpose'), `no transpose left: ${kinds.join(' ')}`);
          const logits = engineLogits(network, nchwToNhwc(batch, [2, ...nchw]), 2);
          assert.ok(relativeError(logits, expected) <= 1e-5, `logits vs onnxruntime: ${relativeError(logits, expected)}`);
          const request = { images: images.map((x) => Float32Array.from(x)), methods: ALL_SPECS.map(parseMethodSpec), targets: [null, [0, 2]], bounds: c.bounds };
          const results = explain(network, shape, request);
          const onCpu = await onCpuBackend(() => {
            const copy = loadOnnxNetwork(file).network;
            try {
              return explain(copy, shape, request).map((r) => Array.from(r.relevance));
            } finally {
              copy.dispose();
            }
          });
          results.forEach((r, k) => {
            const x = images[r.image];
            const label = `opset ${opset}, ${c.name}: ${r.method}, image ${r.image}, target ${r.target}`;
            assert.equal(r.predicted, argMax(logitsOfGraph(c.graph, x)), label);
            const reference = graphReferenceMap(c.graph, x, r.target, parseMethodSpec(r.method), shape, c.bounds);
            assertMapMatchesReference(r.method, r.relevance, onCpu[k], reference, label);
          });
        } finally {
          network.dispose();
        }
      });
    }
  }
});
