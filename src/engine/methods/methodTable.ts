// Every attribution method, one record each: what it is, its parameters with their defaults and ranges,
// its title in figures, how the engine runs it, and whether Σ R = logit means something. Everything
// else is derived from this table: `MethodId`, the LRP methods and their composites (composites.ts), the
// gradient family's ReLU variants (explain.ts, describeNetwork.ts), the attributor dispatch
// (attributors.ts), spec parsing and titles (methodRegistry.ts), the panels' Σ R readout and progress.
// Adding a method is adding a record here (and, for a new attributor, its function in ATTRIBUTORS): the
// compiler then checks every place that depends on the family.
//
// Pure data (no tfjs): the extension host reads it too.
import type { AttentionRule, ReluMode } from '../layers/layerKind';
import type { MethodTitle } from '../../protocol/methodTitle';

export interface ParamInfo {
  name: string;
  default: number;
  min?: number;
  max?: number;
  /** Only whole numbers are accepted. */
  integer?: boolean;
  /** Written for the parameter in titles: "LRP-ε (ε = 0.1)". */
  symbol?: string;
  description: string;
}

/** What a gradient-family map adds up over the channels of a pixel: g, g², or g times the input. */
export type ChannelTerm = 'value' | 'square' | 'times-input';

/**
 * The LRP rules a composite can put on a Dense/Conv node (rules.ts); their parameters come from the spec
 * under the rule's name (`epsilon`, `gamma`, `alpha` and `beta`). `box` is z^B when the request has input
 * bounds and w² without (deep Taylor's first layer); `epsilon-or-gamma` is LRP-γ when the spec's γ > 0,
 * LRP-ε otherwise (AttnLRP's choice).
 */
export type RuleName = 'z' | 'epsilon' | 'gamma' | 'alpha-beta' | 'z-plus' | 'flat' | 'box' | 'epsilon-or-gamma';

/** Which rule on which Dense/Conv node (Zennit's composites): the first layers (which see the input), the
 *  other convolutions, the other dense layers. */
export interface CompositeRules {
  first: RuleName;
  convolution: RuleName;
  dense: RuleName;
}

/** How the engine computes a method's map. */
export type MethodRuns =
  /** One shared backward pass for the family; `relu` picks the ReLU's backward variant. */
  | { family: 'gradient'; relu: ReluMode; term: ChannelTerm }
  /** One shared backward walk for all LRP methods, each with its composite; `attention` is the rule at
   *  softmax and matmul nodes (layers/layerKind.ts, AttentionRule), AttnLRP unless given. */
  | { family: 'lrp'; composite: CompositeRules; attention?: AttentionRule }
  /** Its own function over modified copies of the input (attributors.ts); `backward` says whether those
   *  copies are backpropagated (exact gradients) or only run forward. */
  | { family: 'attributor'; backward: 'gradient' | 'none' };

export interface MethodRecord {
  /** One line for pickers and `--list-methods`. */
  description: string;
  /** The column title of the seed figure; parameters other than their defaults follow it (methodTitle). */
  title: string;
  params: ParamInfo[];
  runs: MethodRuns;
  /** Σ R ≈ the target's logit (conservative rules, completeness), so the panel's "Σ R = … · logit …" means something. */
  conservative: boolean;
  /** Named specs of this method: `lrp-a2b1` = { alpha: 2, beta: 1 }. */
  presets?: Record<string, Record<string, number>>;
  /** Methods that report progress: what they count and the parameter giving the count. */
  progress?: { unit: string; param: string };
  /** A title other than `title` + changed parameters (LRP-αβ's subscripts). */
  titleOf?: (params: Record<string, number>) => MethodTitle;
  /** Parameters given in a spec, completed from each other (`alpha=3` means β = 2). */
  complete?: (given: Record<string, number>) => Record<string, number>;
  /** A rule between parameters, checked after their ranges: the problem, or undefined. */
  check?: (params: Record<string, number>) => string | undefined;
}

const EPSILON: ParamInfo = {
  name: 'epsilon',
  default: 0.25,
  min: 0,
  symbol: 'ε',
  description: 'added to every denominator with its sign; absorbs weak or contradictory contributions',
};
const GAMMA: ParamInfo = {
  name: 'gamma',
  default: 0.25,
  min: 0,
  symbol: 'γ',
  description: 'weight given to positive contributions on top of the plain ones (0 is the z-rule)',
};
const everyLayer = (rule: RuleName): CompositeRules => ({ first: rule, convolution: rule, dense: rule });
/** AttnLRP's and CP-LRP's: ε → 0 by default (the papers' LRP-ε on linear layers), γ instead when given. */
const TRANSFORMER_PARAMS: ParamInfo[] = [
  { ...EPSILON, default: 1e-6 },
  { ...GAMMA, default: 0, description: 'when > 0, LRP-γ with this γ on every Dense/Conv instead of LRP-ε' },
];

export const METHOD_TABLE = {
  sensitivity: {
    description: 'Sensitivity analysis: squared gradient of the target logit, summed over channels',
    title: 'Sensitivity Analysis',
    params: [],
    runs: { family: 'gradient', relu: 'gradient', term: 'square' },
    conservative: false,
  },
  gradient: {
    description: 'Signed gradient of the target logit (saliency)',
    title: 'Gradient',
    params: [],
    runs: { family: 'gradient', relu: 'gradient', term: 'value' },
    conservative: false,
  },
  'simple-taylor': {
    description: 'Simple Taylor decomposition: input × gradient (first-order Taylor expansion at 0)',
    title: 'Simple Taylor Decomposition',
    params: [],
    runs: { family: 'gradient', relu: 'gradient', term: 'times-input' },
    conservative: true,
  },
  'guided-backprop': {
    description:
      'Guided backprop: gradient where each ReLU also blocks negative backward signals (ReLUs only, as Zennit: on a network without ReLUs, e.g. a GELU transformer, it is the gradient)',
    title: 'Guided Backprop',
    params: [],
    runs: { family: 'gradient', relu: 'guided', term: 'value' },
    conservative: false,
  },
  deconvnet: {
    description:
      'Deconvnet: backward signal through ReLUs keeps only its positive part, ignoring the forward mask (ReLUs only: on a GELU network it is the gradient)',
    title: 'Deconvnet',
    params: [],
    runs: { family: 'gradient', relu: 'deconvnet', term: 'value' },
    conservative: false,
  },
  'deep-taylor': {
    description: 'Deep Taylor decomposition: z+ rule on every layer, z^B (or w² when unbounded) on the first',
    title: 'Deep Taylor Decomposition',
    params: [],
    runs: { family: 'lrp', composite: { first: 'box', convolution: 'z-plus', dense: 'z-plus' } },
    conservative: true,
  },
  'lrp-ab': {
    description: 'LRP-αβ on every layer: positive and negative contributions normalised separately, α − β = 1',
    title: 'LRP-αβ',
    params: [
      { name: 'alpha', default: 2, min: 1, symbol: 'α', description: 'weight of the positive contributions (α ≥ 1)' },
      { name: 'beta', default: 1, min: 0, symbol: 'β', description: 'weight of the negative contributions (β = α − 1)' },
    ],
    // The seed figure applies αβ to every layer, the first included.
    runs: { family: 'lrp', composite: everyLayer('alpha-beta') },
    conservative: true,
    presets: {
      'lrp-a1.2b0.2': { alpha: 1.2, beta: 0.2 },
      'lrp-a1.5b0.5': { alpha: 1.5, beta: 0.5 },
      'lrp-a2b1': { alpha: 2, beta: 1 },
      'lrp-a1b0': { alpha: 1, beta: 0 },
    },
    titleOf: ({ alpha, beta }) => [{ text: 'LRP-α' }, { text: String(alpha), sub: true }, { text: 'β' }, { text: String(beta), sub: true }],
    // `lrp-ab:alpha=3` means β = 2 and `lrp-ab:beta=0.5` means α = 1.5: the other follows from α − β = 1.
    complete: (given) =>
      'alpha' in given && !('beta' in given) ? { ...given, beta: given.alpha - 1 } : 'beta' in given && !('alpha' in given) ? { ...given, alpha: given.beta + 1 } : given,
    check: ({ alpha, beta }) => (Math.abs(alpha - beta - 1) > 1e-9 ? `alpha - beta must be 1 (got alpha=${alpha}, beta=${beta})` : undefined),
  },
  'lrp-z': {
    description: 'LRP-0 (z-rule) on every layer: contributions a·w over the pre-activation',
    title: 'LRP-0',
    params: [],
    runs: { family: 'lrp', composite: everyLayer('z') },
    conservative: true,
  },
  'lrp-epsilon': {
    description: 'LRP-ε on every layer: the z-rule with a stabilised denominator',
    title: 'LRP-ε',
    params: [EPSILON],
    runs: { family: 'lrp', composite: everyLayer('epsilon') },
    conservative: true,
  },
  'lrp-gamma': {
    description: 'LRP-γ on every layer: the z-rule with positive weights favoured by γ',
    title: 'LRP-γ',
    params: [GAMMA],
    runs: { family: 'lrp', composite: everyLayer('gamma') },
    conservative: true,
  },
  'epsilon-plus-flat': {
    description: 'Composite: flat rule on the first layer, z+ on convolutions, LRP-ε on dense layers',
    title: 'LRP ε + z⁺ + flat',
    params: [EPSILON],
    runs: { family: 'lrp', composite: { first: 'flat', convolution: 'z-plus', dense: 'epsilon' } },
    conservative: true,
  },
  'epsilon-gamma-box': {
    description: 'Composite: z^B on the first layer, LRP-γ on convolutions, LRP-ε on dense layers',
    title: 'LRP ε + γ + box',
    params: [EPSILON, GAMMA],
    runs: { family: 'lrp', composite: { first: 'box', convolution: 'gamma', dense: 'epsilon' } },
    conservative: true,
  },
  attnlrp: {
    description:
      'AttnLRP (transformers): LRP-ε (or LRP-γ when γ > 0) on every layer; softmax by its Taylor decomposition, products of activations split evenly',
    title: 'AttnLRP',
    params: TRANSFORMER_PARAMS,
    runs: { family: 'lrp', composite: everyLayer('epsilon-or-gamma'), attention: 'attnlrp' },
    conservative: true,
  },
  'cp-lrp': {
    description:
      'CP-LRP (transformers): as AttnLRP on every layer, but attention weights and gates are held constant (A·V a linear map of V)',
    title: 'CP-LRP',
    params: TRANSFORMER_PARAMS,
    runs: { family: 'lrp', composite: everyLayer('epsilon-or-gamma'), attention: 'cp-lrp' },
    conservative: true,
  },
  'integrated-gradients': {
    description: 'Integrated gradients from the all-zero baseline (midpoint rule), with its completeness error',
    title: 'Integrated Gradients',
    params: [{ name: 'steps', default: 32, min: 1, max: 4096, integer: true, description: 'integration steps' }],
    runs: { family: 'attributor', backward: 'gradient' },
    conservative: true,
    progress: { unit: 'steps', param: 'steps' },
  },
  smoothgrad: {
    description: 'SmoothGrad: gradient averaged over noisy copies of the input',
    title: 'SmoothGrad',
    params: [
      { name: 'samples', default: 32, min: 1, max: 4096, integer: true, description: 'noisy copies averaged' },
      {
        name: 'sigma',
        default: 0.15,
        min: 0,
        max: 10,
        description: 'noise standard deviation in units of the input range (σ = sigma × (high − low); for inputs in [0, 1] it is σ itself)',
      },
      { name: 'seed', default: 0, min: 0, max: 2147483647, integer: true, description: 'random seed; equal seeds give equal maps' },
    ],
    runs: { family: 'attributor', backward: 'gradient' },
    conservative: false,
    progress: { unit: 'samples', param: 'samples' },
  },
  occlusion: {
    description: 'Occlusion: drop of the target logit when a square patch is set to 0, averaged over patches',
    title: 'Occlusion',
    params: [
      { name: 'patch', default: 4, min: 1, max: 4096, integer: true, description: 'patch side in pixels' },
      { name: 'stride', default: 2, min: 1, max: 4096, integer: true, description: 'step between patches in pixels' },
    ],
    runs: { family: 'attributor', backward: 'none' },
    conservative: false,
  },
} satisfies Record<string, MethodRecord>;

export type MethodId = keyof typeof METHOD_TABLE;

type Table = typeof METHOD_TABLE;
/** The ids of the methods of one family. */
type IdsOf<F extends MethodRuns['family']> = { [K in MethodId]: Table[K]['runs'] extends { family: F } ? K : never }[MethodId];
export type GradientMethodId = IdsOf<'gradient'>;
export type LrpMethodId = IdsOf<'lrp'>;
export type AttributorId = IdsOf<'attributor'>;

export const METHOD_IDS = Object.keys(METHOD_TABLE) as MethodId[];

export function methodRecord(id: MethodId): MethodRecord {
  return METHOD_TABLE[id];
}

export function isMethodId(id: string): id is MethodId {
  return Object.hasOwn(METHOD_TABLE, id);
}

/** How the method runs, narrowed to its family (undefined when it is of another). */
export function runsAs<F extends MethodRuns['family']>(id: MethodId, family: F): Extract<MethodRuns, { family: F }> | undefined {
  const runs: MethodRuns = METHOD_TABLE[id].runs;
  return runs.family === family ? (runs as Extract<MethodRuns, { family: F }>) : undefined;
}

export function isAttributor(id: MethodId): id is AttributorId {
  return METHOD_TABLE[id].runs.family === 'attributor';
}

/** The columns of the seed figure, in its order. */
export const SEED_METHODS: readonly string[] = [
  'sensitivity',
  'guided-backprop',
  'simple-taylor',
  'deep-taylor',
  'lrp-a1.2b0.2',
  'lrp-a1.5b0.5',
  'lrp-a2b1',
];
