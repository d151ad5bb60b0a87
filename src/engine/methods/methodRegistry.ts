// The spec strings users type (`lrp-ab:alpha=3,beta=2`, a preset name, `seed`) over the method table
// (methodTable.ts): parsing and checking, formatting back, titles, and the lists for `--list-methods` and
// the pickers.
import { UserError } from '../errors';
import type { MethodTitle } from '../../protocol/methodTitle';
import { titleText } from '../../protocol/methodTitle';
import type { MethodSpec } from '../types';
import { isMethodId, METHOD_IDS, methodRecord, SEED_METHODS, type MethodId, type ParamInfo } from './methodTable';

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

const PRESETS: PresetInfo[] = METHOD_IDS.flatMap((id) =>
  Object.entries(methodRecord(id).presets ?? {}).map(([name, params]) => ({ name, spec: { id, params } })),
);
const presetByName = new Map(PRESETS.map((p) => [p.name, p]));

/** The named presets with the specs they stand for. */
export function listPresets(): PresetInfo[] {
  return PRESETS.map((p) => ({ name: p.name, spec: copySpec(p.spec) }));
}

/** Every method with its parameters and presets, for `--list-methods` and the UI. */
export function listMethods(): MethodInfo[] {
  return METHOD_IDS.map((id) => ({
    id,
    description: methodRecord(id).description,
    params: methodRecord(id).params.map((p) => ({ ...p })),
    presets: PRESETS.filter((p) => p.spec.id === id).map((p) => p.name),
  }));
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
  if (!isMethodId(name)) {
    const known = [...METHOD_IDS, ...PRESETS.map((p) => p.name)].join(', ');
    throw new UserError(`unknown method "${name}"; known methods: ${known}`);
  }
  const method = { id: name, ...methodRecord(name) };

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
  return validateSpec({ id: method.id, params: method.complete ? method.complete(given) : given });
}

/**
 * Checks a spec built in code (not parsed): known id, known parameters, values in range, α − β = 1.
 * Returns the spec with every parameter present.
 */
export function validateSpec(spec: MethodSpec): MethodSpec {
  if (!isMethodId(spec.id)) throw new UserError(`unknown method "${spec.id}"`);
  const method = methodRecord(spec.id);
  const params: Record<string, number> = {};
  for (const key of Object.keys(spec.params)) {
    if (!method.params.some((p) => p.name === key)) throw new UserError(`${spec.id}: unknown parameter "${key}"`);
  }
  for (const info of method.params) {
    const value = spec.params[info.name] ?? info.default;
    checkRange(spec.id, info, value);
    params[info.name] = value;
  }
  const problem = method.check?.(params);
  if (problem) throw new UserError(`${spec.id}: ${problem}`);
  return { id: spec.id, params };
}

/** The preset name when the spec is one, else `id` followed by its non-default parameters. */
export function formatMethodSpec(spec: MethodSpec): string {
  if (!isMethodId(spec.id)) return spec.id;
  const method = methodRecord(spec.id);
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

/**
 * The name a figure prints above a column, with α and β values as real subscripts for LRP-αβ
 * (LRP-α₁.₂β₀.₂). Other non-default parameters follow in parentheses: "LRP-ε (ε = 0.1)".
 */
export function methodTitle(spec: MethodSpec): MethodTitle {
  if (!isMethodId(spec.id)) return [{ text: spec.id }];
  const method = methodRecord(spec.id);
  const full = fillDefaults(method, spec.params);
  if (method.titleOf) return method.titleOf(full);
  const changed = method.params.filter((i) => full[i.name] !== i.default).map((i) => `${i.symbol ?? i.name} = ${full[i.name]}`);
  return [{ text: changed.length ? `${method.title} (${changed.join(', ')})` : method.title }];
}

/** The title as plain text, subscripts inline: "LRP-α1.2β0.2". */
export function methodTitleText(spec: MethodSpec): string {
  return titleText(methodTitle(spec));
}

function fillDefaults(method: { params: ParamInfo[] }, params: Record<string, number>): Record<string, number> {
  const full: Record<string, number> = {};
  for (const info of method.params) full[info.name] = params[info.name] ?? info.default;
  return full;
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
