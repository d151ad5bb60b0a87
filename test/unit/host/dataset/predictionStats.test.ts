// Loss and summary of predictions, against softmax and logs written out by hand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accuracyOf, crossEntropy, sampleStats } from '../../../../src/host/dataset/predictionStats';

/** softmax of a row, in plain doubles. */
function softmax(z: number[]): number[] {
  const e = z.map((v) => Math.exp(v));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

describe('crossEntropy', () => {
  it('is −log softmax(z)[label] for moderate logits', () => {
    const z = [1.5, -0.25, 3, 0.75];
    for (let label = 0; label < 4; label++) {
      const expected = -Math.log(softmax(z)[label]);
      assert.ok(Math.abs(crossEntropy(z, 0, 4, label) - expected) < 1e-12, `label ${label}`);
    }
  });

  it('equals log(C) for equal logits (uniform prediction)', () => {
    assert.ok(Math.abs(crossEntropy([2, 2, 2, 2, 2, 2, 2, 2, 2, 2], 0, 10, 7) - Math.log(10)) < 1e-12);
  });

  it('stays finite where the probability underflows: z = [0, 200] with label 0 costs 200', () => {
    // exp(-200) underflows in float32 (p = 0, −log p = Infinity); in logits it is exactly 200 + log(1 + e^-200).
    assert.ok(Math.abs(crossEntropy([0, 200], 0, 2, 0) - 200) < 1e-9);
    assert.ok(crossEntropy([0, 200], 0, 2, 1) < 1e-80);
  });

  it('reads the row at an offset', () => {
    const rows = [9, 9, 9, 0, Math.log(3)]; // second row (offset 3) is [0, log 3]: p = [1/4, 3/4]
    assert.ok(Math.abs(crossEntropy(rows, 3, 2, 0) - Math.log(4)) < 1e-12);
    assert.ok(Math.abs(crossEntropy(rows, 3, 2, 1) - Math.log(4 / 3)) < 1e-12);
  });

  it('is NaN for a label the model has no class for', () => {
    assert.ok(Number.isNaN(crossEntropy([0, 1], 0, 2, 2)));
    assert.ok(Number.isNaN(crossEntropy([0, 1], 0, 2, -1)));
  });
});

describe('sampleStats', () => {
  const logits = [
    [0, 2, 1], // argmax 1
    [3, 0, -1], // argmax 0
    [0, 0, 5], // argmax 2
  ];
  const probabilities = Float32Array.from(logits.flatMap(softmax));
  const scores = { probabilities, logits: Float32Array.from(logits.flat()), classes: 3 };

  it('gives argmax, its probability and the loss of the true label (labels at an offset)', () => {
    // The three samples sit at 2..4 of a data set whose labels are [x, x, 1, 2, 2].
    const labels = Uint8Array.from([9, 9, 1, 2, 2]);
    const stats = sampleStats(scores, 3, labels, 2);
    assert.deepEqual([...stats.predicted], [1, 0, 2]);
    for (let i = 0; i < 3; i++) {
      const p = softmax(logits[i]);
      assert.equal(stats.confidence[i], Math.fround(Math.max(...p)));
      const expected = -Math.log(p[labels[2 + i]]);
      assert.ok(Math.abs(stats.loss![i] - expected) < 1e-5 * Math.max(1, expected), `sample ${i}`);
    }
  });

  it('has no loss without labels', () => {
    assert.equal(sampleStats(scores, 3, null).loss, null);
  });

  it('breaks ties towards the lower class, as argmax does', () => {
    const tie = { probabilities: Float32Array.from([0.4, 0.4, 0.2]), logits: Float32Array.from([1, 1, 0.3]), classes: 3 };
    assert.equal(sampleStats(tie, 1, null).predicted[0], 0);
  });
});

describe('accuracyOf', () => {
  it('counts matches', () => {
    const r = accuracyOf(Int32Array.from([1, 2, 3, 4, 5]), Uint8Array.from([1, 0, 3, 0, 5]));
    assert.deepEqual(r, { correct: 3, misclassified: 2, counted: 5 });
  });

  it('does not count samples without a prediction (−1: unreadable)', () => {
    const r = accuracyOf(Int32Array.from([1, -1, 3, 4, -1]), Uint8Array.from([1, 0, 3, 0, 5]));
    assert.deepEqual(r, { correct: 2, misclassified: 1, counted: 3 });
  });
});
