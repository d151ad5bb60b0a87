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

/** Winner-take-all: the signal of each window goes to the window's arg-max (the gradient of max pooling). */
export function maxPoolBackward(layer: PoolLayer, input: tf.Tensor, output: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel('MaxPoolGrad', { dy, input, output }, poolAttrs(layer));
}

/** The gradient of average pooling: each window's signal spread evenly over the inputs it averaged. */
export function avgPoolBackward(layer: PoolLayer, input: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel('AvgPoolGrad', { dy, input }, poolAttrs(layer));
}

/** The gradient of global average pooling: [batch, c] spread evenly over [batch, h, w, c]. */
export function globalAvgPoolBackward(input: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  const [batch, h, w, c] = input.shape;
  return tf.broadcastTo(tf.reshape(tf.div(dy, h * w), [batch, 1, 1, c]), input.shape);
}

function poolAttrs(layer: PoolLayer) {
  return { filterSize: layer.poolSize, strides: layer.strides, pad: layer.padding };
}
