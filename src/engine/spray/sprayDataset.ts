// "Find strategies" (SpRAy, Lapuschkin et al. 2019) for one class of a data set: the heatmaps of the
// class's samples for that class (explain jobs in chunks on every worker; each map is kept only as its
// pooled features and a normalised copy for the clusters' means), then one `spray` job (sprayJob.ts) for the
// graph, the eigengap, k-means and the 2-D picture, then per cluster its size, mean heatmap and prototypes.
import type { Dataset } from '../data/datasetFile';
import { UserError } from '../errors';
import { sampleSources } from '../data/sampleSources';
import { forEachConcurrently, splitIntoChunks, withLinkedSignal } from '../evaluate/scheduling';
import type { WorkerPool } from '../pool/workerPool';
import type { SprayAnalysis, SprayCluster, SprayOptions, SprayResult } from '../../protocol/concepts';
import type { ModelRef } from '../../protocol/engineJobs';
import { gridFor, pooledFeatures } from './features';
import { MAX_SPRAY_SAMPLES } from './sprayJob';

/** Samples per explain job. */
const HEATMAPS_PER_JOB = 64;
/** Prototypes listed per cluster. */
export const PROTOTYPES = 8;

export interface SprayRequest {
  model: ModelRef;
  /** For the JSON: how the user named the model. */
  modelName: string;
  method: string;
  target: number;
  targetName: string;
  /** The class's samples (data set indices, any order); more than MAX_SPRAY_SAMPLES are thinned evenly. */
  samples: number[];
  selectedBy: 'label' | 'predicted';
  options?: SprayOptions;
}

export interface SprayProgress {
  /** 'heatmaps': explain jobs, done/total samples; 'analysis': the spray job (0/1, then 1/1). */
  stage: 'heatmaps' | 'analysis';
  done: number;
  total: number;
}

/** At most `max` of the indices, evenly spread (first and last kept), in file order. */
export function thinEvenly(indices: number[], max = MAX_SPRAY_SAMPLES): number[] {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  if (sorted.length <= max) return sorted;
  return Array.from({ length: max }, (_, k) => sorted[Math.round((k * (sorted.length - 1)) / (max - 1))]);
}

export async function sprayDataset(
  pool: Pick<WorkerPool, 'run' | 'size'>,
  dataset: Dataset,
  request: SprayRequest,
  options: { signal?: AbortSignal; onProgress?: (progress: SprayProgress) => void } = {},
): Promise<SprayAnalysis> {
  const asked = thinEvenly(request.samples);
  const n = asked.length;
  const started = performance.now();
  let shape: [number, number] | undefined;
  let grid: [number, number] = [1, 1];
  let features = new Float32Array(0);
  let maps = new Float32Array(0);
  /** Which rows got a heatmap (an image-folder sample may be unreadable: it is left out). */
  const explained = new Uint8Array(n);
  let done = 0;
  options.onProgress?.({ stage: 'heatmaps', done: 0, total: n });
  await withLinkedSignal(options.signal, (signal) =>
    forEachConcurrently(splitIntoChunks(n, HEATMAPS_PER_JOB), pool.size + 1, signal, async ([start, end]) => {
      const images = await sampleSources(dataset, asked.slice(start, end));
      const result = await pool.run(
        { type: 'explain', model: request.model, images, methods: [request.method], targets: images.map(() => [request.target]), preprocess: 'none' },
        signal,
      );
      for (const e of result.explanations) {
        if (!shape) {
          shape = e.shape;
          grid = gridFor(shape);
          features = new Float32Array(n * grid[0] * grid[1]);
          maps = new Float32Array(n * shape[0] * shape[1]);
        }
        const row = start + e.image;
        explained[row] = 1;
        pooledFeatures(e.relevance, shape, grid, features.subarray(row * grid[0] * grid[1], (row + 1) * grid[0] * grid[1]));
        normalisedInto(e.relevance, maps.subarray(row * shape[0] * shape[1], (row + 1) * shape[0] * shape[1]));
      }
      done += end - start;
      options.onProgress?.({ stage: 'heatmaps', done, total: n });
    }),
  );
  const heatmapMs = performance.now() - started;
  const rows = asked.flatMap((_, i) => (explained[i] ? [i] : []));
  if (rows.length < 2) throw new UserError(`SpRAy needs at least 2 samples of class ${request.targetName} that can be read; found ${rows.length}`);
  const dims = grid[0] * grid[1];
  const pixels = shape ? shape[0] * shape[1] : 0;
  const samples = rows.map((i) => asked[i]);
  if (rows.length < n) {
    features = compact(features, rows, dims);
    maps = compact(maps, rows, pixels);
  }
  options.onProgress?.({ stage: 'analysis', done: 0, total: 1 });
  const result = await pool.run({ type: 'spray', features, count: rows.length, dims, options: request.options }, options.signal);
  options.onProgress?.({ stage: 'analysis', done: 1, total: 1 });
  const [h, w] = shape ?? [0, 0];
  return {
    model: request.modelName,
    method: request.method,
    target: request.target,
    targetName: request.targetName,
    selectedBy: request.selectedBy,
    samples,
    grid,
    heatmapShape: [h, w],
    eigenvalues: result.eigenvalues,
    clusterCount: result.clusters,
    labels: result.labels,
    embedding: result.embedding,
    embeddingMethod: result.embeddingMethod,
    clusters: clustersOf(result, samples, features, dims, maps, pixels),
    ms: { heatmaps: heatmapMs, analysis: performance.now() - started - heatmapMs },
  };
}

/**
 * Per cluster: size, its prototypes (the members whose pooled features are nearest the cluster's mean
 * features, Euclidean, the lower index first on ties: meaningful whatever the cluster count, where the
 * spectral embedding of a single cluster is one point) and the mean of its members' normalised maps.
 */
function clustersOf(result: SprayResult, samples: number[], features: Float32Array, dims: number, maps: Float32Array, pixels: number): SprayCluster[] {
  return Array.from({ length: result.clusters }, (_, id) => {
    const members = samples.flatMap((_, i) => (result.labels[i] === id ? [i] : []));
    const row = (i: number) => features.subarray(i * dims, (i + 1) * dims);
    const centre = new Float64Array(dims);
    for (const i of members) row(i).forEach((v, q) => (centre[q] += v / members.length));
    const distance = (i: number) => row(i).reduce((s, v, q) => s + (v - centre[q]) ** 2, 0);
    const nearest = members
      .map((i) => ({ i, d: distance(i) }))
      .sort((a, b) => a.d - b.d || a.i - b.i)
      .slice(0, PROTOTYPES)
      .map(({ i }) => samples[i]);
    const mean = new Float32Array(pixels);
    const sum = new Float64Array(pixels);
    for (const i of members) for (let p = 0; p < pixels; p++) sum[p] += maps[i * pixels + p];
    for (let p = 0; p < pixels; p++) mean[p] = members.length ? sum[p] / members.length : 0;
    return { id, size: members.length, prototypes: nearest, meanHeatmap: mean };
  });
}

/** The rows `rows` of a row-major array of rows of `size`. */
function compact(values: Float32Array, rows: number[], size: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(rows.length * size);
  rows.forEach((r, k) => out.set(values.subarray(r * size, (r + 1) * size), k * size));
  return out;
}

/** The map divided by its Σ|R| (an all-zero map stays zero), so every sample weighs the same in a mean. */
function normalisedInto(map: Float32Array, out: Float32Array): void {
  let total = 0;
  for (let i = 0; i < map.length; i++) total += Math.abs(map[i]);
  for (let i = 0; i < map.length; i++) out[i] = total > 0 ? map[i] / total : 0;
}
