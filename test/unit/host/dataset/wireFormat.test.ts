// What the host packs for the dataset webview: typed arrays with buffers of their own, since VS Code posts
// a view's whole buffer and would send a Node Buffer as JSON numbers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodePredictionChunk, ownBytes } from '../../../../src/host/dataset/wireFormat';

describe('wire format', () => {
  it('packs a prediction chunk, each array in a buffer of its own', () => {
    const whole = { predicted: new Int32Array(100), confidence: new Float32Array(100), loss: new Float32Array(100) };
    whole.predicted.set([0, 9, 3, 70000], 40);
    whole.confidence.set([0.5, 0.999, 1e-7, 1], 40);
    whole.loss.set([0.69, 1e-3, 16.1, Number.NaN], 40);
    const stats = { predicted: whole.predicted.subarray(40, 44), confidence: whole.confidence.subarray(40, 44), loss: whole.loss.subarray(40, 44) };
    const chunk = encodePredictionChunk(1200, stats);
    assert.equal(chunk.start, 1200);
    assert.equal(chunk.n, 4);
    assert.deepEqual(chunk.predicted, Int32Array.from([0, 9, 3, 70000]));
    assert.deepEqual(chunk.confidence, stats.confidence);
    assert.deepEqual(chunk.loss, stats.loss);
    for (const array of [chunk.predicted, chunk.confidence, chunk.loss!]) assert.equal(array.buffer.byteLength, 16, 'only its own 4 values');
  });

  it('copies pixels out of a larger buffer, and a Node Buffer into a plain Uint8Array', () => {
    const whole = Uint8Array.from({ length: 3000 }, (_, i) => (i * 37) & 255);
    const view = whole.subarray(784, 784 * 3);
    const own = ownBytes(view);
    assert.deepEqual(own, Uint8Array.from(view));
    assert.equal(own.buffer.byteLength, view.length);
    const fromBuffer = ownBytes(Buffer.from(view));
    assert.equal(Object.getPrototypeOf(fromBuffer), Uint8Array.prototype);
    assert.equal(JSON.stringify({ a: fromBuffer }).includes('"type":"Buffer"'), false);
  });

  it('leaves the loss out without labels', () => {
    const chunk = encodePredictionChunk(0, { predicted: Int32Array.from([1]), confidence: Float32Array.from([1]), loss: null });
    assert.equal(chunk.loss, undefined);
  });
});
