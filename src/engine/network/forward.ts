// The forward pass of a canonised network, layer by layer, keeping what the backward passes need.
import * as tf from '@tensorflow/tfjs';
import type { NetLayer, Network } from '../types';

/** Applies one layer to a batch. */
export function forwardLayer(layer: NetLayer, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    switch (layer.kind) {
      case 'dense':
        return tf.add(tf.matMul(x as tf.Tensor2D, layer.kernel), layer.bias);
      case 'conv2d':
        return tf.add(tf.conv2d(x as tf.Tensor4D, layer.kernel, layer.strides, layer.padding), layer.bias);
      case 'relu':
        return tf.relu(x);
      case 'maxPool':
        return tf.maxPool(x as tf.Tensor4D, layer.poolSize, layer.strides, layer.padding);
      case 'avgPool':
        return tf.avgPool(x as tf.Tensor4D, layer.poolSize, layer.strides, layer.padding);
      case 'globalAvgPool':
        return tf.mean(x, [1, 2]);
      case 'reshape':
        return tf.reshape(x, [x.shape[0], ...layer.shape]);
      case 'rescale':
        return tf.add(tf.mul(x, layer.scale), layer.offset);
    }
  });
}

/**
 * A Dense/Conv2D layer with its bias and, when `relu`, the ReLU after it, as one fused op: the wasm
 * backend adds the bias and clamps inside its XNNPACK kernel, so this costs one op instead of three
 * (tfjs dispatches each op for ~10–50 µs, which dominates at batch 1).
 */
export function linearLayer(layer: Extract<NetLayer, { kind: 'dense' | 'conv2d' }>, x: tf.Tensor, relu: boolean): tf.Tensor {
  const activation = relu ? 'relu' : 'linear';
  return layer.kind === 'dense'
    ? tf.fused.matMul({ a: x as tf.Tensor2D, b: layer.kernel, bias: layer.bias, activation })
    : tf.fused.conv2d({ x: x as tf.Tensor4D, filter: layer.kernel, strides: layer.strides, pad: layer.padding, bias: layer.bias, activation });
}

/**
 * Runs the network on a batch shaped [batch, ...network.inputShape]. Returns the input of every layer
 * (`inputs[i]` feeds `layers[i]`, `inputs[0]` is `x` itself, not a copy) and the logits. The caller owns
 * every returned tensor except `inputs[0]`.
 */
export function forward(network: Network, x: tf.Tensor): { inputs: tf.Tensor[]; logits: tf.Tensor2D } {
  const inputs: tf.Tensor[] = [];
  let a = x;
  for (const layer of network.layers) {
    inputs.push(a);
    a = forwardLayer(layer, a);
  }
  return { inputs, logits: a as tf.Tensor2D };
}

/**
 * The forward pass the explanations share. Like `forward`, except that a Dense/Conv2D followed by a ReLU
 * runs as one fused op, so the ReLU's input (the pre-activation) is never materialised: `inputs[i]` is
 * null for such a ReLU. The backward passes only need a ReLU's output (z > 0 exactly where relu(z) > 0).
 * The caller owns every returned tensor except `inputs[0]`.
 */
export function forwardActivations(network: Network, x: tf.Tensor): { inputs: Array<tf.Tensor | null>; logits: tf.Tensor2D } {
  const { layers } = network;
  const inputs: Array<tf.Tensor | null> = [];
  let a = x;
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i];
    inputs.push(a);
    if ((layer.kind === 'dense' || layer.kind === 'conv2d') && layers[i + 1]?.kind === 'relu') {
      inputs.push(null);
      a = tf.tidy(() => linearLayer(layer, a, true));
      i++;
    } else {
      a = layer.kind === 'dense' || layer.kind === 'conv2d' ? tf.tidy(() => linearLayer(layer, a, false)) : forwardLayer(layer, a);
    }
  }
  return { inputs, logits: a as tf.Tensor2D };
}

/** Logits only, freeing the intermediates. */
export function logitsOf(network: Network, x: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => forwardActivations(network, x).logits);
}
