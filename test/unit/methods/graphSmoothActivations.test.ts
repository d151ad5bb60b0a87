// The smooth activations (sigmoid, tanh, SiLU, hard sigmoid, hard swish, ELU, softplus, GELU erf / tanh)
// and PReLU in graphs: every method id on small MobileNetV3 / EfficientNet-style graphs against the float64
// graph reference (graph/graphReference.ts: f and f′ from their textbook formulas) to 1e-5 of each map's
// largest value, the activations driven across their kinks; the gradient against central finite
// differences; f′ at the kinks by hand (PyTorch's backward); z^B's box through a non-monotone activation;
// the model-info text. LRP passes relevance through them, every gradient method takes f′ (Zennit 0.5.1).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { GraphBuilder } from '../../../src/engine/graph/builder';
import type { NodeSpec } from '../../../src/engine/graph/nodes';
import { describeNetwork } from '../../../src/engine/methods/describeNetwork';
import { gradientAt } from '../../../src/engine/methods/attributors';
import { explain, predict } from '../../../src/engine/methods/explain';
import { firstLayerBoxes } from '../../../src/engine/methods/inputBox';
import { parseMethodSpec } from '../../../src/engine/methods/methodRegistry';
import { logitsOf } from '../../../src/engine/network/forward';
import type { InputBounds } from '../../../src/engine/types';
import { ALL_SPECS, erf, forwardGraph, graphReferenceMap, logitsOfGraph, smoothActivation, toGraphNetwork, worstCancellation, type RefGraph } from '../graph/graphReference';
import { assertGradientMatchesFiniteDifferences } from '../graph/finiteDifferences';
import { convNode, denseNode } from '../graph/graphs';
import { randomImages } from './nets';
import { argMax, assertClose, random, randomArray } from './reference';
import { onCpuBackend } from './backendRounding';

/** Methods that only multiply by f′ and weights (no division): held to 1e-5 of float64 everywhere. */
const GRADIENT_FAMILY = new Set(['sensitivity', 'gradient', 'simple-taylor', 'guided-backprop', 'deconvnet', 'integrated-gradients', 'smoothgrad', 'occlusion']);

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const same: [number, number, number, number] = [1, 1, 1, 1];

/** MobileNetV3-style: conv → hard swish → depthwise → SiLU → 1×1 → PReLU (per channel) → 1×1 → sigmoid → GAP → dense. */
function mobileNetV3Graph(seed: number): RefGraph {
  const rand = random(seed);
  return {
    inputShape: [6, 6, 3],
    nodes: [
      convNode(rand, 0, [3, 3], 3, 6, { strides: [2, 2], pads: [0, 0, 1, 1], gain: 8 }), // 1
      { kind: 'activation', input: 1, fn: 'hardSwish' }, // 2
      convNode(rand, 2, [3, 3], 6, 6, { pads: same, groups: 6, gain: 3 }), // 3
      { kind: 'activation', input: 3, fn: 'silu' }, // 4
      convNode(rand, 4, [1, 1], 6, 8, { gain: 2 }), // 5
      { kind: 'prelu', input: 5, slope: [0.25, -0.1, 0.5, 0, 0.1, 0.3, 0.2, 0.05] }, // 6
      convNode(rand, 6, [1, 1], 8, 8, { gain: 2 }), // 7
      { kind: 'activation', input: 7, fn: 'sigmoid' }, // 8
      { kind: 'globalAvgPool', input: 8 },
      denseNode(rand, 9, 8, 5),
    ],
  };
}

/** tanh, ELU (α 0.7), softplus, hard sigmoid (ONNX's 0.2, 0.5) and a shared PReLU slope. */
function classicGraph(seed: number): RefGraph {
  const rand = random(seed);
  return {
    inputShape: [6, 6, 3],
    nodes: [
      convNode(rand, 0, [3, 3], 3, 6, { pads: same, gain: 3 }), // 1
      { kind: 'activation', input: 1, fn: 'tanh' }, // 2
      convNode(rand, 2, [3, 3], 6, 6, { strides: [2, 2], pads: [0, 0, 1, 1], gain: 3 }), // 3
      { kind: 'activation', input: 3, fn: 'elu', alpha: 0.7 }, // 4
      convNode(rand, 4, [1, 1], 6, 8, { gain: 2 }), // 5
      { kind: 'activation', input: 5, fn: 'softplus' }, // 6
      convNode(rand, 6, [1, 1], 8, 8, { gain: 8 }), // 7
      { kind: 'activation', input: 7, fn: 'hardSigmoid', alpha: 0.2, beta: 0.5 }, // 8
      convNode(rand, 8, [1, 1], 8, 6, { gain: 2 }), // 9
      { kind: 'prelu', input: 9, slope: [0.25] }, // 10
      { kind: 'globalAvgPool', input: 10 },
      denseNode(rand, 11, 6, 4),
    ],
  };
}

/** GELU (erf), GELU (tanh), torch's hard sigmoid (1/6, ½), then a flattened dense head with a tanh. */
function geluGraph(seed: number): RefGraph {
  const rand = random(seed);
  return {
    inputShape: [6, 6, 3],
    nodes: [
      convNode(rand, 0, [3, 3], 3, 4, { strides: [2, 2], pads: [0, 0, 1, 1], gain: 3 }), // 1
      { kind: 'activation', input: 1, fn: 'gelu' }, // 2
      convNode(rand, 2, [3, 3], 4, 4, { pads: same, gain: 3 }), // 3
      { kind: 'activation', input: 3, fn: 'geluTanh' }, // 4
      convNode(rand, 4, [1, 1], 4, 4, { gain: 8 }), // 5
      { kind: 'activation', input: 5, fn: 'hardSigmoid', alpha: 1 / 6, beta: 0.5 }, // 6
      { kind: 'flatten', input: 6 }, // 7
      denseNode(rand, 7, 36, 10), // 8
      { kind: 'activation', input: 8, fn: 'tanh' }, // 9
      denseNode(rand, 9, 10, 4),
    ],
  };
}

function conditionedImages(graph: RefGraph, seed: number, count: number): number[][] {
  const good = randomImages(seed, 150, size(graph.inputShape)).filter((x) => worstCancellation(graph, x) >= 1e-3).slice(0, count);
  assert.equal(good.length, count, 'well-conditioned images');
  return good;
}

/** Where each activation's kinks / interesting regions lie: its input must reach both sides. */
function kinksOf(node: RefGraph['nodes'][number]): number[] {
  if (node.kind === 'prelu') return [0];
  if (node.kind !== 'activation') return [];
  if (node.fn === 'hardSwish') return [-3, 3];
  if (node.fn === 'hardSigmoid') return [(0 - (node.beta ?? 0.5)) / (node.alpha ?? 0.2), (1 - (node.beta ?? 0.5)) / (node.alpha ?? 0.2)];
  return [0];
}

// Image seeds: these deep graphs of smooth activations leave a few columns with tiny LRP denominators on
// some images even when worstCancellation passes (LRP-0 / z⁺ sums of mixed-sign terms after SiLU / GELU),
// which float32 follows to only ~1e-3; the seeds below give images without such columns. The one-layer
// test below holds every activation to 1e-5 on every method without choosing.
const CASES: Array<{ name: string; graph: RefGraph; bounds: InputBounds | null; seed: number; targets?: Array<number[] | null> }> = [
  { name: 'hard swish, SiLU, per-channel PReLU, sigmoid (MobileNetV3 / EfficientNet style)', graph: mobileNetV3Graph(71), bounds: [0, 1], seed: 300, targets: [null, [0, 3]] },
  { name: 'tanh, ELU, softplus, hard sigmoid, shared PReLU', graph: classicGraph(72), bounds: [0, 1], seed: 501 },
  { name: 'GELU (erf and tanh), torch hard sigmoid on a dense head, unbounded', graph: geluGraph(73), bounds: null, seed: 202 },
];

describe('smooth activations and PReLU: every method matches the float64 graph reference', () => {
  CASES.forEach((c) => {
    const images = conditionedImages(c.graph, c.seed, 2);
    test(c.name, async () => {
      // The test means something only if every activation's input crosses its kinks (both sides of each).
      const t = images.map((x) => forwardGraph(c.graph, x));
      c.graph.nodes.forEach((node, k) => {
        const z = t.flatMap((tr) => ('input' in node ? tr.values[node.input] : []));
        for (const kink of kinksOf(node)) {
          assert.ok(z.some((v) => v < kink) && z.some((v) => v > kink), `node ${k + 1} (${node.kind}) crosses ${kink}: [${Math.min(...z)}, ${Math.max(...z)}]`);
        }
      });
      const { network } = toGraphNetwork(c.graph);
      try {
        const specs = ALL_SPECS.map(parseMethodSpec);
        const request = { images: images.map((x) => Float32Array.from(x)), methods: specs, targets: c.targets, bounds: c.bounds };
        const results = explain(network, [6, 6, 3], request);
        const onCpu = await onCpuBackend(() => {
          const copy = toGraphNetwork(c.graph).network;
          try {
            return explain(copy, [6, 6, 3], request).map((r) => Array.from(r.relevance));
          } finally {
            copy.dispose();
          }
        });
        assert.equal(results.length, images.reduce((s, _, i) => s + (c.targets?.[i]?.length ?? 1), 0) * specs.length);
        results.forEach((r, k) => {
          const x = images[r.image];
          const logits = logitsOfGraph(c.graph, x);
          const label = `${c.name}: ${r.method}, image ${r.image}, target ${r.target}`;
          assert.equal(r.predicted, argMax(logits), label);
          assert.ok(Math.abs(r.logit - logits[r.target]) < 1e-5 * Math.max(1, Math.abs(logits[r.target])), label);
          const expected = graphReferenceMap(c.graph, x, r.target, parseMethodSpec(r.method), [6, 6, 3], c.bounds);
          const rounding = Math.max(...Array.from(r.relevance, (v, i) => Math.abs(v - onCpu[k][i])));
          const scale = Math.max(1, ...expected.map(Math.abs));
          if (GRADIENT_FAMILY.has(parseMethodSpec(r.method).id)) {
            assertClose(r.relevance, expected, 1e-5, label);
          } else {
            // LRP divides by sums of terms (LRP-ε's ε is 0.01; LRP-0, γ and αβ have none): through six layers
            // of float32 sigmoid / erf / exp that keeps ~5 digits, 1–6e-5 of the map off float64 on some
            // images. The wasm and CPU backends (other kernels for exp, sigmoid, erf and other summation
            // orders) disagree by as much: that disagreement bounds the rounding (graphActivations.test.ts
            // does the same for the rules without ε); it must stay below 1e-4 and the map within 10× of it.
            assert.ok(rounding / scale < 1e-4, `${label}: the backends differ by ${rounding / scale} of the map`);
            assertClose(r.relevance, expected, Math.max(1e-5, (10 * rounding) / scale), label);
          }
        });
      } finally {
        network.dispose();
      }
    });
  });

  test('each activation alone between a conv and a dense layer: every method at 1e-5 of float64', () => {
    const activations: RefGraph['nodes'] = [
      ...(['sigmoid', 'tanh', 'silu', 'hardSwish', 'softplus', 'gelu', 'geluTanh'] as const).map((fn) => ({ kind: 'activation' as const, input: 1, fn })),
      { kind: 'activation', input: 1, fn: 'hardSigmoid', alpha: 1 / 6, beta: 0.5 },
      { kind: 'activation', input: 1, fn: 'elu', alpha: 0.7 },
      { kind: 'prelu', input: 1, slope: [0.25, -0.2, 0, 0.5] },
    ];
    for (const act of activations) {
      const rand = random(5);
      const graph: RefGraph = { inputShape: [4, 4, 2], nodes: [convNode(rand, 0, [3, 3], 2, 4, { gain: 6 }), act, { kind: 'flatten', input: 2 }, denseNode(rand, 3, 16, 3)] };
      const x = randomArray(rand, 32, 0, 1);
      const z = forwardGraph(graph, x).values[1];
      for (const kink of kinksOf(act)) assert.ok(z.some((v) => v < kink) && z.some((v) => v > kink), `${JSON.stringify(act)} crosses ${kink}`);
      const { network } = toGraphNetwork(graph);
      try {
        const results = explain(network, [4, 4, 2], { images: [Float32Array.from(x)], methods: ALL_SPECS.map(parseMethodSpec), bounds: [0, 1] });
        for (const r of results) {
          const expected = graphReferenceMap(graph, x, r.target, parseMethodSpec(r.method), [4, 4, 2], [0, 1]);
          assertClose(r.relevance, expected, 1e-5, `${JSON.stringify(act)}: ${r.method}`);
        }
      } finally {
        network.dispose();
      }
    }
  });

  test('guided backprop and deconvnet equal the gradient without ReLUs (activations take f′, as Zennit)', () => {
    const graph = mobileNetV3Graph(71);
    const [x] = conditionedImages(graph, 300, 1);
    const { network } = toGraphNetwork(graph);
    try {
      const maps = explain(network, [6, 6, 3], { images: [Float32Array.from(x)], methods: ['gradient', 'guided-backprop', 'deconvnet'].map(parseMethodSpec), bounds: null });
      const [gradient, guided, deconvnet] = maps.map((m) => Array.from(m.relevance));
      assert.ok(gradient.some((v) => Math.abs(v) > 1e-3), 'the gradient is not zero');
      assert.deepEqual(guided, gradient);
      assert.deepEqual(deconvnet, gradient);
    } finally {
      network.dispose();
    }
  });
});

describe('the gradient through smooth activations and PReLU', () => {
  test('against central finite differences of the float64 forward pass', () => {
    for (const [seed, graph] of [[74, mobileNetV3Graph(74)], [75, classicGraph(75)], [76, geluGraph(76)]] as const) {
      const { network } = toGraphNetwork(graph);
      try {
        const rand = random(seed);
        const x = randomArray(rand, size(graph.inputShape), 0, 1);
        const logits = logitsOfGraph(graph, x);
        for (const target of [argMax(logits), (argMax(logits) + 1) % logits.length]) {
          assertGradientMatchesFiniteDifferences(network, graph, x, target, 1e-2, `seed ${seed}: `);
        }
      } finally {
        network.dispose();
      }
    }
  });

  test('f and f′ at and around the kinks, by hand and against finite differences of the float64 f', () => {
    const x = [-4, -3, -2.5, -1.5, -0.5, 0, 0.5, 1.5, 2.5, 3, 4];
    const w = x.map((_, i) => i + 1);
    const specs: Array<[string, NodeSpec, (z: number) => number, ((z: number) => number) | null]> = [
      // PyTorch's hardswish backward: 0 below −3, z/3 + ½ on [−3, 3], 1 above.
      ['hardSwish', { kind: 'activation', fn: 'hardSwish' }, (z) => (z < -3 ? 0 : z <= 3 ? z / 3 + 0.5 : 1), null],
      // hardsigmoid's backward: α strictly inside (−β/α, (1 − β)/α), 0 at and beyond the kinks.
      ['hardSigmoid', { kind: 'activation', fn: 'hardSigmoid', alpha: 1 / 6, beta: 0.5 }, (z) => (z > -3 && z < 3 ? 1 / 6 : 0), null],
      ['elu', { kind: 'activation', fn: 'elu', alpha: 0.5 }, (z) => (z > 0 ? 1 : 0.5 * Math.exp(z)), null],
      ['prelu', { kind: 'prelu', slope: [0.3] }, (z) => (z > 0 ? 1 : 0.3), null],
      ...(['sigmoid', 'tanh', 'silu', 'softplus', 'gelu', 'geluTanh'] as const).map((fn): [string, NodeSpec, (z: number) => number, (z: number) => number] => {
        const { f } = smoothActivation(fn);
        return [fn, { kind: 'activation', fn }, (z) => (f(z + 1e-6) - f(z - 1e-6)) / 2e-6, f];
      }),
    ];
    for (const [label, spec, slope, f] of specs) {
      const b = new GraphBuilder('hand');
      const input = b.input('x', [x.length]);
      const act = b.add('act', spec, [input]);
      const out = b.add('out', { kind: 'dense', kernel: tf.tensor2d(w, [x.length, 1]) }, [act]);
      const { network } = b.build(out);
      try {
        for (const mode of ['gradient', 'guided', 'deconvnet'] as const) {
          const g = tf.tidy(() => gradientAt(network, tf.tensor2d(x, [1, x.length]), tf.tensor2d([[1]]), mode));
          Array.from(g.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - w[i] * slope(x[i])) < 2e-5 * w[i], `${label}, ${mode}, z = ${x[i]}: ${v / w[i]} vs ${slope(x[i])}`));
          g.dispose();
        }
        if (f) {
          const logits = logitsOf(network, tf.tensor2d(x, [1, x.length]));
          const expected = x.reduce((s, v, i) => s + f(v) * w[i], 0);
          assert.ok(Math.abs(logits.dataSync()[0] - expected) < 1e-4, `${label}: forward ${logits.dataSync()[0]} vs ${expected}`);
          logits.dispose();
        }
      } finally {
        network.dispose();
      }
    }
  });

  test('the float64 erf of the reference against known values', () => {
    // Abramowitz & Stegun table 7.1 / erf(1) = 0.8427007929497149.
    assert.ok(Math.abs(erf(1) - 0.8427007929497149) < 1e-15);
    assert.ok(Math.abs(erf(0.5) - 0.5204998778130465) < 1e-15);
    assert.ok(Math.abs(erf(-2) + 0.9953222650189527) < 1e-15);
    assert.ok(Math.abs(erf(3.5) - 0.9999992569016276) < 1e-15);
  });
});

describe('z^B box through activations before the first layer', () => {
  test('SiLU, GELU and hard swish reach down to their minimum; a negative PReLU slope to 0', () => {
    const cases: Array<[string, NodeSpec, (z: number) => number]> = [
      ['silu', { kind: 'activation', fn: 'silu' }, smoothActivation('silu').f],
      ['gelu', { kind: 'activation', fn: 'gelu' }, smoothActivation('gelu').f],
      ['geluTanh', { kind: 'activation', fn: 'geluTanh' }, smoothActivation('geluTanh').f],
      ['hardSwish', { kind: 'activation', fn: 'hardSwish' }, smoothActivation('hardSwish').f],
      ['sigmoid', { kind: 'activation', fn: 'sigmoid' }, smoothActivation('sigmoid').f],
      ['prelu', { kind: 'prelu', slope: [-0.5, 0.5] }, (z) => z],
    ];
    for (const [label, spec, f] of cases) {
      for (const [lo, hi] of [[-3, 1], [-0.5, 2], [-1, -0.9]]) {
        const b = new GraphBuilder('box');
        const input = b.input('x', [2, 2, 2]);
        const act = b.add('act', spec, [input]);
        const conv = b.add('conv', { kind: 'conv2d', kernel: tf.ones([1, 1, 2, 1]) as tf.Tensor4D }, [act]);
        const { network } = b.build(b.add('pool', { kind: 'globalAvgPool' }, [conv]));
        try {
          const [box] = [...firstLayerBoxes(network, [lo, hi], 2).values()];
          const low = Array.from(box.low.dataSync());
          const high = Array.from(box.high.dataSync());
          low.forEach((l, i) => {
            // The true range of f over [lo, hi] by dense sampling in float64 (PReLU: channel i mod 2).
            const g = label === 'prelu' ? (z: number) => (z > 0 ? z : (i % 2 === 0 ? -0.5 : 0.5) * z) : f;
            const zs = Array.from({ length: 20001 }, (_, k) => lo + ((hi - lo) * k) / 20000);
            const values = zs.map(g);
            assert.ok(Math.abs(l - Math.min(...values)) < 1e-5, `${label} [${lo}, ${hi}]: low ${l} vs ${Math.min(...values)}`);
            assert.ok(Math.abs(high[i] - Math.max(...values)) < 1e-5, `${label} [${lo}, ${hi}]: high ${high[i]} vs ${Math.max(...values)}`);
          });
        } finally {
          network.dispose();
        }
      }
    }
  });
});

describe('a final sigmoid', () => {
  test('is dropped as a final softmax is, with a note; a sigmoid inside the network stays', () => {
    const b = new GraphBuilder('binary');
    const input = b.input('x', [3]);
    const hidden = b.add('hidden', { kind: 'activation', fn: 'sigmoid' }, [b.add('d1', { kind: 'dense', kernel: tf.tensor2d([1, -2, 3, 0.5, 1, -1], [3, 2]) }, [input])]);
    const out = b.add('out', { kind: 'activation', fn: 'sigmoid' }, [b.add('d2', { kind: 'dense', kernel: tf.tensor2d([2, -1], [2, 1]) }, [hidden])]);
    const { network, notes } = b.build(out);
    try {
      assert.deepEqual(network.nodes.map((n) => n.kind), ['input', 'dense', 'activation', 'dense']);
      assert.ok(notes.some((n) => /final sigmoid "out" dropped/.test(n)), notes.join('; '));
      const logit = logitsOf(network, tf.tensor2d([[0.5, -1, 2]])).dataSync()[0];
      const s = (z: number) => 1 / (1 + Math.exp(-z));
      const expected = 2 * s(0.5 * 1 + -1 * 3 + 2 * 1) - 1 * s(0.5 * -2 + -1 * 0.5 + 2 * -1);
      assert.ok(Math.abs(logit - expected) < 1e-6, `${logit} vs ${expected}`);
      // One output: its probability is the dropped sigmoid's, not a softmax of one logit (always 1).
      const image = Float32Array.from([0.5, -1, 2]);
      const predicted = predict(network, image, 1);
      assert.ok(Math.abs(predicted.probabilities[0] - s(expected)) < 1e-6, `predict: ${predicted.probabilities[0]} vs ${s(expected)}`);
      const [explained] = explain(network, [1, 3, 1], { images: [image], methods: [parseMethodSpec('sensitivity')], bounds: null });
      assert.ok(Math.abs(explained.probabilities[0] - s(expected)) < 1e-6, `explain: ${explained.probabilities[0]} vs ${s(expected)}`);
    } finally {
      network.dispose();
    }
  });
});

describe('model info', () => {
  test('names each activation and how each method treats it', () => {
    const { network } = toGraphNetwork(mobileNetV3Graph(71));
    try {
      const text = JSON.stringify(describeNetwork(network, { method: parseMethodSpec('guided-backprop') }));
      for (const name of ['hard swish', 'SiLU', 'PReLU \\(8 channel slopes\\)', 'sigmoid', 'guided/deconvnet change ReLUs only']) assert.match(text, new RegExp(name));
      const lrp = JSON.stringify(describeNetwork(network, { method: parseMethodSpec('lrp-epsilon') }));
      assert.match(lrp, /relevance passes unchanged/);
    } finally {
      network.dispose();
    }
  });
});
