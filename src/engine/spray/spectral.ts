// Spectral clustering's graph part (von Luxburg, "A tutorial on spectral clustering", 2007; SpRAy as in
// Lapuschkin et al. 2019 and CoRelAy): a symmetric k-nearest-neighbour graph of the samples, its normalised
// Laplacian, the eigenvalues and eigenvectors (ml-matrix's symmetric eigen-decomposition), the cluster count
// from the largest eigengap, and the spectral embedding k-means then clusters.
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { smallestEigenpairs, sparseLaplacian } from './smallestEigenpairs';

/** Up to this many samples the dense decomposition is fast (tens of ms); above, the sparse one runs. */
export const DENSE_EIGEN_LIMIT = 300;

/**
 * A_ij = 1 when j is among the k nearest samples of i (Euclidean, i itself excluded, the lower index first on
 * equal distances) or i among those of j; 0 otherwise. `features` is n × d, row-major.
 */
export function knnAdjacency(features: ArrayLike<number>, n: number, d: number, k: number): Uint8Array {
  const adjacency = new Uint8Array(n * n);
  // The k nearest so far, ascending by (distance, index): an insertion list (k is small).
  const nearest = new Int32Array(k);
  const nearestDistance = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    let found = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      for (let q = 0; q < d; q++) {
        const diff = features[i * d + q] - features[j * d + q];
        s += diff * diff;
      }
      // j comes after every earlier index: on an equal distance it goes behind them.
      if (found === k && s >= nearestDistance[k - 1]) continue;
      let at = found < k ? found++ : k - 1;
      while (at > 0 && nearestDistance[at - 1] > s) {
        nearest[at] = nearest[at - 1];
        nearestDistance[at] = nearestDistance[at - 1];
        at--;
      }
      nearest[at] = j;
      nearestDistance[at] = s;
    }
    for (let m = 0; m < found; m++) adjacency[i * n + nearest[m]] = adjacency[nearest[m] * n + i] = 1;
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
  /** Eigenvalues, ascending (all of them, or the smallest asked for). */
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

/**
 * The `count` smallest eigenvalues of the graph's normalised Laplacian (ascending) with their eigenvectors:
 * dense (ml-matrix) for small graphs, else Chebyshev-filtered subspace iteration (smallestEigenpairs.ts),
 * the dense one again if that did not converge. `method` forces one (tests).
 */
export function laplacianSpectrum(adjacency: Uint8Array, n: number, count: number, method?: 'dense' | 'sparse'): Spectrum {
  const wanted = Math.min(n, count);
  if (method !== 'dense' && (method === 'sparse' || n > DENSE_EIGEN_LIMIT)) {
    const found = smallestEigenpairs(sparseLaplacian(adjacency, n), wanted);
    if (found) return found;
  }
  const all = spectrum(normalisedLaplacian(adjacency, n));
  return { values: all.values.slice(0, wanted), vectors: all.vectors.subMatrix(0, n - 1, 0, wanted - 1) };
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
