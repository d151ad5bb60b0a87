// Splits big jobs across the pool's workers and merges the answers, so every core works on one request.
import type { ExplainJob, ExplainResult, PredictJob, PredictResult } from '../../protocol/engineJobs';
import { splitMethods } from './methodSplit';
import { runsOnOneWorker } from './oneWorkerModels';
import type { JobRunner } from './workerPool';

/**
 * Explains the job on up to `pool.size` workers at once; the result is as if one worker did it. Several
 * images are split into chunks of images; one image with several methods is split by methods
 * (methodSplit.ts: each part has its own forward pass, the parts' costs balanced), so that one
 * right-click also uses every core. A large model's job is not split (oneWorkerModels.ts). `onProgress`
 * gets the parts' progress added up (done and total of every part that reported).
 */
export async function explainInParallel(
  pool: JobRunner,
  job: ExplainJob,
  signal?: AbortSignal,
  onProgress?: (done: number, total: number) => void,
): Promise<ExplainResult> {
  const progress = progressOfParts(onProgress);
  const workers = runsOnOneWorker(job.model.path) ? 1 : pool.size;
  if (job.images.length === 1 && job.methods.length > 1 && workers > 1) {
    const parts = worthSplitting(job) ? splitMethods(job.methods, pool.size) : [job.methods.map((_, k) => k)];
    const results = await Promise.all(
      parts.map((methods, k) => pool.run({ ...job, methods: methods.map((m) => job.methods[m]) }, signal, progress(k))),
    );
    const merged = parts.length > 1 ? mergeMethodParts(results, parts, job.methods.length) : results[0];
    recordCost(job, merged);
    return merged;
  }
  const chunks = splitEvenly(job.images.length, workers);
  if (chunks.length <= 1) return pool.run(job, signal, onProgress);
  const parts = await Promise.all(
    chunks.map(([start, end], k) =>
      pool.run({ ...job, images: job.images.slice(start, end), targets: job.targets?.slice(start, end) }, signal, progress(k)),
    ),
  );
  const merged: ExplainResult = { backend: parts[0].backend, card: parts[0].card, images: [], explanations: [] };
  parts.forEach((part, k) => {
    const offset = chunks[k][0];
    merged.images.push(...part.images);
    for (const e of part.explanations) merged.explanations.push({ ...e, image: e.image + offset });
  });
  return merged;
}

/**
 * Engine milliseconds per method of the last one-image call of each model (Explanation.ms summed): a split
 * pays only when the work outweighs what it adds (each part decodes the image and runs its own forward pass,
 * one more thread hop and merge). Measured: the MNIST MLP's seven methods, 2 ms of engine time, took 4.2 ms
 * end to end on one worker and 6.2 ms split; the 32×32 residual net's, ~30 ms, 36 ms on one and 26 ms split.
 * So the first call of a model runs whole (and loads the model in one worker only), later ones split when
 * that call's engine time was at least SPLIT_POLICY.minMs (an object so that tests can pin what a split
 * returns without depending on this machine's speed).
 */
const lastCostPerMethod = new Map<string, number>();
export const SPLIT_POLICY = { minMs: 15 };

function worthSplitting(job: ExplainJob): boolean {
  const perMethod = lastCostPerMethod.get(job.model.path);
  return perMethod !== undefined && perMethod * job.methods.length >= SPLIT_POLICY.minMs;
}

function recordCost(job: ExplainJob, result: ExplainResult): void {
  if (result.explanations.length === 0) return;
  const ms = result.explanations.reduce((total, e) => total + e.ms, 0);
  lastCostPerMethod.set(job.model.path, ms / job.methods.length);
}

/** Per part k, a progress callback that reports the sum over the parts (undefined without `onProgress`). */
function progressOfParts(onProgress?: (done: number, total: number) => void) {
  const reported: Array<{ done: number; total: number }> = [];
  return (k: number) =>
    onProgress &&
    ((done: number, total: number) => {
      reported[k] = { done, total };
      const known = reported.filter(Boolean);
      onProgress(known.reduce((t, r) => t + r.done, 0), known.reduce((t, r) => t + r.total, 0));
    });
}

/**
 * One result from the parts of a method split of a one-image job: explanations in the order one call
 * gives (method, then target), each part's image taken once. `parts[k]` lists the job's method indices
 * that result k holds, in order; a part gives each of its methods the same number of explanations (the
 * image's targets; none when the image could not be read).
 */
function mergeMethodParts(results: ExplainResult[], parts: number[][], methods: number): ExplainResult {
  const byMethod = new Array<ExplainResult['explanations']>(methods);
  results.forEach((result, k) => {
    const perMethod = result.explanations.length / parts[k].length;
    parts[k].forEach((m, j) => (byMethod[m] = result.explanations.slice(j * perMethod, (j + 1) * perMethod)));
  });
  return { backend: results[0].backend, card: results[0].card, images: results[0].images, explanations: byMethod.flat() };
}

/** Predicts `count` images in chunks of at most `chunkSize`, spread over the workers; `onProgress` after each chunk. */
export async function predictInParallel(
  pool: JobRunner,
  job: PredictJob,
  options: { chunkSize?: number; signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<PredictResult> {
  const chunkSize = options.chunkSize ?? 1000;
  const pixelsPerImage = job.count ? job.pixels.length / job.count : 0;
  const ranges: Array<[number, number]> = [];
  for (let s = 0; s < job.count; s += chunkSize) ranges.push([s, Math.min(job.count, s + chunkSize)]);
  if (ranges.length === 0) ranges.push([0, 0]);
  let done = 0;
  const parts = await Promise.all(
    ranges.map(async ([s, e]) => {
      const part = await pool.run(
        { ...job, pixels: job.pixels.slice(s * pixelsPerImage, e * pixelsPerImage), count: e - s },
        options.signal,
      );
      done += e - s;
      options.onProgress?.(done, job.count);
      return part;
    }),
  );
  const classes = parts[0].classes;
  const probabilities = new Float32Array(job.count * classes);
  const logits = new Float32Array(job.count * classes);
  ranges.forEach(([s], k) => {
    probabilities.set(parts[k].probabilities, s * classes);
    logits.set(parts[k].logits, s * classes);
  });
  return { backend: parts[0].backend, probabilities, logits, classes };
}

/** [start, end) ranges splitting n items into at most k nearly equal parts. */
export function splitEvenly(n: number, k: number): Array<[number, number]> {
  const parts = Math.min(n, k);
  const ranges: Array<[number, number]> = [];
  for (let i = 0; i < parts; i++) ranges.push([Math.floor((i * n) / parts), Math.floor(((i + 1) * n) / parts)]);
  return ranges;
}
