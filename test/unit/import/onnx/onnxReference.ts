// onnxruntime-web (wasm, one thread) as the independent forward reference for ONNX models, and the engine
// side of the same comparison: NCHW inputs transposed to the engine's NHWC, logits by the graph forward.
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import type { Network } from '../../../../src/engine/graph/nodes';
import { logitsOf } from '../../../../src/engine/network/forward';

ort.env.wasm.numThreads = 1;

/**
 * onnxruntime's outputs for `input` (N, C, H, W floats, or N × features). Graph optimisations are off: the
 * reference must be the ops as written (onnxruntime-web 1.20's Pad → AveragePool fusion drops
 * count_include_pad and differs from PyTorch by ~0.6 on an exported AvgPool2d(padding=1)).
 */
export async function ortOutputs(model: Uint8Array, input: Float32Array, dims: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'disabled' });
  try {
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', input, dims) };
    const result = await session.run(feeds);
    return Float32Array.from(result[session.outputNames[0]].data as Float32Array);
  } finally {
    await session.release();
  }
}

/** [N, C, H, W] → [N, H, W, C]. */
export function nchwToNhwc(x: ArrayLike<number>, [n, c, h, w]: number[]): Float32Array {
  const out = new Float32Array(n * c * h * w);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) out[((b * h + y) * w + xx) * c + ch] = x[((b * c + ch) * h + y) * w + xx];
  return out;
}

/** The engine's logits for NHWC (or flat) inputs. */
export function engineLogits(network: Network, input: Float32Array, batch: number): Float32Array {
  const x = tf.tensor(input, [batch, ...network.inputShape]);
  const logits = logitsOf(network, x);
  const values = logits.dataSync() as Float32Array;
  const copy = Float32Array.from(values);
  tf.dispose([x, logits]);
  return copy;
}

export { relativeError } from '../relativeError';
