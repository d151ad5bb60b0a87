// Reading and writing tensor values in place in the wasm backend's memory, for the few maps that are loops
// in JS (max-pool winners and their scatter, blocks of large kernels): copies of 25 MB activations per call
// otherwise.
import * as tf from '@tensorflow/tfjs';

/**
 * A float32 tensor's values to read at once, before any other tensor op. On wasm a view of the backend's
 * memory, where dataSync would copy it (a 25 MB activation took ~14 ms to copy); the view is only valid
 * until the next allocation in that memory, so callers read it straight away. Elsewhere, dataSync.
 * (Uses BackendWasm's typedArrayFromHeap, as the backend's own kernels do; tfjs is pinned at 4.22.0.)
 */
export function valuesOf(t: tf.Tensor): Float32Array {
  const backend = tf.backend() as unknown as { typedArrayFromHeap?: (t: tf.Tensor) => Float32Array };
  if (t.dtype === 'float32' && tf.getBackend() === 'wasm' && backend.typedArrayFromHeap) return backend.typedArrayFromHeap(t);
  return t.dataSync() as Float32Array;
}

/**
 * A new float32 tensor of `shape`, zeroed, then written by `fill`. On wasm it is written in place in the
 * backend's memory: building it in a JS array cost a 25 MB allocation (and its garbage collection) and a
 * copy per max-pool backward at batch 256. `fill` may read other tensors with `valuesOf` but must not
 * create tensors.
 */
export function filledTensor(shape: number[], fill: (values: Float32Array) => void): tf.Tensor {
  const backend = tf.backend() as unknown as {
    makeOutput?: (shape: number[], dtype: 'float32') => tf.TensorInfo;
    typedArrayFromHeap?: (info: tf.TensorInfo) => Float32Array;
  };
  if (tf.getBackend() === 'wasm' && backend.makeOutput && backend.typedArrayFromHeap) {
    const info = backend.makeOutput(shape, 'float32');
    const values = backend.typedArrayFromHeap(info);
    values.fill(0);
    fill(values);
    return tf.engine().makeTensorFromTensorInfo(info);
  }
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  fill(values);
  return tf.tensor(values, shape);
}

/**
 * Rows [r0, r0 + rows) and columns [c0, c0 + columns) of a float32 matrix, copied in place in the backend's
 * memory. tfjs-wasm's Slice reads the whole input out to JS first (readSync): a block of a 151 MB kernel
 * cost a 151 MB copy and as much garbage.
 */
export function matrixBlock(t: tf.Tensor, [r0, c0]: [number, number], [rows, columns]: [number, number]): tf.Tensor {
  const width = t.shape[1] as number;
  return filledTensor([rows, columns], (out) => {
    const x = valuesOf(t);
    if (columns === width) out.set(x.subarray(r0 * width, (r0 + rows) * width));
    else for (let r = 0; r < rows; r++) out.set(x.subarray((r0 + r) * width + c0, (r0 + r) * width + c0 + columns), r * columns);
  });
}
