// Spectral clustering's graph part (von Luxburg, "A tutorial on spectral clustering", 2007; SpRAy as in
// Lapuschkin et al. 2019 and CoRelAy): a symmetric k-nearest-neighbour graph of the samples, its normalised
// Laplacian, the eigenvalues and eigenvectors (ml-matrix's symmetric eigen-decomposition), the cluster count
// from the largest eigengap, and the spectral embedding k-means then clusters.
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/**
 * A_ij = 1 when j is among the k nearest samples of i (Euclidean, i itself excluded, the lower index first on
 * equal distances) or i among those of j; 0 otherwise. `features` is n × d, row-major.
 */
export function knnAdjacency(features: ArrayLike<number>, n: number, d: number, k: number): Uint8Array {
  const adjacency = new Uint8Array(n * n);
  const distance = new Float64Array(n);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let q = 0; q < d; q++) {
        const diff = features[i * d + q] - features[j * d + q];
        s += diff * diff;
      }
      distance[j] = s;
      order[j] = j;
    }
    const sorted = Array.from(order).filter((j) => j !== i).sort((a, b) => distance[a] - distance[b] || a - b);
    for (const j of sorted.slice(0, k)) adjacency[i * n + j] = adjacency[j * n + i] = 1;
  }
  return adjacency;
}

/** L = I − D^(−1/2) A D^(−1/2), D the degrees (a sample without neighbours keeps L_ii = 1). */
export function normalisedLaplacian(adjacency: Uint8Array, n: number): Matrix {
  const scale = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let degree = 0;
    for (let j = 0; j < n; j++) degree += adjacency[i * n + j];
    scale[i] = degree > 0 ? 1 / Math.sqrt(degree) : 0;
  }
  const laplacian = new Matrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) laplacian.set(i, j, (i === j ? 1 : 0) - adjacency[i * n + j] * scale[i] * scale[j]);
  }
  return laplacian;
}

export interface Spectrum {
  /** All eigenvalues, ascending. */
  values: number[];
  /** The eigenvector of values[m] is column m. */
  vectors: Matrix;
}

export function spectrum(symmetric: Matrix): Spectrum {
  const evd = new EigenvalueDecomposition(symmetric, { assumeSymmetric: true });
  const raw = evd.realEigenvalues;
  const order = raw.map((_, m) => m).sort((a, b) => raw[a] - raw[b] || a - b);
  const vectors = evd.eigenvectorMatrix;
  const sorted = new Matrix(vectors.rows, order.length);
  order.forEach((m, col) => sorted.setColumn(col, vectors.getColumn(m)));
  return { values: order.map((m) => raw[m]), vectors: sorted };
}

/** k* = the k in 1 … min(maxClusters, n − 1) with the largest λ_(k+1) − λ_k (eigenvalues ascending, λ_1 the
 *  first; the smallest k on equal gaps). */
export function eigengap(values: readonly number[], maxClusters: number): number {
  const last = Math.min(maxClusters, values.length - 1);
  let best = 1;
  for (let k = 2; k <= last; k++) if (values[k] - values[k - 1] > values[best] - values[best - 1]) best = k;
  return best;
}

/** The rows of the first k eigenvectors, each scaled to unit length (Ng, Jordan and Weiss 2001); a zero
 *  row stays zero. */
export function spectralEmbedding(vectors: Matrix, k: number): number[][] {
  return Array.from({ length: vectors.rows }, (_, i) => {
    const row = Array.from({ length: k }, (_, m) => vectors.get(i, m));
    const norm = Math.hypot(...row);
    return norm > 0 ? row.map((v) => v / norm) : row;
  });
}
