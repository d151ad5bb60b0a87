// The geometry of the strategies' two plots, with no DOM (unit-tested, and the e2e test computes where a
// sample's point is with the same function): the 2-D embedding as a scatter plot fitted into its canvas, the
// point under the pointer, and the eigenvalue spectrum with the gap that chose the cluster count.

/** Cluster colours (Tableau 10, readable on light and dark backgrounds), cluster k gets COLORS[k % 10]. */
export const CLUSTER_COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export const SCATTER_SIZE = { width: 320, height: 240, margin: 10 };
export const SPECTRUM_SIZE = { width: 240, height: 240, margin: 28 };

/**
 * Canvas positions (x, y per point) of a 2-D embedding, each axis scaled to fill the canvas less the margin
 * (y up, as plots are read); a constant axis sits in the middle.
 */
export function scatterLayout(embedding: ArrayLike<number>, size = SCATTER_SIZE): Float32Array {
  const n = Math.floor(embedding.length / 2);
  const out = new Float32Array(n * 2);
  for (const axis of [0, 1]) {
    let low = Infinity;
    let high = -Infinity;
    for (let i = 0; i < n; i++) {
      low = Math.min(low, embedding[2 * i + axis]);
      high = Math.max(high, embedding[2 * i + axis]);
    }
    const extent = (axis === 0 ? size.width : size.height) - 2 * size.margin;
    for (let i = 0; i < n; i++) {
      const t = high > low ? (embedding[2 * i + axis] - low) / (high - low) : 0.5;
      out[2 * i + axis] = size.margin + (axis === 0 ? t : 1 - t) * extent;
    }
  }
  return out;
}

/** The point nearest (x, y) within `radius` canvas pixels, or −1 (the first on equal distances). */
export function pointAt(layout: ArrayLike<number>, x: number, y: number, radius = 6): number {
  let best = -1;
  let bestDistance = radius * radius;
  for (let i = 0; i < layout.length / 2; i++) {
    const d = (layout[2 * i] - x) ** 2 + (layout[2 * i + 1] - y) ** 2;
    if (d <= bestDistance && (best < 0 || d < bestDistance)) {
      best = i;
      bestDistance = d;
    }
  }
  return best;
}

export interface SpectrumBar {
  /** λ index, 1-based as written (λ₁ is the smallest). */
  k: number;
  value: number;
  x: number;
  y: number;
  /** The bar's height from the axis. */
  height: number;
}

/** One bar per eigenvalue, in [0, max(λ)] on the y axis; `gapAfter` is k* (the largest gap is after λ_k*). */
export function spectrumLayout(eigenvalues: readonly number[], size = SPECTRUM_SIZE): { bars: SpectrumBar[]; barWidth: number; top: number; axisY: number } {
  const n = eigenvalues.length;
  const top = Math.max(1e-12, ...eigenvalues);
  const axisY = size.height - size.margin;
  const plotHeight = size.height - 2 * size.margin;
  const step = (size.width - 2 * size.margin) / Math.max(1, n);
  const bars = eigenvalues.map((value, i) => {
    const height = (Math.max(0, value) / top) * plotHeight;
    return { k: i + 1, value, x: size.margin + i * step, y: axisY - height, height };
  });
  return { bars, barWidth: Math.max(2, step * 0.7), top, axisY };
}
