import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isNonNegative, percentile, relevanceScale, unitValue } from '../../../webview/heatmap/normalize';

/** numpy.percentile's default ("linear") written out by hand. */
function referencePercentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const pos = (p / 100) * (s.length - 1);
  const below = Math.floor(pos);
  const above = Math.min(s.length - 1, below + 1);
  return s[below] * (1 - (pos - below)) + s[above] * (pos - below);
}

test('percentile interpolates linearly between ranks (numpy default)', () => {
  const values = Array.from({ length: 200 }, (_, i) => 200 - i); // 200..1, unsorted order
  // rank = 0.995 · 199 = 198.005 → 199 + 0.005 · (200 − 199)
  assert.ok(Math.abs(percentile(values, 99.5) - 199.005) < 1e-9);
  assert.equal(percentile(values, 100), 200);
  assert.equal(percentile(values, 0), 1);
  assert.equal(percentile(values, 50), 100.5);
  const odd = [3, -1, 4, 1, 5, 9, 2, 6];
  for (const p of [10, 33.3, 50, 90, 99.5]) assert.ok(Math.abs(percentile(odd, p) - referencePercentile(odd, p)) < 1e-12, `p=${p}`);
});

test('relevanceScale: percentile of |R|, max of |R|, and the fallbacks', () => {
  const r = [-2, -1, 0, 1, 2, 4];
  // |R| sorted: 0 1 1 2 2 4; rank 0.995 · 5 = 4.975 → 2 + 0.975 · 2 = 3.95
  assert.ok(Math.abs(relevanceScale(r, { kind: 'percentile', p: 99.5 }) - 3.95) < 1e-12);
  assert.equal(relevanceScale(r, { kind: 'max' }), 4);
  assert.equal(relevanceScale([-7, 3], { kind: 'max' }), 7);
  // Sparse map: the 50th percentile of |R| is 0, so the scale falls back to the max.
  assert.equal(relevanceScale([0, 0, 0, 0, 0.5], { kind: 'percentile', p: 50 }), 0.5);
  // All zero: scale 1 so every pixel maps to the neutral middle instead of NaN.
  assert.equal(relevanceScale([0, 0, 0], { kind: 'percentile', p: 99.5 }), 1);
  // Non-finite values do not poison the scale.
  assert.equal(relevanceScale([1, Number.NaN, -3, Number.POSITIVE_INFINITY], { kind: 'max' }), 3);
});

test('unitValue is symmetric around 0.5 and clamps beyond the scale', () => {
  assert.equal(unitValue(0, 3), 0.5);
  assert.equal(unitValue(3, 3), 1);
  assert.equal(unitValue(-3, 3), 0);
  assert.equal(unitValue(1.5, 3), 0.75);
  assert.equal(unitValue(-1.5, 3), 0.25);
  assert.equal(unitValue(30, 3), 1);
  assert.equal(unitValue(-30, 3), 0);
  assert.equal(unitValue(Number.NaN, 3), 0.5);
});

test('isNonNegative', () => {
  assert.equal(isNonNegative([0, 1, 2]), true);
  assert.equal(isNonNegative([0, -1e-12]), false);
});
