// Global max pooling, [h, w, c] → [c]: winner-take-all over each channel's map, like max pooling.
import * as tf from '@tensorflow/tfjs';
import type { FixedKind } from './layerKind';
import { scatterToWinners } from './pooling';

export const globalMaxPool: FixedKind<'globalMaxPool'> = {
  kind: 'globalMaxPool',
  create(_spec, c) {
    const [input] = c.inputShapes;
    if (input.length !== 3) c.fail(`gets an input of shape [${input}] but needs an image [height, width, channels]`);
    return { kind: 'globalMaxPool', shape: [input[2]] };
  },
  forward: (_node, [x]) => tf.max(x, [1, 2]),
  describe: () => 'global max pool',
  vjp: (c, g) => [scatterToWinners(c.poolWinners(), c.input(0).shape, g)],
  relevance: (c, r) => [scatterToWinners(c.poolWinners(), c.input(0).shape, r)],
  lrpTreatment: () => 'winner-take-all',
  gradientTreatment: () => 'to the winner (first maximum)',
};
