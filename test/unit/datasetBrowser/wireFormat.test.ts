// What the host packs (Node Buffer → base64) the webview unpacks (atob → typed arrays) unchanged.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodePredictionChunk, toBase64 } from '../../../src/host/dataset/wireFormat';
import { bytesFromBase64, float32FromBase64, int32FromBase64 } from '../../../webview/dataset/base64';

describe('wire format', () => {
  it('round-trips a prediction chunk', () => {
    const stats = {
      predicted: Int32Array.from([0, 9, 3, 70000]),
      confidence: Float32Array.from([0.5, 0.999, 1e-7, 1]),
      loss: Float32Array.from([0.69, 1e-3, 16.1, Number.NaN]),
    };
    const chunk = encodePredictionChunk(1200, stats);
    assert.equal(chunk.start, 1200);
    assert.equal(chunk.n, 4);
    assert.deepEqual(int32FromBase64(chunk.predicted), stats.predicted);
    assert.deepEqual(float32FromBase64(chunk.confidence), stats.confidence);
    assert.deepEqual(float32FromBase64(chunk.loss!), stats.loss);
  });

  it('round-trips pixels, including from a view into a larger buffer', () => {
    const whole = Uint8Array.from({ length: 3000 }, (_, i) => (i * 37) & 255);
    const view = whole.subarray(784, 784 * 3);
    assert.deepEqual(bytesFromBase64(toBase64(view)), Uint8Array.from(view));
  });

  it('leaves the loss out without labels', () => {
    const chunk = encodePredictionChunk(0, { predicted: Int32Array.from([1]), confidence: Float32Array.from([1]), loss: null });
    assert.equal(chunk.loss, undefined);
  });
});
