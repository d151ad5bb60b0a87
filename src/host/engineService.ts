// The host's one door to the engine: explain, predict, model info, evaluate, each cancelled through its
// AbortSignal (a queued job is dropped, a running one stops in its worker at its next node) and ranked by
// its priority (the pool's one queue: the visible panel's current request first, background work last and
// paused while anything else runs). Behind it, one worker pool, started on first use, restarted when the
// number of workers or threads asked for changes, stopped on dispose. Panels never see the pool. No `vscode` import:
// tests run it on real workers.
import { evaluateFaithfulness, flipOnPool, type FaithfulnessEvaluation, type FaithfulnessRequest } from '../engine/evaluate/faithfulness';
import { randomisationCheck, type RandomisationEvaluation, type RandomisationRequest } from '../engine/evaluate/randomisation';
import type { FlipCurves } from '../engine/evaluate/scores';
import { findReferenceSamples, type ReferenceSearchRequest } from '../engine/concepts/referenceSearch';
import { referenceViews, type ReferenceView } from '../engine/concepts/referenceViews';
import type { Dataset } from '../engine/data/datasetFile';
import { explainInParallel, predictInParallel } from '../engine/pool/parallelJobs';
import { poolShape } from '../engine/pool/poolShape';
import type { JobPriority } from '../engine/pool/jobPriority';
import { CancelledError, WorkerPool, type JobRunner } from '../engine/pool/workerPool';
import { sprayDataset, type SprayProgress, type SprayRequest } from '../engine/spray/sprayDataset';
import type { ConceptJob, ConceptResult, ReferenceSample, ReferenceSearch, SprayAnalysis } from '../protocol/concepts';
import type { ExplainJob, ExplainResult, ModelInfoResult, ModelRef, PixelFlipJob, PredictJob, PredictResult } from '../protocol/engineJobs';
import type { ModelLoadProgress } from '../protocol/model';

export { CancelledError };

export interface RunOptions {
  /** Aborting it cancels the call. */
  signal?: AbortSignal;
  /** Told while a long job runs: units done of the total (SmoothGrad samples, integrated-gradients steps). */
  onProgress?: (done: number, total: number) => void;
  /** Where the call's jobs stand in the queue (engine/pool/jobPriority.ts); default as a visible panel's. */
  priority?: JobPriority;
  /** Told while a job of the call waits for its model to load: bytes read, nodes built. */
  onModelLoad?: (progress: ModelLoadProgress) => void;
}

export interface EngineServiceOptions {
  /** The bundled dist/worker.js and the folder of the tfjs .wasm files. */
  workerScript: string;
  wasmDir: string;
  /** How many workers to run, and XNNPACK threads per worker (0 or none: automatic, poolShape.ts), asked at
   *  every call (a settings change restarts the pool). */
  workers: () => number;
  threads?: () => number;
  backend?: 'wasm' | 'cpu';
}

export class EngineService {
  private pool: WorkerPool | undefined;
  private stopListening: (() => void) | undefined;
  private readonly foregroundListeners = new Set<(owner: string | undefined) => void>();

  constructor(private readonly options: EngineServiceOptions) {}

  /** Every image of the job with every method, the images split over the workers. */
  explain(job: ExplainJob, options: RunOptions = {}): Promise<ExplainResult> {
    return explainInParallel(this.runner(options), job, options.signal, options.onProgress);
  }

  /** Logits and probabilities of `job.count` images, in chunks of `chunkSize` spread over the workers. */
  predict(job: PredictJob, options: RunOptions & { chunkSize?: number } = {}): Promise<PredictResult> {
    return predictInParallel(this.runner(options), job, options);
  }

  /** The model's card and node list; with `method`, the rule that method applies at each node. */
  modelInfo(model: ModelRef, options: RunOptions & { method?: string; recheck?: boolean } = {}): Promise<ModelInfoResult> {
    return this.runner(options).run({ type: 'model-info', model, method: options.method, recheck: options.recheck }, options.signal);
  }

  /** Pixel-flipping faithfulness of the request's methods on its images (METHODS.md). */
  evaluate(request: FaithfulnessRequest, options: RunOptions = {}): Promise<FaithfulnessEvaluation> {
    return evaluateFaithfulness(this.runner(options), request, options);
  }

  /** Pixel-flipping curves of maps that exist already (a comparison's), spread over the workers; progress
   *  counts the maps flipped. */
  flip(job: PixelFlipJob, options: RunOptions = {}): Promise<FlipCurves[]> {
    let done = 0;
    options.onProgress?.(0, job.items.length);
    return flipOnPool(this.runner(options), job, { signal: options.signal, onItems: (n) => options.onProgress?.((done += n), job.items.length) });
  }

  /** The model randomisation check (re-explains with re-drawn weights); progress counts its explain jobs. */
  randomise(request: RandomisationRequest, options: RunOptions = {}): Promise<RandomisationEvaluation> {
    return randomisationCheck(this.runner(options), request, options);
  }

  /**
   * Tells `listener` who holds the workers while background work waits ("the explain panel"; '' when the
   * work names no owner), and undefined when background work may run again: now, and at every change.
   * Returns its disposer.
   */
  onForegroundChange(listener: (owner: string | undefined) => void): () => void {
    this.foregroundListeners.add(listener);
    listener(this.pool?.foreground());
    return () => this.foregroundListeners.delete(listener);
  }

  /** A node's channel relevances for each image, with the conditional heatmaps asked for (CRP). */
  concepts(job: ConceptJob, options: RunOptions = {}): Promise<ConceptResult> {
    return this.runner(options).run(job, options.signal);
  }

  /** Every channel's reference samples over a data set (RelMax); progress counts samples. */
  referenceSamples(dataset: Dataset, request: ReferenceSearchRequest, options: RunOptions = {}): Promise<ReferenceSearch> {
    return findReferenceSamples(this.runner(options), dataset, request, options);
  }

  /** The reference samples of some channels as they are shown: crops of the input and of the conditional map. */
  referenceViews(
    dataset: Dataset,
    request: { model: ModelRef; method: string; layer: string },
    channels: Array<{ channel: number; references: ReferenceSample[] }>,
    options: RunOptions = {},
  ): Promise<ReferenceView[][]> {
    return referenceViews(this.runner(options), dataset, request, channels, options.signal);
  }

  /** "Find strategies" (SpRAy) for one class of a data set. */
  strategies(dataset: Dataset, request: SprayRequest, options: Omit<RunOptions, 'onProgress'> & { onProgress?: (progress: SprayProgress) => void } = {}): Promise<SprayAnalysis> {
    return sprayDataset(this.runner({ priority: options.priority, onModelLoad: options.onModelLoad }), dataset, request, options);
  }

  /** How many workers run (or will, at the next call). */
  get workers(): number {
    return this.workerPool().size;
  }

  /** "wasm-simd · 2 threads · 1 worker", once the workers run. */
  async describe(): Promise<string> {
    const pool = this.workerPool();
    const backend = await pool.backend();
    const name = backend.reason ? `${backend.name} (${backend.reason})` : backend.name;
    const threads = backend.threads ?? 1;
    return `${name} · ${threads} thread${threads === 1 ? '' : 's'} · ${pool.size} worker${pool.size === 1 ? '' : 's'}`;
  }

  dispose(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    this.stopListening?.();
    return pool?.dispose() ?? Promise.resolve();
  }

  private runner(options: RunOptions): JobRunner {
    return this.workerPool().runner({ priority: options.priority, onModelLoad: options.onModelLoad });
  }

  private workerPool(): WorkerPool {
    const wanted = poolShape({ workers: this.options.workers(), threads: this.options.threads?.() });
    if (this.pool && (this.pool.size !== wanted.workers || this.pool.threadsPerWorker !== wanted.threads)) {
      this.stopListening?.();
      void this.pool.dispose();
      this.pool = undefined;
    }
    if (!this.pool) {
      this.pool = new WorkerPool({
        size: wanted.workers,
        threads: wanted.threads,
        workerScript: this.options.workerScript,
        wasmDir: this.options.wasmDir,
        backend: this.options.backend,
      });
      this.stopListening = this.pool.onForegroundChange((owner) => {
        for (const listener of this.foregroundListeners) listener(owner);
      });
    }
    return this.pool;
  }
}
