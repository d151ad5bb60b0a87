// ReLU. LRP passes relevance unchanged (its output is its relevant input); the gradient family masks the
// signal according to its ReLU variant (layerKind.ts, ReluMode).
import * as tf from '@tensorflow/tfjs';
import type { FixedKind, ReluMode } from './layerKind';
import { perImage } from './signals';

export const relu: FixedKind<'relu'> = {
  kind: 'relu',
  create: (_spec, c) => ({ kind: 'relu', shape: c.inputShapes[0] }),
  forward: (_node, [x]) => tf.relu(x),
  describe: () => 'ReLU',
  vjp: (c, g) => [reluBackward(g, c.reluMask(), c.reluModes)],
  relevance: (_c, r) => [r],
  lrpTreatment: () => 'relevance passes unchanged',
  gradientTreatment: (_node, modes) => modes.map((m) => RELU_TREATMENT[m]).join('; '),
};

const RELU_TREATMENT: Record<ReluMode, string> = {
  gradient: 'g·[z > 0]',
  guided: 'guided: g·[z > 0]·[g > 0]',
  deconvnet: 'deconvnet: g·[g > 0]',
};

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
