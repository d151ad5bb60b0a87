// The tensor operations the backward passes share: a Dense/Conv2D layer applied with modified weights, its
// vector-Jacobian product with respect to its input, and the backward maps of the pooling layers.
import * as tf from '@tensorflow/tfjs';
import type { NetLayer } from '../types';

export type LinearLayer = Extract<NetLayer, { kind: 'dense' | 'conv2d' }>;
export type PoolLayer = Extract<NetLayer, { kind: 'maxPool' | 'avgPool' }>;

export function isLinear(layer: NetLayer): layer is LinearLayer {
  return layer.kind === 'dense' || layer.kind === 'conv2d';
}

/**
 * One weight variant of a Dense/Conv2D layer in the two forms the propagation needs:
 * `forward` in the Keras layout, `backward` laid out so the VJP is a plain forward op (see `backwardKernel`).
 */
export interface PreparedWeights {
  forward: tf.Tensor;
  backward: tf.Tensor;
}

/** z = x·W' + b' (dense) or conv(x, W') + b' (conv); `bias` null leaves the bias out. */
export function linearForward(layer: LinearLayer, weights: PreparedWeights, bias: tf.Tensor | null, x: tf.Tensor): tf.Tensor {
  const z =
    layer.kind === 'dense'
      ? tf.matMul(x as tf.Tensor2D, weights.forward as tf.Tensor2D)
      : tf.conv2d(x as tf.Tensor4D, weights.forward as tf.Tensor4D, layer.strides, layer.padding);
  return bias ? tf.add(z, bias) : z;
}

/**
 * The vector-Jacobian product s ↦ sᵀ ∂z/∂x of the linear map x ↦ z (bias irrelevant): s·Wᵀ for dense, the
 * transposed convolution for conv. `inputShape` is the shape of x, batch included.
 *
 * FACTS.md: on wasm a transposed matMul and conv2dTranspose run ~10× slower than the forward ops, so the
 * dense VJP multiplies by a pre-transposed Wᵀ, and a stride-1 convolution's VJP is a forward convolution
 * with the flipped, in/out-swapped kernel and the complementary padding. Strided convolutions keep
 * conv2dTranspose.
 */
export function linearVjp(layer: LinearLayer, weights: PreparedWeights, s: tf.Tensor, inputShape: number[]): tf.Tensor {
  if (layer.kind === 'dense') return tf.matMul(s as tf.Tensor2D, weights.backward as tf.Tensor2D);
  const [kh, kw] = layer.kernel.shape;
  if (isUnitStride(layer)) {
    const [top, bottom] = backwardPads(layer.padding, kh);
    const [left, right] = backwardPads(layer.padding, kw);
    return tf.conv2d(s as tf.Tensor4D, weights.backward as tf.Tensor4D, 1, [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ]);
  }
  return tf.conv2dTranspose(
    s as tf.Tensor4D,
    weights.backward as tf.Tensor4D,
    inputShape as [number, number, number, number],
    layer.strides,
    layer.padding,
  );
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
 * Winner-take-all: the signal of each window goes to the window's arg-max, the first one in row-major order
 * on ties (TF's convention, and the gradient of max pooling).
 *
 * Written out instead of the MaxPoolGrad kernel because the wasm kernel starts each window's search at
 * FLT_MIN (the smallest positive float) and keeps the last maximum: a window whose values are all ≤ 0 (dead
 * ReLUs, or a max pool before its ReLU) loses its signal, and ties go to the last position where the CPU
 * backend picks the first. For each window offset (i, j): the inputs seen at that offset are compared with
 * the pooled output, the first match takes the signal, and the signal is placed back at its input position.
 */
export function maxPoolBackward(layer: PoolLayer, input: tf.Tensor, output: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  const [batch, h, w, c] = input.shape;
  const [, outH, outW] = output.shape;
  const [ph, pw] = layer.poolSize;
  const [sh, sw] = layer.strides;
  const [top, bottom] = poolPads(h, outH, ph, sh, layer.padding);
  const [left, right] = poolPads(w, outW, pw, sw, layer.padding);
  const paddedH = h + top + bottom;
  const paddedW = w + left + right;
  const padded = tf.pad(input, [[0, 0], [top, bottom], [left, right], [0, 0]], -Infinity);
  let taken: tf.Tensor | null = null;
  let dx: tf.Tensor | null = null;
  for (let i = 0; i < ph; i++) {
    for (let j = 0; j < pw; j++) {
      const seen = tf.stridedSlice(padded, [0, i, j, 0], [batch, i + (outH - 1) * sh + 1, j + (outW - 1) * sw + 1, c], [1, sh, sw, 1]);
      const isMax = tf.equal(seen, output);
      const wins: tf.Tensor = taken ? tf.logicalAnd(isMax, tf.logicalNot(taken)) : isMax;
      taken = taken ? tf.logicalOr(taken, wins) : wins;
      const placed = placeStrided(tf.where(wins, dy, tf.zerosLike(dy)), i, j, [sh, sw], [paddedH, paddedW]);
      dx = dx ? tf.add(dx, placed) : placed;
    }
  }
  return tf.slice(dx!, [0, top, left, 0], [batch, h, w, c]);
}

/** Puts v [b, oh, ow, c] at rows i + r·sh and columns j + q·sw of a zero [b, height, width, c] tensor. */
function placeStrided(v: tf.Tensor, i: number, j: number, [sh, sw]: number[], [height, width]: number[]): tf.Tensor {
  const [batch, oh, ow, c] = v.shape;
  const spread = tf.reshape(
    tf.pad(tf.reshape(v, [batch, oh, 1, ow, 1, c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]),
    [batch, oh * sh, ow * sw, c],
  );
  // The trailing stride gaps past the last window may overhang the padded input; they are zeros.
  const rows = Math.min(oh * sh, height - i);
  const cols = Math.min(ow * sw, width - j);
  const fitted = rows === oh * sh && cols === ow * sw ? spread : tf.slice(spread, [0, 0, 0, 0], [batch, rows, cols, c]);
  return tf.pad(fitted, [[0, 0], [i, height - i - rows], [j, width - j - cols], [0, 0]]);
}

/** Padding before and after one axis so that every window lies inside (TF 'same'/'valid' conventions). */
function poolPads(size: number, out: number, k: number, stride: number, padding: 'same' | 'valid'): [number, number] {
  const needed = (out - 1) * stride + k;
  const before = padding === 'same' ? Math.floor(Math.max(needed - size, 0) / 2) : 0;
  return [before, Math.max(needed - size - before, 0)];
}

/**
 * The gradient of average pooling: each window's signal spread evenly over the inputs it averaged.
 * With 'same' padding the forward pass divides a border window by its count of real inputs, but tfjs's
 * AvgPoolGrad (wasm and cpu) divides by the full window size; scaling dy by (window size / count) first
 * makes the two agree.
 */
export function avgPoolBackward(layer: PoolLayer, input: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  const [, h, w] = input.shape;
  const [, outH, outW] = dy.shape;
  const [ph, pw] = layer.poolSize;
  const [sh, sw] = layer.strides;
  const rows = windowCounts(h, outH, ph, sh, layer.padding);
  const cols = windowCounts(w, outW, pw, sw, layer.padding);
  const partial = rows.some((n) => n < ph) || cols.some((n) => n < pw);
  const scaled = partial
    ? tf.mul(dy, tf.tensor4d(rows.flatMap((r) => cols.map((c) => (ph * pw) / (r * c))), [1, outH, outW, 1]))
    : dy;
  return tf.engine().runKernel('AvgPoolGrad', { dy: scaled, input }, poolAttrs(layer));
}

/** How many real (unpadded) inputs each window along one axis covers, TF padding conventions. */
function windowCounts(size: number, out: number, k: number, stride: number, padding: 'same' | 'valid'): number[] {
  const [before] = poolPads(size, out, k, stride, padding);
  return Array.from({ length: out }, (_, o) => {
    const start = o * stride - before;
    return Math.min(start + k, size) - Math.max(start, 0);
  });
}

/** The gradient of global average pooling: [batch, c] spread evenly over [batch, h, w, c]. */
export function globalAvgPoolBackward(input: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  const [batch, h, w, c] = input.shape;
  return tf.broadcastTo(tf.reshape(tf.div(dy, h * w), [batch, 1, 1, c]), input.shape);
}

function poolAttrs(layer: PoolLayer) {
  return { filterSize: layer.poolSize, strides: layer.strides, pad: layer.padding };
}
