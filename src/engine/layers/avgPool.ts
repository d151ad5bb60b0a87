// Average pooling with explicit (also asymmetric) pads. `countIncludePad` says whether padded zeros count
// in a window's divisor (PyTorch AvgPool2d: yes by default; TF and ONNX AveragePool: no). Gradient: each
// window's signal spread evenly over what it averaged; LRP: the z-rule with those equal weights,
// R_i = a_i Σ_j (1/n_j) R_j / z_j, padded positions receiving nothing.
import * as tf from '@tensorflow/tfjs';
import { formatPads, formatPair, isZeroPads, padArgument, tfPads } from './geometry';
import type { FixedKind } from './layerKind';
import { avgPoolGradient, createPoolWindow } from './pooling';
import { perImage, stabilise } from './signals';

export const avgPool: FixedKind<'avgPool'> = {
  kind: 'avgPool',
  create: (spec, c) => ({ kind: 'avgPool', ...createPoolWindow(spec, c), countIncludePad: spec.countIncludePad ?? false }),
  forward(node, [x]) {
    if (isZeroPads(node.pads)) return tf.avgPool(x as tf.Tensor4D, node.poolSize, node.strides, 'valid');
    // tfjs leaves padding out of the divisor; counting it is averaging the zero-padded map.
    if (node.countIncludePad) return tf.avgPool(tf.pad(x, tfPads(node.pads)) as tf.Tensor4D, node.poolSize, node.strides, 'valid');
    return tf.avgPool(x as tf.Tensor4D, node.poolSize, node.strides, padArgument(node.pads));
  },
  describe(node) {
    const padding = isZeroPads(node.pads) ? '' : node.countIncludePad ? ' (padding counted)' : ' (padding not counted)';
    return `avg pool ${node.poolSize.join('×')}, stride ${formatPair(node.strides)}, ${formatPads(node.pads)}${padding}`;
  },
  vjp: (c, g) => [avgPoolGradient(c.node, c.node.countIncludePad, c.inputShape(0, g.shape[0]), g)],
  relevance(c, r) {
    const s = perImage(tf.div, r, stabilise(c.output()), c.blocks);
    return [perImage(tf.mul, avgPoolGradient(c.node, c.node.countIncludePad, c.inputShape(0, r.shape[0]), s), c.input(0), c.blocks)];
  },
  lrpTreatment: () => 'z-rule, equal weights',
};
