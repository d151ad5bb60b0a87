// LRP-αβ on one Dense/Conv node, for one or several (α, β) at once. Every member of the family (the
// three seed presets, and z⁺ = α1β0 of deep Taylor) divides by the same column sums
//   z⁺_j = Σ_i (a_i w_ij)⁺ = Σ a⁺w⁺ + a⁻w⁻   and   z⁻_j = Σ_i (a_i w_ij)⁻ = Σ a⁺w⁻ + a⁻w⁺,
// so a group of methods computes them once and only the backward passes differ:
//   R_i = a⁺_i Σ_j (w⁺_ij α s⁺_j − w⁻_ij β s⁻_j) + a⁻_i Σ_j (w⁻_ij α s⁺_j − w⁺_ij β s⁻_j),  s± = R / z±.
// The stabiliser's sign is known (z⁺ ≥ 0, z⁻ ≤ 0), so it rides in the fused op as a bias of ±ε₀. (When
// z⁻_j = 0 every numerator a_i w⁻_ij of that column is 0 too, so its sign cannot change the result.)
import * as tf from '@tensorflow/tfjs';
import {
  forwardWith,
  minusEpsilon0,
  negativePart,
  plusEpsilon0,
  positivePart,
  timesInput,
  vjpWith,
  type RuleContext,
} from './ruleContext';
import { perImage, placeBlocks, scaleBlocks, takeBlocks } from '../layers/signals';

export interface AlphaBeta {
  alpha: number;
  beta: number;
}

/**
 * The relevance at the layer's input for `coefficients[k]` applied to block k of the stacked `relevance`
 * (`c.blocks` = coefficients.length).
 */
export function alphaBetaGroup(c: RuleContext, relevance: tf.Tensor, coefficients: AlphaBeta[]): tf.Tensor {
  const blocks = coefficients.length;
  const aPos = c.nonNegative ? c.a : tf.relu(c.a);
  // a − relu(a) is min(a, 0) exactly; wasm's Minimum broadcasts a scalar slowly.
  const aNeg = c.nonNegative ? null : tf.sub(c.a, aPos);
  const anyBeta = coefficients.some((k) => k.beta !== 0);
  // Members with β = 0 (deep Taylor's z⁺ beside the presets) send nothing through the negative part: its
  // VJPs run on the β > 0 blocks only (on ResNet-18 one VJP of W⁻ per layer fewer for the seed set).
  const betaBlocks = coefficients.flatMap((k, b) => (k.beta !== 0 ? [b] : []));
  // Each step in its own tidy, so that its temporaries (the partial sums of z±, the unscaled signals, each
  // the size of the layer's output, times the blocks) are freed before the next: at the stem of ResNet-18 at
  // 224 they were ~40 MB of the walk's peak (the node's tidy kept them all until the node was done).
  // (tidy's typings leave out the nulls it accepts.)
  const [sPos, sNeg] = tf.tidy((): tf.Tensor[] => {
    const zPos = tf.tidy(() => plus(forwardWith(c, positivePart, plusEpsilon0, aPos), aNeg && forwardWith(c, negativePart, null, aNeg)));
    // α and −β scale the signals, not the weights: cached α·W⁺ and −β·W⁻ per preset would be two more copies
    // of every kernel (and XNNPACK's packed copies of them) per preset run alone: on ResNet-18 ~190 MB each.
    const positive = tf.tidy(() => scaleBlocks(perImage(tf.div, relevance, zPos, blocks), coefficients.map((k) => k.alpha)));
    zPos.dispose();
    if (!anyBeta) return [positive];
    const zNeg = tf.tidy(() => plus(forwardWith(c, negativePart, minusEpsilon0, aPos), aNeg && forwardWith(c, positivePart, null, aNeg)));
    const negative = tf.tidy(() =>
      scaleBlocks(
        perImage(tf.div, takeBlocks(relevance, betaBlocks, blocks), zNeg, betaBlocks.length),
        betaBlocks.map((b) => -coefficients[b].beta),
      ),
    );
    return [positive, negative];
  }) as [tf.Tensor, tf.Tensor | undefined];
  // The column sums are made: W⁺ and W⁻ in the forward layout are done with (prepared.ts).
  c.prepared.forwardDone();
  /** The negative part's contribution (on the β > 0 blocks) placed into the whole stack. */
  const negativeTerm = (t: tf.Tensor) => placeBlocks(t, betaBlocks, blocks);

  const fromPositive = tf.tidy(() => timesInput(c, aPos, plus(vjpWith(c, positivePart, sPos), sNeg ? negativeTerm(vjpWith(c, negativePart, sNeg)) : null)));
  if (!aNeg) return fromPositive;
  const toNegativeInputs = plus(vjpWith(c, negativePart, sPos), sNeg ? negativeTerm(vjpWith(c, positivePart, sNeg)) : null);
  return tf.add(fromPositive, timesInput(c, aNeg, toNegativeInputs));
}

function plus(a: tf.Tensor, b: tf.Tensor | null): tf.Tensor {
  return b ? tf.add(a, b) : a;
}
