// What every CLI command shares: the option table, usage errors, and the checks of common options.
import * as fs from 'fs';
import * as path from 'path';
import { BUDGETS, cpuCores, maxWorkers } from '../engine/budgets';
import { shown, UserError } from '../engine/errors';
import { poolShape } from '../engine/pool/poolShape';
import { MAX_THREADS } from '../engine/wasmThreads';
import { COLORMAPS, type ColormapName } from '../protocol/display';
import { WorkerPool } from '../engine/pool/workerPool';
import type { ModelCard } from '../protocol/model';
import type { ExplainResult } from '../protocol/engineJobs';
import type { PreprocessMode } from '../protocol/preprocess';

/** A mistake in the command line itself: printed with the usage text, exit code 2. */
export class UsageError extends Error {}

export const OPTIONS = {
  model: { type: 'string' },
  method: { type: 'string' },
  methods: { type: 'string' },
  target: { type: 'string' },
  preprocess: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  jsonl: { type: 'boolean' },
  dataset: { type: 'string' },
  indices: { type: 'string' },
  colormap: { type: 'string' },
  scale: { type: 'string' },
  workers: { type: 'string' },
  threads: { type: 'string' },
  steps: { type: 'string' },
  randomise: { type: 'boolean' },
  randomize: { type: 'boolean' },
  seed: { type: 'string' },
  layer: { type: 'string' },
  top: { type: 'string' },
  references: { type: 'string' },
  class: { type: 'string' },
  by: { type: 'string' },
  contrast: { type: 'string' },
  baseline: { type: 'string' },
  patch: { type: 'string' },
  road: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type Options = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

export function requireImages(files: string[]): string[] {
  if (files.length === 0) throw new UsageError('no image files given');
  for (const f of files) {
    if (!fs.existsSync(f)) throw new UserError('no such file', f);
    if (fs.statSync(f).isDirectory()) throw new UserError('is a directory, not an image', f);
  }
  return files.map((f) => path.resolve(f));
}

export function preprocessMode(opts: Options): PreprocessMode {
  const mode = opts.preprocess ?? 'auto';
  if (mode !== 'auto' && mode !== 'fit' && mode !== 'none') throw new UsageError(`--preprocess must be auto, fit or none (got ${shown(mode, 40)})`);
  return mode;
}

export function positiveInt(value: string | undefined, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new UsageError(`--${name} must be ${max === Number.MAX_SAFE_INTEGER ? 'a positive integer' : `a whole number from 1 to ${max}`} (got ${shown(value, 40)})`);
  }
  return n;
}

/** --colormap: one of the colour maps the heatmaps are drawn with. */
export function colormapOption(opts: Options): ColormapName {
  const name = opts.colormap ?? 'bwr';
  if (!(COLORMAPS as readonly string[]).includes(name)) throw new UsageError(`--colormap must be ${COLORMAPS.join(', ')} (got ${shown(name, 40)})`);
  return name as ColormapName;
}

/** Heatmap PNGs are the model input's size times --scale: 32 makes a 224×224 input 7168 px wide. */
export const MAX_SCALE = 32;

export function scaleOption(opts: Options): number {
  return positiveInt(opts.scale, 'scale', 8, MAX_SCALE);
}

/**
 * --workers as asked (unset: automatic, poolShape.ts), checked: at most BUDGETS.workersPerCore per core of
 * this machine (more only cost memory: each holds its own wasm heap and model).
 */
export function workersOption(opts: Options): number {
  if (opts.workers === undefined) return 0;
  const most = maxWorkers();
  const asked = Number(opts.workers);
  if (!Number.isInteger(asked) || asked < 1 || asked > most) {
    throw new UsageError(`--workers must be a whole number from 1 to ${most} (${BUDGETS.workersPerCore} per core of this machine's ${cpuCores()}) (got ${shown(opts.workers, 40)})`);
  }
  return asked;
}

/**
 * A pool of --workers worker threads with --threads XNNPACK threads each (by default as many of both as
 * the cores allow, poolShape.ts; --threads 0 = automatic), never more workers than there are jobs: fewer
 * jobs give each worker more threads unless --threads says how many.
 */
export function makePool(opts: Options, jobs: number): WorkerPool {
  const workers = workersOption(opts);
  const threads = positiveInt(opts.threads === '0' ? undefined : opts.threads, 'threads', 0, MAX_THREADS);
  let shape = poolShape({ workers, threads });
  if (shape.workers > jobs) shape = poolShape({ workers: Math.max(1, jobs), threads });
  return new WorkerPool({ size: shape.workers, threads: shape.threads });
}

/** `--target` (or `--contrast`, named by `option`) as a class index or a label of the card. */
export function parseTarget(value: string | undefined, card: ModelCard, option = 'target'): number | null {
  if (value === undefined) return null;
  const byLabel = card.labels.indexOf(value);
  const k = /^\d+$/.test(value) ? Number(value) : byLabel;
  if (k < 0 || k >= card.labels.length) {
    throw new UsageError(`--${option} must be a class index 0..${card.labels.length - 1} or a label (got "${value}")`);
  }
  return k;
}

/** `--contrast`: the class every map is contrasted with ("why the target and not this class?"). */
export function parseContrast(opts: Options, card: ModelCard, target: number | null): number | null {
  const contrast = parseTarget(opts.contrast, card, 'contrast');
  if (contrast !== null && contrast === target) throw new UsageError(`--contrast must differ from --target (both are ${card.labels[target] ?? target})`);
  return contrast;
}

/** The first image the engine could not read, as the command's error. */
export function failOnImageErrors(result: Pick<ExplainResult, 'images'>): void {
  const bad = result.images.find((i) => i.error);
  if (bad?.error) throw new UserError(bad.error.startsWith(bad.name) ? bad.error.slice(bad.name.length + 2) : bad.error, bad.name);
}
