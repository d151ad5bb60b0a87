// Normalisation: relevance → t in [0, 1] for a colour map, symmetric around 0 (t = 0.5) so that one
// colour means "no relevance" in every heatmap. The scale is a robust maximum of |R| (a percentile,
// 99.5 by default) so a handful of extreme pixels do not wash out the rest; values beyond it saturate.
import type { Normalization } from '../../src/protocol/webviewMessages';

/** The p-th percentile (0..100) of `values`, with linear interpolation between ranks (numpy's default). */
export function percentile(values: ArrayLike<number>, p: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return 0;
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

/**
 * The |R| that maps to the ends of the colour map. Falls back to max |R| when the percentile is 0 (a
 * sparse map), and to 1 when the map is all zeros (so it renders as the neutral colour, not NaN).
 */
export function relevanceScale(relevance: ArrayLike<number>, normalization: Normalization): number {
  const magnitudes = Float64Array.from(relevance, (r) => (Number.isFinite(r) ? Math.abs(r) : 0));
  let max = 0;
  for (const m of magnitudes) if (m > max) max = m;
  const scale = normalization.kind === 'percentile' ? percentile(magnitudes, normalization.p) : max;
  if (scale > 0) return scale;
  return max > 0 ? max : 1;
}

/** t = 0.5 + R / (2·scale), clamped to [0, 1]: −scale → 0, 0 → 0.5, +scale → 1. */
export function unitValue(r: number, scale: number): number {
  if (!Number.isFinite(r)) return 0.5;
  return Math.min(1, Math.max(0, 0.5 + r / (2 * scale)));
}

/** Does the heatmap have no negative values (Sensitivity): then only the upper half of a map is used. */
export function isNonNegative(relevance: ArrayLike<number>): boolean {
  for (let i = 0; i < relevance.length; i++) if (relevance[i] < 0) return false;
  return true;
}
