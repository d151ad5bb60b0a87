// The statistics of the verdict: a mean with its standard error over images, the paired Wilcoxon
// signed-rank test between two methods scored on the same images, and Holm's correction for testing many
// pairs at once. The test and the correction are @stdlib's (stats-wilcoxon, stats-padjust: maintained,
// R's conventions); this file fixes the options and the edge cases the verdict meets.
import padjust from '@stdlib/stats-padjust';
import wilcoxon from '@stdlib/stats-wilcoxon';

export interface MeanWithError {
  mean: number;
  /** s / √n with the sample standard deviation s (n − 1 in its denominator); NaN below two values. */
  standardError: number;
  n: number;
}

/** Mean and standard error of the mean, in double precision. NaN mean for no values. */
export function meanWithError(values: readonly number[]): MeanWithError {
  const n = values.length;
  const mean = n ? values.reduce((a, b) => a + b, 0) / n : NaN;
  if (n < 2) return { mean, standardError: NaN, n };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  return { mean, standardError: Math.sqrt(variance / n), n };
}

export interface PairedTest {
  /** Two-sided p-value of H₀: the differences a − b are symmetric around 0. */
  pValue: number;
  /** W⁺: the sum of the ranks of |a − b| where a > b (ranks over the non-zero differences). */
  statistic: number;
  /** Pairs with a non-zero difference (those the test uses). */
  n: number;
  /** The exact null distribution (n ≤ 50, no zero and no tied difference) or the normal approximation. */
  method: 'exact' | 'normal';
}

/**
 * The paired Wilcoxon signed-rank test of a against b (same images, same order), two-sided. Zero differences
 * are dropped (Wilcoxon's treatment, scipy's and R's default). Exact p for at most 50 non-zero differences
 * without ties; otherwise the normal approximation with the tie-corrected variance and no continuity
 * correction (scipy's default; R would add ½ towards the mean). When every difference is 0 the methods
 * cannot be told apart: p = 1.
 */
export function pairedWilcoxon(a: readonly number[], b: readonly number[]): PairedTest {
  if (a.length !== b.length) throw new Error(`paired test of ${a.length} and ${b.length} values`);
  const differences = a.map((v, i) => v - b[i]);
  const nonZero = differences.filter((d) => d !== 0);
  if (nonZero.some((d) => !Number.isFinite(d))) throw new Error('paired test of values that are not finite numbers');
  const n = nonZero.length;
  if (n === 0) return { pValue: 1, statistic: 0, n, method: 'exact' };
  if (n === 1) {
    // stdlib needs two values; one non-zero difference has the exact p = 1 (W⁺ is 0 or 1 with equal odds).
    return { pValue: 1, statistic: nonZero[0] > 0 ? 1 : 0, n, method: 'exact' };
  }
  const magnitudes = nonZero.map(Math.abs);
  const tied = new Set(magnitudes).size !== magnitudes.length;
  const result = wilcoxon(nonZero, { correction: false });
  return { pValue: Math.min(1, result.pValue), statistic: result.statistic, n, method: n <= 50 && !tied ? 'exact' : 'normal' };
}

/** Holm's step-down adjustment of p-values (each ≥ its raw value, capped at 1; the same order as given). */
export function holm(pValues: readonly number[]): number[] {
  if (pValues.length === 0) return [];
  return padjust([...pValues], 'holm');
}
