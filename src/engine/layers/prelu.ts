// PReLU y = z for z > 0, a_c·z otherwise, with a learnt slope per channel (the last axis) or one for all
// (torch nn.PReLU(num_parameters), ONNX PRelu, Keras PReLU shared over the spatial axes). As a leaky ReLU
// (leakyRelu.ts): LRP passes relevance unchanged (Zennit's Pass; nn.PReLU is one of its Activation types),
// every gradient method takes the true derivative g·(z > 0 ? 1 : a_c) (PyTorch's, a_c at 0).
// The slopes are plain numbers, as an affine node's scale: a few per channel, read once at load.
import * as tf from '@tensorflow/tfjs';
import type { FixedKind } from './layerKind';
import { perImage } from './signals';

export const prelu: FixedKind<'prelu'> = {
  kind: 'prelu',
  create(spec, c) {
    const shape = c.inputShapes[0];
    const channels = shape[shape.length - 1];
    const slope = Array.from(spec.slope);
    if (slope.length !== 1 && slope.length !== channels) {
      c.fail(`has ${slope.length} slopes for ${channels} channels (input ${JSON.stringify(shape)}); one per channel or one for all is needed`);
    }
    if (!slope.every(Number.isFinite)) c.fail('has a slope that is not a finite number');
    return { kind: 'prelu', slope, shape };
  },
  forward: (node, [x]) => tf.tidy(() => tf.prelu(x, tf.tensor1d(node.slope))),
  describe: (node) => (node.slope.length === 1 ? `PReLU (slope ${node.slope[0]})` : `PReLU (${node.slope.length} channel slopes)`),
  // f′ = a + [z > 0]·(1 − a), broadcast over the channel axis.
  vjp: (c, g) => [
    perImage(
      tf.mul,
      g,
      c.derivative(() => {
        const a = tf.tensor1d(c.node.slope);
        return tf.add(a, tf.mul(tf.step(c.input(0)), tf.sub(1, a)));
      }),
      c.blocks,
    ),
  ],
  relevance: (_c, r) => [r],
  lrpTreatment: () => 'relevance passes unchanged',
  gradientTreatment: () => 'g·(z > 0 ? 1 : a_c) (every gradient method: guided/deconvnet change ReLUs only)',
  // With a negative slope f falls then rises (minimum 0 at z = 0): a box across 0 reaches down to 0 there.
  box(node, [{ low, high }]) {
    return tf.tidy(() => {
      const a = tf.tensor1d(node.slope);
      const [fl, fh] = [tf.prelu(low, a), tf.prelu(high, a)];
      const across = tf.logicalAnd(tf.logicalAnd(tf.less(low, 0), tf.greater(high, 0)), tf.less(a, 0));
      const below = tf.minimum(fl, fh);
      return { low: tf.where(across, tf.zerosLike(below), below), high: tf.maximum(fl, fh) };
    });
  },
};
