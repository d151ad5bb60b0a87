// Which samples "Evaluate Methods" runs on: two or more selected → those (in view order); else the samples
// the filters show; never more than MAX_EVALUATE_SAMPLES, and the label says which.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_EVALUATE_SAMPLES } from '../../../../src/protocol/datasetMessages';
import type { EvaluateRow } from '../../../../src/protocol/datasetMessages';
import { evaluateTable, evaluationSamples } from '../../../../webview/dataset/evaluateBar';

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

describe('evaluateTable (the table of Evaluate Methods)', () => {
  const row = (method: string, title: EvaluateRow['title'], aopcMorf: number, aopcLerf: number, images = 3): EvaluateRow => ({
    method,
    title,
    aopcMorf,
    aopcLerf,
    abpc: aopcMorf - aopcLerf,
    images,
  });

  it('names and explains the scores as the comparison does', () => {
    const { columns } = evaluateTable([]);
    assert.deepEqual(columns.map((c) => c.label), ['AOPC MoRF', 'AOPC LeRF', 'ABPC']);
    assert.match(columns[0].help, /most relevant pixels are removed first \(higher: more faithful\)/);
    assert.match(columns[1].help, /least relevant pixels .* \(lower: more faithful\)/);
    assert.match(columns[2].help, /AOPC MoRF − AOPC LeRF/);
  });

  it('writes three decimals with a true minus sign, never "−0.000", an exponent past 10,000, "–" for none', () => {
    const lrp = [{ text: 'LRP-α' }, { text: '2', sub: true }, { text: 'β' }, { text: '1', sub: true }];
    const { rows } = evaluateTable([
      row('lrp-a2b1', lrp, 1.23456, -0.5004),
      row('gradient', [{ text: 'Gradient' }], -0.00004, 0.0002, 2),
      row('deep-taylor', [{ text: 'Deep Taylor' }], 12345.6, Number.NaN),
    ]);
    assert.deepEqual(
      rows.map((r) => r.scores.map((c) => c.text)),
      [
        ['1.235', '−0.500', '1.735'],
        ['0.000', '0.000', '0.000'],
        ['1.23e+4', '–', '–'],
      ],
    );
    assert.deepEqual(rows[1].scores.map((c) => c.key), ['aopcMorf', 'aopcLerf', 'abpc']);
    // The cell keeps the full value for tests that compare it with the engine's to the last digit.
    assert.deepEqual(rows[0].scores.map((c) => c.value), [1.23456, -0.5004, 1.23456 - -0.5004]);
    assert.deepEqual(rows[0].title, lrp, 'the method title keeps its subscripts');
    assert.deepEqual(rows.map((r) => [r.method, r.samples]), [['lrp-a2b1', 3], ['gradient', 2], ['deep-taylor', 3]]);
  });
});
