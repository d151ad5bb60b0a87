// Every attribution method the engine knows: its id, what it does in one line, its parameters with their
// defaults and ranges, the named presets, and the spec strings users type (`lrp-ab:alpha=3,beta=2`).
import { UserError } from '../errors';
import type { MethodId, MethodSpec } from '../types';
import type { MethodTitle } from '../../protocol/methodTitle';

export interface ParamInfo {
  name: string;
  default: number;
  min?: number;
  max?: number;
  /** Only whole numbers are accepted. */
  integer?: boolean;
  description: string;
}

export interface PresetInfo {
  name: string;
  spec: MethodSpec;
}

export interface MethodInfo {
  id: MethodId;
  description: string;
  params: ParamInfo[];
  /** Names of the presets of this method, e.g. ['lrp-a1.2b0.2', ...] for lrp-ab. */
  presets: string[];
}

const EPSILON: ParamInfo = {
  name: 'epsilon',
  default: 0.25,
  min: 0,
  description: 'added to every denominator with its sign; absorbs weak or contradictory contributions',
};
const GAMMA: ParamInfo = {
  name: 'gamma',
  default: 0.25,
  min: 0,
  description: 'weight given to positive contributions on top of the plain ones (0 is the z-rule)',
};

const METHODS: Array<Omit<MethodInfo, 'presets'>> = [
  {
    id: 'sensitivity',
    description: 'Sensitivity analysis: squared gradient of the target logit, summed over channels',
    params: [],
  },
  { id: 'gradient', description: 'Signed gradient of the target logit (saliency)', params: [] },
  {
    id: 'simple-taylor',
    description: 'Simple Taylor decomposition: input × gradient (first-order Taylor expansion at 0)',
    params: [],
  },
  {
    id: 'guided-backprop',
    description: 'Guided backprop: gradient where each ReLU also blocks negative backward signals',
    params: [],
  },
  {
    id: 'deconvnet',
    description: 'Deconvnet: backward signal through ReLUs keeps only its positive part, ignoring the forward mask',
    params: [],
  },
  {
    id: 'deep-taylor',
    description: 'Deep Taylor decomposition: z+ rule on every layer, z^B (or w² when unbounded) on the first',
    params: [],
  },
  {
    id: 'lrp-ab',
    description: 'LRP-αβ on every layer: positive and negative contributions normalised separately, α − β = 1',
    params: [
      { name: 'alpha', default: 2, min: 1, description: 'weight of the positive contributions (α ≥ 1)' },
      { name: 'beta', default: 1, min: 0, description: 'weight of the negative contributions (β = α − 1)' },
    ],
  },
  { id: 'lrp-z', description: 'LRP-0 (z-rule) on every layer: contributions a·w over the pre-activation', params: [] },
  { id: 'lrp-epsilon', description: 'LRP-ε on every layer: the z-rule with a stabilised denominator', params: [EPSILON] },
  {
    id: 'lrp-gamma',
    description: 'LRP-γ on every layer: the z-rule with positive weights favoured by γ',
    params: [GAMMA],
  },
  {
    id: 'epsilon-plus-flat',
    description: 'Composite: flat rule on the first layer, z+ on convolutions, LRP-ε on dense layers',
    params: [EPSILON],
  },
  {
    id: 'epsilon-gamma-box',
    description: 'Composite: z^B on the first layer, LRP-γ on convolutions, LRP-ε on dense layers',
    params: [EPSILON, GAMMA],
  },
  {
    id: 'integrated-gradients',
    description: 'Integrated gradients from the all-zero baseline (midpoint rule), with its completeness error',
    params: [{ name: 'steps', default: 32, min: 1, max: 4096, integer: true, description: 'integration steps' }],
  },
  {
    id: 'smoothgrad',
    description: 'SmoothGrad: gradient averaged over noisy copies of the input',
    params: [
      { name: 'samples', default: 32, min: 1, max: 4096, integer: true, description: 'noisy copies averaged' },
      {
        name: 'sigma',
        default: 0.15,
        min: 0,
        max: 10,
        description: 'noise standard deviation in units of the input range (σ = sigma × (high − low); for inputs in [0, 1] it is σ itself)',
      },
      {
        name: 'seed',
        default: 0,
        min: 0,
        max: 2147483647,
        integer: true,
        description: 'random seed; equal seeds give equal maps',
      },
    ],
  },
  {
    id: 'occlusion',
    description: 'Occlusion: drop of the target logit when a square patch is set to 0, averaged over patches',
    params: [
      { name: 'patch', default: 4, min: 1, max: 4096, integer: true, description: 'patch side in pixels' },
      { name: 'stride', default: 2, min: 1, max: 4096, integer: true, description: 'step between patches in pixels' },
    ],
  },
];

const PRESETS: PresetInfo[] = [
  { name: 'lrp-a1.2b0.2', spec: { id: 'lrp-ab', params: { alpha: 1.2, beta: 0.2 } } },
  { name: 'lrp-a1.5b0.5', spec: { id: 'lrp-ab', params: { alpha: 1.5, beta: 0.5 } } },
  { name: 'lrp-a2b1', spec: { id: 'lrp-ab', params: { alpha: 2, beta: 1 } } },
  { name: 'lrp-a1b0', spec: { id: 'lrp-ab', params: { alpha: 1, beta: 0 } } },
];

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

const byId = new Map(METHODS.map((m) => [m.id, m]));
const presetByName = new Map(PRESETS.map((p) => [p.name, p]));

/** The named presets with the specs they stand for. */
export function listPresets(): PresetInfo[] {
  return PRESETS.map((p) => ({ name: p.name, spec: copySpec(p.spec) }));
}

/** Every method with its parameters and presets, for `--list-methods` and the UI. */
export function listMethods(): MethodInfo[] {
  return METHODS.map((m) => ({
    ...m,
    params: m.params.map((p) => ({ ...p })),
    presets: PRESETS.filter((p) => p.spec.id === m.id).map((p) => p.name),
  }));
}

export function isMethodId(id: string): id is MethodId {
  return byId.has(id as MethodId);
}

/**
 * Parses `id`, a preset name, or `id:param=value,param=value`. Parameters left out take their defaults, so
 * the result always carries every parameter of its method. Throws a UserError on anything it cannot use.
 */
export function parseMethodSpec(text: string): MethodSpec {
  // People type "samples=8 sigma=0.1" or "smoothgrad samples=8": spaces separate parameters like commas
  // do (and may stand for the colon), spaces around "=" are ignored.
  const s = text.trim().replace(/\s*=\s*/g, '=');
  const space = s.search(/\s/);
  const colon = s.includes(':') ? s.indexOf(':') : space >= 0 && s.slice(space).includes('=') ? space : -1;
  const name = (colon < 0 ? s : s.slice(0, colon)).trim();
  const paramText = colon < 0 ? '' : s.slice(colon + 1).trim();

  const preset = presetByName.get(name);
  if (preset) {
    if (paramText) {
      throw new UserError(`${name} is a preset and takes no parameters; write ${preset.spec.id}:param=value instead`);
    }
    return copySpec(preset.spec);
  }
  const method = byId.get(name as MethodId);
  if (!method) {
    const known = [...METHODS.map((m) => m.id), ...PRESETS.map((p) => p.name)].join(', ');
    throw new UserError(`unknown method "${name}"; known methods: ${known}`);
  }

  const given: Record<string, number> = {};
  if (paramText) {
    for (const assignment of paramText.split(/[\s,]+/).filter(Boolean)) {
      const eq = assignment.indexOf('=');
      const key = (eq < 0 ? assignment : assignment.slice(0, eq)).trim();
      const info = method.params.find((p) => p.name === key);
      if (!info) {
        const accepted = method.params.length ? method.params.map((p) => p.name).join(', ') : 'none';
        throw new UserError(`${method.id}: unknown parameter "${key}" (accepted: ${accepted})`);
      }
      if (eq < 0) throw new UserError(`${method.id}: parameter "${key}" needs a value, as in ${key}=${info.default}`);
      if (key in given) throw new UserError(`${method.id}: parameter "${key}" is given twice`);
      given[key] = parseNumber(method.id, info, assignment.slice(eq + 1).trim());
    }
  }
  return validateSpec({ id: method.id, params: withAlphaBetaCompleted(method.id, given) });
}

/**
 * Checks a spec built in code (not parsed): known id, known parameters, values in range, α − β = 1.
 * Returns the spec with every parameter present.
 */
export function validateSpec(spec: MethodSpec): MethodSpec {
  const method = byId.get(spec.id);
  if (!method) throw new UserError(`unknown method "${spec.id}"`);
  const params: Record<string, number> = {};
  for (const key of Object.keys(spec.params)) {
    if (!method.params.some((p) => p.name === key)) throw new UserError(`${spec.id}: unknown parameter "${key}"`);
  }
  for (const info of method.params) {
    const value = spec.params[info.name] ?? info.default;
    checkRange(spec.id, info, value);
    params[info.name] = value;
  }
  if (spec.id === 'lrp-ab') {
    const { alpha, beta } = params;
    if (Math.abs(alpha - beta - 1) > 1e-9) {
      throw new UserError(`lrp-ab: alpha - beta must be 1 (got alpha=${alpha}, beta=${beta})`);
    }
  }
  return { id: spec.id, params };
}

/** The preset name when the spec is one, else `id` followed by its non-default parameters. */
export function formatMethodSpec(spec: MethodSpec): string {
  const method = byId.get(spec.id);
  if (!method) return spec.id;
  const full = fillDefaults(method, spec.params);
  const preset = PRESETS.find(
    (p) => p.spec.id === spec.id && method.params.every((i) => p.spec.params[i.name] === full[i.name]),
  );
  if (preset) return preset.name;
  const changed = method.params.filter((i) => full[i.name] !== i.default).map((i) => `${i.name}=${full[i.name]}`);
  return changed.length ? `${spec.id}:${changed.join(',')}` : spec.id;
}

/**
 * Expands `seed` (the figure's seven columns) or a comma-separated list of specs. Commas also separate the
 * parameters of one spec, so a piece of the form `name=value` belongs to the spec before it.
 */
export function expandMethodList(text: string): MethodSpec[] {
  return splitMethodList(text).map(parseMethodSpec);
}

/** The specs of a method list as written (`seed` as its seven preset names), not yet parsed. */
export function splitMethodList(text: string): string[] {
  const specs: string[] = [];
  for (const piece of text.split(',').map((p) => p.trim())) {
    if (!piece) continue;
    const isParam = /^[A-Za-z]\w*\s*=/.test(piece);
    if (isParam && specs.length > 0) specs[specs.length - 1] += ',' + piece;
    else specs.push(piece);
  }
  if (specs.length === 0) throw new UserError('no methods given (try "seed" or a list such as "gradient,lrp-z")');
  return specs.flatMap((s) => (s === 'seed' ? [...SEED_METHODS] : [s]));
}

const SYMBOLS: Record<string, string> = { epsilon: 'ε', gamma: 'γ', alpha: 'α', beta: 'β' };

const TITLES: Record<MethodId, string> = {
  sensitivity: 'Sensitivity Analysis',
  gradient: 'Gradient',
  'simple-taylor': 'Simple Taylor Decomposition',
  'guided-backprop': 'Guided Backprop',
  deconvnet: 'Deconvnet',
  'deep-taylor': 'Deep Taylor Decomposition',
  'lrp-ab': 'LRP-αβ',
  'lrp-z': 'LRP-0',
  'lrp-epsilon': 'LRP-ε',
  'lrp-gamma': 'LRP-γ',
  'epsilon-plus-flat': 'LRP ε + z⁺ + flat',
  'epsilon-gamma-box': 'LRP ε + γ + box',
  'integrated-gradients': 'Integrated Gradients',
  smoothgrad: 'SmoothGrad',
  occlusion: 'Occlusion',
};

/**
 * The name a figure prints above a column, with α and β values as real subscripts for LRP-αβ
 * (LRP-α₁.₂β₀.₂). Other non-default parameters follow in parentheses: "LRP-ε (ε = 0.1)".
 */
export function methodTitle(spec: MethodSpec): MethodTitle {
  const method = byId.get(spec.id);
  if (!method) return [{ text: spec.id }];
  const full = fillDefaults(method, spec.params);
  if (spec.id === 'lrp-ab') {
    return [
      { text: 'LRP-α' },
      { text: String(full.alpha), sub: true },
      { text: 'β' },
      { text: String(full.beta), sub: true },
    ];
  }
  const changed = method.params
    .filter((i) => full[i.name] !== i.default)
    .map((i) => `${SYMBOLS[i.name] ?? i.name} = ${full[i.name]}`);
  return [{ text: changed.length ? `${TITLES[spec.id]} (${changed.join(', ')})` : TITLES[spec.id] }];
}

/** The title as plain text, subscripts inline: "LRP-α1.2β0.2". */
export function methodTitleText(spec: MethodSpec): string {
  return methodTitle(spec)
    .map((part) => part.text)
    .join('');
}

function fillDefaults(method: Omit<MethodInfo, 'presets'>, params: Record<string, number>): Record<string, number> {
  const full: Record<string, number> = {};
  for (const info of method.params) full[info.name] = params[info.name] ?? info.default;
  return full;
}

/** `lrp-ab:alpha=3` means β = 2 and `lrp-ab:beta=0.5` means α = 1.5: the other one follows from α − β = 1. */
function withAlphaBetaCompleted(id: MethodId, given: Record<string, number>): Record<string, number> {
  if (id !== 'lrp-ab') return given;
  if ('alpha' in given && !('beta' in given)) return { ...given, beta: given.alpha - 1 };
  if ('beta' in given && !('alpha' in given)) return { ...given, alpha: given.beta + 1 };
  return given;
}

function parseNumber(id: MethodId, info: ParamInfo, text: string): number {
  const value = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(value)) throw new UserError(`${id}: ${info.name} must be a number (got "${text}")`);
  return value;
}

function checkRange(id: MethodId, info: ParamInfo, value: number): void {
  if (!Number.isFinite(value)) throw new UserError(`${id}: ${info.name} must be a finite number (got ${value})`);
  if (info.integer && !Number.isInteger(value)) {
    throw new UserError(`${id}: ${info.name} must be a whole number (got ${value})`);
  }
  if ((info.min !== undefined && value < info.min) || (info.max !== undefined && value > info.max)) {
    const range =
      info.max === undefined ? `at least ${info.min}` : info.min === undefined ? `at most ${info.max}` : `between ${info.min} and ${info.max}`;
    throw new UserError(`${id}: ${info.name} must be ${range} (got ${value})`);
  }
}

function copySpec(spec: MethodSpec): MethodSpec {
  return { id: spec.id, params: { ...spec.params } };
}
