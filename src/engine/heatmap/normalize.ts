// Relevance → t in [0, 1] for a colour map, symmetric around 0 (t = 0.5) so that one colour means "no
// relevance" in every heatmap (METHODS.md, heatmap rendering). The scale is a robust maximum of |R|, the
// 99.5th percentile by default, so a handful of extreme pixels do not wash out the rest; beyond it,
// values saturate. A non-negative map (Sensitivity) thus only reaches the upper half: white to red.

import { DEFAULT_NORMALIZATION, type Normalization } from '../../protocol/display';

/** The p-th percentile (0..100) of |values| over the finite values, interpolating between ranks as numpy does. */
export function percentileOfMagnitudes(values: ArrayLike<number>, p: number): number {
  const magnitudes: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) magnitudes.push(Math.abs(values[i]));
  if (magnitudes.length === 0) return 0;
  const sorted = Float64Array.from(magnitudes).sort();
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (rank - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * The |R| that maps to the ends of the colour map. Falls back to max |R| when the percentile is 0 (a
 * map with very few non-zero pixels), and to 1 when everything is 0, so such a map renders neutral.
 */
export function relevanceScale(relevance: ArrayLike<number>, normalization: Normalization = DEFAULT_NORMALIZATION): number {
  const max = percentileOfMagnitudes(relevance, 100);
  const scale = normalization.kind === 'percentile' ? percentileOfMagnitudes(relevance, normalization.p) : max;
  if (scale > 0) return scale;
  return max > 0 ? max : 1;
}

/** t = 0.5 + R / (2·scale), clamped to [0, 1]: −scale → 0, 0 → 0.5, +scale → 1; NaN and ±∞ are neutral. */
export function unitValue(r: number, scale: number): number {
  if (!Number.isFinite(r)) return 0.5;
  return Math.min(1, Math.max(0, 0.5 + r / (2 * scale)));
}
