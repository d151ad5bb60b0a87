// Pixel-flipping faithfulness on the worker pool, for any number of images and methods: the maps from
// explain jobs, then all perturbed copies as batched pixel-flip jobs spread over the workers. Images go
// in chunks (explain, flip, keep only the curves), so memory does not grow with the number of images.
// Cancellable through an AbortSignal; progress counts finished (image, method) pairs.
import { parseMethodSpec } from '../methods/methodRegistry';
import { splitEvenly } from '../pool/parallelJobs';
import type { JobRunner } from '../pool/workerPool';
import type { BackendInfo, ModelCard } from '../../protocol/model';
import type { ExplainResult, ImageSource, ModelRef, PixelFlipJob, PreparedImage } from '../../protocol/engineJobs';
import type { PreprocessMode } from '../../protocol/preprocess';
import { DEFAULT_FLIP_STEPS } from './perturbation';
import { forEachConcurrently, splitIntoChunks, withLinkedSignal, type EvaluateOptions } from './scheduling';
import { flipScores, meanCurve, meanScores, type FlipCurves, type FlipScores } from './scores';

export interface FaithfulnessRequest {
  model: ModelRef;
  images: ImageSource[];
  /** Method specs as the user wrote them; the results name each method so. */
  methods: string[];
  /** Per image, the class to explain and score; null or missing means the predicted class. */
  targets?: Array<number | null>;
  preprocess: PreprocessMode;
  /** K (default 20). */
  steps?: number;
}

/** One image × one method. */
export interface FaithfulnessResult extends FlipScores {
  /** Index into FaithfulnessEvaluation.images. */
  image: number;
  /** The spec as given in the request. */
  method: string;
  target: number;
  predicted: number;
  curves: FlipCurves;
}

/** One method, averaged over the images that could be read. */
export interface FaithfulnessSummary extends FlipScores {
  method: string;
  images: number;
  /** Pointwise means of the images' curves (what the chart draws). */
  meanCurves: FlipCurves;
}

export interface FaithfulnessEvaluation {
  backend: BackendInfo;
  card: ModelCard;
  steps: number;
  /** Every requested image, in order; an unreadable one has `error` set and no results. */
  images: PreparedImage[];
  /** Image-major, then method in request order. */
  results: FaithfulnessResult[];
  /** Per method, in request order. */
  summary: FaithfulnessSummary[];
}

/** Images explained per explain job: small enough to stream, big enough to batch the maps. */
const IMAGES_PER_CHUNK = 4;

export type { EvaluateOptions };

export async function evaluateFaithfulness(pool: JobRunner, request: FaithfulnessRequest, options: EvaluateOptions = {}): Promise<FaithfulnessEvaluation> {
  const steps = request.steps ?? DEFAULT_FLIP_STEPS;
  request.methods.forEach(parseMethodSpec); // a bad spec fails here, before any job runs
  const total = request.images.length * request.methods.length;
  const chunks = splitIntoChunks(request.images.length, IMAGES_PER_CHUNK);
  // What each chunk leaves behind: its images and curves; its maps are dropped once flipped.
  const parts = new Array<{ info: Pick<ExplainResult, 'backend' | 'card' | 'images'>; results: FaithfulnessResult[] }>(chunks.length);
  let done = 0;
  options.onProgress?.(0, total);
  await withLinkedSignal(options.signal, (signal) =>
    forEachConcurrently(chunks, pool.size, signal, async ([start, end], c) => {
      const explained = await pool.run(
        {
          type: 'explain',
          model: request.model,
          images: request.images.slice(start, end),
          methods: request.methods,
          targets: request.targets?.slice(start, end).map((t) => (t === null || t === undefined ? null : [t])),
          preprocess: request.preprocess,
        },
        signal,
      );
      const results = await flipExplained(pool, request, explained, steps, start, signal, (n) => {
        done += n;
        options.onProgress?.(done, total);
      });
      parts[c] = { info: { backend: explained.backend, card: explained.card, images: explained.images }, results };
      // A chunk's unreadable images count as done: they have nothing more to compute.
      const unreadable = explained.images.filter((image) => image.error).length * request.methods.length;
      if (unreadable) {
        done += unreadable;
        options.onProgress?.(done, total);
      }
    }),
  );
  const results = parts.flatMap((part) => part.results);
  const first = parts[0]?.info ?? (await pool.run({ type: 'model-info', model: request.model }, options.signal));
  return {
    backend: first.backend,
    card: first.card,
    steps,
    images: parts.flatMap((part) => part.info.images),
    results,
    summary: summarise(request.methods, results),
  };
}

/** Pixel flipping of one explained chunk; results image-major, method in request order. */
async function flipExplained(
  pool: JobRunner,
  request: FaithfulnessRequest,
  explained: ExplainResult,
  steps: number,
  firstImage: number,
  signal: AbortSignal,
  onDone: (pairs: number) => void,
): Promise<FaithfulnessResult[]> {
  const methods = request.methods.length;
  // Explanations come image-major, then method in request order, one target per image.
  const readable = explained.images.flatMap((image, i) => (image.error ? [] : [i]));
  const items = readable.flatMap((_, r) => request.methods.map((method, k) => ({ method, explanation: explained.explanations[r * methods + k] })));
  const job: PixelFlipJob = {
    type: 'pixel-flip',
    model: request.model,
    images: explained.images.map((image) => image.pixels),
    items: items.map(({ explanation: e }) => ({ image: e.image, relevance: e.relevance, target: e.target })),
    steps,
  };
  const curves = await flipOnPool(pool, job, { signal, onItems: onDone });
  return curves.map((c, n) => {
    const e = items[n].explanation;
    return { image: firstImage + e.image, method: items[n].method, target: e.target, predicted: e.predicted, curves: c, ...flipScores(c) };
  });
}

/**
 * Runs a pixel-flip job of any size as parts spread over the workers (at least one per worker, items of one
 * image kept together where the split allows), each part carrying only the images its items use. For maps
 * that already exist (e.g. a comparison's heatmaps). Curves in item order; `onItems` after each part.
 */
export async function flipOnPool(
  pool: JobRunner,
  job: PixelFlipJob,
  options: { signal?: AbortSignal; onItems?: (count: number) => void } = {},
): Promise<FlipCurves[]> {
  const images = new Set(job.items.map((item) => item.image)).size;
  const parts = splitEvenly(job.items.length, Math.max(pool.size, images));
  const curves = await Promise.all(
    parts.map(async ([start, end]) => {
      const items = job.items.slice(start, end);
      const used = [...new Set(items.map((item) => item.image))];
      const part: PixelFlipJob = {
        ...job,
        images: used.map((i) => job.images[i]),
        items: items.map((item) => ({ ...item, image: used.indexOf(item.image) })),
      };
      const result = await pool.run(part, options.signal);
      options.onItems?.(items.length);
      return result.curves;
    }),
  );
  return curves.flat();
}

function summarise(methods: string[], results: FaithfulnessResult[]): FaithfulnessSummary[] {
  return methods.map((method, k) => {
    const mine = results.filter((_, n) => n % methods.length === k);
    return {
      method,
      images: mine.length,
      ...meanScores(mine),
      meanCurves: { morf: meanCurve(mine.map((r) => r.curves.morf)), lerf: meanCurve(mine.map((r) => r.curves.lerf)) },
    };
  });
}
