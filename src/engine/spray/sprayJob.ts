// The `spray` engine job: SpRAy's numerics on the pooled heatmaps of one class (features.ts made them):
// k-nearest-neighbour graph → normalised Laplacian → eigengap → k-means on the spectral embedding, and the
// 2-D embedding for display. Plain JavaScript over maintained libraries (ml-matrix, ml-kmeans, umap-js),
// in a worker so the host stays responsive.
import { UserError } from '../errors';
import type { SprayJob, SprayOptions, SprayResult } from '../../protocol/concepts';
import { clusterPoints } from './clustering';
import { displayEmbedding } from './embedding2d';
import { eigengap, knnAdjacency, laplacianSpectrum, spectralEmbedding } from './spectral';

export const SPRAY_DEFAULTS: Required<SprayOptions> = { neighbours: 10, maxClusters: 8, restarts: 10, seed: 0 };
/** Eigenvalues reported for the spectrum plot at least (when there are that many). */
const PLOTTED_EIGENVALUES = 12;
/** The kNN graph is n² distances and n² bytes: beyond this many samples a class is thinned evenly
 *  (sprayDataset.ts). */
export const MAX_SPRAY_SAMPLES = 4000;

export function runSpray(job: SprayJob): SprayResult {
  const { count: n, dims: d, features } = job;
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 2 || d < 1 || features.length !== n * d) {
    throw new UserError(`SpRAy needs at least 2 heatmaps of one size (got ${n} × ${d} features, ${features.length} values)`);
  }
  if (n > MAX_SPRAY_SAMPLES) throw new UserError(`SpRAy takes at most ${MAX_SPRAY_SAMPLES} heatmaps at once (got ${n})`);
  const options = { ...SPRAY_DEFAULTS, ...job.options };
  const k = Math.max(1, Math.min(options.neighbours, n - 1));
  const adjacency = knnAdjacency(features, n, d, k);
  const wanted = Math.max(PLOTTED_EIGENVALUES, options.maxClusters + 1);
  const { values, vectors } = laplacianSpectrum(adjacency, n, wanted);
  const clusters = eigengap(values, options.maxClusters);
  const spectral = spectralEmbedding(vectors, clusters);
  const best = clusterPoints(spectral, clusters, options.restarts, options.seed);
  const points = Array.from({ length: n }, (_, i) => Array.from(features.subarray(i * d, (i + 1) * d)));
  const { embedding, method } = displayEmbedding(points, vectors, options.seed);
  return {
    eigenvalues: values,
    clusters,
    labels: Int32Array.from(best.labels),
    spectral: Float32Array.from(spectral.flat()),
    inertia: best.inertia,
    embedding,
    embeddingMethod: method,
  };
}
