// The explain panel never mixes two runs: these pin what it says while a new run is busy, after Cancel,
// for an unreadable image and during a long run, from the host's state alone (explainStatus.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportBlocker, graphToShow, heatmapIsCurrent, noPredictionText, progressText, shownLabels, staleNote, timeText, type ExplainView } from '../../../webview/explainStatus';
import { modelLoadText } from '../../../webview/modelLoadText';
import type { ModelGraphView } from '../../../src/protocol/webviewMessages';
import { explainState, FASHION_LABELS } from './fixtures';

const deepTaylor = { spec: 'deep-taylor', title: [{ text: 'Deep Taylor Decomposition' }], conservative: true };

test('a settled run: current heatmap, its time, export allowed, nothing stale', () => {
  const s = explainState();
  const image = s.images[0];
  assert.equal(heatmapIsCurrent(s, image), true);
  assert.equal(timeText(s, image), 'wasm-simd · 2 workers · 3.1 ms');
  assert.equal(staleNote(s, image), undefined);
  assert.equal(exportBlocker(s, image), undefined);
  assert.equal(progressText(s), undefined);
});

test('model switch under way: labels stay the shown run\'s, never the new model\'s', () => {
  // The host clears results when the model changes; were old results still present, they keep their own labels.
  const s: ExplainView = { ...explainState(), busy: true, model: { id: 'fashion-cnn', name: 'FashionMNIST CNN', dataset: 'FashionMNIST', labels: FASHION_LABELS } };
  assert.deepEqual(shownLabels(s), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  assert.equal(heatmapIsCurrent(s, s.images[0]), false);
  assert.match(staleNote(s, s.images[0])!, /^Computing LRP-α2β1… shown until it is ready: LRP-α2β1 for class 7\.$/);
});

test('method switch under way: the old heatmap is marked with its own method and class; export waits', () => {
  const s: ExplainView = { ...explainState(), busy: true, method: deepTaylor };
  const image = s.images[0];
  assert.equal(heatmapIsCurrent(s, image), false);
  assert.equal(staleNote(s, image), 'Computing Deep Taylor Decomposition… shown until it is ready: LRP-α2β1 for class 7.');
  assert.equal(exportBlocker(s, image), 'Waiting for the heatmap being computed');
  // The time is the shown run's, shown only next to its heatmap.
  assert.equal(timeText(s, image), 'wasm-simd · 2 workers · 3.1 ms');
});

test('after Cancel: the old heatmap is named as from before, with what Retry would compute', () => {
  const s: ExplainView = { ...explainState(), cancelled: true, method: deepTaylor };
  assert.equal(staleNote(s, s.images[0]), 'Cancelled. Shown: LRP-α2β1 for class 7, from before. Retry computes Deep Taylor Decomposition.');
  assert.equal(exportBlocker(s, s.images[0]), undefined, 'what is shown can be exported, under its own name');
  // A class asked for but cancelled: the heatmap is not that class's.
  const classAsked: ExplainView = { ...explainState(), target: 3 };
  assert.equal(heatmapIsCurrent(classAsked, classAsked.images[0]), false);
});

test('an unreadable image: no time, no export, no stale note', () => {
  const base = explainState();
  const s: ExplainView = { ...base, selected: 2, shown: { ...base.shown!, ms: undefined } };
  const image = s.images[2];
  assert.equal(timeText(s, image), 'wasm-simd · 2 workers', 'no "0.0 ms" for an image that was never explained');
  assert.equal(exportBlocker(s, image), 'No heatmap to export');
  assert.equal(staleNote(s, image), undefined);
});

test('SmoothGrad progress reads as samples done of total', () => {
  const s: ExplainView = {
    ...explainState(),
    busy: true,
    method: { spec: 'smoothgrad:samples=256', title: [{ text: 'SmoothGrad' }], conservative: false },
    progress: { done: 96, total: 256, unit: 'samples' },
  };
  assert.equal(progressText(s), 'SmoothGrad: 96 of 256 samples');
  assert.equal(progressText({ ...s, busy: false }), undefined, 'no progress once the run is over');
});

test('the graph list is only ever the header model\'s: another model\'s graph is not listed under its name', () => {
  const s = explainState();
  const graph = (modelId: string): ModelGraphView => ({ modelId, method: s.method, nodes: [{ name: 'input', kind: 'input', description: '', shape: [28, 28, 1], inputs: [] }], notes: [] });
  assert.equal(graphToShow(graph(s.model.id), s)?.modelId, s.model.id);
  // The model switched (header first): the old graph goes at once, before the new one arrives.
  const switched: ExplainView = { ...s, busy: true, model: { id: 'resnet18.onnx', name: 'ResNet-18', labels: [] } };
  assert.equal(graphToShow(graph(s.model.id), switched), null);
  assert.equal(graphToShow(graph('resnet18.onnx'), switched)?.modelId, 'resnet18.onnx');
  assert.equal(graphToShow(null, s), null);
});

test('while the model loads the panel says which one and how far; after Cancel it no longer waits for it', () => {
  const base = explainState();
  const loading = { model: 'ResNet-18', bytesRead: 16_777_216, bytesTotal: 46_747_905, nodesBuilt: 0 };
  assert.equal(modelLoadText(loading), 'Loading ResNet-18: 16.8 of 46.7 MB read');
  assert.equal(modelLoadText({ ...loading, bytesRead: loading.bytesTotal, nodesBuilt: 41 }), 'Loading ResNet-18: 46.7 of 46.7 MB read, 41 nodes built');
  assert.equal(modelLoadText({ model: 'ResNet-18', bytesRead: 0, bytesTotal: 0, nodesBuilt: 0 }), 'Loading ResNet-18…');
  const waiting: ExplainView = { ...base, busy: true, loading, images: base.images.map((i) => ({ ...i, scores: undefined, predicted: undefined, heatmap: undefined })) };
  const image = waiting.images[0];
  assert.equal(noPredictionText(waiting, image), 'Waiting for the model: Loading ResNet-18: 16.8 of 46.7 MB read');
  assert.equal(progressText(waiting), 'Loading ResNet-18: 16.8 of 46.7 MB read', 'the header says it too');
  assert.equal(noPredictionText({ ...waiting, loading: undefined }, image), `Computing with ${base.model.name}…`);
  const cancelled: ExplainView = { ...waiting, busy: false, loading: undefined, cancelled: true };
  assert.equal(noPredictionText(cancelled, image), 'Cancelled. Retry computes it.');
  assert.doesNotMatch(noPredictionText(cancelled, image), /Waiting/);
  assert.equal(noPredictionText({ ...cancelled, cancelled: undefined }, image), 'No prediction yet.');
  assert.equal(noPredictionText({ ...cancelled, error: 'x' }, image), 'No prediction.');
});
