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
 * Not the MaxPoolGrad kernel: on wasm it starts each window's search at FLT_MIN (the smallest positive
 * float) and keeps the last maximum, so a window whose values are all ≤ 0 (dead ReLUs, or a pool before its
 * ReLU) loses its signal, and ties go to the last position where the CPU backend picks the first. Nor
 * strided slices compared with the output: wasm's StridedSlice is ~50× slower than this loop. One pass over
 * the input in plain JS, exact on every backend.
 */
export function maxPoolBackward(layer: PoolLayer, input: tf.Tensor, output: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  const [batch, h, w, c] = input.shape;
  const [, outH, outW] = output.shape;
  const [ph, pw] = layer.poolSize;
  const [sh, sw] = layer.strides;
  const [top] = poolPads(h, outH, ph, sh, layer.padding);
  const [left] = poolPads(w, outW, pw, sw, layer.padding);
  const x = input.dataSync() as Float32Array;
  const g = dy.dataSync() as Float32Array;
  const dx = new Float32Array(x.length);
  const best = new Float32Array(c);
  const winner = new Int32Array(c);
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const y0 = Math.max(oy * sh - top, 0);
      const y1 = Math.min(oy * sh - top + ph, h);
      for (let ox = 0; ox < outW; ox++) {
        const x0 = Math.max(ox * sw - left, 0);
        const x1 = Math.min(ox * sw - left + pw, w);
        best.fill(-Infinity);
        winner.fill(-1);
        for (let yy = y0; yy < y1; yy++) {
          for (let xx = x0; xx < x1; xx++) {
            const base = ((b * h + yy) * w + xx) * c;
            for (let k = 0; k < c; k++) {
              // Strictly greater: the first maximum in row-major order keeps the window.
              if (x[base + k] > best[k]) {
                best[k] = x[base + k];
                winner[k] = base + k;
              }
            }
          }
        }
        const out = ((b * outH + oy) * outW + ox) * c;
        for (let k = 0; k < c; k++) if (winner[k] >= 0) dx[winner[k]] += g[out + k];
      }
    }
  }
  return tf.tensor(dx, input.shape);
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
