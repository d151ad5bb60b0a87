// Spearman's ρ with average ranks for ties, against examples worked out by hand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { averageRanks, spearman } from '../../../src/engine/evaluate/spearman';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

describe('Spearman rank correlation', () => {
  it('ties share the mean of their ranks', () => {
    assert.deepEqual(Array.from(averageRanks([10, 20, 20, 5, 20])), [2, 4, 4, 1, 4]);
    assert.deepEqual(Array.from(averageRanks([1, 1, 2, 2])), [1.5, 1.5, 3.5, 3.5]);
    assert.deepEqual(Array.from(averageRanks([-0, 0, 3])), [1.5, 1.5, 3]);
  });

  it('a hand example with ties', () => {
    // a = [1, 2, 2, 3] → ranks [1, 2.5, 2.5, 4]; b = [4, 3, 1, 2] → ranks [4, 3, 1, 2].
    // Means 2.5; deviations x = [−1.5, 0, 0, 1.5], y = [1.5, 0.5, −1.5, −0.5];
    // Σxy = −2.25 − 0.75 = −3, Σx² = 4.5, Σy² = 5: ρ = −3 / √22.5.
    close(spearman([1, 2, 2, 3], [4, 3, 1, 2]), -3 / Math.sqrt(22.5));
    // Without ties ρ = 1 − 6Σd²/(n(n²−1)): a = [3, 1, 2, 5, 4], b = [2, 1, 3, 4, 5]; d = [1, 0, −1, 1, −1], Σd² = 4.
    close(spearman([3, 1, 2, 5, 4], [2, 1, 3, 4, 5]), 1 - (6 * 4) / (5 * 24));
  });

  it('is 1 for the same order, −1 for the reverse, whatever the values; NaN without spread', () => {
    close(spearman([0.1, 5, 7, 100], [1, 2, 3, 4]), 1);
    close(spearman([0.1, 5, 7, 100], [-1, -2, -30, -400]), -1);
    assert.ok(Number.isNaN(spearman([1, 1, 1], [1, 2, 3])));
    assert.throws(() => spearman([1, 2], [1]), /lengths 2 and 1/);
  });
});
