// Predicts every sample of a data set on the engine's workers, chunk by chunk, without holding the whole
// file's pixels at once: a few "lanes" each read the next chunk from the Dataset and send it to the engine,
// so every worker always has a chunk ready while the host reads the next one. Results stream out per chunk.
// No `vscode` import: the measurement scripts and tests drive it from plain Node.
import type { Dataset } from '../../engine/data/datasetFile';
import type { JobPriority } from '../../engine/pool/jobPriority';
import type { ModelRef } from '../../protocol/engineJobs';
import { CancelledError, type EngineService } from '../engineService';
import { markUnpredicted, sampleStats, type SampleStats } from './predictionStats';

/**
 * Samples per worker job. Measured on 60,000 MNIST images with 2 workers: 250 was as fast as or faster
 * than 1,000 for both the MLP and the CNN, showed the first results 4× sooner (1.4 s instead of 5.5 s on
 * the CNN), and kept the workers' WASM heaps small (the CNN's activations for 1,000 images are ~100 MB per
 * layer; the process grew to 990 MB RSS with 1,000, 465 MB with 250).
 */
export const DEFAULT_PREDICT_CHUNK = 250;

/**
 * Samples per job for a model of this input: DEFAULT_PREDICT_CHUNK for MNIST's 28×28×1, fewer for larger
 * inputs so a job's batch holds about as many input values (250 × 784) whatever the image size: each
 * worker's WASM heap grows to the largest batch's activations and stays there, and a 32×32×3 model at
 * 250 samples per job took the extension host to 458 MB on the 50,000-sample CIFAR file (limit 500).
 */
export function predictChunkFor([h, w, c]: readonly number[]): number {
  return Math.max(16, Math.min(DEFAULT_PREDICT_CHUNK, Math.floor((DEFAULT_PREDICT_CHUNK * 784) / Math.max(1, h * w * c))));
}

export interface DatasetPredictions extends SampleStats {
  classes: number;
}

export interface PredictDatasetOptions {
  /** Samples per worker job (default DEFAULT_PREDICT_CHUNK). */
  chunkSize?: number;
  signal?: AbortSignal;
  /** Where the chunks stand in the engine's queue (a browser's predictions are background work). */
  priority?: JobPriority;
  /** The labels losses are computed against (the file's, mapped to the model's classes); default the file's. */
  labels?: Uint8Array | null;
  /** Set when the samples are not the model's input size: the workers resize them (see PredictJob). */
  sampleShape?: [number, number, number];
  /** After each chunk, in completion order (not necessarily file order). */
  onChunk?: (start: number, stats: SampleStats, done: number, total: number) => void;
}

export async function predictDataset(
  engine: Pick<EngineService, 'predict' | 'workers'>,
  dataset: Dataset,
  model: ModelRef,
  options: PredictDatasetOptions = {},
): Promise<DatasetPredictions> {
  const chunkSize = Math.max(1, options.chunkSize ?? DEFAULT_PREDICT_CHUNK);
  const { count } = dataset;
  const labels = options.labels === undefined ? dataset.labels : options.labels;
  const result: DatasetPredictions = {
    predicted: new Int32Array(count),
    confidence: new Float32Array(count),
    loss: labels ? new Float32Array(count) : null,
    classes: 0,
  };
  // One failing lane stops the others; the caller's signal stops them all.
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (options.signal?.aborted) stop.abort();

  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < count && !stop.signal.aborted) {
      const start = next;
      const n = Math.min(chunkSize, count - start);
      next += n;
      const pixels = await dataset.read(start, n);
      if (stop.signal.aborted) return;
      const scores = await engine.predict({ type: 'predict', model, pixels, count: n, ...(options.sampleShape ? { sampleShape: options.sampleShape } : {}) }, { chunkSize, signal: stop.signal, priority: options.priority });
      const stats = sampleStats(scores, n, labels, start);
      // A sample the reader could not decode (an image folder's damaged file, read as black) has no prediction.
      for (let i = 0; i < n; i++) if (dataset.unreadable.has(start + i)) markUnpredicted(stats, i);
      result.classes = scores.classes;
      result.predicted.set(stats.predicted, start);
      result.confidence.set(stats.confidence, start);
      if (result.loss && stats.loss) result.loss.set(stats.loss, start);
      done += n;
      options.onChunk?.(start, stats, done, count);
    }
  };
  // One lane more than workers, so a worker finishing a chunk finds the next one already queued.
  const lanes = Array.from({ length: Math.min(engine.workers + 1, Math.ceil(count / chunkSize)) }, () =>
    lane().catch((e: unknown) => {
      stop.abort();
      throw e;
    }),
  );
  try {
    const settled = await Promise.allSettled(lanes);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw firstRealError(settled) ?? failed.reason;
    if (stop.signal.aborted) throw new CancelledError(); // stopped between chunks: no lane saw the cancel
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
  return result;
}

/** When one lane fails, the others end "cancelled": report the failure that caused it, not a cancel. */
function firstRealError(settled: PromiseSettledResult<void>[]): unknown {
  for (const s of settled) {
    if (s.status === 'rejected' && !(s.reason instanceof Error && s.reason.name === 'CancelledError')) return s.reason;
  }
  return undefined;
}
