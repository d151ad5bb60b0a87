// Zero padding of an [h, w, c] map (ZeroPadding2D, ONNX Pad with constant 0). Padded positions receive
// nothing back: signals are cropped. z^B's box is padded with zeros too (a = l = h = 0 there).
import * as tf from '@tensorflow/tfjs';
import type { Pads } from '../graph/nodes';
import { checkPads, formatPads, tfPads } from './geometry';
import type { FixedKind } from './layerKind';

export const pad: FixedKind<'pad'> = {
  kind: 'pad',
  create(spec, c) {
    const [input] = c.inputShapes;
    if (input.length !== 3) c.fail(`gets an input of shape [${input}] but needs an image [height, width, channels]`);
    const pads = checkPads(spec.pads, c.fail);
    const [top, left, bottom, right] = pads;
    return { kind: 'pad', pads: [...pads] as Pads, shape: [input[0] + top + bottom, input[1] + left + right, input[2]] };
  },
  forward: (node, [x]) => tf.pad(x, tfPads(node.pads)),
  describe: (node) => `zero padding, ${formatPads(node.pads)}`,
  vjp: (c, g) => [crop(g, c.node.pads)],
  relevance: (c, r) => [crop(r, c.node.pads)],
  lrpTreatment: () => 'padded positions receive nothing',
  gradientTreatment: () => 'padded positions cropped',
};

function crop(t: tf.Tensor, [top, left, bottom, right]: Pads): tf.Tensor {
  const [n, h, w, c] = t.shape;
  return tf.slice(t, [0, top, left, 0], [n, h - top - bottom, w - left - right, c]);
}
