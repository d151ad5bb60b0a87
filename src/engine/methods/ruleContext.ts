// What every LRP rule works with on one Dense/Conv node: the node's input, its cached weight variants, the
// stabiliser, and the node applied (forward and VJP) with modified weights. Shared by rules.ts and
// alphaBeta.ts.
import * as tf from '@tensorflow/tfjs';
import type { LinearNode } from '../graph/nodes';
import type { LinearOps } from '../layers/layerKind';
import { EPSILON_0, perImage } from '../layers/signals';
import type { ParamModifier, PreparedNode } from '../network/prepared';
import type { InputBox } from './inputBox';

export { EPSILON_0, stabilise } from '../layers/signals';
export { asIs, type ParamModifier } from '../network/prepared';

/** What a rule sees of one node. */
export interface RuleContext {
  node: LinearNode;
  /** The node's linear map (its layer module). */
  ops: LinearOps<LinearNode>;
  prepared: PreparedNode;
  /** The activations entering the node, one row per (image, target). */
  a: tf.Tensor;
  /** a ≥ 0 is known (after a ReLU, or looked at), so a⁻ = 0 and terms built on a⁻ are skipped. */
  nonNegative: boolean;
  /** The z^B box [l, h] of this node's input, for a first Dense/Conv when the request gave bounds. */
  box: InputBox | null;
  /** How many stacked copies of the rows the relevance holds. */
  blocks: number;
}

// ---- parameter modifiers ---------------------------------------------------------------------------
// (`elementwise`: each weight on its own, 0 to 0; all ones is not, as 0 becomes 1.)
export const positivePart: ParamModifier = { key: 'w⁺', apply: (w) => tf.relu(w), elementwise: true };
// min(w, 0) as w − max(w, 0), the same numbers: tfjs-wasm's minimum with a scalar is ~10× slower than the two
// ops, which large networks pay every call (prepared.ts).
export const negativePart: ParamModifier = { key: 'w⁻', apply: (w) => tf.sub(w, tf.relu(w)), elementwise: true };
export const squared: ParamModifier = { key: 'w²', apply: (w) => tf.square(w), elementwise: true };
export const allOnes: ParamModifier = { key: '1', apply: (w) => tf.onesLike(w) };
/** w + γ·w⁺ (used for the bias too). */
export function gammaBoost(gamma: number): ParamModifier {
  return { key: `w+${gamma}w⁺`, apply: (w) => tf.add(w, tf.mul(tf.relu(w), gamma)), elementwise: true };
}
/** A bias of ±ε₀ per output: the stabiliser of a denominator whose sign is known, folded into the
 *  fused Dense/Conv op (z⁺ ≥ 0 gets +ε₀, z⁻ ≤ 0 gets −ε₀). */
export const plusEpsilon0: ParamModifier = { key: '+ε₀', apply: (b) => tf.fill(b.shape, EPSILON_0) };
export const minusEpsilon0: ParamModifier = { key: '−ε₀', apply: (b) => tf.fill(b.shape, -EPSILON_0) };

// ---- shared pieces --------------------------------------------------------------------------------
/** The node applied with modified weights and bias (null: none) to `x`. */
export function forwardWith(c: RuleContext, weights: ParamModifier, bias: ParamModifier | null, x: tf.Tensor): tf.Tensor {
  return c.ops.apply(c.node, c.prepared.forward(weights), c.prepared.bias(bias), x);
}

/** The VJP of the node with modified weights, for a stacked signal `s`. */
export function vjpWith(c: RuleContext, weights: ParamModifier, s: tf.Tensor): tf.Tensor {
  return c.ops.vjp(c.node, c.prepared.backward(weights), s, [s.shape[0], ...c.a.shape.slice(1)]);
}

/** a ⊙ c for every block of the stacked contributions c. */
export function timesInput(c: RuleContext, a: tf.Tensor, contributions: tf.Tensor): tf.Tensor {
  return perImage(tf.mul, contributions, a, c.blocks);
}

/** The node applied with modified weights (no bias) to a constant input that is the same for every call:
 *  one row, cached per network under `key`. */
export function constantTerm(c: RuleContext, weights: ParamModifier, key: string, input: () => tf.Tensor): tf.Tensor {
  return c.prepared.derived(`${weights.key}·${key}`, () => forwardWith(c, weights, null, input()));
}
