// SpRAy's input: each heatmap sum-pooled to a small grid and normalised, so that heatmaps compare by where
// their relevance lies, not by how much there is (Lapuschkin et al., Nature Communications 2019).

/** The grid a heatmap of h × w is pooled to: at most 8 × 8 cells (fewer for maps smaller than that). */
export const MAX_GRID = 8;

export function gridFor([height, width]: readonly number[]): [number, number] {
  return [Math.min(MAX_GRID, height), Math.min(MAX_GRID, width)];
}

/**
 * The map sum-pooled to `rows` × `cols` cells (cell (u, v) sums rows ⌊u·h/rows⌋ … ⌊(u+1)·h/rows⌋ − 1 and the
 * columns likewise), then divided by the cells' Σ|·| (an all-zero map stays zero). Row-major, float64 sums.
 */
export function pooledFeatures(map: ArrayLike<number>, [height, width]: readonly number[], [rows, cols]: readonly number[], out = new Float32Array(rows * cols)): Float32Array {
  const cells = new Float64Array(rows * cols);
  const cellOfRow = Int32Array.from({ length: height }, (_, y) => cellOf(y, height, rows));
  const cellOfCol = Int32Array.from({ length: width }, (_, x) => cellOf(x, width, cols));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) cells[cellOfRow[y] * cols + cellOfCol[x]] += map[y * width + x];
  }
  let total = 0;
  for (const v of cells) total += Math.abs(v);
  for (let i = 0; i < cells.length; i++) out[i] = total > 0 ? cells[i] / total : 0;
  return out;
}

/** The cell u with ⌊u·n/cells⌋ ≤ i < ⌊(u+1)·n/cells⌋ (a guess, corrected where rounding misleads it). */
function cellOf(i: number, n: number, cells: number): number {
  let u = Math.min(cells - 1, Math.floor((i * cells) / n));
  while (u > 0 && Math.floor((u * n) / cells) > i) u--;
  while (u < cells - 1 && Math.floor(((u + 1) * n) / cells) <= i) u++;
  return u;
}
