// Filters and sorts of the grid, checked against plain loops over a small hand-made table.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countLabel, dependsOnPredictions, filterAndSort, NO_FILTER, sanitizeFilter, sortByKey, type FilterSpec } from '../../../../webview/dataset/sampleFilter';
import { SampleTable, summarize, UNKNOWN } from '../../../../webview/dataset/sampleTable';

//                 index:  0    1    2    3    4    5    6    7    8    9
const LABELS = /*    */ [3, 1, 3, 7, 1, 3, 0, 7, 3, 1];
const PREDICTED = /* */ [3, 7, 3, 7, 1, 8, 0, 1, 3, 1];
const CONFIDENCE = /**/ [0.9, 0.6, 0.55, 0.99, 0.7, 0.5, 0.95, 0.8, 0.9, 0.65];
const LOSS = /*      */ [0.1, 2.3, 0.6, 0.01, 0.36, 4.0, 0.05, 1.9, 0.1, 0.43];

/** A table whose first `predictedUpTo` samples have predictions. */
function table(predictedUpTo = 10): SampleTable {
  const t = new SampleTable(10, Uint8Array.from(LABELS));
  t.setPredictions(
    0,
    Int32Array.from(PREDICTED.slice(0, predictedUpTo)),
    Float32Array.from(CONFIDENCE.slice(0, predictedUpTo)),
    Float32Array.from(LOSS.slice(0, predictedUpTo)),
  );
  return t;
}

const spec = (s: Partial<FilterSpec>): FilterSpec => ({ ...NO_FILTER, ...s });
const list = (a: Int32Array) => [...a];

describe('filterAndSort', () => {
  it('shows every sample in file order without filters', () => {
    assert.deepEqual(list(filterAndSort(table(), NO_FILTER)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('filters by true class, predicted class and mistakes, like a plain loop', () => {
    const t = table();
    for (const trueClass of [null, 0, 1, 3, 7, 9]) {
      for (const predictedClass of [null, 1, 3, 7, 8]) {
        for (const misclassifiedOnly of [false, true]) {
          const expected: number[] = [];
          for (let i = 0; i < 10; i++) {
            if (trueClass !== null && LABELS[i] !== trueClass) continue;
            if (predictedClass !== null && PREDICTED[i] !== predictedClass) continue;
            if (misclassifiedOnly && LABELS[i] === PREDICTED[i]) continue;
            expected.push(i);
          }
          const got = list(filterAndSort(t, spec({ trueClass, predictedClass, misclassifiedOnly })));
          assert.deepEqual(got, expected, JSON.stringify({ trueClass, predictedClass, misclassifiedOnly }));
        }
      }
    }
  });

  it('finds exactly the 3 mistakes (1: 1→7, 5: 3→8, 7: 7→1)', () => {
    assert.deepEqual(list(filterAndSort(table(), spec({ misclassifiedOnly: true }))), [1, 5, 7]);
  });

  it('sorts by confidence both ways, ties by index', () => {
    // 0.9 appears at 0 and 8: index order within the tie, whichever direction.
    assert.deepEqual(list(filterAndSort(table(), spec({ sort: 'confidence-asc' }))), [5, 2, 1, 9, 4, 7, 0, 8, 6, 3]);
    assert.deepEqual(list(filterAndSort(table(), spec({ sort: 'confidence-desc' }))), [3, 6, 0, 8, 7, 4, 9, 1, 2, 5]);
  });

  it('sorts by loss, highest first', () => {
    assert.deepEqual(list(filterAndSort(table(), spec({ sort: 'loss-desc' }))), [5, 1, 7, 2, 9, 4, 0, 8, 6, 3]);
  });

  it('puts samples without predictions after the predicted ones, in file order', () => {
    const t = table(4); // 0..3 predicted
    assert.deepEqual(list(filterAndSort(t, spec({ sort: 'confidence-desc' }))), [3, 0, 1, 2, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(list(filterAndSort(t, spec({ misclassifiedOnly: true }))), [1]);
    assert.deepEqual(list(filterAndSort(t, spec({ predictedClass: 1 }))), []);
  });

  it('combines a filter with a sort', () => {
    assert.deepEqual(list(filterAndSort(table(), spec({ trueClass: 3, sort: 'loss-desc' }))), [5, 2, 0, 8]);
  });

  it('without labels: no true-class matches, no mistakes', () => {
    const t = new SampleTable(3, null);
    t.setPredictions(0, Int32Array.from([1, 2, 1]), Float32Array.from([0.5, 0.6, 0.7]));
    assert.deepEqual(list(filterAndSort(t, spec({ trueClass: 1 }))), []);
    assert.deepEqual(list(filterAndSort(t, spec({ misclassifiedOnly: true }))), []);
    assert.deepEqual(list(filterAndSort(t, spec({ predictedClass: 1 }))), [0, 2]);
  });

  it('says which views change as predictions arrive', () => {
    assert.equal(dependsOnPredictions(NO_FILTER), false);
    assert.equal(dependsOnPredictions(spec({ trueClass: 3 })), false);
    assert.equal(dependsOnPredictions(spec({ misclassifiedOnly: true })), true);
    assert.equal(dependsOnPredictions(spec({ predictedClass: 0 })), true);
    assert.equal(dependsOnPredictions(spec({ sort: 'confidence-asc' })), true);
  });
});

describe('SampleTable', () => {
  it('counts predicted samples once, however often a chunk is replayed', () => {
    const t = new SampleTable(10, Uint8Array.from(LABELS));
    const chunk = () => t.setPredictions(4, Int32Array.from([1, 8, 0]), Float32Array.from([0.7, 0.5, 0.95]), Float32Array.from([0.3, 4, 0.1]));
    chunk();
    chunk();
    assert.equal(t.predictedCount, 3);
    assert.deepEqual([...t.predicted], [UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, 1, 8, 0, UNKNOWN, UNKNOWN, UNKNOWN]);
  });

  it('ignores a chunk that does not fit', () => {
    const t = new SampleTable(10, null);
    t.setPredictions(8, Int32Array.from([1, 2, 3]), Float32Array.from([1, 1, 1]));
    assert.equal(t.predictedCount, 0);
  });

  it('forgets predictions on reset', () => {
    const t = table();
    t.resetPredictions();
    assert.equal(t.predictedCount, 0);
    assert.ok([...t.predicted].every((p) => p === UNKNOWN));
  });
});

describe('summarize', () => {
  it('gives accuracy counts over what is predicted so far', () => {
    assert.deepEqual(summarize(table()), { predicted: 10, labelled: 10, correct: 7, misclassified: 3 });
    assert.deepEqual(summarize(table(4)), { predicted: 4, labelled: 4, correct: 3, misclassified: 1 });
  });

  it('has no accuracy without labels', () => {
    const t = new SampleTable(2, null);
    t.setPredictions(0, Int32Array.from([1, 2]), Float32Array.from([0.5, 0.6]));
    assert.deepEqual(summarize(t), { predicted: 2, labelled: 0, correct: 0, misclassified: 0 });
  });
});

describe('countLabel', () => {
  it('reads "N samples"', () => {
    assert.equal(countLabel(0), '0 samples');
    assert.equal(countLabel(1), '1 sample');
    assert.equal(countLabel(37), '37 samples');
    assert.equal(countLabel(60000), '60,000 samples');
  });
});

describe('sanitizeFilter', () => {
  it('keeps a valid saved filter', () => {
    const s: FilterSpec = { trueClass: 3, predictedClass: 8, misclassifiedOnly: true, sort: 'loss-desc' };
    assert.deepEqual(sanitizeFilter(s, true), s);
  });

  it('drops what is invalid, and label filters for a file without labels', () => {
    assert.equal(sanitizeFilter('nope', true), undefined);
    assert.deepEqual(sanitizeFilter({ trueClass: -2, predictedClass: 'x', misclassifiedOnly: 'yes', sort: 'random' }, true), NO_FILTER);
    assert.deepEqual(sanitizeFilter({ trueClass: 3, predictedClass: 2, misclassifiedOnly: true, sort: 'loss-desc' }, false), {
      trueClass: null,
      predictedClass: 2,
      misclassifiedOnly: false,
      sort: 'index',
    });
  });
});

describe('sortByKey', () => {
  /** Deterministic pseudo-random keys with many ties, both zeros, negatives, NaN and infinities. */
  function keys(n: number): Float32Array {
    const key = new Float32Array(n);
    let x = 12345;
    for (let i = 0; i < n; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const r = x % 23;
      key[i] = r === 0 ? NaN : r === 1 ? -0 : r === 2 ? 0 : r === 3 ? Infinity : r === 4 ? -Infinity : ((x % 41) - 20) / 7;
    }
    return key;
  }

  /** The plain rule: ascending by value (−0 equals 0), NaN last, ties by index. */
  function reference(order: number[], key: Float32Array): number[] {
    return [...order].sort((a, b) => {
      const [ka, kb] = [key[a], key[b]];
      if (Number.isNaN(ka) || Number.isNaN(kb)) return Number.isNaN(ka) === Number.isNaN(kb) ? a - b : Number.isNaN(ka) ? 1 : -1;
      return ka === kb ? a - b : ka - kb;
    });
  }

  it('packed and comparator sorts both follow the plain rule', () => {
    const key = keys(5000);
    // −0 and +0 are one value to the comparator; make the packed path see the same (as sortKey does).
    for (let i = 0; i < key.length; i++) key[i] = key[i] + 0;
    const order = Int32Array.from({ length: 5000 }, (_, i) => 4999 - i).filter((s) => s % 3 !== 0);
    const expected = reference([...order], key);
    assert.deepEqual([...sortByKey(order.slice(), key)], expected, 'packed');
    assert.deepEqual([...sortByKey(order.slice(), key, 100)], expected, 'comparator (over the pack limit)');
  });
});
