// LRP rules, each written as its formula in tensor ops on one Dense/Conv node, in the manner of Zennit's
// `rules.py`: from the relevance R at the layer's output to the relevance at its input. Formulas: Montavon
// et al., "Layer-wise relevance propagation: an overview" (2019) and "Methods for interpreting and
// understanding deep neural networks" (2018); the exact conventions are METHODS.md.
//
// A rule sees R for `blocks` stacked copies of the call's rows (several methods with the same rule on this
// node, layers/signals.ts) and the node's input `a` once; `perImage` broadcasts between the two. Grouped and
// depthwise convolutions need nothing of their own: their modified kernels keep the groups apart.
import * as tf from '@tensorflow/tfjs';
import { alphaBetaGroup } from './alphaBeta';
import { perImage } from '../layers/signals';
import {
  allOnes,
  asIs,
  constantTerm,
  EPSILON_0,
  forwardWith,
  gammaBoost,
  negativePart,
  positivePart,
  squared,
  stabilise,
  timesInput,
  vjpWith,
  type ParamModifier,
  type RuleContext,
} from './ruleContext';

export { EPSILON_0, stabilise } from './ruleContext';

export interface Rule {
  /** Identifies the rule with its parameters (methods with equal names share their work on a node). */
  name: string;
  /** How the literature writes it, for the model-info listing: "LRP-ε (ε = 0.25)", "z⁺", "z^B". */
  title: string;
  /** Set for LRP-αβ and z⁺ (α = 1, β = 0): rules of this family on one layer share their forward terms,
   *  so the propagation evaluates them together (alphaBeta.ts). */
  alphaBeta?: { alpha: number; beta: number };
  /** The relevance at the layer's input, stacked like `relevance`. */
  propagate(c: RuleContext, relevance: tf.Tensor): tf.Tensor;
}

// ---- the rules ---------------------------------------------------------------------------------------
/** LRP-ε: R_i = Σ_j a_i w_ij / (z_j + ε·sign z_j) · R_j, bias in z_j. ε = 0 is LRP-0, the z-rule. */
export function epsilonRule(epsilon: number): Rule {
  return {
    name: epsilon === 0 ? 'z' : `ε=${epsilon}`,
    title: epsilon === 0 ? 'LRP-0 (z-rule)' : `LRP-ε (ε = ${epsilon})`,
    propagate(c, r) {
      const z = forwardWith(c, asIs, asIs, c.a);
      const s = perImage(tf.div, r, stabilise(z, epsilon), c.blocks);
      return timesInput(c, c.a, vjpWith(c, asIs, s));
    },
  };
}

/** LRP-0 (Bach et al. 2015): relevance shared in proportion to a_i w_ij, bias included in z_j. */
export const zRule: Rule = epsilonRule(0);

/** LRP-γ: as LRP-0 with w + γw⁺ and b + γb⁺, favouring positive contributions. */
export function gammaRule(gamma: number): Rule {
  const boost = gammaBoost(gamma);
  return {
    name: `γ=${gamma}`,
    title: `LRP-γ (γ = ${gamma})`,
    propagate(c, r) {
      const z = forwardWith(c, boost, boost, c.a);
      const s = perImage(tf.div, r, stabilise(z), c.blocks);
      return timesInput(c, c.a, vjpWith(c, boost, s));
    },
  };
}

/**
 * LRP-αβ (Bach et al. 2015): positive parts (a w)⁺ = a⁺w⁺ + a⁻w⁻ and negative parts (a w)⁻ = a⁺w⁻ + a⁻w⁺,
 * each normalised by its own column sum, combined as α(...) − β(...). No bias. A column whose positive
 * (negative) part is empty has all-zero numerators there and so passes nothing through that part.
 * β = 0 drops the negative terms altogether (α = 1, β = 0 is the z⁺ rule). See alphaBeta.ts.
 */
export function alphaBetaRule(alpha: number, beta: number): Rule {
  return {
    name: `α=${alpha},β=${beta}`,
    title: alpha === 1 && beta === 0 ? 'z⁺' : `LRP-α${alpha}β${beta}`,
    alphaBeta: { alpha, beta },
    propagate: (c, r) => alphaBetaGroup(c, r, [{ alpha, beta }]),
  };
}

/** z⁺ (deep Taylor decomposition, Montavon et al. 2017): only positive contributions, no bias. */
export const zPlusRule: Rule = alphaBetaRule(1, 0);

/**
 * z^B (deep Taylor for inputs boxed in [l, h], Montavon et al. 2017):
 * R_i = Σ_j (a_i w_ij − l_i w_ij⁺ − h_i w_ij⁻) / Σ_i' (a_i' w_i'j − l_i' w_i'j⁺ − h_i' w_i'j⁻) · R_j.
 * l and h are tensors of the node's input shape (per channel, zero where padding was added: inputBox.ts).
 * With s = R / z, the numerator's sum over j is a_i (c⁺ + c⁻)_i − l_i c⁺_i − h_i c⁻_i where c± = VJP of W±
 * at s (W = W⁺ + W⁻), i.e. (a − l) ⊙ c⁺ + (a − h) ⊙ c⁻: two VJPs instead of three. The l and h terms of the
 * denominator do not depend on the image and are cached per network, and so is their sum with the
 * stabiliser: every term (a − l)w⁺ + (a − h)w⁻ of the denominator is ≥ 0 for inputs inside the box, so its
 * sign is known and the stabiliser is +ε₀ (working the sign out would cost four passes over the output).
 */
export const zBoxRule: Rule = {
  name: 'z^B',
  title: 'z^B (input box)',
  propagate(c, r) {
    const box = c.box;
    if (!box) throw new Error('the z^B rule needs input bounds (composites choose w² when there are none)');
    const constant = c.prepared.derived(`z^B:${box.key}`, () =>
      tf.sub(EPSILON_0, tf.add(forwardWith(c, positivePart, null, box.low), forwardWith(c, negativePart, null, box.high))),
    );
    const z = tf.add(forwardWith(c, asIs, null, c.a), constant);
    const s = perImage(tf.div, r, z, c.blocks);
    const fromPositive = timesInput(c, tf.sub(c.a, box.low), vjpWith(c, positivePart, s));
    const fromNegative = timesInput(c, tf.sub(c.a, box.high), vjpWith(c, negativePart, s));
    return tf.add(fromPositive, fromNegative);
  },
};

/** w² (deep Taylor for unbounded inputs): R_i = Σ_j w_ij² / Σ_i' w_i'j² · R_j; the input value is ignored. */
export const wSquareRule: Rule = {
  name: 'w²',
  title: 'w²',
  propagate: (c, r) => spreadByWeights(c, r, squared),
};

/** Flat: w² with every weight 1, i.e. relevance spread evenly over each output's receptive field. */
export const flatRule: Rule = {
  name: 'flat',
  title: 'flat',
  propagate: (c, r) => spreadByWeights(c, r, allOnes),
};

/** R_i = Σ_j v_ij / Σ_i' v_i'j · R_j with v = modifier(w), the same for every image. */
function spreadByWeights(c: RuleContext, r: tf.Tensor, weights: ParamModifier): tf.Tensor {
  const shape = c.a.shape.slice(1);
  const z = constantTerm(c, weights, `ones:${shape.join('×')}`, () => tf.ones([1, ...shape]));
  return vjpWith(c, weights, tf.div(r, stabilise(z)));
}
