// Splits big jobs across the pool's workers and merges the answers, so every core works on one request.
import type { ExplainJob, ExplainResult, PredictJob, PredictResult } from '../../protocol/engineJobs';
import type { WorkerPool } from './workerPool';

/**
 * Explains the job's images in up to `pool.size` parallel chunks; the result is as if one worker did it.
 * `onProgress` gets the chunks' progress added up (done and total of every chunk that reported).
 */
export async function explainInParallel(
  pool: WorkerPool,
  job: ExplainJob,
  signal?: AbortSignal,
  onProgress?: (done: number, total: number) => void,
): Promise<ExplainResult> {
  const chunks = splitEvenly(job.images.length, pool.size);
  if (chunks.length <= 1) return pool.run(job, signal, onProgress);
  const reported = chunks.map(() => ({ done: 0, total: 0 }));
  const report = (k: number) => (done: number, total: number) => {
    reported[k] = { done, total };
    onProgress?.(reported.reduce((t, r) => t + r.done, 0), reported.reduce((t, r) => t + r.total, 0));
  };
  const parts = await Promise.all(
    chunks.map(([start, end], k) =>
      pool.run({ ...job, images: job.images.slice(start, end), targets: job.targets?.slice(start, end) }, signal, onProgress && report(k)),
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

/** Predicts `count` images in chunks of at most `chunkSize`, spread over the workers; `onProgress` after each chunk. */
export async function predictInParallel(
  pool: WorkerPool,
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
