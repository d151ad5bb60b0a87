// Faithfulness on the worker pool, for any number of images and methods: the maps from explain jobs, then
// all perturbed copies as batched pixel-flip jobs spread over the workers, for pixel flipping and (asked
// for) ROAD; then the means, their standard errors and the verdict (summary.ts). Images go in chunks
// (explain, flip, keep only the curves), so memory does not grow with the number of images. Cancellable
// through an AbortSignal; progress counts finished (image, method) pairs.
import { methodTitle, parseMethodSpec } from '../methods/methodRegistry';
import { splitEvenly } from '../pool/parallelJobs';
import type { JobRunner } from '../pool/workerPool';
import type { BackendInfo, ModelCard } from '../../protocol/model';
import type { ExplainResult, FlipBaseline, ImageSource, ModelRef, PixelFlipJob, PreparedImage } from '../../protocol/engineJobs';
import { titleText } from '../../protocol/methodTitle';
import type { PreprocessMode } from '../../protocol/preprocess';
import { DEFAULT_BASELINE } from './baselines';
import { DEFAULT_FLIP_STEPS } from './perturbation';
import { forEachConcurrently, splitIntoChunks, withLinkedSignal, type EvaluateOptions } from './scheduling';
import { flipScores, type FlipCurves, type FlipScores } from './scores';
import { abpcVerdict, summariseCurves, type MeasureSummary } from './summary';
import { defaultPatch } from './units';
import type { Verdict } from './verdict';

export interface FaithfulnessRequest {
  model: ModelRef;
  images: ImageSource[];
  /** Method specs as the user wrote them; the results name each method so. */
  methods: string[];
  /** Per image, the class to explain and score; null or missing means the predicted class. */
  targets?: Array<number | null>;
  /** Per image, a class to contrast with: maps and scores of f_target − f_contrast. */
  contrasts?: Array<number | null>;
  preprocess: PreprocessMode;
  /** K (default 20). */
  steps?: number;
  /** Pixel flipping's baseline (default black). */
  baseline?: FlipBaseline;
  /** Patch side (default: units.ts's defaultPatch). */
  patch?: number;
  /** Also ROAD (remove and debias), on the same maps. */
  road?: boolean;
}

/** One measure's curves and scores for one image × method. */
export interface MeasureResult extends FlipScores {
  curves: FlipCurves;
}

/** One image × one method: pixel flipping's curves and scores, and ROAD's when asked for. */
export interface FaithfulnessResult extends MeasureResult {
  /** Index into FaithfulnessEvaluation.images. */
  image: number;
  /** The spec as given in the request. */
  method: string;
  target: number;
  contrast?: number;
  predicted: number;
  road?: MeasureResult;
}

/** One method over the images that could be read: pixel flipping's means (± standard errors, mean curves
 *  and their bands), and ROAD's. */
export interface FaithfulnessSummary extends MeasureSummary {
  method: string;
  road?: MeasureSummary;
}

export interface FaithfulnessEvaluation {
  backend: BackendInfo;
  card: ModelCard;
  steps: number;
  baseline: FlipBaseline;
  patch: number;
  /** Every requested image, in order; an unreadable one has `error` set and no results. */
  images: PreparedImage[];
  /** Image-major, then method in request order. */
  results: FaithfulnessResult[];
  /** Per method, in request order. */
  summary: FaithfulnessSummary[];
  /** Which map to trust by ABPC (pixel flipping), and by ROAD's ABPC when ROAD ran. */
  verdict: Verdict;
  roadVerdict?: Verdict;
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
          ...(request.contrasts ? { contrasts: request.contrasts.slice(start, end) } : {}),
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
  const images = parts.flatMap((part) => part.info.images);
  const summary = summarise(request.methods, results);
  const names = request.methods.map((m) => titleText(methodTitle(parseMethodSpec(m))));
  const perImage = (measure: (r: FaithfulnessResult) => number) => request.methods.map((_, k) => imageValues(images.length, results.filter((_, n) => n % request.methods.length === k), measure));
  return {
    backend: first.backend,
    card: first.card,
    steps,
    baseline: request.baseline ?? DEFAULT_BASELINE,
    patch: request.patch ?? defaultPatch(first.card.inputShape[0], first.card.inputShape[1]),
    images,
    results,
    summary,
    verdict: abpcVerdict('ABPC', names, perImage((r) => r.abpc)),
    ...(request.road ? { roadVerdict: abpcVerdict('ROAD ABPC', names, perImage((r) => r.road!.abpc)) } : {}),
  };
}

/** One value per image (NaN for an image without a result), from a method's results. */
function imageValues(images: number, results: FaithfulnessResult[], value: (r: FaithfulnessResult) => number): number[] {
  const out = new Array<number>(images).fill(NaN);
  for (const r of results) out[r.image] = value(r);
  return out;
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
    items: items.map(({ explanation: e }) => ({ image: e.image, relevance: e.relevance, target: e.target, ...(e.contrast === undefined ? {} : { contrast: e.contrast }) })),
    steps,
    ...(request.baseline ? { baseline: request.baseline } : {}),
    ...(request.patch ? { patch: request.patch } : {}),
  };
  // Progress counts a pair once both of its measures are in.
  const [flipped, road] = await Promise.all([
    flipOnPool(pool, job, { signal, onItems: request.road ? undefined : onDone }),
    request.road ? flipOnPool(pool, { ...job, measure: 'road' }, { signal, onItems: onDone }) : undefined,
  ]);
  return flipped.map((c, n) => {
    const e = items[n].explanation;
    return {
      image: firstImage + e.image,
      method: items[n].method,
      target: e.target,
      ...(e.contrast === undefined ? {} : { contrast: e.contrast }),
      predicted: e.predicted,
      curves: c,
      ...flipScores(c),
      ...(road ? { road: { curves: road[n], ...flipScores(road[n]) } } : {}),
    };
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
    const road = mine.every((r) => r.road) && mine.length ? { road: summariseCurves(mine.map((r) => r.road!.curves)) } : {};
    return { method, ...summariseCurves(mine.map((r) => r.curves)), ...road };
  });
}
