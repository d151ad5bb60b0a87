// The gradient family's backward pass, written out layer by layer instead of tf.grad so that the ReLU can
// be swapped (plain gradient, guided backprop, deconvnet) and the weights come pre-transposed from the
// per-network cache (FACTS.md: transposed matMul / conv2dTranspose are ~10× slower on wasm). Several ReLU
// variants run as one stack of blocks (trace.ts): the weights are the same, only the ReLUs differ.
import * as tf from '@tensorflow/tfjs';
import { avgPoolBackward, globalAvgPoolBackward, linearVjp, maxPoolBackward } from './layerOps';
import { preparedLayer } from './preparedNetwork';
import { asIs } from './ruleContext';
import { perImage, type Trace } from './trace';

/**
 * How the backward signal g crosses a ReLU whose input is z:
 * - 'gradient': g·[z > 0] (the true gradient),
 * - 'guided': g·[z > 0]·[g > 0] (Springenberg et al. 2014),
 * - 'deconvnet': g·[g > 0] (Zeiler & Fergus 2014; the forward mask is ignored).
 */
export type ReluMode = 'gradient' | 'guided' | 'deconvnet';

/**
 * Backpropagates `seed` ([N, classes], e.g. one-hot on the targets) to the network input once per mode.
 * Returns the signals stacked: block k ([k·N, (k+1)·N)) for `modes[k]`.
 */
export function gradientStack(trace: Trace, seed: tf.Tensor, modes: ReluMode[]): tf.Tensor {
  const { layers } = trace;
  const blocks = modes.length;
  let g = blocks === 1 ? seed : tf.concat(new Array<tf.Tensor>(blocks).fill(seed), 0);
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i];
    const gOut = g;
    g = tf.tidy(() => {
      switch (layer.kind) {
        case 'dense':
        case 'conv2d': {
          const a = trace.input(i);
          return linearVjp(layer, preparedLayer(trace.network, i).backward(asIs), gOut, [gOut.shape[0], ...a.shape.slice(1)]);
        }
        case 'relu':
          return reluBackward(gOut, trace.reluMask(i), modes);
        case 'maxPool':
          return maxPoolBackward(trace.poolWinners(i), trace.input(i).shape, gOut);
        case 'avgPool':
          return avgPoolBackward(layer, [gOut.shape[0], ...trace.input(i).shape.slice(1)], gOut);
        case 'globalAvgPool':
          return globalAvgPoolBackward([gOut.shape[0], ...trace.input(i).shape.slice(1)], gOut);
        case 'reshape':
          return tf.reshape(gOut, [gOut.shape[0], ...trace.input(i).shape.slice(1)]);
        case 'rescale':
          return tf.mul(gOut, layer.scale);
      }
    });
    if (gOut !== seed) gOut.dispose();
  }
  return g;
}

/** A ReLU backward for every block; `mask` is [z > 0] for the trace's rows. */
function reluBackward(g: tf.Tensor, mask: tf.Tensor, modes: ReluMode[]): tf.Tensor {
  const blocks = modes.length;
  if (modes.every((m) => m === modes[0])) {
    if (modes[0] === 'deconvnet') return tf.relu(g);
    const masked = perImage(tf.mul, g, mask, blocks);
    return modes[0] === 'guided' ? tf.relu(masked) : masked;
  }
  // Mixed variants, block by block (blocks are contiguous rows: slicing them is a copy, no gather).
  const rows = g.shape[0] / blocks;
  const parts = modes.map((mode, k) => {
    const block = tf.slice(g, k * rows, rows);
    if (mode === 'deconvnet') return tf.relu(block);
    const masked = tf.mul(block, mask);
    return mode === 'guided' ? tf.relu(masked) : masked;
  });
  return tf.concat(parts, 0);
}
