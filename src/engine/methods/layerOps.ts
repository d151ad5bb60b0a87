// The tensor operations the backward passes share: a Dense/Conv2D layer applied with modified weights, its
// vector-Jacobian product with respect to its input, and the backward maps of the pooling layers. Every
// backward map takes a signal of `blocks` × N rows (several methods stacked, see trace.ts) while the
// activations it depends on have N rows.
import * as tf from '@tensorflow/tfjs';
import type { NetLayer } from '../types';

export type LinearLayer = Extract<NetLayer, { kind: 'dense' | 'conv2d' }>;
export type PoolLayer = Extract<NetLayer, { kind: 'maxPool' | 'avgPool' }>;

export function isLinear(layer: NetLayer): layer is LinearLayer {
  return layer.kind === 'dense' || layer.kind === 'conv2d';
}

/**
 * z = x·W' + b' (dense) or conv(x, W') + b' (conv) with a kernel in the Keras layout; `bias` null leaves
 * the bias out. With a bias it is one fused op (the wasm backend adds it inside its XNNPACK kernel).
 */
export function linearForward(layer: LinearLayer, kernel: tf.Tensor, bias: tf.Tensor | null, x: tf.Tensor): tf.Tensor {
  if (layer.kind === 'dense') {
    return bias ? tf.fused.matMul({ a: x as tf.Tensor2D, b: kernel as tf.Tensor2D, bias }) : tf.matMul(x as tf.Tensor2D, kernel as tf.Tensor2D);
  }
  const args = { x: x as tf.Tensor4D, filter: kernel as tf.Tensor4D, strides: layer.strides, pad: layer.padding };
  return bias ? tf.fused.conv2d({ ...args, bias }) : tf.conv2d(args.x, args.filter, args.strides, args.pad);
}

/**
 * The vector-Jacobian product s ↦ sᵀ ∂z/∂x of the linear map x ↦ z (bias irrelevant), `kernel` in the form
 * `backwardKernel` made. `inputShape` is the shape of x for s's rows, batch included.
 *
 * FACTS.md: on wasm a transposed matMul and conv2dTranspose run ~10× slower than the forward ops, so the
 * dense VJP multiplies by a pre-transposed Wᵀ, and a stride-1 convolution's VJP is a forward convolution
 * with the flipped, in/out-swapped kernel and the complementary padding. When that convolution has one or
 * two output channels (the first layer of a grey or two-channel model), XNNPACK still computes a tile of
 * eight and runs ~8× below its peak; a depthwise convolution (each channel with its own kernel) followed by
 * a sum over the channels does the same multiply-adds at ~2.5× the speed (measured at batch 256).
 * Strided convolutions keep conv2dTranspose.
 */
export function linearVjp(layer: LinearLayer, kernel: tf.Tensor, s: tf.Tensor, inputShape: number[]): tf.Tensor {
  if (layer.kind === 'dense') return tf.matMul(s as tf.Tensor2D, kernel as tf.Tensor2D);
  const [kh, kw] = layer.kernel.shape;
  if (!isUnitStride(layer)) {
    return tf.conv2dTranspose(s as tf.Tensor4D, kernel as tf.Tensor4D, inputShape as [number, number, number, number], layer.strides, layer.padding);
  }
  const [top, bottom] = backwardPads(layer.padding, kh);
  const [left, right] = backwardPads(layer.padding, kw);
  const pads: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
  const channels = kernel.shape[3]!;
  if (channels <= 2) {
    // kernel [kh, kw, K, C] is also a depthwise filter: K input channels, channel multiplier C.
    const perChannel = tf.depthwiseConv2d(s as tf.Tensor4D, kernel as tf.Tensor4D, 1, pads);
    const [n, h, w] = perChannel.shape;
    return tf.sum(tf.reshape(perChannel, [n, h, w, kernel.shape[2]!, channels]), 3);
  }
  return tf.conv2d(s as tf.Tensor4D, kernel as tf.Tensor4D, 1, pads);
}

/** The `backward` form of a weight tensor `w` (already modified by a rule) for `linearVjp`. */
export function backwardKernel(layer: LinearLayer, w: tf.Tensor): tf.Tensor {
  if (layer.kind === 'dense') return tf.transpose(w);
  if (!isUnitStride(layer)) return w;
  // Flip spatially and swap in/out channels: [kh, kw, in, out] -> [kh, kw, out, in].
  return tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]);
}

export function isUnitStride(layer: LinearLayer): boolean {
  return layer.kind === 'conv2d' && layer.strides[0] === 1 && layer.strides[1] === 1;
}

/**
 * Padding of the full correlation that undoes a stride-1 convolution along one axis of kernel size k.
 * TF 'same' pads k−1 in total, the smaller half before; the backward pass pads the complement on each side.
 */
function backwardPads(padding: 'same' | 'valid', k: number): [number, number] {
  if (padding === 'valid') return [k - 1, k - 1];
  const before = Math.floor((k - 1) / 2);
  const after = k - 1 - before;
  return [k - 1 - before, k - 1 - after];
}

/**
 * Winner-take-all max pooling: for every output element, the flat index of the input it takes its value
 * from, the first maximum in row-major order on ties (TF's convention, and the gradient of max pooling);
 * -1 for a window of NaNs. Computed once per call and used by every method's backward pass.
 *
 * Not the MaxPoolGrad kernel: on wasm it starts each window's search at FLT_MIN (the smallest positive
 * float) and keeps the last maximum, so a window whose values are all ≤ 0 (dead ReLUs, or a pool before its
 * ReLU) loses its signal, and ties go to the last position where the CPU backend picks the first. Nor
 * strided slices compared with the output: wasm's StridedSlice is ~50× slower than this loop. One pass over
 * the input in plain JS, exact on every backend.
 */
export function maxPoolWinners(layer: PoolLayer, input: tf.Tensor, outputShape: number[]): Int32Array {
  const [batch, h, w, c] = input.shape;
  const [, outH, outW] = outputShape;
  const [ph, pw] = layer.poolSize;
  const [sh, sw] = layer.strides;
  const [top] = poolPads(h, outH, ph, sh, layer.padding);
  const [left] = poolPads(w, outW, pw, sw, layer.padding);
  const x = valuesOf(input);
  const winners = new Int32Array(batch * outH * outW * c);
  const starts = new Int32Array(ph * pw);
  let out = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const y0 = Math.max(oy * sh - top, 0);
      const y1 = Math.min(oy * sh - top + ph, h);
      for (let ox = 0; ox < outW; ox++) {
        const x0 = Math.max(ox * sw - left, 0);
        const x1 = Math.min(ox * sw - left + pw, w);
        // Where each input pixel of the window starts, in row-major order.
        let n = 0;
        for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) starts[n++] = ((b * h + yy) * w + xx) * c;
        if (n === 4) {
          // The common 2×2 window, unrolled (a third faster at batch 256).
          const [p0, p1, p2, p3] = [starts[0], starts[1], starts[2], starts[3]];
          for (let k = 0; k < c; k++, out++) {
            let best = -Infinity;
            let winner = -1;
            if (x[p0 + k] > best) (best = x[p0 + k]), (winner = p0 + k);
            if (x[p1 + k] > best) (best = x[p1 + k]), (winner = p1 + k);
            if (x[p2 + k] > best) (best = x[p2 + k]), (winner = p2 + k);
            if (x[p3 + k] > best) winner = p3 + k;
            winners[out] = winner;
          }
          continue;
        }
        for (let k = 0; k < c; k++, out++) {
          let best = -Infinity;
          let winner = -1;
          for (let p = 0; p < n; p++) {
            // Strictly greater: the first maximum in row-major order keeps the window.
            const v = x[starts[p] + k];
            if (v > best) {
              best = v;
              winner = starts[p] + k;
            }
          }
          winners[out] = winner;
        }
      }
    }
  }
  return winners;
}

/** Max pooling's backward map: each output's signal to its winner. `dy` may hold several stacked blocks. */
export function maxPoolBackward(winners: Int32Array, inputShape: number[], dy: tf.Tensor): tf.Tensor {
  const inputSize = inputShape.reduce((a, b) => a * b, 1);
  const blocks = dy.size / winners.length;
  return filledTensor([blocks * inputShape[0], ...inputShape.slice(1)], (dx) => {
    const g = valuesOf(dy);
    for (let block = 0; block < blocks; block++) {
      const into = block * inputSize;
      const from = block * winners.length;
      for (let o = 0; o < winners.length; o++) {
        const winner = winners[o];
        if (winner >= 0) dx[into + winner] += g[from + o];
      }
    }
  });
}

/**
 * A new float32 tensor of `shape`, zeroed, then written by `fill`. On wasm it is written in place in the
 * backend's memory: building it in a JS array cost a 25 MB allocation (and its garbage collection) and a
 * copy per max-pool backward at batch 256. `fill` may read other tensors with `valuesOf` but must not
 * create tensors.
 */
function filledTensor(shape: number[], fill: (values: Float32Array) => void): tf.Tensor {
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

/** Padding before and after one axis so that every window lies inside (TF 'same'/'valid' conventions). */
function poolPads(size: number, out: number, k: number, stride: number, padding: 'same' | 'valid'): [number, number] {
  const needed = (out - 1) * stride + k;
  const before = padding === 'same' ? Math.floor(Math.max(needed - size, 0) / 2) : 0;
  return [before, Math.max(needed - size - before, 0)];
}

/**
 * The gradient of average pooling: each window's signal spread evenly over the inputs it averaged.
 * `inputShape` is the pooled input's shape for dy's rows. With 'same' padding the forward pass divides a
 * border window by its count of real inputs, but tfjs's AvgPoolGrad (wasm and cpu) divides by the full
 * window size; scaling dy by (window size / count) first makes the two agree.
 */
export function avgPoolBackward(layer: PoolLayer, inputShape: number[], dy: tf.Tensor): tf.Tensor {
  const [, h, w] = inputShape;
  const [, outH, outW] = dy.shape;
  const [ph, pw] = layer.poolSize;
  const [sh, sw] = layer.strides;
  const rows = windowCounts(h, outH, ph, sh, layer.padding);
  const cols = windowCounts(w, outW, pw, sw, layer.padding);
  const partial = rows.some((n) => n < ph) || cols.some((n) => n < pw);
  const scaled = partial
    ? tf.mul(dy, tf.tensor4d(rows.flatMap((r) => cols.map((c) => (ph * pw) / (r * c))), [1, outH, outW, 1]))
    : dy;
  // The kernel reads only the shape of `input`.
  const shapeOnly = tf.zeros(inputShape);
  return tf.engine().runKernel('AvgPoolGrad', { dy: scaled, input: shapeOnly }, poolAttrs(layer));
}

/** How many real (unpadded) inputs each window along one axis covers, TF padding conventions. */
function windowCounts(size: number, out: number, k: number, stride: number, padding: 'same' | 'valid'): number[] {
  const [before] = poolPads(size, out, k, stride, padding);
  return Array.from({ length: out }, (_, o) => {
    const start = o * stride - before;
    return Math.min(start + k, size) - Math.max(start, 0);
  });
}

/** The gradient of global average pooling: [rows, c] spread evenly over [rows, h, w, c]. */
export function globalAvgPoolBackward(inputShape: number[], dy: tf.Tensor): tf.Tensor {
  const [rows, h, w, c] = inputShape;
  return tf.broadcastTo(tf.reshape(tf.div(dy, h * w), [rows, 1, 1, c]), inputShape);
}

function poolAttrs(layer: PoolLayer) {
  return { filterSize: layer.poolSize, strides: layer.strides, pad: layer.padding };
}
