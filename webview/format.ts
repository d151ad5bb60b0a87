// Number formats of the panel readouts.

/** Two decimals for everyday magnitudes, scientific for the very small and very large. */
export function formatValue(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 0.01 || a >= 1e5)) return x.toExponential(2);
  return x.toFixed(2);
}

/** A probability in percent: "99.2%", "<0.1%". */
export function formatProbability(p: number): string {
  if (!(p >= 0.001)) return p > 0 ? '<0.1%' : '0%';
  return `${(p * 100).toFixed(1)}%`;
}
