// The table's labels follow the model: mapped by class name when the host sends a map, the file's own
// otherwise; misclassified counts follow the mapped labels.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SampleTable, summarize } from '../../../../webview/dataset/sampleTable';

describe('SampleTable.mapLabels', () => {
  it('counts mistakes against the labels mapped to the model classes, and back without a map', () => {
    const table = new SampleTable(4, Uint8Array.from([0, 1, 2, 1]));
    table.setPredictions(0, Int32Array.from([2, 1, 0, 1]), Float32Array.from([0.9, 0.8, 0.7, 0.6]));
    assert.equal(summarize(table).misclassified, 2); // file values: #0 and #2 wrong
    const map = new Uint8Array(256).fill(255);
    map.set([2, 1, 0]); // the model's classes are the file's in reverse
    table.mapLabels(map);
    assert.deepEqual([...table.labels!], [2, 1, 0, 1]);
    assert.equal(summarize(table).misclassified, 0);
    assert.equal(table.isMisclassified(0), false);
    table.mapLabels(undefined);
    assert.deepEqual([...table.labels!], [0, 1, 2, 1]);
    assert.equal(summarize(table).misclassified, 2);
  });

  it('leaves a table without labels without', () => {
    const table = new SampleTable(2, null);
    table.mapLabels(new Uint8Array(256));
    assert.equal(table.labels, null);
  });
});

describe('SampleTable.setPredictions', () => {
  it('counts a sample delivered without a prediction (unreadable) once, never as misclassified', () => {
    const table = new SampleTable(3, Uint8Array.from([0, 1, 2]));
    table.setPredictions(0, Int32Array.from([0, -1, 1]), Float32Array.from([0.9, NaN, 0.8]));
    assert.equal(table.predictedCount, 3);
    assert.equal(table.isPredicted(1), false);
    assert.equal(table.isMisclassified(1), false);
    assert.deepEqual(summarize(table), { predicted: 3, labelled: 2, correct: 1, misclassified: 1 });
    table.setPredictions(0, Int32Array.from([0, -1, 1]), Float32Array.from([0.9, NaN, 0.8]));
    assert.equal(table.predictedCount, 3, 'the same chunk again counts nothing new');
  });
});
