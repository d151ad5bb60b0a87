// Layer normalisation y = (x − μ)/σ ⊙ γ + β, σ = √(mean((x − μ)²) + ε): over the last axis per position
// (LayerNorm; ConvNeXt's channels-first LayerNorm is this over the channels of an NHWC map), over each group
// of channels and every position (GroupNorm; one group is torch's LayerNorm([C, H, W])), or uncentred
// (RMSNorm: y = x/√(mean(x²) + ε) ⊙ γ + β). γ and β are one value per channel (last axis) or one for all.
// METHODS.md, "Gates, normalisation layers and attention":
// - the gradient family differentiates exactly, through μ and σ: with g' = γ ⊙ g and x̂ = (x − μ)/σ,
//   ∂L/∂x = (g' − mean(g') − x̂ ⊙ mean(g' ⊙ x̂)) / σ (means over each normalised set; RMSNorm without mean(g'));
// - LRP holds σ constant (AttnLRP's identity rule on the division) and treats the rest as the affine map
//   y = A x + β, A = diag(γ/σ)(I − 1/m) (m values normalised together): R_i = Σ_j x_i A_ji / (y_j + ε₀·sign y_j) R_j,
//   i.e. with s = R/(y + ε₀) and t = γ ⊙ s, R = x ⊙ (t − mean(t)) / σ. It conserves but for β's share.
import * as tf from '@tensorflow/tfjs';
import type { LayerNormNode } from '../graph/nodes';
import { product } from './geometry';
import type { FixedKind } from './layerKind';
import { perImage, perImageBroadcast, stabilise } from './signals';

export const layerNorm: FixedKind<'layerNorm'> = {
  kind: 'layerNorm',
  create(spec, c) {
    const [input] = c.inputShapes;
    const channels = input[input.length - 1];
    const values = (v: number[] | undefined, fallback: number, what: string): number[] => {
      const list = v ?? [fallback];
      if (!Array.isArray(list) || !list.every(Number.isFinite) || (list.length !== 1 && list.length !== channels)) {
        c.fail(`has ${what} ${JSON.stringify(v)}; one finite number or one per channel (${channels}) is needed`);
      }
      return [...list];
    };
    if (!(spec.epsilon >= 0)) c.fail(`has epsilon ${JSON.stringify(spec.epsilon)}; a number ≥ 0 is needed`);
    const groups = spec.groups ?? null;
    if (groups !== null && (!Number.isInteger(groups) || groups < 1 || channels % groups !== 0)) {
      c.fail(`has ${groups} groups for ${channels} channels; a divisor of the channel count is needed`);
    }
    const rms = spec.rms ?? false;
    if (rms && groups !== null) c.fail('is an RMS norm over groups; RMS norms normalise the last axis only');
    const m = groups === null ? channels : (product(input) / groups);
    if (m < 2 && !rms) c.fail(`normalises sets of ${m} value; at least two are needed`);
    return { kind: 'layerNorm', epsilon: spec.epsilon, scale: values(spec.scale, 1, 'scale'), offset: values(spec.offset, 0, 'offset'), groups, rms, shape: input };
  },
  forward: (node, [x]) =>
    tf.tidy(() => {
      const { xhat } = normalise(node, x);
      return applyAffine(node, xhat, true);
    }),
  describe(node) {
    const what = node.rms ? 'RMS norm over the last axis' : node.groups === null ? 'layer norm over the last axis' : node.groups === 1 ? 'layer norm over all axes' : `group norm, ${node.groups} groups`;
    return `${what} (ε ${node.epsilon})`;
  },
  vjp(c, g) {
    const { xhat, inv } = normalise(c.node, c.input(0));
    const gv = view(c.node, applyAffine(c.node, g, false));
    const xv = view(c.node, xhat);
    const axes = reducedAxes(c.node);
    let inner = tf.sub(gv, perImageBroadcast(tf.mul, tf.mean(perImage(tf.mul, gv, xv, c.blocks), axes, true), xv, c.blocks));
    if (!c.node.rms) inner = tf.sub(inner, tf.mean(gv, axes, true));
    return [tf.reshape(perImageBroadcast(tf.mul, inner, inv, c.blocks), g.shape)];
  },
  relevance(c, r) {
    const { inv } = normalise(c.node, c.input(0));
    const s = perImage(tf.div, r, stabilise(c.output()), c.blocks);
    let t = view(c.node, applyAffine(c.node, s, false));
    if (!c.node.rms) t = tf.sub(t, tf.mean(t, reducedAxes(c.node), true));
    const u = tf.reshape(perImageBroadcast(tf.mul, t, inv, c.blocks), r.shape);
    return [perImage(tf.mul, u, c.input(0), c.blocks)];
  },
  lrpTreatment: () => 'σ held constant, LRP-0 on the affine rest (x − μ)·γ/σ + β',
  gradientTreatment: () => 'exact gradient (through μ and σ)',
  // |x̂_i| ≤ √(m − 1) for m centred values (√m uncentred), so y lies within β ± |γ|·√(m − 1) whatever the input.
  box(node, [input]) {
    return tf.tidy(() => {
      const m = setSize(node, input.low.shape.slice(1));
      const reach = Math.sqrt(node.rms ? m : m - 1);
      const spread = tf.mul(tf.abs(tf.tensor1d(node.scale)), reach);
      const offset = tf.tensor1d(node.offset);
      const zeros = tf.zerosLike(input.low);
      return { low: tf.add(zeros, tf.sub(offset, spread)), high: tf.add(zeros, tf.add(offset, spread)) };
    });
  },
};

/** How many values are normalised together, for a batch-free input shape. */
function setSize(node: LayerNormNode, shape: number[]): number {
  const channels = shape[shape.length - 1];
  return node.groups === null ? channels : product(shape) / node.groups;
}

/** A tensor [rows, ...shape] viewed as [rows, positions, groups, channels per group]. */
function view(node: LayerNormNode, t: tf.Tensor): tf.Tensor {
  const channels = t.shape[t.shape.length - 1];
  const groups = node.groups ?? 1;
  return tf.reshape(t, [t.shape[0], -1, groups, channels / groups]);
}

/** The axes of the view each normalised set spans: the channels of one position, or a group at every position. */
function reducedAxes(node: LayerNormNode): number[] {
  return node.groups === null ? [3] : [1, 3];
}

/** x̂ = (x − μ)/σ (x/rms for RMSNorm) in x's shape, and 1/σ in the view's (one per normalised set). */
function normalise(node: LayerNormNode, x: tf.Tensor): { xhat: tf.Tensor; inv: tf.Tensor } {
  const v = view(node, x);
  const axes = reducedAxes(node);
  const centred = node.rms ? v : tf.sub(v, tf.mean(v, axes, true));
  const inv = tf.rsqrt(tf.add(tf.mean(tf.square(centred), axes, true), node.epsilon));
  return { xhat: tf.reshape(tf.mul(centred, inv), x.shape), inv };
}

/** γ ⊙ t (+ β when `withOffset`), per channel of the last axis. */
function applyAffine(node: LayerNormNode, t: tf.Tensor, withOffset: boolean): tf.Tensor {
  const per = (v: number[]) => (v.length === 1 ? v[0] : tf.tensor1d(v));
  let y = node.scale.length === 1 && node.scale[0] === 1 ? t : tf.mul(t, per(node.scale));
  if (withOffset && node.offset.some((b) => b !== 0)) y = tf.add(y, per(node.offset));
  return y;
}
