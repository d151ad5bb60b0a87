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

/** Logits only, freeing the intermediates. */
export function logitsOf(network: Network, x: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    let a = x;
    for (const layer of network.layers) a = forwardLayer(layer, a);
    return a as tf.Tensor2D;
  });
}
