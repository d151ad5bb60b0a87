// The host trusts nothing from the dataset webview: shapes, index ranges and sizes are checked.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateDatasetMessage } from '../../../../src/host/dataset/validateDatasetMessage';
import { MAX_COMPARE_SAMPLES, MAX_EVALUATE_SAMPLES, MAX_THUMBNAIL_REQUEST } from '../../../../src/protocol/datasetMessages';

const COUNT = 1000;
const check = (raw: unknown) => validateDatasetMessage(raw, COUNT);

describe('validateDatasetMessage', () => {
  it('accepts the simple messages and drops extra fields', () => {
    for (const type of ['ready', 'cancel-predictions', 'predict', 'pick-model', 'reopen-as-text', 'cancel-evaluate']) {
      assert.deepEqual(check({ type, extra: 'x' }), { type });
    }
  });

  it('rejects non-objects and unknown types', () => {
    for (const raw of [null, undefined, 3, 'ready', [], { type: 'delete-file' }, { type: 42 }]) assert.equal(check(raw), null);
  });

  it('accepts a thumbnail request of in-range indices up to the page limit', () => {
    const indices = Array.from({ length: MAX_THUMBNAIL_REQUEST }, (_, i) => COUNT - 1 - i);
    assert.deepEqual(check({ type: 'request-thumbnails', messageId: 7, indices }), { type: 'request-thumbnails', messageId: 7, indices });
  });

  it('rejects thumbnail requests that are too big, empty, out of range or not integers', () => {
    const bad = [
      Array.from({ length: MAX_THUMBNAIL_REQUEST + 1 }, (_, i) => i),
      [],
      [COUNT],
      [-1],
      [1.5],
      ['3'],
      [Number.NaN],
      'not an array',
    ];
    for (const indices of bad) assert.equal(check({ type: 'request-thumbnails', messageId: 1, indices }), null, JSON.stringify(indices));
    assert.equal(check({ type: 'request-thumbnails', messageId: 'x', indices: [1] }), null);
  });

  it('checks the explained index against the sample count', () => {
    assert.deepEqual(check({ type: 'explain', index: 0 }), { type: 'explain', index: 0 });
    assert.deepEqual(check({ type: 'explain', index: COUNT - 1 }), { type: 'explain', index: COUNT - 1 });
    for (const index of [COUNT, -1, 2.5, '4', null]) assert.equal(check({ type: 'explain', index }), null);
  });

  it('accepts 1 to MAX_COMPARE_SAMPLES distinct samples to compare', () => {
    const many = Array.from({ length: MAX_COMPARE_SAMPLES }, (_, i) => i * 3);
    assert.deepEqual(check({ type: 'compare', indices: many }), { type: 'compare', indices: many });
    assert.equal(check({ type: 'compare', indices: [...many, 999] }), null);
    assert.equal(check({ type: 'compare', indices: [] }), null);
    assert.equal(check({ type: 'compare', indices: [4, 4] }), null);
  });

  it('accepts 1 to MAX_EVALUATE_SAMPLES distinct samples to evaluate', () => {
    const many = Array.from({ length: MAX_EVALUATE_SAMPLES }, (_, i) => i);
    assert.deepEqual(check({ type: 'evaluate', indices: many }), { type: 'evaluate', indices: many });
    assert.equal(check({ type: 'evaluate', indices: [...many, 999] }), null);
    assert.equal(check({ type: 'evaluate', indices: [] }), null);
    assert.equal(check({ type: 'evaluate', indices: [1, 1] }), null);
    assert.equal(check({ type: 'evaluate', indices: [COUNT] }), null);
  });

  it('accepts no sample messages before the file is open (count 0)', () => {
    assert.equal(validateDatasetMessage({ type: 'explain', index: 0 }, 0), null);
    assert.deepEqual(validateDatasetMessage({ type: 'ready' }, 0), { type: 'ready' });
  });
});
