// k-means on the spectral embedding (ml-kmeans: Lloyd's iterations from k-means++ starts): several runs from
// seeded starts, the lowest inertia kept, clusters renumbered by size so that results read the same way
// whatever the starts numbered them.
import { kmeans } from 'ml-kmeans';

export interface Clustering {
  /** Per point, its cluster: 0 the largest, then by size (the cluster with the lower first member first). */
  labels: number[];
  centres: number[][];
  /** Σ of squared distances from each point to its cluster's centre. */
  inertia: number;
}

export const MAX_KMEANS_ITERATIONS = 300;

/** The best of `restarts` k-means runs (k-means++ starts seeded seed, seed + 1, …), ties to the first. */
export function clusterPoints(points: number[][], k: number, restarts: number, seed: number): Clustering {
  if (k <= 1 || points.length <= 1) return renumbered(points, points.map(() => 0));
  let best: Clustering | undefined;
  for (let r = 0; r < Math.max(1, restarts); r++) {
    const result = kmeans(points, k, { initialization: 'kmeans++', seed: seed + r, maxIterations: MAX_KMEANS_ITERATIONS });
    const run = renumbered(points, result.clusters);
    if (!best || run.inertia < best.inertia) best = run;
  }
  return best!;
}

/** Labels renumbered by cluster size (largest first; equal sizes by first member), with centres and inertia. */
export function renumbered(points: number[][], labels: number[]): Clustering {
  const ids = [...new Set(labels)];
  const size = (id: number) => labels.filter((l) => l === id).length;
  ids.sort((a, b) => size(b) - size(a) || labels.indexOf(a) - labels.indexOf(b));
  const next = labels.map((l) => ids.indexOf(l));
  const dims = points[0]?.length ?? 0;
  const centres = ids.map((_, c) => {
    const members = points.filter((_, i) => next[i] === c);
    return Array.from({ length: dims }, (_, q) => members.reduce((s, p) => s + p[q], 0) / members.length);
  });
  let inertia = 0;
  points.forEach((p, i) => p.forEach((v, q) => (inertia += (v - centres[next[i]][q]) ** 2)));
  return { labels: next, centres, inertia };
}
