// Max pooling with explicit (also asymmetric) pads; padded positions never win. Gradient and relevance go
// to each window's winner (the first maximum on ties), in every method.
import * as tf from '@tensorflow/tfjs';
import { checkPads, formatPads, formatPair, isZeroPads, positivePair, resolvePads, tfPads, windowOutput } from './geometry';
import type { FixedKind } from './layerKind';
import { scatterToWinners } from './pooling';

export const maxPool: FixedKind<'maxPool'> = {
  kind: 'maxPool',
  create(spec, c) {
    const [input] = c.inputShapes;
    if (input.length !== 3) c.fail(`gets an input of shape [${input}] but needs an image [height, width, channels]`);
    const poolSize = positivePair(spec.poolSize, 'pool size', c.fail);
    const strides = positivePair(spec.strides ?? poolSize, 'strides', c.fail);
    const window = { kernel: poolSize, strides, dilations: [1, 1] as [number, number] };
    const pads = checkPads(resolvePads(spec.padding ?? 'valid', input, window), c.fail);
    // A window made of padding alone would have no winner.
    if (pads[0] >= poolSize[0] || pads[2] >= poolSize[0] || pads[1] >= poolSize[1] || pads[3] >= poolSize[1]) {
      c.fail(`has pads [${pads}] as wide as its ${poolSize.join('×')} window; each pad must be smaller than the window`);
    }
    const [outH, outW] = windowOutput(input, window, pads);
    if (outH < 1 || outW < 1) c.fail(`gets an input of ${input[0]}×${input[1]}, smaller than its ${poolSize.join('×')} window`);
    return { kind: 'maxPool', poolSize, strides, pads, shape: [outH, outW, input[2]] };
  },
  forward: (node, [x]) => tf.maxPool(x as tf.Tensor4D, node.poolSize, node.strides, isZeroPads(node.pads) ? 'valid' : tfPads(node.pads)),
  describe: (node) => `max pool ${node.poolSize.join('×')}, stride ${formatPair(node.strides)}, ${formatPads(node.pads)}`,
  vjp: (c, g) => [scatterToWinners(c.poolWinners(), c.input(0).shape, g)],
  relevance: (c, r) => [scatterToWinners(c.poolWinners(), c.input(0).shape, r)],
  lrpTreatment: () => 'winner-take-all',
  gradientTreatment: () => 'to the winner (first maximum)',
};
