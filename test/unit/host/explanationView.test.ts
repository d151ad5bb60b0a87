// The one Explanation → view conversion both panels use (host/explanationView.ts), on a hand-made result.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classScores, heatmapView, imageResult, inputImage, predictionLabel } from '../../../src/host/explanationView';
import type { PreparedImage } from '../../../src/protocol/engineJobs';
import type { Explanation } from '../../../src/protocol/explanation';

const LABELS = ['zero', 'one', 'two'];
/** Two maps of one job in one buffer, as the engine returns them. */
const maps = Float32Array.of(1, -2, 3, 4, 9, 9, 9, 9);
const explanation: Explanation = {
  image: 0,
  method: 'lrp-a2b1',
  target: 1,
  predicted: 2,
  logit: 3.5,
  probabilities: Float32Array.of(0.1, 0.25, 0.65),
  relevance: maps.subarray(0, 4),
  shape: [2, 2],
  relevanceSum: 6,
  ms: 1.5,
};
const prepared: PreparedImage = { name: 'a.png', pixels: Uint8Array.of(0, 50, 100, 150), shape: [2, 2, 1], steps: ['scaled'], frames: 3 };

test('the heatmap keeps its numbers, its map copied into a buffer of its own', () => {
  const view = heatmapView(explanation);
  assert.deepEqual(view, { relevance: Float32Array.of(1, -2, 3, 4), shape: [2, 2], target: 1, logit: 3.5, relevanceSum: 6, ms: 1.5 });
  assert.equal(view.relevance.buffer.byteLength, 16, 'posting it sends 4 floats, not the job\'s every map');
});

test('input, scores most probable first, and the prediction label', () => {
  assert.deepEqual(inputImage(prepared), { width: 2, height: 2, channels: 1, pixels: prepared.pixels });
  assert.deepEqual(
    classScores(explanation, LABELS).map((s) => [s.index, s.label, Math.round(s.probability * 100)]),
    [[2, 'two', 65], [1, 'one', 25], [0, 'zero', 10]],
  );
  assert.equal(classScores(explanation, ['only'])[0].label, '2', 'a class without a label goes by its number');
  assert.equal(predictionLabel(explanation, LABELS), 'two (65.0%)');
});

test('what the explain panel shows of one image: results, or the image\'s error', () => {
  const result = imageResult(prepared, explanation, LABELS);
  assert.equal(result.predicted, 2);
  assert.deepEqual(result.steps, ['scaled']);
  assert.equal(result.frames, 3);
  assert.equal(result.heatmap!.target, 1);
  assert.equal(result.scores![0].index, 2);
  assert.deepEqual(imageResult({ ...prepared, error: 'broken.png: not an image' }, undefined, LABELS), { error: 'broken.png: not an image' });
  const unexplained = imageResult(prepared, undefined, LABELS);
  assert.equal(unexplained.heatmap, undefined);
  assert.deepEqual(unexplained.input, inputImage(prepared), 'the input is shown even before its heatmap');
});
