// Softmax inside the network and the matrix product of two activations (attention): the forward pass against
// the float64 graph reference and onnxruntime, the gradient against finite differences, every method (the
// transformer methods `attnlrp` and `cp-lrp` included, several in one walk) against the float64 reference
// written from METHODS.md, and where the rules conserve relevance: every AttnLRP rule but the softmax's
// (node by node, on the engine's own modules), CP-LRP end to end on a bias-free attention block, and AttnLRP
// end to end up to what the softmax absorbs (the bias term its Taylor decomposition leaves out).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import type { Network } from '../../../src/engine/graph/nodes';
import { LAYERS } from '../../../src/engine/layers/index';
import type { AttentionRule, FixedKind } from '../../../src/engine/layers/layerKind';
import { describeNetwork } from '../../../src/engine/methods/describeNetwork';
import { explain } from '../../../src/engine/methods/explain';
import { parseMethodSpec } from '../../../src/engine/methods/methodRegistry';
import { Trace } from '../../../src/engine/methods/trace';
import { assertGradientMatchesFiniteDifferences } from '../graph/finiteDifferences';
import { bilinearGraph, vitBlockGraph } from '../graph/attentionGraphs';
import { ALL_SPECS, forwardGraph, graphReferenceMap, logitsOfGraph, lrpGraphSignals, toGraphNetwork, worstCancellation, type RefGraph } from '../graph/graphReference';
import { engineLogits, ortOutputs, relativeError } from '../import/onnx/onnxReference';
import { refGraphToOnnxAsIs } from '../import/onnx/refGraphToOnnx';
import { tempModelDir } from '../model/savedModels';
import { onCpuBackend } from './backendRounding';
import { randomImages } from './nets';
import { argMax, assertClose, random, randomArray } from './reference';

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
/** Methods without a division (the gradient family and the attributors): 1e-5 of float64 everywhere. */
const GRADIENT_FAMILY = new Set(['sensitivity', 'gradient', 'simple-taylor', 'guided-backprop', 'deconvnet', 'integrated-gradients', 'smoothgrad', 'occlusion']);
/** ALL_SPECS (attnlrp and cp-lrp at their defaults, ε = 1e-6: nearly LRP-0) and with γ or ε given. */
const SPECS = [...ALL_SPECS, 'attnlrp:gamma=0.25', 'attnlrp:epsilon=0.1', 'cp-lrp:gamma=0.5'];

function conditionedImages(graph: RefGraph, seed: number, count: number): number[][] {
  const good = randomImages(seed, 200, size(graph.inputShape)).filter((x) => worstCancellation(graph, x) >= 1e-3).slice(0, count);
  assert.equal(good.length, count, 'well-conditioned images');
  return good;
}

function withNetwork<T>(graph: RefGraph, f: (network: Network) => T): T {
  const { network } = toGraphNetwork(graph);
  try {
    return f(network);
  } finally {
    network.dispose();
  }
}

describe('softmax and matmul nodes: forward and gradient', () => {
  test('the graphs keep their softmax and matmul nodes; logits equal the float64 forward pass', () => {
    for (const graph of [vitBlockGraph(11), bilinearGraph(12)]) {
      withNetwork(graph, (network) => {
        const kinds = network.nodes.map((n) => n.kind);
        assert.equal(kinds.filter((k) => k === 'softmax').length, 1);
        assert.equal(kinds.filter((k) => k === 'matmul').length, 2);
        assert.equal(network.endsWithSoftmax, false);
        const images = randomImages(3, 3, size(graph.inputShape));
        const logits = engineLogits(network, Float32Array.from(images.flat()), images.length);
        images.forEach((x, n) => assertClose(logits.subarray(n * network.outputSize, (n + 1) * network.outputSize), logitsOfGraph(graph, x), 1e-5, `image ${n}`));
      });
    }
  });

  test('a softmax over a non-last axis sums to 1 along that axis (hand computation)', () => {
    const graph = bilinearGraph(12);
    const x = randomImages(4, 1, size(graph.inputShape))[0];
    const s = forwardGraph(graph, x).values[6];
    for (let col = 0; col < 6; col++) assert.ok(Math.abs([0, 1, 2, 3, 4, 5].reduce((sum, row) => sum + s[row * 6 + col], 0) - 1) < 1e-12);
    withNetwork(graph, (network) => {
      const trace = Trace.of(network, tf.tensor(x, [1, ...graph.inputShape]));
      try {
        const index = network.nodes.findIndex((n) => n.kind === 'softmax');
        assertClose(trace.output(index).dataSync(), s, 1e-6, 'softmax over axis 0');
      } finally {
        trace.dispose();
      }
    });
  });

  for (const opset of [13, 17]) {
    test(`the ViT-style block against onnxruntime-web (MatMul, Softmax axis −1, Transpose, Reshape, Erf GELU; opset ${opset})`, async () => {
      const graph = vitBlockGraph(13);
      const file = refGraphToOnnxAsIs(graph, opset).save(path.join(tempModelDir('attention'), `vit-block-${opset}.onnx`));
      const images = randomImages(5, 4, size(graph.inputShape));
      const input = Float32Array.from(images.flat());
      const expected = await ortOutputs(fs.readFileSync(file), input, [images.length, ...graph.inputShape]);
      withNetwork(graph, (network) => {
        const error = relativeError(engineLogits(network, input, images.length), expected);
        assert.ok(error < 1e-5, `relative error ${error}`);
      });
    });
  }

  test('the gradient equals central finite differences of the float64 forward pass', () => {
    for (const [seed, graph] of [[21, vitBlockGraph(21)], [22, bilinearGraph(22)]] as const) {
      withNetwork(graph, (network) => {
        const x = randomArray(random(seed), size(graph.inputShape), 0, 1);
        const logits = logitsOfGraph(graph, x);
        for (const target of [argMax(logits), (argMax(logits) + 1) % logits.length]) {
          assertGradientMatchesFiniteDifferences(network, graph, x, target, 1e-2, `seed ${seed}: `);
        }
      });
    }
  });
});

describe('every method on attention graphs matches the float64 graph reference', () => {
  const cases = [
    { name: 'ViT-style block (patch conv, 2 heads, Q·Kᵀ, softmax, ·V, GELU MLP, residuals)', graph: vitBlockGraph(31), seed: 40, bounds: [0, 1] as [number, number] },
    { name: 'Aᵀ·B without softmax, softmax over axis 0 read through a transpose, B·Sᵀᵀ', graph: bilinearGraph(32), seed: 41, bounds: null },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const images = conditionedImages(c.graph, c.seed, 2);
      const specs = SPECS.map(parseMethodSpec);
      const request = { images: images.map((x) => Float32Array.from(x)), methods: specs, targets: [null, [0, 2]], bounds: c.bounds };
      const imageShape = c.graph.inputShape as [number, number, number];
      const results = withNetwork(c.graph, (network) => explain(network, imageShape, request));
      const onCpu = await onCpuBackend(() => withNetwork(c.graph, (network) => explain(network, imageShape, request).map((r) => Array.from(r.relevance))));
      assert.equal(results.length, 3 * specs.length);
      results.forEach((r, k) => {
        const x = images[r.image];
        const label = `${c.name}: ${r.method}, image ${r.image}, target ${r.target}`;
        const expected = graphReferenceMap(c.graph, x, r.target, parseMethodSpec(r.method), imageShape, c.bounds);
        assert.ok(expected.some((v) => Math.abs(v) > 1e-3), `${label}: the reference map is not zero`);
        if (GRADIENT_FAMILY.has(parseMethodSpec(r.method).id)) {
          assertClose(r.relevance, expected, 1e-5, label);
          return;
        }
        // LRP divides by sums of terms (AttnLRP's ε is 1e-6: nearly LRP-0); the wasm and CPU backends'
        // disagreement bounds float32's rounding, as in graphSmoothActivations.test.ts.
        const rounding = Math.max(...Array.from(r.relevance, (v, i) => Math.abs(v - onCpu[k][i])));
        const scale = Math.max(1, ...expected.map(Math.abs));
        assert.ok(rounding / scale < 1e-4, `${label}: the backends differ by ${rounding / scale} of the map`);
        assertClose(r.relevance, expected, Math.max(1e-5, (10 * rounding) / scale), label);
      });
    });
  }

  test('AttnLRP and CP-LRP differ on attention and agree without it', () => {
    const graph = vitBlockGraph(31);
    const [x] = conditionedImages(graph, 40, 1);
    const [attn, cp] = withNetwork(graph, (network) =>
      explain(network, [4, 4, 3], { images: [Float32Array.from(x)], methods: ['attnlrp', 'cp-lrp'].map(parseMethodSpec), bounds: null }).map((r) => Array.from(r.relevance)),
    );
    const gap = Math.max(...attn.map((v, i) => Math.abs(v - cp[i])));
    assert.ok(gap > 1e-2 * Math.max(...attn.map(Math.abs)), `the attention rule changes the map (gap ${gap})`);
    // On a chain of Dense/ReLU without attention both are LRP-ε: covered by methods.test.ts.
  });
});

describe('conservation on a bias-free attention block (ε → 0)', () => {
  const graph = vitBlockGraph(51, { bias: false });
  const images = randomImages(52, 40, size(graph.inputShape))
    .filter((x) => worstCancellation(graph, x) >= 1e-3 && Math.max(...logitsOfGraph(graph, x)) > 0.2)
    .slice(0, 3);

  test('CP-LRP conserves: Σ R = logit', () => {
    assert.equal(images.length, 3, 'images with a clear positive logit');
    withNetwork(graph, (network) => {
      for (const r of explain(network, [4, 4, 3], { images: images.map((x) => Float32Array.from(x)), methods: [parseMethodSpec('cp-lrp:epsilon=0')], bounds: null })) {
        assert.ok(Math.abs(r.relevanceSum - r.logit) <= 1e-4 * Math.abs(r.logit), `image ${r.image}: Σ R = ${r.relevanceSum}, logit ${r.logit}`);
      }
    });
  });

  test('AttnLRP conserves everywhere but at the softmax: Σ R = logit − the softmax’s Taylor bias share', () => {
    const softmax = graph.nodes.findIndex((n) => n.kind === 'softmax') + 1;
    const scores = graph.nodes[softmax - 1].kind === 'softmax' ? (graph.nodes[softmax - 1] as { input: number }).input : -1;
    withNetwork(graph, (network) => {
      const results = explain(network, [4, 4, 3], { images: images.map((x) => Float32Array.from(x)), methods: [parseMethodSpec('attnlrp:epsilon=0')], bounds: null });
      for (const r of results) {
        const x = images[r.image];
        // What the softmax absorbs, from the float64 reference: its decomposition s_j = Σ_i z_i ∂s_j/∂z_i + b_j
        // leaves out b_j = s_j (1 − z_j + Σ_i s_i z_i), whose share of R_s_j is b_j / s_j · R_s_j.
        const t = forwardGraph(graph, x);
        const relevance = lrpGraphSignals(graph, x, r.target, () => ({ rule: 'epsilon', epsilon: 0 }), null, 'attnlrp');
        const rs = relevance[softmax]!;
        const z = t.values[scores];
        const s = t.values[softmax];
        let absorbed = 0;
        for (let row = 0; row < z.length / 4; row++) {
          const group = [0, 1, 2, 3].map((k) => row * 4 + k);
          const mean = group.reduce((sum, i) => sum + s[i] * z[i], 0);
          for (const j of group) absorbed += (1 - z[j] + mean) * rs[j];
        }
        assert.ok(Math.abs(absorbed) > 1e-2 * Math.abs(r.logit), `image ${r.image}: the softmax absorbs something (${absorbed})`);
        const expected = r.logit - absorbed;
        assert.ok(Math.abs(r.relevanceSum - expected) <= 1e-4 * Math.abs(r.logit), `image ${r.image}: Σ R = ${r.relevanceSum}, logit − absorbed = ${expected}`);
      }
    });
  });

  test('node by node (the engine’s modules): matmul conserves under both rules, the softmax loses exactly its bias share', () => {
    withNetwork(graph, (network) => {
      const trace = Trace.of(network, tf.tensor(images[0], [1, ...graph.inputShape]));
      try {
        const sum = (t: tf.Tensor | null) => (t ? t.sum().dataSync()[0] : 0);
        network.nodes.forEach((node, i) => {
          if (node.kind !== 'matmul' && node.kind !== 'softmax') return;
          const out = trace.output(i);
          const r = tf.tensor(randomArray(random(i), out.size, -1, 1), out.shape);
          for (const rule of ['attnlrp', 'cp-lrp'] as AttentionRule[]) {
            const kind = LAYERS[node.kind] as FixedKind<typeof node.kind>;
            const back = kind.relevance(trace.nodeTrace(i, 1, [], [rule]) as never, r);
            const total = back.reduce((s, t) => s + sum(t), 0);
            const label: string = `${node.name} (${node.kind}), ${rule}`;
            if (node.kind === 'matmul') {
              const held: boolean = rule === 'cp-lrp' && node.inputs.some((j) => network.nodes[j].kind === 'softmax');
              assert.equal(back.filter((t) => t === null).length, held ? 1 : 0, `${label}: the attention weights get nothing under CP-LRP only`);
              assert.ok(Math.abs(total - sum(r)) < 1e-4 * Math.max(1, Math.abs(sum(r))), `${label}: Σ in ${total}, Σ out ${sum(r)}`);
            } else if (rule === 'cp-lrp') {
              assert.deepEqual(back, [null], `${label}: held constant`);
            } else {
              const [z, s, rs] = [trace.output(node.inputs[0]), out, r].map((t) => t.dataSync());
              let bias = 0;
              for (let row = 0; row < z.length / 4; row++) {
                const group = [0, 1, 2, 3].map((k) => row * 4 + k);
                const mean = group.reduce((acc, q) => acc + s[q] * z[q], 0);
                for (const j of group) bias += (1 - z[j] + mean) * rs[j];
              }
              assert.ok(Math.abs(total - (sum(r) - bias)) < 1e-4 * Math.max(1, Math.abs(sum(r))), `${label}: Σ R_z ${total}, Σ R_s − bias ${sum(r) - bias}`);
            }
            back.forEach((t) => t && t !== r && t.dispose());
          }
          r.dispose();
        });
      } finally {
        trace.dispose();
      }
    });
  });
});

describe('model info names the attention rule of each method', () => {
  test('softmax and matmul under AttnLRP, CP-LRP, deep Taylor and the gradient', () => {
    withNetwork(vitBlockGraph(31), (network) => {
      const rules = (spec: string): Record<string, string> =>
        Object.fromEntries(describeNetwork(network, { method: parseMethodSpec(spec) }).filter((n) => n.kind === 'softmax' || n.kind === 'matmul').map((n) => [n.name, n.rule!]));
      const attn = rules('attnlrp');
      const cp = rules('cp-lrp');
      assert.match(attn.softmax14, /AttnLRP: R_z = z ⊙ \(R_s − s·ΣR_s\)/);
      assert.match(attn.matmul15, /AttnLRP: .*split evenly/);
      assert.match(cp.softmax14, /CP-LRP: attention weights held constant/);
      assert.match(cp.matmul15, /CP-LRP: attention weights \(input 1\) held constant/);
      // Q·Kᵀ has no softmax operand: split evenly under CP-LRP too (it gets nothing anyway).
      assert.match(cp.matmul12, /AttnLRP: .*split evenly/);
      assert.deepEqual(rules('deep-taylor'), attn, 'every other LRP method uses the AttnLRP rules there');
      assert.match(rules('gradient').softmax14, /exact gradient/);
      const dense = describeNetwork(network, { method: parseMethodSpec('attnlrp:gamma=0.5') }).find((n) => n.kind === 'conv2d');
      assert.match(dense!.rule!, /LRP-γ \(γ = 0.5\)/);
    });
  });
});
