// ROAD's noisy linear imputation (Rong et al. 2022; docs/faithfulness.md, "Faithfulness measures"): every removed pixel
// becomes the weighted mean of its 8 neighbours inside the image (1/6 horizontally and vertically, 1/12
// diagonally, renormalised at the border), removed neighbours included, per channel; then Gaussian noise.
//
// The values solve one sparse linear system M·x = b over the removed pixels (M_pp = Σ in-image neighbour
// weights, M_pq = −w_pq for a removed neighbour q, b_p = Σ w_pq·v_q over the kept ones). M is symmetric
// positive definite whenever a pixel is kept, so it is factorised exactly, M = L·Lᵀ, in envelope (profile)
// storage over the removed pixels in row-major order: a pixel's row of L starts at its first removed
// neighbour above-left, at most W + 1 pixels back, so the factor costs about n·b²/2 for n removed pixels
// and b removed pixels per image row plus one: ~0.2 M multiply-adds for a 32×32 image. Written here rather
// than taken from npm: the registry's sparse solvers (ml-sparse-matrix has none; cholesky-solve, numeric)
// are unmaintained or general-purpose LU without this ordering, and the envelope of a grid is 60 lines.
import { normalStream } from '../seededRandom';
import type { ImageShape } from '../../protocol/model';

/** [dy, dx, weight]: the reference implementation's `neighbors_weights`. */
export const ROAD_NEIGHBOURS: ReadonlyArray<readonly [number, number, number]> = [
  [-1, -1, 1 / 12],
  [-1, 0, 1 / 6],
  [-1, 1, 1 / 12],
  [0, -1, 1 / 6],
  [0, 1, 1 / 6],
  [1, -1, 1 / 12],
  [1, 0, 1 / 6],
  [1, 1, 1 / 12],
];

/** σ of the noise on the image scale [0, 1] (the reference's `noise=0.01`). */
export const ROAD_NOISE = 0.01;

/** The seed of the noise of step k in order o (0 MoRF, 1 LeRF): every map and image draws the same. */
export function roadNoiseSeed(step: number, order: 0 | 1): number {
  return 2 * step + order;
}

/**
 * Writes into `out` the image `input` (HWC) with the pixels where `mask` is 1 imputed, plus noise of σ
 * `noise[ch]` per channel drawn from `draw` in row-major pixel order, channels innermost (no noise when
 * `noise` is omitted). At least one pixel must be kept.
 */
export function imputeRemoved(out: Float32Array, input: Float32Array, mask: Uint8Array, [h, w, c]: ImageShape, noise?: { sigma: readonly number[]; draw: () => number }): void {
  out.set(input);
  const variable = new Int32Array(h * w).fill(-1);
  const removed: number[] = [];
  for (let p = 0; p < h * w; p++) if (mask[p]) variable[p] = removed.push(p) - 1;
  const n = removed.length;
  if (n === 0) return;
  if (n === h * w) throw new Error('ROAD imputation needs at least one kept pixel');

  // Envelope of each row: from its first removed neighbour above or to the left.
  const first = new Int32Array(n);
  const start = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const p = removed[i];
    const [y, x] = [Math.floor(p / w), p % w];
    let lowest = i;
    for (const [dy, dx] of ROAD_NEIGHBOURS) {
      if (dy > 0 || (dy === 0 && dx > 0)) continue;
      const [yy, xx] = [y + dy, x + dx];
      if (yy < 0 || xx < 0 || xx >= w) continue;
      const v = variable[yy * w + xx];
      if (v >= 0 && v < lowest) lowest = v;
    }
    first[i] = lowest;
    start[i + 1] = start[i] + (i - lowest + 1);
  }

  // M in the envelope, and b (n × c), then L in place of M.
  const L = new Float64Array(start[n]);
  const b = new Float64Array(n * c);
  for (let i = 0; i < n; i++) {
    const p = removed[i];
    const [y, x] = [Math.floor(p / w), p % w];
    let diagonal = 0;
    for (const [dy, dx, weight] of ROAD_NEIGHBOURS) {
      const [yy, xx] = [y + dy, x + dx];
      if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
      diagonal += weight;
      const q = yy * w + xx;
      const j = variable[q];
      if (j < 0) for (let ch = 0; ch < c; ch++) b[i * c + ch] += weight * input[q * c + ch];
      else if (j < i) L[start[i] + j - first[i]] = -weight;
    }
    L[start[i] + i - first[i]] = diagonal;
  }
  factorise(L, first, start, n);
  solve(L, first, start, n, b, c);

  for (let i = 0; i < n; i++) {
    const p = removed[i];
    for (let ch = 0; ch < c; ch++) out[p * c + ch] = b[i * c + ch] + (noise ? noise.sigma[ch] * noise.draw() : 0);
  }
}

/** In-place Cholesky factorisation of an envelope-stored SPD matrix (row i holds columns first[i] … i). */
function factorise(L: Float64Array, first: Int32Array, start: Int32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const rowI = start[i] - first[i];
    for (let j = first[i]; j < i; j++) {
      const rowJ = start[j] - first[j];
      let s = L[rowI + j];
      for (let k = Math.max(first[i], first[j]); k < j; k++) s -= L[rowI + k] * L[rowJ + k];
      L[rowI + j] = s / L[rowJ + j];
    }
    let d = L[rowI + i];
    for (let k = first[i]; k < i; k++) d -= L[rowI + k] * L[rowI + k];
    if (!(d > 0)) throw new Error('ROAD imputation: the system is not positive definite');
    L[rowI + i] = Math.sqrt(d);
  }
}

/** Solves L·Lᵀ·x = b in place for c right-hand sides stored pixel-major (b[i·c + ch]). */
function solve(L: Float64Array, first: Int32Array, start: Int32Array, n: number, b: Float64Array, c: number): void {
  for (let i = 0; i < n; i++) {
    const row = start[i] - first[i];
    for (let ch = 0; ch < c; ch++) {
      let s = b[i * c + ch];
      for (let k = first[i]; k < i; k++) s -= L[row + k] * b[k * c + ch];
      b[i * c + ch] = s / L[row + i];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    const row = start[i] - first[i];
    for (let ch = 0; ch < c; ch++) {
      const x = b[i * c + ch] / L[row + i];
      b[i * c + ch] = x;
      for (let k = first[i]; k < i; k++) b[k * c + ch] -= L[row + k] * x;
    }
  }
}

/** The noise of step `step` in order `order`: σ per channel in model-input units, seeded (roadNoiseSeed). */
export function roadNoise(sigma: readonly number[], step: number, order: 0 | 1): { sigma: readonly number[]; draw: () => number } {
  return { sigma, draw: normalStream(roadNoiseSeed(step, order)) };
}
