// LRP rules as data, in the manner of Zennit's `rules.py`. A rule is a list of terms, each an input
// modifier and a parameter modifier (weights, and the bias or none), plus a gradient mapper and a reducer.
// `propagateRelevance.ts` evaluates any rule on any Dense/Conv2D layer:
//   z_k = layer(a'_k; W'_k, b'_k),  s = mapper(z, R),  c_k = VJP of the layer with W'_k applied to s_k,
//   R_in = reducer(a', c).
// Formulas: Montavon et al., "Layer-wise relevance propagation: an overview" (2019) and "Methods for
// interpreting and understanding deep neural networks" (2018); the exact conventions are METHODS.md.
import * as tf from '@tensorflow/tfjs';

/** The stabiliser ε₀ every denominator gets, with the denominator's sign (sign(0) = +1). */
export const EPSILON_0 = 1e-9;

/** What an input modifier sees of the layer's input. */
export interface LayerInput {
  /** The activations a entering the layer. */
  a: tf.Tensor;
  /** a ≥ 0 is known (the layer follows a ReLU), so a⁻ = 0 and terms built on a⁻ are skipped. */
  nonNegative: boolean;
  /** [l, h] box of this layer's input, known for the first Dense/Conv2D when the request gave bounds. */
  bounds: [number, number] | null;
}

/** Maps the layer input to the input of one term; `null` means "identically zero", and the term is skipped.
 *  An input that is the same for every row may be returned as one row ([1, ...]) and is broadcast. */
export interface InputModifier {
  name: string;
  apply(input: LayerInput): tf.Tensor | null;
}

/** Maps a weight (or bias) tensor. `key` names the result in the per-network cache, so it must say
 *  everything the result depends on (γ's value included). Returning the tensor itself means "unchanged". */
export interface ParamModifier {
  key: string;
  apply(w: tf.Tensor): tf.Tensor;
}

export interface RuleTerm {
  input: InputModifier;
  weight: ParamModifier;
  /** `null` leaves the bias out of z_k. */
  bias: ParamModifier | null;
}

type Maybe = tf.Tensor | null;

export interface Rule {
  name: string;
  terms: RuleTerm[];
  /** From the term outputs z_k and the relevance R at the layer's output, the signals s_k sent back. */
  mapper(z: Maybe[], relevance: tf.Tensor): Maybe[];
  /** From the modified inputs a'_k and the VJPs c_k, the relevance at the layer's input. */
  reducer(inputs: Maybe[], contributions: Maybe[]): tf.Tensor;
}

// ---- input modifiers -------------------------------------------------------------------------------
const asInput: InputModifier = { name: 'a', apply: ({ a }) => a };
const positiveInput: InputModifier = { name: 'a⁺', apply: ({ a, nonNegative }) => (nonNegative ? a : tf.relu(a)) };
const negativeInput: InputModifier = {
  name: 'a⁻',
  apply: ({ a, nonNegative }) => (nonNegative ? null : tf.minimum(a, 0)),
};
// Constant inputs are built as a single row: z_k is then computed once and broadcast over the batch by
// the mapper and reducer, which saves a full-batch matMul or convolution per constant term.
const lowBound: InputModifier = { name: 'l', apply: ({ a, bounds }) => tf.fill(oneRow(a), boundsOf(bounds)[0]) };
const highBound: InputModifier = { name: 'h', apply: ({ a, bounds }) => tf.fill(oneRow(a), boundsOf(bounds)[1]) };
const onesInput: InputModifier = { name: '1', apply: ({ a }) => tf.ones(oneRow(a)) };

function oneRow(a: tf.Tensor): number[] {
  return [1, ...a.shape.slice(1)];
}

function boundsOf(bounds: [number, number] | null): [number, number] {
  if (!bounds) throw new Error('the z^B rule needs input bounds (composites choose w² when there are none)');
  return bounds;
}

// ---- parameter modifiers ---------------------------------------------------------------------------
/** The layer's own weights (or bias); shared with the gradient pass, so both use one cached transpose. */
export const asIs: ParamModifier = { key: 'w', apply: (w) => w };
const positivePart: ParamModifier = { key: 'w⁺', apply: (w) => tf.relu(w) };
const negativePart: ParamModifier = { key: 'w⁻', apply: (w) => tf.minimum(w, 0) };
const squared: ParamModifier = { key: 'w²', apply: (w) => tf.square(w) };
const allOnes: ParamModifier = { key: '1', apply: (w) => tf.onesLike(w) };
/** w + γ·w⁺ (used for the bias too). */
function gammaBoost(gamma: number): ParamModifier {
  return { key: `w+${gamma}w⁺`, apply: (w) => tf.add(w, tf.mul(tf.relu(w), gamma)) };
}

// ---- shared pieces of mappers and reducers ---------------------------------------------------------
/** d + (ε + ε₀)·sign(d) with sign(0) = +1: the ε-rule's denominator and the universal stabiliser in one. */
export function stabilise(d: tf.Tensor, epsilon = 0): tf.Tensor {
  const e = epsilon + EPSILON_0;
  return tf.add(d, tf.sub(tf.mul(tf.cast(tf.greaterEqual(d, 0), 'float32'), 2 * e), e));
}

/** Σ_k coefficient_k · a'_k ⊙ c_k over the terms that are present. */
function weightedProducts(inputs: Maybe[], contributions: Maybe[], coefficients: number[]): tf.Tensor {
  let total: tf.Tensor | null = null;
  inputs.forEach((a, k) => {
    const c = contributions[k];
    if (!a || !c || coefficients[k] === 0) return;
    const term = coefficients[k] === 1 ? tf.mul(a, c) : tf.mul(tf.mul(a, c), coefficients[k]);
    total = total ? tf.add(total, term) : term;
  });
  if (!total) throw new Error('a rule produced no contribution');
  return total;
}

function sumPresent(z: Maybe[]): tf.Tensor {
  const present = z.filter((t): t is tf.Tensor => t !== null);
  return present.length === 1 ? present[0] : tf.addN(present);
}

// ---- the rules ---------------------------------------------------------------------------------------
/** LRP-ε: R_i = Σ_j a_i w_ij / (z_j + ε·sign z_j) · R_j, bias in z_j. ε = 0 is LRP-0, the z-rule. */
export function epsilonRule(epsilon: number): Rule {
  return {
    name: epsilon === 0 ? 'z' : `ε=${epsilon}`,
    terms: [{ input: asInput, weight: asIs, bias: asIs }],
    mapper: ([z], r) => [tf.div(r, stabilise(z!, epsilon))],
    reducer: (a, c) => weightedProducts(a, c, [1]),
  };
}

/** LRP-0 (Bach et al. 2015): relevance shared in proportion to a_i w_ij, bias included in z_j. */
export const zRule: Rule = epsilonRule(0);

/** LRP-γ: as LRP-0 with w + γw⁺ and b + γb⁺, favouring positive contributions. */
export function gammaRule(gamma: number): Rule {
  const boost = gammaBoost(gamma);
  return {
    name: `γ=${gamma}`,
    terms: [{ input: asInput, weight: boost, bias: boost }],
    mapper: ([z], r) => [tf.div(r, stabilise(z!))],
    reducer: (a, c) => weightedProducts(a, c, [1]),
  };
}

/**
 * LRP-αβ (Bach et al. 2015): positive parts (a w)⁺ = a⁺w⁺ + a⁻w⁻ and negative parts (a w)⁻ = a⁺w⁻ + a⁻w⁺,
 * each normalised by its own column sum, combined as α(...) − β(...). No bias. A column whose positive
 * (negative) part is empty has all-zero numerators there and so passes nothing through that part.
 * β = 0 drops the negative terms altogether (α = 1, β = 0 is the z⁺ rule).
 */
export function alphaBetaRule(alpha: number, beta: number): Rule {
  const positiveTerms: RuleTerm[] = [
    { input: positiveInput, weight: positivePart, bias: null },
    { input: negativeInput, weight: negativePart, bias: null },
  ];
  const negativeTerms: RuleTerm[] = [
    { input: positiveInput, weight: negativePart, bias: null },
    { input: negativeInput, weight: positivePart, bias: null },
  ];
  if (beta === 0) {
    return {
      name: `α=${alpha},β=0`,
      terms: positiveTerms,
      mapper: (z, r) => {
        const s = tf.div(r, stabilise(sumPresent(z)));
        return [s, s];
      },
      reducer: (a, c) => weightedProducts(a, c, [alpha, alpha]),
    };
  }
  return {
    name: `α=${alpha},β=${beta}`,
    terms: [...positiveTerms, ...negativeTerms],
    mapper: (z, r) => {
      const sPositive = tf.div(r, stabilise(sumPresent(z.slice(0, 2))));
      const sNegative = tf.div(r, stabilise(sumPresent(z.slice(2, 4))));
      return [sPositive, sPositive, sNegative, sNegative];
    },
    reducer: (a, c) => weightedProducts(a, c, [alpha, alpha, -beta, -beta]),
  };
}

/** z⁺ (deep Taylor decomposition, Montavon et al. 2017): only positive contributions, no bias. */
export const zPlusRule: Rule = alphaBetaRule(1, 0);

/**
 * z^B (deep Taylor for inputs boxed in [l, h], Montavon et al. 2017):
 * R_i = Σ_j (a_i w_ij − l w_ij⁺ − h w_ij⁻) / Σ_i' (a_i' w_i'j − l w_i'j⁺ − h w_i'j⁻) · R_j.
 */
export const zBoxRule: Rule = {
  name: 'z^B',
  terms: [
    { input: asInput, weight: asIs, bias: null },
    { input: lowBound, weight: positivePart, bias: null },
    { input: highBound, weight: negativePart, bias: null },
  ],
  mapper: ([z, zLow, zHigh], r) => {
    const s = tf.div(r, stabilise(tf.sub(tf.sub(z!, zLow!), zHigh!)));
    return [s, s, s];
  },
  reducer: (a, c) => weightedProducts(a, c, [1, -1, -1]),
};

/** w² (deep Taylor for unbounded inputs): R_i = Σ_j w_ij² / Σ_i' w_i'j² · R_j; the input value is ignored. */
export const wSquareRule: Rule = {
  name: 'w²',
  terms: [{ input: onesInput, weight: squared, bias: null }],
  mapper: ([z], r) => [tf.div(r, stabilise(z!))],
  // a' = 1, so a' ⊙ c is c itself.
  reducer: (_a, [c]) => c!,
};

/** Flat: w² with every weight 1, i.e. relevance spread evenly over each output's receptive field. */
export const flatRule: Rule = {
  name: 'flat',
  terms: [{ input: onesInput, weight: allOnes, bias: null }],
  mapper: ([z], r) => [tf.div(r, stabilise(z!))],
  reducer: (_a, [c]) => c!,
};
