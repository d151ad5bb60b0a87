// The smallest eigenpairs of the normalised Laplacian of a k-nearest-neighbour graph, without the dense
// O(n³) decomposition: SpRAy needs only the first dozen, and the graph has ~k entries per row. Chebyshev-
// filtered subspace iteration (Zhou and Saad, "Self-consistent-field calculations using Chebyshev-filtered
// subspace iteration", J. Comput. Phys. 2006; Saad, "Numerical methods for large eigenvalue problems", 2nd
// ed., §7): a block of vectors is filtered by a Chebyshev polynomial in L that damps the unwanted part of the
// spectrum [cut, 2], orthonormalised, and Rayleigh–Ritz'ed (ml-matrix's symmetric eigen-decomposition of the
// small projected matrix) until every wanted Ritz pair's residual ‖L x − λ x‖ is below TOLERANCE. A block
// finds repeated eigenvalues (disconnected components give λ = 0 several times), which single-vector Lanczos
// would not. Written here because no maintained npm package has a sparse symmetric eigensolver; ml-matrix's
// dense one took 8–40 s for 1,000 samples on this machine (this: well under a second). When the iteration
// does not converge within its budget, the dense decomposition answers instead.
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { mulberry32 } from '../seededRandom';

/** Residual ‖L x − λ x‖ (L's norm is ≤ 2) at which a Ritz pair counts as converged. */
export const TOLERANCE = 1e-11;
/** Polynomial degree of each filter. */
const DEGREE = 12;
const MAX_OUTER = 300;

/** L = I − D^(−1/2) A D^(−1/2) as rows of neighbours and the scale D^(−1/2). */
export interface SparseLaplacian {
  n: number;
  /** CSR: the neighbours of i are columns[starts[i]] … columns[starts[i+1] − 1]. */
  starts: Int32Array;
  columns: Int32Array;
  scale: Float64Array;
}

export function sparseLaplacian(adjacency: Uint8Array, n: number): SparseLaplacian {
  const starts = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    let degree = 0;
    for (let j = 0; j < n; j++) degree += adjacency[i * n + j];
    starts[i + 1] = starts[i] + degree;
  }
  const columns = new Int32Array(starts[n]);
  const scale = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let at = starts[i];
    for (let j = 0; j < n; j++) if (adjacency[i * n + j]) columns[at++] = j;
    const degree = starts[i + 1] - starts[i];
    scale[i] = degree > 0 ? 1 / Math.sqrt(degree) : 0;
  }
  return { n, starts, columns, scale };
}

/** out = L x. */
function multiply(L: SparseLaplacian, x: Float64Array, out: Float64Array): void {
  for (let i = 0; i < L.n; i++) {
    let s = 0;
    for (let at = L.starts[i]; at < L.starts[i + 1]; at++) s += L.scale[L.columns[at]] * x[L.columns[at]];
    out[i] = x[i] - L.scale[i] * s;
  }
}

/**
 * The `count` smallest eigenvalues of L (ascending) and their eigenvectors (orthonormal columns), or null
 * when the iteration did not converge (the caller decomposes densely then).
 */
export function smallestEigenpairs(L: SparseLaplacian, count: number, seed = 0): { values: number[]; vectors: Matrix } | null {
  const { n } = L;
  const p = Math.min(n, count + Math.max(8, count));
  const random = mulberry32(seed + 1);
  let block: Float64Array[] = Array.from({ length: p }, () => Float64Array.from({ length: n }, () => random() - 0.5));
  orthonormalise(block);
  const work = new Float64Array(n);
  let cut = 2;
  for (let outer = 0; outer < MAX_OUTER; outer++) {
    if (outer > 0) block = chebyshevFilter(L, block, cut, work);
    if (!orthonormalise(block)) return null;
    const images = block.map((x) => {
      const y = new Float64Array(n);
      multiply(L, x, y);
      return y;
    });
    // Rayleigh–Ritz: H = Xᵀ L X (p × p), its eigenpairs ascending.
    const h = new Matrix(p, p);
    for (let a = 0; a < p; a++) {
      for (let b = a; b < p; b++) {
        const v = dot(block[a], images[b]);
        h.set(a, b, v);
        h.set(b, a, v);
      }
    }
    const evd = new EigenvalueDecomposition(h, { assumeSymmetric: true });
    const theta = evd.realEigenvalues;
    const order = theta.map((_, m) => m).sort((a, b) => theta[a] - theta[b] || a - b);
    const w = evd.eigenvectorMatrix;
    const ritz = order.map((m) => combine(block, w, m));
    const ritzImages = order.map((m) => combine(images, w, m));
    let converged = true;
    for (let m = 0; m < count && converged; m++) {
      let r = 0;
      for (let i = 0; i < n; i++) r += (ritzImages[m][i] - theta[order[m]] * ritz[m][i]) ** 2;
      converged = Math.sqrt(r) <= TOLERANCE;
    }
    if (converged) {
      const vectors = new Matrix(n, count);
      for (let m = 0; m < count; m++) vectors.setColumn(m, Array.from(ritz[m]));
      return { values: order.slice(0, count).map((m) => theta[m]), vectors };
    }
    block = ritz;
    // Damp everything above the block's largest Ritz value (the wanted ones lie below it).
    cut = Math.min(2, theta[order[p - 1]]);
  }
  return null;
}

/**
 * p(L) applied to every vector of the block, p the degree-DEGREE Chebyshev polynomial that is small on
 * [cut, 2] and grows fast below cut; scaled so that nothing overflows (Zhou and Saad's Algorithm 3.1 with
 * the lower end of the spectrum at 0).
 */
function chebyshevFilter(L: SparseLaplacian, block: Float64Array[], cut: number, work: Float64Array): Float64Array[] {
  const upper = 2;
  if (!(cut < upper - 1e-9)) return block;
  const e = (upper - cut) / 2;
  const c = (upper + cut) / 2;
  const sigma1 = e / (0 - c);
  return block.map((x0) => {
    const n = x0.length;
    let previous = x0;
    let current = new Float64Array(n);
    multiply(L, x0, work);
    for (let i = 0; i < n; i++) current[i] = ((work[i] - c * x0[i]) * sigma1) / e;
    let sigma = sigma1;
    for (let k = 2; k <= DEGREE; k++) {
      const next = 1 / (2 / sigma1 - sigma);
      const out = new Float64Array(n);
      multiply(L, current, work);
      for (let i = 0; i < n; i++) out[i] = ((2 * next) / e) * (work[i] - c * current[i]) - sigma * next * previous[i];
      previous = current;
      current = out;
      sigma = next;
    }
    return current;
  });
}

/** Σ_j w[j][m] · vectors[j]. */
function combine(vectors: Float64Array[], w: Matrix, m: number): Float64Array {
  const out = new Float64Array(vectors[0].length);
  vectors.forEach((v, j) => {
    const f = w.get(j, m);
    for (let i = 0; i < out.length; i++) out[i] += f * v[i];
  });
  return out;
}

/** Modified Gram–Schmidt, twice ("twice is enough"); false when the block lost its rank. */
function orthonormalise(block: Float64Array[]): boolean {
  for (let pass = 0; pass < 2; pass++) {
    for (let a = 0; a < block.length; a++) {
      for (let b = 0; b < a; b++) {
        const f = dot(block[a], block[b]);
        for (let i = 0; i < block[a].length; i++) block[a][i] -= f * block[b][i];
      }
      const norm = Math.sqrt(dot(block[a], block[a]));
      if (!(norm > 1e-300)) return false;
      for (let i = 0; i < block[a].length; i++) block[a][i] /= norm;
    }
  }
  return true;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
