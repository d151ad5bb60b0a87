// The host's one door to the engine: explain, predict, model info, evaluate, each cancelled through its
// AbortSignal (a queued job is dropped, a running one has its worker stopped). Behind it, one worker pool,
// started on first use, restarted when the number of workers asked for changes, stopped on dispose.
// Panels never see the pool. No `vscode` import: tests run it on real workers.
import { evaluateFaithfulness, flipOnPool, type FaithfulnessEvaluation, type FaithfulnessRequest } from '../engine/evaluate/faithfulness';
import { randomisationCheck, type RandomisationEvaluation, type RandomisationRequest } from '../engine/evaluate/randomisation';
import type { FlipCurves } from '../engine/evaluate/scores';
import { findReferenceSamples, type ReferenceSearchRequest } from '../engine/concepts/referenceSearch';
import { referenceViews, type ReferenceView } from '../engine/concepts/referenceViews';
import type { Dataset } from '../engine/data/datasetFile';
import { explainInParallel, predictInParallel } from '../engine/pool/parallelJobs';
import { sprayDataset, type SprayProgress, type SprayRequest } from '../engine/spray/sprayDataset';
import type { ConceptJob, ConceptResult, ReferenceSample, ReferenceSearch, SprayAnalysis } from '../protocol/concepts';
import { CancelledError, WorkerPool } from '../engine/pool/workerPool';
import type { ExplainJob, ExplainResult, ModelInfoResult, ModelRef, PixelFlipJob, PredictJob, PredictResult } from '../protocol/engineJobs';

export { CancelledError };

export interface RunOptions {
  /** Aborting it cancels the call. */
  signal?: AbortSignal;
  /** Told while a long job runs: units done of the total (SmoothGrad samples, integrated-gradients steps). */
  onProgress?: (done: number, total: number) => void;
}

export interface EngineServiceOptions {
  /** The bundled dist/worker.js and the folder of the tfjs .wasm files. */
  workerScript: string;
  wasmDir: string;
  /** How many workers to run, asked at every call (a settings change restarts the pool). */
  workers: () => number;
  backend?: 'wasm' | 'cpu';
}

export class EngineService {
  private pool: WorkerPool | undefined;

  constructor(private readonly options: EngineServiceOptions) {}

  /** Every image of the job with every method, the images split over the workers. */
  explain(job: ExplainJob, options: RunOptions = {}): Promise<ExplainResult> {
    return explainInParallel(this.workerPool(), job, options.signal, options.onProgress);
  }

  /** Logits and probabilities of `job.count` images, in chunks of `chunkSize` spread over the workers. */
  predict(job: PredictJob, options: RunOptions & { chunkSize?: number } = {}): Promise<PredictResult> {
    return predictInParallel(this.workerPool(), job, options);
  }

  /** The model's card and node list; with `method`, the rule that method applies at each node. */
  modelInfo(model: ModelRef, options: RunOptions & { method?: string } = {}): Promise<ModelInfoResult> {
    return this.workerPool().run({ type: 'model-info', model, method: options.method }, options.signal);
  }

  /** Pixel-flipping faithfulness of the request's methods on its images (METHODS.md). */
  evaluate(request: FaithfulnessRequest, options: RunOptions = {}): Promise<FaithfulnessEvaluation> {
    return evaluateFaithfulness(this.workerPool(), request, options);
  }

  /** Pixel-flipping curves of maps that exist already (a comparison's), spread over the workers; progress
   *  counts the maps flipped. */
  flip(job: PixelFlipJob, options: RunOptions = {}): Promise<FlipCurves[]> {
    let done = 0;
    options.onProgress?.(0, job.items.length);
    return flipOnPool(this.workerPool(), job, { signal: options.signal, onItems: (n) => options.onProgress?.((done += n), job.items.length) });
  }

  /** The model randomisation check (re-explains with re-drawn weights); progress counts its explain jobs. */
  randomise(request: RandomisationRequest, options: RunOptions = {}): Promise<RandomisationEvaluation> {
    return randomisationCheck(this.workerPool(), request, options);
  }

  /** A node's channel relevances for each image, with the conditional heatmaps asked for (CRP). */
  concepts(job: ConceptJob, options: RunOptions = {}): Promise<ConceptResult> {
    return this.workerPool().run(job, options.signal);
  }

  /** Every channel's reference samples over a data set (RelMax); progress counts samples. */
  referenceSamples(dataset: Dataset, request: ReferenceSearchRequest, options: RunOptions = {}): Promise<ReferenceSearch> {
    return findReferenceSamples(this.workerPool(), dataset, request, options);
  }

  /** The reference samples of some channels as they are shown: crops of the input and of the conditional map. */
  referenceViews(
    dataset: Dataset,
    request: { model: ModelRef; method: string; layer: string },
    channels: Array<{ channel: number; references: ReferenceSample[] }>,
    options: RunOptions = {},
  ): Promise<ReferenceView[][]> {
    return referenceViews(this.workerPool(), dataset, request, channels, options.signal);
  }

  /** "Find strategies" (SpRAy) for one class of a data set. */
  strategies(dataset: Dataset, request: SprayRequest, options: { signal?: AbortSignal; onProgress?: (progress: SprayProgress) => void } = {}): Promise<SprayAnalysis> {
    return sprayDataset(this.workerPool(), dataset, request, options);
  }

  /** How many workers run (or will, at the next call). */
  get workers(): number {
    return this.workerPool().size;
  }

  /** "wasm-simd · 2 workers", once the workers run. */
  async describe(): Promise<string> {
    const pool = this.workerPool();
    const backend = await pool.backend();
    const name = backend.reason ? `${backend.name} (${backend.reason})` : backend.name;
    return `${name} · ${pool.size} worker${pool.size === 1 ? '' : 's'}`;
  }

  dispose(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    return pool?.dispose() ?? Promise.resolve();
  }

  private workerPool(): WorkerPool {
    const wanted = Math.max(1, this.options.workers());
    if (this.pool && this.pool.size !== wanted) {
      void this.pool.dispose();
      this.pool = undefined;
    }
    this.pool ??= new WorkerPool({ size: wanted, workerScript: this.options.workerScript, wasmDir: this.options.wasmDir, backend: this.options.backend });
    return this.pool;
  }
}
