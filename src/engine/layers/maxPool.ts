// Max pooling with explicit (also asymmetric) pads; padded positions never win. Gradient and relevance go
// to each window's winner (the first maximum on ties), in every method.
import * as tf from '@tensorflow/tfjs';
import { formatPads, formatPair, padArgument } from './geometry';
import type { FixedKind } from './layerKind';
import { createPoolWindow, scatterToWinners } from './pooling';

export const maxPool: FixedKind<'maxPool'> = {
  kind: 'maxPool',
  create: (spec, c) => ({ kind: 'maxPool', ...createPoolWindow(spec, c) }),
  forward: (node, [x]) => tf.maxPool(x as tf.Tensor4D, node.poolSize, node.strides, padArgument(node.pads)),
  describe: (node) => `max pool ${node.poolSize.join('×')}, stride ${formatPair(node.strides)}, ${formatPads(node.pads)}`,
  vjp: (c, g) => [scatterToWinners(c.poolWinners(), c.input(0).shape, g)],
  relevance: (c, r) => [scatterToWinners(c.poolWinners(), c.input(0).shape, r)],
  lrpTreatment: () => 'winner-take-all',
  gradientTreatment: () => 'to the winner (first maximum)',
};
