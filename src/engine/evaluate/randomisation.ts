// The model randomisation check on the worker pool (Adebayo et al. 2018, cascading): the maps of the
// trained model, then at step s = 0 … L the maps of the model whose top s Dense/Conv layers are re-drawn
// (randomiseWeights.ts), each compared with the original by Spearman's ρ, of R and of |R|. Step 0
// re-draws nothing and must give ρ = 1: the maps are recomputed, not copied. The class explained at every
// step is the original model's target (its predicted class unless one is given), so the same logit is
// followed as the model is destroyed. A method whose ρ stays high explains the image, not the model.
import { parseMethodSpec } from '../methods/methodRegistry';
import type { JobRunner } from '../pool/workerPool';
import type { BackendInfo, ModelCard } from '../../protocol/model';
import type { ExplainJob, ExplainResult, ImageSource, ModelRef, PreparedImage } from '../../protocol/engineJobs';
import type { PreprocessMode } from '../../protocol/preprocess';
import { forEachConcurrently, splitIntoChunks, withLinkedSignal, type EvaluateOptions } from './scheduling';
import { spearman } from './spearman';

export interface RandomisationRequest {
  model: ModelRef;
  images: ImageSource[];
  /** Method specs as the user wrote them. */
  methods: string[];
  /** Per image, the class to explain; null or missing means the original model's predicted class. */
  targets?: Array<number | null>;
  preprocess: PreprocessMode;
  /** Seed of the re-drawn weights (default 0). */
  seed?: number;
}

export interface RandomisationStep {
  /** How many Dense/Conv layers are re-drawn, from the top. */
  layers: number;
  /** The layer this step adds (null at step 0). */
  layer: string | null;
}

export interface RandomisationResult {
  image: number;
  method: string;
  target: number;
  /** Per step, ρ(R, R_s); NaN where a map is constant. */
  spearman: number[];
  /** Per step, ρ(|R|, |R_s|). */
  spearmanAbs: number[];
}

export interface RandomisationSummary {
  method: string;
  images: number;
  /** Per step, the mean over images of ρ (NaNs left out). */
  spearman: number[];
  spearmanAbs: number[];
}

export interface RandomisationEvaluation {
  backend: BackendInfo;
  card: ModelCard;
  seed: number;
  steps: RandomisationStep[];
  images: PreparedImage[];
  /** Image-major, then method in request order. */
  results: RandomisationResult[];
  summary: RandomisationSummary[];
}

const IMAGES_PER_CHUNK = 8;

export async function randomisationCheck(pool: JobRunner, request: RandomisationRequest, options: EvaluateOptions = {}): Promise<RandomisationEvaluation> {
  const seed = request.seed ?? 0;
  request.methods.forEach(parseMethodSpec);
  const chunks = splitIntoChunks(request.images.length, IMAGES_PER_CHUNK);
  const job = (start: number, end: number, targets: ExplainJob['targets'], layers?: number): ExplainJob => ({
    type: 'explain',
    model: request.model,
    images: request.images.slice(start, end),
    methods: request.methods,
    targets,
    preprocess: request.preprocess,
    ...(layers === undefined ? {} : { randomise: { layers, seed } }),
  });

  const info = await pool.run({ type: 'model-info', model: request.model }, options.signal);
  const steps: RandomisationStep[] = [null, ...info.randomisable].map((layer, layers) => ({ layers, layer }));
  const total = chunks.length * (steps.length + 1);
  let done = 0;
  options.onProgress?.(done, total);

  return withLinkedSignal(options.signal, async (signal) => {
    // Per chunk: the trained model's maps (which fix the targets), those of every step, their ρ; the maps
    // are dropped with the chunk, so memory does not grow with the number of images.
    const parts = new Array<{ images: PreparedImage[]; results: RandomisationResult[] }>(chunks.length);
    await forEachConcurrently(chunks, pool.size, signal, async ([start, end], c) => {
      const given = request.targets?.slice(start, end).map((t) => (t === null || t === undefined ? null : [t]));
      const original = await pool.run(job(start, end, given), signal);
      options.onProgress?.(++done, total);
      const targets = original.images.map((image, i) => (image.error ? null : [explanationsOf(original, i, request.methods.length)[0].target]));
      const maps = await Promise.all(
        steps.map(async (_, s) => {
          const result = await pool.run(job(start, end, targets, s), signal);
          options.onProgress?.(++done, total);
          return result;
        }),
      );
      parts[c] = { images: original.images, results: correlations(original, maps, request.methods, start) };
    });
    const results = parts.flatMap((part) => part.results);
    return {
      backend: info.backend,
      card: info.card,
      seed,
      steps,
      images: parts.flatMap((part) => part.images),
      results,
      summary: request.methods.map((method, k) => summarise(method, results.filter((_, n) => n % request.methods.length === k), steps.length)),
    };
  });
}

/** ρ of R and of |R| between the trained maps of one chunk and those of every step; image-major. */
function correlations(original: ExplainResult, steps: ExplainResult[], methods: string[], firstImage: number): RandomisationResult[] {
  const results: RandomisationResult[] = [];
  original.images.forEach((image, i) => {
    if (image.error) return;
    const before = explanationsOf(original, i, methods.length);
    methods.forEach((method, k) => {
      const after = steps.map((step) => explanationsOf(step, i, methods.length)[k].relevance);
      const absBefore = before[k].relevance.map(Math.abs);
      results.push({
        image: firstImage + i,
        method,
        target: before[k].target,
        spearman: after.map((r) => spearman(before[k].relevance, r)),
        spearmanAbs: after.map((r) => spearman(absBefore, r.map(Math.abs))),
      });
    });
  });
  return results;
}

/** The explanations of readable image i of an explain result (image-major, one target each). */
function explanationsOf(result: ExplainResult, i: number, methods: number) {
  const readable = result.images.slice(0, i).filter((image) => !image.error).length;
  return result.explanations.slice(readable * methods, (readable + 1) * methods);
}

function summarise(method: string, mine: RandomisationResult[], steps: number): RandomisationSummary {
  const mean = (key: 'spearman' | 'spearmanAbs', s: number) => {
    const values = mine.map((r) => r[key][s]).filter(Number.isFinite);
    return values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
  };
  return {
    method,
    images: mine.length,
    spearman: Array.from({ length: steps }, (_, s) => mean('spearman', s)),
    spearmanAbs: Array.from({ length: steps }, (_, s) => mean('spearmanAbs', s)),
  };
}
