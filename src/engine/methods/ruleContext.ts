// What every LRP rule works with on one Dense/Conv2D layer: the layer's input, its cached weight variants,
// the stabiliser, and the layer applied (forward and VJP) with modified weights. Shared by rules.ts and
// alphaBeta.ts.
import * as tf from '@tensorflow/tfjs';
import { linearForward, linearVjp, type LinearLayer } from './layerOps';
import type { PreparedLayer } from './preparedNetwork';
import { perImage } from './trace';

/** The stabiliser ε₀ every denominator gets, with the denominator's sign (sign(0) = +1). */
export const EPSILON_0 = 1e-9;

/** What a rule sees of one layer. */
export interface RuleContext {
  layer: LinearLayer;
  prepared: PreparedLayer;
  /** The activations entering the layer, one row per (image, target). */
  a: tf.Tensor;
  /** a ≥ 0 is known (after a ReLU, or looked at), so a⁻ = 0 and terms built on a⁻ are skipped. */
  nonNegative: boolean;
  /** [l, h] box of this layer's input, known for the first Dense/Conv2D when the request gave bounds. */
  bounds: [number, number] | null;
  /** How many stacked copies of the rows the relevance holds. */
  blocks: number;
}

/** Maps a weight (or bias) tensor. `key` names the result in the per-network cache, so it must say
 *  everything the result depends on (γ's value included). Returning the tensor itself means "unchanged". */
export interface ParamModifier {
  key: string;
  apply(w: tf.Tensor): tf.Tensor;
}

// ---- parameter modifiers ---------------------------------------------------------------------------
/** The layer's own weights (or bias); shared with the gradient pass, so both use one cached transpose. */
export const asIs: ParamModifier = { key: 'w', apply: (w) => w };
export const positivePart: ParamModifier = { key: 'w⁺', apply: (w) => tf.relu(w) };
export const negativePart: ParamModifier = { key: 'w⁻', apply: (w) => tf.minimum(w, 0) };
export const squared: ParamModifier = { key: 'w²', apply: (w) => tf.square(w) };
export const allOnes: ParamModifier = { key: '1', apply: (w) => tf.onesLike(w) };
/** w + γ·w⁺ (used for the bias too). */
export function gammaBoost(gamma: number): ParamModifier {
  return { key: `w+${gamma}w⁺`, apply: (w) => tf.add(w, tf.mul(tf.relu(w), gamma)) };
}
/** factor · modifier(w): lets a rule's coefficient ride on the cached weights instead of costing an op. */
export function scaled(modifier: ParamModifier, factor: number): ParamModifier {
  if (factor === 1) return modifier;
  return { key: `${factor}·${modifier.key}`, apply: (w) => tf.mul(modifier.apply(w), factor) };
}
/** A bias of ±ε₀ per output: the stabiliser of a denominator whose sign is known, folded into the
 *  fused Dense/Conv2D op (z⁺ ≥ 0 gets +ε₀, z⁻ ≤ 0 gets −ε₀). */
export const plusEpsilon0: ParamModifier = { key: '+ε₀', apply: (b) => tf.fill(b.shape, EPSILON_0) };
export const minusEpsilon0: ParamModifier = { key: '−ε₀', apply: (b) => tf.fill(b.shape, -EPSILON_0) };

// ---- shared pieces --------------------------------------------------------------------------------
/**
 * d + (ε + ε₀)·sign(d) with sign(0) = +1: the ε-rule's denominator and the universal stabiliser in one.
 * sign(d) is −step(−d) with step's value −1 at and below 0 (four cheap ops; a boolean comparison and a
 * cast cost several times more on wasm).
 */
export function stabilise(d: tf.Tensor, epsilon = 0): tf.Tensor {
  const e = epsilon + EPSILON_0;
  return tf.sub(d, tf.mul(tf.step(tf.neg(d), -1), e));
}

/** The layer applied with modified weights and bias (null: none) to `x`. */
export function forwardWith(c: RuleContext, weights: ParamModifier, bias: ParamModifier | null, x: tf.Tensor): tf.Tensor {
  return linearForward(c.layer, c.prepared.forward(weights), c.prepared.bias(bias), x);
}

/** The VJP of the layer with modified weights, for a stacked signal `s`. */
export function vjpWith(c: RuleContext, weights: ParamModifier, s: tf.Tensor): tf.Tensor {
  return linearVjp(c.layer, c.prepared.backward(weights), s, [s.shape[0], ...c.a.shape.slice(1)]);
}

/** a ⊙ c for every block of the stacked contributions c. */
export function timesInput(c: RuleContext, a: tf.Tensor, contributions: tf.Tensor): tf.Tensor {
  return perImage(tf.mul, contributions, a, c.blocks);
}
