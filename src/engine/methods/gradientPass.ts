// The gradient family's backward pass, written out layer by layer instead of tf.grad so that the ReLU can
// be swapped (plain gradient, guided backprop, deconvnet) and the weights come pre-transposed from the
// per-network cache (FACTS.md: transposed matMul / conv2dTranspose are ~10× slower on wasm).
import * as tf from '@tensorflow/tfjs';
import type { Network } from '../types';
import { avgPoolBackward, globalAvgPoolBackward, linearVjp, maxPoolBackward } from './layerOps';
import { preparedLayer } from './preparedNetwork';
import { asIs } from './rules';

/**
 * How the backward signal g crosses a ReLU whose input is z:
 * - 'gradient': g·[z > 0] (the true gradient),
 * - 'guided': g·[z > 0]·[g > 0] (Springenberg et al. 2014),
 * - 'deconvnet': g·[g > 0] (Zeiler & Fergus 2014; the forward mask is ignored).
 */
export type ReluMode = 'gradient' | 'guided' | 'deconvnet';

/**
 * Backpropagates `seed` (shaped like the logits, e.g. one-hot on the target) to the network input.
 * `inputs[i]` is the input of layer i for the same batch rows, `output` the logits.
 */
export function gradientBackward(
  network: Network,
  inputs: tf.Tensor[],
  output: tf.Tensor,
  seed: tf.Tensor,
  mode: ReluMode,
): tf.Tensor {
  const { layers } = network;
  let g = seed;
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i];
    const a = inputs[i];
    const out = i + 1 < layers.length ? inputs[i + 1] : output;
    const gOut = g;
    g = tf.tidy(() => {
      switch (layer.kind) {
        case 'dense':
        case 'conv2d':
          return linearVjp(layer, preparedLayer(network, i).weights(asIs), gOut, a.shape);
        case 'relu':
          if (mode === 'deconvnet') return tf.relu(gOut);
          return tf.mul(mode === 'guided' ? tf.relu(gOut) : gOut, tf.step(a));
        case 'maxPool':
          return maxPoolBackward(layer, a, out, gOut);
        case 'avgPool':
          return avgPoolBackward(layer, a, gOut);
        case 'globalAvgPool':
          return globalAvgPoolBackward(a, gOut);
        case 'reshape':
          return tf.reshape(gOut, a.shape);
        case 'rescale':
          return tf.mul(gOut, layer.scale);
      }
    });
  }
  return g;
}
