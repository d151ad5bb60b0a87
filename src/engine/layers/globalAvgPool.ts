// Global average pooling, [h, w, c] → [c]. LRP: the z-rule with equal weights, as average pooling.
import * as tf from '@tensorflow/tfjs';
import type { FixedKind } from './layerKind';
import { perImage, stabilise } from './signals';

export const globalAvgPool: FixedKind<'globalAvgPool'> = {
  kind: 'globalAvgPool',
  create(_spec, c) {
    const [input] = c.inputShapes;
    if (input.length !== 3) c.fail(`gets an input of shape [${input}] but needs an image [height, width, channels]`);
    return { kind: 'globalAvgPool', shape: [input[2]] };
  },
  forward: (_node, [x]) => tf.mean(x, [1, 2]),
  describe: () => 'global average pool',
  vjp: (c, g) => [spread(c.inputShape(0, g.shape[0]), g)],
  relevance(c, r) {
    const s = perImage(tf.div, r, stabilise(c.output()), c.blocks);
    return [perImage(tf.mul, spread(c.inputShape(0, r.shape[0]), s), c.input(0), c.blocks)];
  },
  lrpTreatment: () => 'z-rule, equal weights',
};

/** The gradient of global average pooling: [rows, c] spread evenly over [rows, h, w, c]. A product with
 *  ones broadcasts it in one binary op (exact: x·1 = x); tf.broadcastTo is a Tile, ~10 ms for 4×7×7×512 on wasm. */
function spread(inputShape: number[], dy: tf.Tensor): tf.Tensor {
  const [rows, h, w, c] = inputShape;
  return tf.mul(tf.reshape(tf.div(dy, h * w), [rows, 1, 1, c]), tf.ones([1, h, w, 1]));
}
