// The verdict's statistics against numbers worked out by hand and against scipy's (committed by
// scripts/fixtures/statistics_reference.py into test/fixtures/statistics/reference.json).
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { describe, it } from 'node:test';
import { holm, meanWithError, pairedWilcoxon } from '../../../src/engine/evaluate/statistics';

interface Reference {
  wilcoxon: Array<{ name: string; a: number[]; b: number[]; n: number; method: 'exact' | 'normal'; statistic: number; pValue: number }>;
  standardError: Array<{ values: number[]; mean: number; standardError: number }>;
  holm: Array<{ p: number[]; adjusted: number[] }>;
}
const reference: Reference = JSON.parse(fs.readFileSync(path.join(__dirname, '../../fixtures/statistics/reference.json'), 'utf8'));

const close = (a: number, b: number, tolerance: number, what = '') => assert.ok(Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

describe('mean and standard error', () => {
  it('by hand: [2, 4, 9] has mean 5, s² = (9 + 1 + 16) / 2 = 13, s.e. = √(13/3)', () => {
    const r = meanWithError([2, 4, 9]);
    assert.equal(r.mean, 5);
    close(r.standardError, Math.sqrt(13 / 3), 1e-15);
    assert.equal(r.n, 3);
  });

  it('equals scipy.stats.sem', () => {
    for (const c of reference.standardError) {
      const r = meanWithError(c.values);
      close(r.mean, c.mean, 1e-14, 'mean');
      close(r.standardError, c.standardError, 1e-12, 'standard error');
    }
  });

  it('has no standard error below two values', () => {
    assert.ok(Number.isNaN(meanWithError([3]).standardError));
    assert.ok(Number.isNaN(meanWithError([]).mean));
  });
});

describe('paired Wilcoxon signed-rank test', () => {
  it('by hand: five images all better gives W⁺ = 15 and the exact p = 2/2⁵', () => {
    const r = pairedWilcoxon([3, 5, 2, 8, 4], [1, 2, 1.5, 0, 3.25]);
    assert.deepEqual({ statistic: r.statistic, n: r.n, method: r.method }, { statistic: 15, n: 5, method: 'exact' });
    close(r.pValue, 2 / 32, 1e-15);
  });

  it('by hand: differences +1, +2, −3, +4 give W⁺ = 7; P(W⁺ ≤ 3) = 5/16 for n = 4, so p = 10/16', () => {
    // Rank sums ≤ 3 out of {1,2,3,4}: {}, {1}, {2}, {3}, {1,2}: 5 of 16 subsets; W⁺ = 7 is as extreme as 3.
    const r = pairedWilcoxon([1, 2, -3, 4], [0, 0, 0, 0]);
    assert.equal(r.statistic, 7);
    close(r.pValue, 10 / 16, 1e-15);
  });

  it('equals scipy for every committed case (exact, normal approximation, ties, zeros)', () => {
    assert.ok(reference.wilcoxon.length >= 10);
    for (const c of reference.wilcoxon) {
      const r = pairedWilcoxon(c.a, c.b);
      assert.equal(r.n, c.n, c.name);
      assert.equal(r.method, c.method, c.name);
      assert.equal(r.statistic, c.statistic, c.name);
      close(r.pValue, c.pValue, 1e-9, c.name);
    }
  });

  it('cannot tell identical scores apart: p = 1', () => {
    assert.equal(pairedWilcoxon([1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6]).pValue, 1);
    assert.equal(pairedWilcoxon([1, 2, 3, 4, 5, 7], [1, 2, 3, 4, 5, 6]).pValue, 1);
  });

  it('refuses unpaired or non-finite input', () => {
    assert.throws(() => pairedWilcoxon([1, 2], [1]), /paired test of 2 and 1/);
    assert.throws(() => pairedWilcoxon([1, NaN], [0, 0]), /not finite/);
  });
});

describe('Holm adjustment', () => {
  it('by hand: p = [0.01, 0.04, 0.03] → sorted ×3, ×2, ×1 with a running maximum: [0.03, 0.06, 0.06]', () => {
    const adjusted = holm([0.01, 0.04, 0.03]);
    [0.03, 0.06, 0.06].forEach((v, i) => close(adjusted[i], v, 1e-15));
  });

  it('equals the reference implementation on the committed cases, capped at 1', () => {
    for (const c of reference.holm) holm(c.p).forEach((v, i) => close(v, c.adjusted[i], 1e-12, `p ${c.p[i]}`));
    assert.deepEqual(holm([0.6, 0.7]), [1, 1]);
    assert.deepEqual(holm([]), []);
  });
});
