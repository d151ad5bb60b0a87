// The strategies' plots and the Concepts section's words, without a DOM; and the new webview messages as
// the host checks them (the strategies' messages of the dataset browser, Concepts of the explain panel).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { validateDatasetMessage } from '../../../../src/host/dataset/validateDatasetMessage';
import { strategySamples } from '../../../../src/host/dataset/strategySamples';
import { webviewMessageProblem } from '../../../../src/host/validateWebviewMessage';
import type { Dataset } from '../../../../src/engine/data/datasetFile';
import { referenceText, shareText } from '../../../../webview/conceptsSection';
import { pointAt, scatterLayout, spectrumLayout } from '../../../../webview/dataset/strategyPlots';

describe('strategy plots', () => {
  it('scatterLayout fits each axis into the canvas less the margin, y up; pointAt finds the point under the pointer', () => {
    const layout = scatterLayout([0, 0, 10, 5, 5, 10], { width: 120, height: 100, margin: 10 });
    assert.deepEqual(Array.from(layout), [10, 90, 110, 50, 60, 10]);
    assert.equal(pointAt(layout, 58, 12), 2);
    assert.equal(pointAt(layout, 11, 88), 0);
    assert.equal(pointAt(layout, 60, 50), -1);
    // A constant axis sits in the middle.
    assert.deepEqual(Array.from(scatterLayout([3, 1, 3, 2], { width: 100, height: 100, margin: 0 })), [50, 100, 50, 0]);
  });

  it('spectrumLayout: bars from the axis in proportion to λ, λ₁ first', () => {
    const { bars, axisY, top } = spectrumLayout([0, 0.25, 1], { width: 100, height: 100, margin: 20 });
    assert.equal(top, 1);
    assert.equal(axisY, 80);
    assert.deepEqual(bars.map((b) => [b.k, b.height, b.y]), [[1, 0, 80], [2, 15, 65], [3, 60, 20]]);
    assert.ok(bars[1].x > bars[0].x);
  });
});

describe('Concepts section words', () => {
  it('shares as percentages with their sign; the reference line for each state', () => {
    assert.equal(shareText(0.1234), '12.3%');
    assert.equal(shareText(-0.05), '-5.0%');
    assert.match(referenceText({ state: 'none' }), /open a data set file, or choose one/);
    assert.equal(referenceText({ state: 'searching', dataset: 'a.npz', done: 2500, total: 10000 }), 'Searching a.npz for reference samples: 2,500 of 10,000 samples');
    assert.match(referenceText({ state: 'done', dataset: 'a.npz', searched: 10000, ms: 1 }), /^Reference samples from a\.npz: .*10,000 searched/);
    assert.match(referenceText({ state: 'failed', dataset: 'a.npz', message: 'truncated' }), /failed: truncated$/);
  });
});

describe('strategies: which samples', () => {
  const dataset = (labels: number[] | null) => ({ labels: labels && Uint8Array.from(labels), count: 4 }) as unknown as Dataset;
  it('by the file\'s labels as the model\'s classes (a name map applied), else by the predictions once all are in', () => {
    assert.deepEqual(strategySamples(1, { dataset: dataset([1, 0, 1, 2]), model: null, predicted: null }), { samples: [0, 2], by: 'label' });
    const labelMap = new Uint8Array(256).fill(255);
    labelMap[0] = 1;
    labelMap[1] = 0;
    const model = { id: 'm', name: 'm', labels: ['a', 'b'], labelMap };
    assert.deepEqual(strategySamples(1, { dataset: dataset([1, 0, 1, 2]), model, predicted: null }), { samples: [1], by: 'label' });
    assert.deepEqual(strategySamples(2, { dataset: dataset(null), model: null, predicted: Int32Array.from([2, 2, 0, 2]) }), { samples: [0, 1, 3], by: 'predicted' });
    assert.throws(() => strategySamples(2, { dataset: dataset(null), model: null, predicted: null }), /no labels: the class is taken from the predictions, which are not finished yet/);
  });
});

describe('the new messages, checked', () => {
  const png = new Uint8Array(PNG.sync.write(Object.assign(new PNG({ width: 2, height: 2 }), {})));
  it('dataset browser: find-strategies with a class index, cancel, export as JSON or a real PNG', () => {
    assert.deepEqual(validateDatasetMessage({ type: 'find-strategies', target: 7 }, 10), { type: 'find-strategies', target: 7 });
    assert.deepEqual(validateDatasetMessage({ type: 'cancel-strategies', x: 1 }, 10), { type: 'cancel-strategies' });
    assert.deepEqual(validateDatasetMessage({ type: 'export-strategies', format: 'json', path: '/etc/passwd' }, 10), { type: 'export-strategies', format: 'json' });
    assert.deepEqual(validateDatasetMessage({ type: 'export-strategies', format: 'png', png }, 10), { type: 'export-strategies', format: 'png', png });
    for (const bad of [
      { type: 'find-strategies', target: -1 },
      { type: 'find-strategies', target: 1.5 },
      { type: 'find-strategies', target: '7' },
      { type: 'export-strategies', format: 'png', png: new Uint8Array([1, 2, 3]) },
      { type: 'export-strategies', format: 'svg' },
    ]) {
      assert.equal(validateDatasetMessage(bad, 10), null, JSON.stringify(bad));
    }
  });

  it('explain panel: show-concepts names a node; concepts-action is one of three', () => {
    assert.equal(webviewMessageProblem({ type: 'show-concepts', layer: 'conv2' }), null);
    assert.equal(webviewMessageProblem({ type: 'concepts-action', action: 'choose-dataset' }), null);
    assert.match(webviewMessageProblem({ type: 'show-concepts', layer: '' }) ?? '', /node name/);
    assert.match(webviewMessageProblem({ type: 'show-concepts', layer: 3 }) ?? '', /node name/);
    assert.match(webviewMessageProblem({ type: 'concepts-action', action: 'rm' }) ?? '', /must be one of choose-dataset, cancel, close/);
    assert.notEqual(webviewMessageProblem({ type: 'show-concepts', layer: 'conv2', extra: 1 }), null);
  });
});
