// The verdict sentence and its numbers for constructed cases: a clear winner, a tie, too few images, and
// a mixed case; the p-values it states are the Holm-adjusted paired Wilcoxon p of statistics.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMeanWithError, MIN_VERDICT_IMAGES, pBound, verdictOf } from '../../../src/engine/evaluate/verdict';

/** n images; method k's score on image i = base_k + noise_i (the same noise for every method: paired). */
const scores = (n: number, base: number, spread = 0) => Array.from({ length: n }, (_, i) => base + spread * Math.sin(1 + 2.3 * i));

describe('verdict', () => {
  it('a clear winner: better on every one of 12 images than each of two others', () => {
    // Every pair differs in the same direction on all 12 images: exact p = 2/2¹² each, Holm ×3 = 0.00146.
    const v = verdictOf({
      score: 'ABPC',
      methods: [
        { name: 'Sensitivity', values: scores(12, 1, 0.5) },
        { name: 'LRP-α2β1', values: scores(12, 4.2, 0.5).map((x, i) => x + 0.01 * i) },
        { name: 'Gradient', values: scores(12, 2, 0.5).map((x, i) => x - 0.02 * i) },
      ],
    });
    assert.equal(v.images, 12);
    assert.equal(v.leader, 1);
    assert.deepEqual(v.tied, []);
    assert.deepEqual(v.worse, [2, 0]);
    // The two pairs with the leader: raw p = 2/4096 each (exact), adjusted ×3 and ×2 by Holm, then the running maximum.
    const withLeader = v.pairs.filter((p) => p.a === 1);
    for (const p of withLeader) assert.ok(Math.abs(p.pValue - 2 / 4096) < 1e-15 && Math.abs(p.adjusted - 3 * (2 / 4096)) < 1e-15, `${p.pValue} ${p.adjusted}`);
    const leader = v.methods[1];
    assert.equal(v.sentence, `Most faithful on these 12 images: LRP-α2β1 (ABPC ${formatMeanWithError(leader)}); Gradient and Sensitivity are worse (p < 0.01).`);
  });

  it('a tie: scores that cross from image to image are not distinguishable', () => {
    const a = [1, 2, 3, 4, 5, 6, 7, 8];
    const b = [1.5, 1.4, 3.6, 3.3, 5.7, 5.2, 7.8, 7.2]; // b − a: +0.5 −0.6 +0.6 −0.7 +0.7 −0.8 +0.8 −0.8
    const v = verdictOf({ score: 'ABPC', methods: [{ name: 'Deep Taylor', values: a }, { name: 'Guided Backprop', values: b }] });
    // Means 4.5 and 4.4625: Deep Taylor leads by a difference the test cannot tell from chance.
    assert.equal(v.leader, 0);
    assert.deepEqual(v.worse, []);
    assert.deepEqual(v.tied, [1]);
    assert.ok(v.pairs[0].adjusted > 0.5);
    assert.equal(v.sentence, `No method is clearly most faithful on these 8 images: Deep Taylor (ABPC ${formatMeanWithError(v.methods[0])}) has the highest mean, but Guided Backprop is not distinguishable from it.`);
  });

  it('a tie among several: none of the others is distinguishable', () => {
    const noise = [0.3, -0.2, 0.5, -0.4, 0.1, -0.6, 0.2];
    const v = verdictOf({
      score: 'ROAD ABPC',
      methods: ['A', 'B', 'C'].map((name, k) => ({ name, values: noise.map((x, i) => 1 + (((i + k) % 3) - 1) * 0.2 + x * (k + 1) * 0.1) })),
    });
    assert.deepEqual(v.worse, []);
    assert.equal(v.tied.length, 2);
    assert.match(v.sentence, /^No method is clearly most faithful on these 7 images: [ABC] \(ROAD ABPC .+\) has the highest mean, but none of the other 2 methods is distinguishable from it\.$/);
  });

  it('too few images: the numbers but no verdict, and a request for more', () => {
    const v = verdictOf({ score: 'ABPC', methods: [{ name: 'A', values: [5, 6, 7, 8] }, { name: 'B', values: [1, 2, 3, 4] }] });
    assert.equal(MIN_VERDICT_IMAGES, 5);
    assert.equal(v.enough, false);
    assert.equal(v.images, 4);
    assert.equal(v.sentence, 'A verdict needs at least 5 images (there are 4): add images, for example dataset samples. Highest mean so far: A (ABPC 6.5 ± 0.6).');
    // Still the numbers: mean 6.5, s.e. √(5/3 / 4) = 0.645.
    assert.ok(Math.abs(v.methods[0].standardError - Math.sqrt(5 / 3 / 4)) < 1e-12);
  });

  it('a mixed case names the tied and the worse, with the bound of the largest adjusted p', () => {
    const n = 10;
    const best = scores(n, 5, 1);
    const close = best.map((x, i) => x + (i % 2 ? 0.3 : -0.25) * (1 + i / 10)); // crosses: not distinguishable
    const worse = best.map((x, i) => x - 1 - 0.01 * i); // lower on every image: exact p = 2/1024, Holm ×3
    const v = verdictOf({ score: 'ABPC', methods: [{ name: 'Worse', values: worse }, { name: 'Best', values: best }, { name: 'Close', values: close }] });
    assert.equal(v.methods[v.leader!].name, v.methods[1].mean >= v.methods[2].mean ? 'Best' : 'Close');
    assert.equal(v.worse.length, 1);
    assert.equal(v.methods[v.worse[0]].name, 'Worse');
    assert.match(v.sentence, /^Most faithful on these 10 images: (Best|Close) \(ABPC .+\); (Best|Close) is not distinguishable from it; Worse is worse \(p < 0\.01\)\.$/);
  });

  it('leaves out images a method has no score for, for every method', () => {
    const v = verdictOf({ score: 'ABPC', methods: [{ name: 'A', values: [1, 2, NaN, 4, 5, 6] }, { name: 'B', values: [0, 1, 2, 3, 4, NaN] }] });
    assert.equal(v.images, 4);
    assert.equal(v.methods[0].mean, 3);
    assert.equal(v.methods[1].mean, 2);
  });

  it('formats a mean to its standard error and p as a bound', () => {
    assert.equal(formatMeanWithError({ mean: 4.2345, standardError: 0.83 }), '4.2 ± 0.8');
    assert.equal(formatMeanWithError({ mean: -0.0123, standardError: 0.0041 }), '−0.012 ± 0.004');
    assert.equal(formatMeanWithError({ mean: 12.4, standardError: 2.8 }), '12 ± 3');
    assert.equal(formatMeanWithError({ mean: 1.23456, standardError: NaN }), '1.23');
    assert.equal(pBound(0.0004), 'p < 0.001');
    assert.equal(pBound(0.004), 'p < 0.01');
    assert.equal(pBound(0.04), 'p < 0.05');
  });
});
