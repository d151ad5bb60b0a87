// The modern CNN kinds in graphs (METHODS.md, "Gates, normalisation layers and attention"): products with
// and without a gate (squeeze-excite), LayerNorm / GroupNorm / RMSNorm, dense layers per position, slices and
// channel permutations, nearest and bilinear resizes, transposed convolutions. Every method id against the
// float64 graph reference (graph/graphReference.ts, written from METHODS.md), the gradient against central
// finite differences, conservation of the LRP rules that conserve, the gate decision against the reference's
// own, the rules by hand on tiny cases, z^B boxes through products and norms, the model-info text.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { GraphBuilder } from '../../../src/engine/graph/builder';
import type { NodeSpec } from '../../../src/engine/graph/nodes';
import { describeNetwork } from '../../../src/engine/methods/describeNetwork';
import { explain } from '../../../src/engine/methods/explain';
import { firstLayerBoxes } from '../../../src/engine/methods/inputBox';
import { parseMethodSpec } from '../../../src/engine/methods/methodRegistry';
import { logitsOf } from '../../../src/engine/network/forward';
import type { InputBounds } from '../../../src/engine/types';
import type { ImageShape } from '../../../src/protocol/model';
import { assertGradientMatchesFiniteDifferences } from '../graph/finiteDifferences';
import { ALL_SPECS, gatesRef, graphReferenceMap, logitsOfGraph, toGraphNetwork, worstCancellation, type RefGraph } from '../graph/graphReference';
import { convNode, denseNode } from '../graph/graphs';
import { layerNormGraph, plainProductGraph, resizeGraph, shuffleGraph, squeezeExciteGraph } from '../graph/modernGraphs';
import { onCpuBackend } from './backendRounding';
import { randomImages } from './nets';
import { argMax, assertClose, random, randomArray } from './reference';
import { assertMapMatchesReference } from './referenceComparison';

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Images whose LRP denominators keep |z| ≥ `bound`·Σ|terms| for every γ the specs use: without ε a column
 *  that cancels further is float32-accurate to a few digits only, whatever the engine does (graphMethods.test.ts). */
function conditionedImages(graph: RefGraph, seed: number, count: number, bound = 1e-3): number[][] {
  const good = randomImages(seed, 150, size(graph.inputShape)).filter((x) => worstCancellation(graph, x, [0, 0.25, 0.5, 1]) >= bound).slice(0, count);
  assert.equal(good.length, count, 'well-conditioned images');
  return good;
}

const CASES: Array<{ name: string; graph: RefGraph; bounds: InputBounds | null; seed: number; conditioning?: number }> = [
  { name: 'squeeze-excite (sigmoid gate) in an MBConv block with SiLU and a residual', graph: squeezeExciteGraph(81), bounds: [0, 1], seed: 11 },
  { name: "squeeze-excite with MobileNetV3's hard-sigmoid gate, unbounded", graph: squeezeExciteGraph(82, true), bounds: null, seed: 12 },
  { name: 'products without a gate (halves) and with the gate as the first factor', graph: plainProductGraph(83), bounds: [0, 1], seed: 13 },
  { name: 'LayerNorm over channels, dense per position, GELU, layer scale, GroupNorm, RMSNorm (ConvNeXt style)', graph: layerNormGraph(84), bounds: [0, 1], seed: 14 },
  { name: 'channel split, concatenation, channel shuffle and a strided row pick (ShuffleNetV2 style)', graph: shuffleGraph(85), bounds: [0, 1], seed: 15 },
  // The transposed convolution's 768 columns leave no image of the pool above 1e-3: graphMethods.test.ts's 3e-4.
  { name: 'nearest and bilinear resizes, transposed convolutions (strided with output padding, grouped)', graph: resizeGraph(86), bounds: [0, 1], seed: 16, conditioning: 3e-4 },
];

describe('modern CNN kinds: every method matches the float64 graph reference', () => {
  for (const c of CASES) {
    test(c.name, async () => {
      const images = conditionedImages(c.graph, c.seed, 2, c.conditioning);
      const shape = c.graph.inputShape as ImageShape;
      const { network } = toGraphNetwork(c.graph);
      try {
        const specs = ALL_SPECS.map(parseMethodSpec);
        const request = { images: images.map((x) => Float32Array.from(x)), methods: specs, targets: [null, [0, 2]], bounds: c.bounds };
        const results = explain(network, shape, request);
        const onCpu = await onCpuBackend(() => {
          const copy = toGraphNetwork(c.graph).network;
          try {
            return explain(copy, shape, request).map((r) => Array.from(r.relevance));
          } finally {
            copy.dispose();
          }
        });
        assert.equal(results.length, 3 * specs.length);
        // The comparisons mean something: the predicted class's maps are not zero.
        for (const r of results.filter((m) => m.image === 0)) assert.ok(r.relevance.some((v) => v !== 0), `${c.name}: ${r.method} gives a map`);
        results.forEach((r, k) => {
          const x = images[r.image];
          const logits = logitsOfGraph(c.graph, x);
          const label = `${c.name}: ${r.method}, image ${r.image}, target ${r.target}`;
          assert.equal(r.predicted, argMax(logits), label);
          assert.ok(Math.abs(r.logit - logits[r.target]) < 1e-5 * Math.max(1, Math.abs(logits[r.target])), `${label}: logit ${r.logit} vs ${logits[r.target]}`);
          const expected = graphReferenceMap(c.graph, x, r.target, parseMethodSpec(r.method), shape, c.bounds);
          assertMapMatchesReference(r.method, r.relevance, onCpu[k], expected, label);
        });
      } finally {
        network.dispose();
      }
    });
  }
});

describe('the gradient through the modern kinds (exact, through μ and σ of the norms)', () => {
  for (const c of CASES) {
    test(`${c.name}: against central finite differences`, () => {
      const { network } = toGraphNetwork(c.graph);
      try {
        for (const x of randomImages(c.seed + 100, 2, size(c.graph.inputShape))) {
          const logits = logitsOfGraph(c.graph, x);
          for (const target of [argMax(logits), (argMax(logits) + 1) % logits.length]) assertGradientMatchesFiniteDifferences(network, c.graph, x, target, 1e-3, `${c.name}: `);
        }
      } finally {
        network.dispose();
      }
    });
  }
});

describe('conservation: Σ R = f_c on bias-free graphs', () => {
  // The gate passes all relevance to the signal, a product without a gate halves it, a pick and a
  // permutation route it, the resizes and transposed convolutions take the z-rule / the composite's rule,
  // a norm without β is LRP-0 of its affine map: all conserve.
  const graphs: Array<[string, RefGraph]> = [
    ['squeeze-excite', squeezeExciteGraph(91, false, false)],
    ['products', plainProductGraph(92, false)],
    ['norms without β, dense per position', layerNormGraph(93, false)],
    ['split and shuffle', shuffleGraph(94, false)],
    ['resizes and transposed convolutions', resizeGraph(95, false)],
  ];
  for (const [name, graph] of graphs) {
    test(`${name}: LRP-0 and LRP-ε (ε = 1e-9)`, () => {
      const { network } = toGraphNetwork(graph);
      try {
        const images = randomImages(97, 4, size(graph.inputShape));
        const results = explain(network, graph.inputShape as ImageShape, { images: images.map((x) => Float32Array.from(x)), methods: ['lrp-z', 'lrp-epsilon:epsilon=1e-9'].map(parseMethodSpec), bounds: [0, 1] });
        for (const r of results) {
          const logit = logitsOfGraph(graph, images[r.image])[r.target];
          const total = Array.from(r.relevance).reduce((a, b) => a + b, 0);
          assert.ok(Math.abs(total - logit) < 1e-4 * Math.max(1, Math.abs(logit)), `${name}, ${r.method}, image ${r.image}: Σ R = ${total}, logit ${logit}`);
        }
      } finally {
        network.dispose();
      }
    });
  }
});

describe('the gate decision', () => {
  test("each product's gate equals the reference's reading of METHODS.md", () => {
    for (const graph of [squeezeExciteGraph(1), squeezeExciteGraph(2, true), plainProductGraph(3)]) {
      const { network } = toGraphNetwork(graph);
      try {
        const products = network.nodes.filter((n) => n.kind === 'product');
        const expected = [...gatesRef(graph).values()];
        assert.deepEqual(products.map((n) => (n.kind === 'product' ? n.gate : undefined)), expected);
        assert.ok(expected.length > 0);
      } finally {
        network.dispose();
      }
    }
    assert.deepEqual([...gatesRef(squeezeExciteGraph(1)).values()], [1]);
    assert.deepEqual([...gatesRef(plainProductGraph(3)).values()], [null, 0]);
  });

  test('no gate where the factors are elementwise functions of one tensor, or both are gates', () => {
    const gateOf = (nodes: (b: GraphBuilder, x: ReturnType<GraphBuilder['input']>) => ReturnType<GraphBuilder['add']>) => {
      const b = new GraphBuilder('gates');
      const x = b.input('x', [2, 2, 3]);
      const out = b.add('dense', { kind: 'dense', kernel: tf.ones([12, 2]) as tf.Tensor2D }, [b.add('flat', { kind: 'flatten' }, [nodes(b, x)])]);
      const { network } = b.build(out);
      const product = network.nodes.find((n) => n.kind === 'product');
      network.dispose();
      return product?.kind === 'product' ? product.gate : 'none';
    };
    const conv = (b: GraphBuilder, name: string, input: ReturnType<GraphBuilder['input']>) => b.add(name, { kind: 'conv2d', kernel: tf.ones([1, 1, 3, 3]) as tf.Tensor4D }, [input]);
    const sigmoid: NodeSpec = { kind: 'activation', fn: 'sigmoid' };
    // x ⊙ σ(x): SiLU written out.
    assert.equal(gateOf((b, x) => b.add('p', { kind: 'product' }, [x, b.add('s', sigmoid, [x])])), null);
    // relu(c) ⊙ σ(2c + 1): both elementwise in c.
    assert.equal(gateOf((b, x) => {
      const c = conv(b, 'c', x);
      return b.add('p', { kind: 'product' }, [b.add('r', { kind: 'relu' }, [c]), b.add('s', sigmoid, [b.add('a', { kind: 'affine', scale: 2, offset: 1 }, [c])])]);
    }), null);
    // σ(a) ⊙ σ(b) of two convolutions: both are gates, so neither.
    assert.equal(gateOf((b, x) => b.add('p', { kind: 'product' }, [b.add('s1', sigmoid, [conv(b, 'c1', x)]), b.add('s2', sigmoid, [conv(b, 'c2', x)])])), null);
    // c ⊙ σ(conv(c)): the conv mixes values, so σ is a gate (a spatial attention gate).
    assert.equal(gateOf((b, x) => {
      const c = conv(b, 'c', x);
      return b.add('p', { kind: 'product' }, [c, b.add('s', { kind: 'activation', fn: 'hardSigmoid', alpha: 1 / 6, beta: 0.5 }, [conv(b, 'c2', c)])]);
    }), 1);
  });
});

describe('the rules by hand', () => {
  /** One pixel of three channels: x → node under test → dense with weights w → one logit. */
  function tiny(spec: NodeSpec, w: number[], gateFrom?: number[]) {
    const b = new GraphBuilder('tiny');
    const x = b.input('x', [1, 1, 3]);
    let y;
    if (gateFrom) {
      const g = b.add('g', { kind: 'conv2d', kernel: tf.tensor4d(gateFrom, [1, 1, 3, 3]) }, [x]);
      y = b.add('p', spec, [x, b.add('s', { kind: 'activation', fn: 'sigmoid' }, [b.add('pool', { kind: 'reshape', shape: [1, 1, 3] }, [b.add('gap', { kind: 'globalAvgPool' }, [g])])])]);
    } else {
      y = b.add('n', spec, [x]);
    }
    const out = b.add('d', { kind: 'dense', kernel: tf.tensor2d(w, [3, 1]) }, [b.add('f', { kind: 'flatten' }, [y])]);
    return b.build(out).network;
  }

  test('LayerNorm: R_x = x ⊙ (t − mean t)/σ with t = γ ⊙ R/y; gradient through μ and σ', () => {
    // x = (1, 2, 3): μ = 2, σ = √(2/3); y = (x − μ)/σ; logit = Σ w_j y_j with w = (1, 2, 3).
    const network = tiny({ kind: 'layerNorm', epsilon: 0 }, [1, 2, 3]);
    try {
      const sigma = Math.sqrt(2 / 3);
      const [r, g] = explain(network, [1, 1, 3], { images: [Float32Array.of(1, 2, 3)], methods: ['lrp-z', 'gradient'].map(parseMethodSpec), bounds: null, targets: [[0]] });
      // LRP-0 on the dense gives R_j = w_j y_j, so R/y = w, t − mean t = (−1, 0, 1), R_x = x ⊙ that / σ.
      assertClose(r.relevance, [2 / sigma], 1e-6, 'channel sum of (−1, 0, 3)/σ');
      assert.ok(Math.abs(r.logit - 2 / sigma) < 1e-5, `logit ${r.logit}`);
      // ∂/∂x_i of Σ w_j (x_j − μ)/σ: (w_i − mean w − x̂_i·mean(w ⊙ x̂))/σ, summed over channels: 0.
      const xhat = [-1, 0, 1].map((v) => v / sigma);
      const mw = (xhat[0] * 1 + xhat[2] * 3) / 3;
      const grad = [1, 2, 3].map((wi, i) => (wi - 2 - xhat[i] * mw) / sigma);
      assertClose(g.relevance, [grad.reduce((a, b) => a + b, 0)], 1e-5, 'gradient channel sum');
    } finally {
      network.dispose();
    }
  });

  test('squeeze-excite gate: the signal gets all the relevance, the gate none; the gradient reaches the gate', () => {
    const network = tiny({ kind: 'product' }, [1, -1, 2], [0.5, 0, 0, 0, -1, 0, 0, 0, 2]);
    try {
      const x = Float32Array.of(0.5, 1, -0.25);
      const s = [0.25, -1, -0.5].map((z) => 1 / (1 + Math.exp(-z)));
      const [r, g] = explain(network, [1, 1, 3], { images: [x], methods: ['lrp-z', 'gradient'].map(parseMethodSpec), bounds: null, targets: [[0]] });
      // LRP-0 on the dense: R_j = w_j x_j s_j, all of it to x_j (a conv 1×1 → GAP → σ carries none back).
      const w = [1, -1, 2];
      assertClose(r.relevance, [w.reduce((sum, wj, j) => sum + wj * x[j] * s[j], 0)], 1e-6, 'LRP-0');
      // ∂/∂x_j = w_j s_j + w_j x_j s_j(1 − s_j)·(conv weight on channel j).
      const k = [0.5, -1, 2];
      assertClose(g.relevance, [w.reduce((sum, wj, j) => sum + wj * s[j] + wj * x[j] * s[j] * (1 - s[j]) * k[j], 0)], 1e-6, 'gradient');
    } finally {
      network.dispose();
    }
  });
});

describe('z^B boxes through products and norms before the first layer', () => {
  test('a product of boxes takes the extremes of the corner products; a norm stays within β ± |γ|√(m − 1)', () => {
    const b = new GraphBuilder('box');
    const x = b.input('x', [1, 2, 3]);
    const p = b.add('p', { kind: 'product' }, [x, b.add('a', { kind: 'affine', scale: [-1, 2, 0.5], offset: [0.5, -1, 0] }, [x])]);
    const n = b.add('n', { kind: 'layerNorm', epsilon: 1e-5, scale: [2, -1, 0.5], offset: [0.1, 0, -0.2] }, [p]);
    const conv = b.add('c', { kind: 'conv2d', kernel: tf.ones([1, 1, 3, 1]) as tf.Tensor4D }, [n]);
    const direct = b.add('c2', { kind: 'conv2d', kernel: tf.ones([1, 1, 3, 1]) as tf.Tensor4D }, [p]);
    const { network } = b.build(b.add('sum', { kind: 'add' }, [b.add('g1', { kind: 'globalAvgPool' }, [conv]), b.add('g2', { kind: 'globalAvgPool' }, [direct])]));
    try {
      const boxes = [...firstLayerBoxes(network, [-1, 2], 3).entries()];
      assert.equal(boxes.length, 2);
      const byInput = new Map(boxes.map(([i, box]) => [network.nodes[network.nodes[i].inputs[0]].kind, box]));
      // Product x ⊙ (s x + t) per channel over x ∈ [−1, 2]: sampled densely.
      const productBox = byInput.get('product')!;
      const [s, t] = [[-1, 2, 0.5], [0.5, -1, 0]];
      Array.from(productBox.low.dataSync()).forEach((low, i) => {
        const c = i % 3;
        const a = [-1 * (s[c] * -1 + t[c]) , -1 * (s[c] * 2 + t[c]), 2 * (s[c] * -1 + t[c]), 2 * (s[c] * 2 + t[c])];
        assert.ok(Math.abs(low - Math.min(...a)) < 1e-6 && Math.abs(productBox.high.dataSync()[i] - Math.max(...a)) < 1e-6, `channel ${c}`);
      });
      const normBox = byInput.get('layerNorm')!;
      const reach = Math.SQRT2;
      assertClose(normBox.low.dataSync(), [0.1 - 2 * reach, -reach, -0.2 - 0.5 * reach, 0.1 - 2 * reach, -reach, -0.2 - 0.5 * reach], 1e-6, 'norm low');
      // Every input inside the box gives norm outputs inside it.
      const rand = random(3);
      for (let k = 0; k < 50; k++) {
        const v = randomArray(rand, 6, -1, 2);
        const y = tf.tidy(() => {
          const px = tf.tensor(v, [1, 1, 2, 3]);
          const pv = tf.mul(px, tf.add(tf.mul(px, [-1, 2, 0.5]), [0.5, -1, 0]));
          const m = tf.moments(pv, -1, true);
          return tf.add(tf.mul(tf.div(tf.sub(pv, m.mean), tf.sqrt(tf.add(m.variance, 1e-5))), [2, -1, 0.5]), [0.1, 0, -0.2]).dataSync();
        });
        y.forEach((value, i) => assert.ok(value >= normBox.low.dataSync()[i] - 1e-6 && value <= normBox.high.dataSync()[i] + 1e-6));
      }
    } finally {
      network.dispose();
    }
  });
});

describe('model info', () => {
  test('names the gate, the norms, the picks, the resizes and transposed convolutions, and what each method does there', () => {
    const text = (graph: RefGraph, method: string) => {
      const { network } = toGraphNetwork(graph);
      try {
        return JSON.stringify(describeNetwork(network, { method: parseMethodSpec(method) }));
      } finally {
        network.dispose();
      }
    };
    assert.match(text(squeezeExciteGraph(1), 'lrp-epsilon'), /product gated by input 2 \(squeeze-excite\).*all to input 1, none to the gate/);
    assert.match(text(plainProductGraph(1), 'lrp-epsilon'), /halves to each factor/);
    const ln = text(layerNormGraph(1), 'lrp-epsilon');
    for (const name of ['layer norm over the last axis', 'group norm, 2 groups', 'RMS norm', 'dense 4→8 per position', 'σ held constant']) assert.ok(ln.includes(name), name);
    assert.match(text(layerNormGraph(1), 'gradient'), /exact gradient \(through μ and σ\)/);
    const shuffle = text(shuffleGraph(1), 'lrp-z');
    for (const name of ['slice 0…1 of axis 2', 'pick \\[0, 2, 1, 3\\] along axis 2']) assert.match(shuffle, new RegExp(name));
    const resize = text(resizeGraph(1), 'lrp-a2b1');
    for (const name of ['nearest resize to 6×8 \\(asymmetric, floor\\)', 'linear resize to 5×7', 'transposed conv 3×3, 4→4, stride 2', 'LRP-α2β1']) assert.match(resize, new RegExp(name));
  });
});

describe('a dense layer per position', () => {
  test('equals the same dense applied to each position on its own', () => {
    const b = new GraphBuilder('per-position');
    const x = b.input('x', [2, 3, 4]);
    const kernel = tf.tensor2d(randomArray(random(4), 20, -1, 1), [4, 5]);
    const d = b.add('d', { kind: 'dense', kernel, bias: tf.tensor1d([0.1, 0.2, 0.3, 0.4, 0.5]) }, [x]);
    assert.deepEqual(d.shape, [2, 3, 5]);
    const { network } = b.build(b.add('flat', { kind: 'flatten' }, [d]));
    try {
      const v = randomArray(random(5), 24, -1, 1);
      const y = logitsOf(network, tf.tensor(v, [1, 2, 3, 4])).dataSync();
      const w = kernel.dataSync();
      for (let p = 0; p < 6; p++) {
        for (let j = 0; j < 5; j++) {
          const expected = [0, 1, 2, 3].reduce((s, i) => s + v[p * 4 + i] * w[i * 5 + j], 0) + 0.1 * (j + 1);
          assert.ok(Math.abs(y[p * 5 + j] - expected) < 1e-5, `position ${p}, unit ${j}`);
        }
      }
    } finally {
      network.dispose();
    }
  });
});

void convNode;
void denseNode;
