// The 2-D picture of the samples for the scatter plot: UMAP (umap-js, McInnes et al. 2018) of the pooled
// heatmaps, seeded so a rerun draws the same picture; with too few samples for UMAP's neighbourhoods, the
// spectral coordinates (the 2nd and 3rd eigenvectors of the normalised Laplacian) instead.
import { UMAP } from 'umap-js';
import type { Matrix } from 'ml-matrix';
import { mulberry32 } from '../seededRandom';

/** UMAP's neighbourhood size; it needs more samples than this. */
export const UMAP_NEIGHBOURS = 15;
/** Optimisation epochs (umap-js's default is 500 below 10,000 samples: 2.5× the time for a picture that
 *  looks the same at this size). */
export const UMAP_EPOCHS = 200;

export function displayEmbedding(points: number[][], vectors: Matrix, seed: number): { embedding: Float32Array; method: 'umap' | 'spectral' } {
  const n = points.length;
  const embedding = new Float32Array(n * 2);
  if (n > UMAP_NEIGHBOURS + 1) {
    const umap = new UMAP({ nComponents: 2, nNeighbors: UMAP_NEIGHBOURS, minDist: 0.1, nEpochs: UMAP_EPOCHS, random: mulberry32(seed) });
    umap.fit(points).forEach(([x, y], i) => embedding.set([x, y], i * 2));
    return { embedding, method: 'umap' };
  }
  for (let i = 0; i < n; i++) embedding.set([vectors.columns > 1 ? vectors.get(i, 1) : 0, vectors.columns > 2 ? vectors.get(i, 2) : 0], i * 2);
  return { embedding, method: 'spectral' };
}
