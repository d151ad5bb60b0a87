// Average pooling with explicit (also asymmetric) pads. `countIncludePad` says whether padded zeros count
// in a window's divisor (PyTorch AvgPool2d: yes by default; TF and ONNX AveragePool: no). Gradient: each
// window's signal spread evenly over what it averaged; LRP: the z-rule with those equal weights,
// R_i = a_i Σ_j (1/n_j) R_j / z_j, padded positions receiving nothing.
import * as tf from '@tensorflow/tfjs';
import { checkPads, formatPads, formatPair, isZeroPads, positivePair, resolvePads, tfPads, windowOutput } from './geometry';
import type { FixedKind } from './layerKind';
import { avgPoolGradient } from './pooling';
import { perImage, stabilise } from './signals';

export const avgPool: FixedKind<'avgPool'> = {
  kind: 'avgPool',
  create(spec, c) {
    const [input] = c.inputShapes;
    if (input.length !== 3) c.fail(`gets an input of shape [${input}] but needs an image [height, width, channels]`);
    const poolSize = positivePair(spec.poolSize, 'pool size', c.fail);
    const strides = positivePair(spec.strides ?? poolSize, 'strides', c.fail);
    const window = { kernel: poolSize, strides, dilations: [1, 1] as [number, number] };
    const pads = checkPads(resolvePads(spec.padding ?? 'valid', input, window), c.fail);
    if (pads[0] >= poolSize[0] || pads[2] >= poolSize[0] || pads[1] >= poolSize[1] || pads[3] >= poolSize[1]) {
      c.fail(`has pads [${pads}] as wide as its ${poolSize.join('×')} window; each pad must be smaller than the window`);
    }
    const [outH, outW] = windowOutput(input, window, pads);
    if (outH < 1 || outW < 1) c.fail(`gets an input of ${input[0]}×${input[1]}, smaller than its ${poolSize.join('×')} window`);
    return { kind: 'avgPool', poolSize, strides, pads, countIncludePad: spec.countIncludePad ?? false, shape: [outH, outW, input[2]] };
  },
  forward(node, [x]) {
    if (isZeroPads(node.pads)) return tf.avgPool(x as tf.Tensor4D, node.poolSize, node.strides, 'valid');
    // tfjs leaves padding out of the divisor; counting it is averaging the zero-padded map.
    if (node.countIncludePad) return tf.avgPool(tf.pad(x, tfPads(node.pads)) as tf.Tensor4D, node.poolSize, node.strides, 'valid');
    return tf.avgPool(x as tf.Tensor4D, node.poolSize, node.strides, tfPads(node.pads));
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
