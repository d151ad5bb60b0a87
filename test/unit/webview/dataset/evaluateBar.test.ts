// Which samples "Evaluate Methods" runs on: two or more selected → those (in view order); else the samples
// the filters show; never more than MAX_EVALUATE_SAMPLES, and the label says which.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_EVALUATE_SAMPLES } from '../../../../src/protocol/datasetMessages';
import { evaluationSamples } from '../../../../webview/dataset/evaluateBar';

describe('evaluationSamples', () => {
  it('takes the selection when it has two or more samples', () => {
    assert.deepEqual(evaluationSamples([9, 4, 7], Int32Array.from([1, 9, 4, 7])), { indices: [9, 4, 7], what: '3 samples selected' });
  });

  it('takes the samples shown (filtered, in view order) when one or none is selected', () => {
    assert.deepEqual(evaluationSamples([4], Int32Array.from([8, 4, 2])), { indices: [8, 4, 2], what: 'the 3 samples shown' });
    assert.deepEqual(evaluationSamples([], Int32Array.from([5])), { indices: [5], what: 'the 1 sample shown' });
    assert.deepEqual(evaluationSamples([], new Int32Array(0)).indices, []);
  });

  it(`caps at ${MAX_EVALUATE_SAMPLES} and says so`, () => {
    const view = Int32Array.from({ length: 1000 }, (_, k) => 999 - k);
    const shown = evaluationSamples([], view);
    assert.equal(shown.indices.length, MAX_EVALUATE_SAMPLES);
    assert.equal(shown.indices[0], 999);
    assert.equal(shown.what, `the first ${MAX_EVALUATE_SAMPLES} samples of 1,000 shown`);
    const selected = evaluationSamples([...view].slice(0, 300), view);
    assert.equal(selected.indices.length, MAX_EVALUATE_SAMPLES);
    assert.equal(selected.what, `the first ${MAX_EVALUATE_SAMPLES} samples of 300 selected`);
  });
});
