// The smooth elementwise activations (sigmoid, tanh, SiLU/Swish, hard sigmoid, hard swish, ELU, softplus,
// GELU): one kind with a table fn → forward op and derivative, since they differ in nothing else. Backward,
// as Zennit 0.5.1 does (its `zennit.types.Activation` covers every torch activation module): LRP passes
// relevance unchanged (the `Pass` rule); every gradient method (plain gradient, guided backprop, deconvnet)
// takes autograd's true derivative f′(z), because guided backprop and deconvnet are defined on ReLUs and
// Zennit's composites for them hook torch.nn.ReLU only (clip.ts and leakyRelu.ts do the same).
import * as tf from '@tensorflow/tfjs';
import type { ActivationFn, ActivationNode } from '../graph/nodes';
import type { FixedKind } from './layerKind';
import { perImage } from './signals';

interface Fn {
  /** y = f(z) for a batch. */
  forward(z: tf.Tensor, node: ActivationNode): tf.Tensor;
  /** f′(z) elementwise (PyTorch's backward where f is not differentiable). */
  derivative(z: tf.Tensor, node: ActivationNode): tf.Tensor;
  name(node: ActivationNode): string;
  /** f′ in words, for the model-info listing. */
  formula(node: ActivationNode): string;
  /** Where f has its one minimum, for those that are not monotone (f falls, then rises). */
  lowest?: { at: number; value: number };
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_TANH_CUBIC = 0.044715;

/** clip(α·z + β, 0, 1) and its derivative α·[0 < α·z + β < 1] (0 at both kinks, as PyTorch's hardsigmoid). */
const hardSigmoidOf = (z: tf.Tensor, a: number, b: number) => tf.clipByValue(tf.add(tf.mul(z, a), b), 0, 1);
const hardSigmoidSlope = (z: tf.Tensor, a: number, b: number) => {
  const u = tf.add(tf.mul(z, a), b);
  return tf.mul(tf.mul(tf.step(u), tf.step(tf.sub(1, u))), a);
};

const FNS: Record<ActivationFn, Fn> = {
  sigmoid: {
    forward: (z) => tf.sigmoid(z),
    derivative: (z) => tf.tidy(() => {
      const s = tf.sigmoid(z);
      return tf.mul(s, tf.sub(1, s));
    }),
    name: () => 'sigmoid',
    formula: () => 'g·σ(z)(1 − σ(z))',
  },
  tanh: {
    forward: (z) => tf.tanh(z),
    derivative: (z) => tf.sub(1, tf.square(tf.tanh(z))),
    name: () => 'tanh',
    formula: () => 'g·(1 − tanh²z)',
  },
  silu: {
    forward: (z) => tf.mul(z, tf.sigmoid(z)),
    // d/dz z·σ(z) = σ(z)·(1 + z·(1 − σ(z))).
    derivative: (z) => {
      const s = tf.sigmoid(z);
      return tf.mul(s, tf.add(1, tf.mul(z, tf.sub(1, s))));
    },
    name: () => 'SiLU (swish, x·σ(x))',
    formula: () => 'g·σ(z)(1 + z(1 − σ(z)))',
    lowest: { at: -1.2784645427610738, value: -0.2784645427610738 },
  },
  hardSigmoid: {
    forward: (z, n) => hardSigmoidOf(z, n.alpha, n.beta),
    derivative: (z, n) => hardSigmoidSlope(z, n.alpha, n.beta),
    name: (n) => `hard sigmoid (clip(${fmt(n.alpha)}·x + ${fmt(n.beta)}, 0, 1))`,
    formula: (n) => `g·${fmt(n.alpha)}·[0 < ${fmt(n.alpha)}z + ${fmt(n.beta)} < 1]`,
  },
  hardSwish: {
    forward: (z) => tf.mul(z, hardSigmoidOf(z, 1 / 6, 0.5)),
    // PyTorch's hardswish backward: 0 for z < −3, z/3 + ½ for −3 ≤ z ≤ 3, 1 above.
    derivative: (z) => {
      // [z ≥ −3]·[z ≤ 3] as 1 − [−3 − z > 0] times 1 − [z − 3 > 0] (tf.step(v) is 1 for v > 0).
      const middle = tf.mul(tf.sub(1, tf.step(tf.sub(-3, z))), tf.sub(1, tf.step(tf.sub(z, 3))));
      const above = tf.step(tf.sub(z, 3));
      return tf.add(tf.mul(middle, tf.add(tf.div(z, 3), 0.5)), above);
    },
    name: () => 'hard swish (x·clip(x/6 + ½, 0, 1))',
    formula: () => 'g·(z < −3 ? 0 : z ≤ 3 ? z/3 + ½ : 1)',
    lowest: { at: -1.5, value: -0.375 },
  },
  elu: {
    forward: (z, n) => tf.where(tf.greater(z, 0), z, tf.mul(tf.expm1(tf.minimum(z, 0)), n.alpha)),
    // PyTorch's elu backward: 1 for z > 0, α·eᶻ for z ≤ 0.
    derivative: (z, n) => tf.where(tf.greater(z, 0), tf.onesLike(z), tf.mul(tf.exp(tf.minimum(z, 0)), n.alpha)),
    name: (n) => `ELU (α ${fmt(n.alpha)})`,
    formula: (n) => `g·(z > 0 ? 1 : ${fmt(n.alpha)}·eᶻ)`,
  },
  softplus: {
    forward: (z) => tf.softplus(z),
    derivative: (z) => tf.sigmoid(z),
    name: () => 'softplus (log(1 + eˣ))',
    formula: () => 'g·σ(z)',
  },
  gelu: {
    // z·Φ(z), Φ(z) = ½(1 + erf(z/√2)).
    forward: (z) => tf.mul(z, tf.mul(tf.add(tf.erf(tf.mul(z, Math.SQRT1_2)), 1), 0.5)),
    // Φ(z) + z·φ(z), φ(z) = e^(−z²/2)/√(2π).
    derivative: (z) => {
      const cdf = tf.mul(tf.add(tf.erf(tf.mul(z, Math.SQRT1_2)), 1), 0.5);
      const pdf = tf.mul(tf.exp(tf.mul(tf.square(z), -0.5)), 1 / Math.sqrt(2 * Math.PI));
      return tf.add(cdf, tf.mul(z, pdf));
    },
    name: () => 'GELU (erf)',
    formula: () => 'g·(Φ(z) + z·φ(z))',
    lowest: { at: -0.751791524693564, value: -0.16997120747990369 },
  },
  geluTanh: {
    // ½z(1 + tanh(u)), u = √(2/π)(z + 0.044715z³).
    forward: (z) => tf.mul(tf.mul(z, 0.5), tf.add(1, tf.tanh(geluTanhArg(z)))),
    // ½(1 + tanh u) + ½z(1 − tanh²u)·√(2/π)(1 + 3·0.044715z²).
    derivative: (z) => {
      const t = tf.tanh(geluTanhArg(z));
      const du = tf.mul(tf.add(1, tf.mul(tf.square(z), 3 * GELU_TANH_CUBIC)), SQRT_2_OVER_PI);
      return tf.add(tf.mul(tf.add(1, t), 0.5), tf.mul(tf.mul(tf.mul(z, 0.5), tf.sub(1, tf.square(t))), du));
    },
    name: () => 'GELU (tanh approximation)',
    formula: () => 'g·f′(z) of ½z(1 + tanh(√(2/π)(z + 0.044715z³)))',
    lowest: { at: -0.7524614, value: -0.17004075057125403 },
  },
};

function geluTanhArg(z: tf.Tensor): tf.Tensor {
  return tf.mul(tf.add(z, tf.mul(tf.pow(z, 3), GELU_TANH_CUBIC)), SQRT_2_OVER_PI);
}

export const ACTIVATION_FNS = Object.keys(FNS) as ActivationFn[];

export const activation: FixedKind<'activation'> = {
  kind: 'activation',
  create(spec, c) {
    if (!(spec.fn in FNS)) c.fail(`has function "${spec.fn}"; known: ${ACTIVATION_FNS.join(', ')}`);
    const alpha = spec.alpha ?? (spec.fn === 'hardSigmoid' ? 0.2 : 1);
    const beta = spec.beta ?? 0.5;
    if (!Number.isFinite(alpha) || !Number.isFinite(beta)) c.fail(`has α ${alpha}, β ${beta}; finite numbers are needed`);
    if (spec.fn === 'elu' && alpha < 0) c.fail(`has α ${alpha}; ELU needs α ≥ 0`);
    return { kind: 'activation', fn: spec.fn, alpha, beta, shape: c.inputShapes[0] };
  },
  forward: (node, [x]) => tf.tidy(() => FNS[node.fn].forward(x, node)),
  describe: (node) => FNS[node.fn].name(node),
  // f′ from the node's input z, made once per call (the trace caches it like a ReLU mask).
  vjp: (c, g) => [perImage(tf.mul, g, c.derivative(() => FNS[c.node.fn].derivative(c.input(0), c.node)), c.blocks)],
  relevance: (_c, r) => [r],
  lrpTreatment: () => 'relevance passes unchanged',
  gradientTreatment: (node) => `${FNS[node.fn].formula(node)} (every gradient method: guided/deconvnet change ReLUs only)`,
  // f falls then rises for SiLU, hard swish and GELU: a box that holds the minimum's z reaches down to f's minimum.
  box(node, [{ low, high }]) {
    return tf.tidy(() => {
      const [a, b] = [FNS[node.fn].forward(low, node), FNS[node.fn].forward(high, node)];
      const lowest = FNS[node.fn].lowest;
      const below = tf.minimum(a, b);
      const out = lowest ? tf.where(tf.logicalAnd(tf.lessEqual(low, lowest.at), tf.greaterEqual(high, lowest.at)), tf.fill(below.shape, lowest.value), below) : below;
      return { low: out, high: tf.maximum(a, b) };
    });
  },
};

function fmt(v: number): string {
  return Math.abs(v - 1 / 6) < 1e-7 ? '1/6' : String(v);
}
