// Reference samples of every channel of one node over a whole data set (RelMax): the data set is read in
// chunks, each chunk one `concepts` job (channel relevances for each sample's predicted class, no maps, no
// pixels back), a few chunks in flight so every worker stays busy; only the best few samples per channel are
// kept (relMax.ts), so memory does not grow with the data set. Cancellable; progress counts samples.
import type { Dataset } from '../data/datasetFile';
import { sampleSources } from '../data/sampleSources';
import { forEachConcurrently, splitIntoChunks, withLinkedSignal } from '../evaluate/scheduling';
import type { WorkerPool } from '../pool/workerPool';
import type { ConceptLayer, ReferenceSearch } from '../../protocol/concepts';
import type { ModelRef } from '../../protocol/engineJobs';
import { RelMax } from './relMax';

/** Reference samples kept per channel by default. */
export const DEFAULT_REFERENCES = 8;

export interface ReferenceSearchRequest {
  model: ModelRef;
  method: string;
  layer: string;
  /** Kept per channel (default DEFAULT_REFERENCES). */
  size?: number;
  /** Samples per job (default: as predictions, 250 of MNIST size, fewer for larger inputs). */
  chunkSize?: number;
  /** Search only these samples (default all). */
  indices?: number[];
}

export interface SearchOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** Samples per job: as many input values as 250 MNIST digits (the dataset browser's prediction chunks). */
export function referenceChunkFor([h, w, c]: readonly number[]): number {
  return Math.max(16, Math.min(250, Math.floor((250 * 784) / Math.max(1, h * w * c))));
}

export async function findReferenceSamples(
  pool: Pick<WorkerPool, 'run' | 'size'>,
  dataset: Dataset,
  request: ReferenceSearchRequest,
  options: SearchOptions = {},
): Promise<ReferenceSearch> {
  const started = performance.now();
  const indices = request.indices ?? Array.from({ length: dataset.count }, (_, i) => i);
  const size = request.size ?? DEFAULT_REFERENCES;
  const chunk = request.chunkSize ?? referenceChunkFor([dataset.height, dataset.width, dataset.channels]);
  const chunks = splitIntoChunks(indices.length, chunk);
  let keeper: RelMax | undefined;
  let layer: ConceptLayer | undefined;
  let done = 0;
  options.onProgress?.(0, indices.length);
  await withLinkedSignal(options.signal, (signal) =>
    forEachConcurrently(chunks, pool.size + 1, signal, async ([start, end]) => {
      const part = indices.slice(start, end);
      const images = await sampleSources(dataset, part);
      const result = await pool.run(
        { type: 'concepts', model: request.model, images, method: request.method, layer: request.layer, preprocess: 'none', pixels: false },
        signal,
      );
      layer ??= result.layer;
      keeper ??= new RelMax(result.layer.channels, size);
      for (const item of result.items) keeper.add(part[item.image], item);
      done += part.length;
      options.onProgress?.(done, indices.length);
    }),
  );
  if (!layer || !keeper) {
    // An empty data set: ask for the node alone, so the answer still names it.
    const result = await pool.run({ type: 'concepts', model: request.model, images: [], method: request.method, layer: request.layer, preprocess: 'none' }, options.signal);
    layer = result.layer;
    keeper = new RelMax(layer.channels, size);
  }
  const found = keeper;
  return {
    layer,
    method: request.method,
    searched: indices.length,
    size,
    channels: Array.from({ length: layer.channels }, (_, c) => found.top(c)),
    ms: performance.now() - started,
  };
}
