// BatchNormalization (inference): a batchNorm node over the channels, which the builder folds into the
// Dense/Conv before it or turns into an affine map (graph/canonise.ts).
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../../../errors';
import { act, float, int, same } from '../nodeArgs';
import { biasVector } from './constantArgs';
import type { Translator } from './translator';

export const batchNormalization: Translator = {
  ops: ['BatchNormalization'],
  translate(w, node, inputs, what, name) {
    if (int(node, 'training_mode', 0) !== 0) throw new UserError(`${what} is in training mode; export the model in eval mode (model.eval())`, w.file);
    const xIn = act(w, inputs[0], what);
    const x = xIn.dims.length === 3 ? w.asChannelsFirst(xIn, what) : w.asPlain(xIn);
    const channels = x.dims[0];
    const vector = (i: number, label: string) => {
      const v = inputs[i];
      if (!v) throw new UserError(`${what} lacks its ${label} input`, w.file);
      return biasVector(v, channels, `${what}: its ${label}`, w.file);
    };
    // All four read before any tensor is made: a missing or damaged one leaves no tensor behind.
    const [gamma, beta, mean, variance] = [vector(1, 'scale'), vector(2, 'B'), vector(3, 'mean'), vector(4, 'var')];
    const spec = {
      kind: 'batchNorm' as const,
      gamma: tf.tensor1d(gamma),
      beta: tf.tensor1d(beta),
      mean: tf.tensor1d(mean),
      variance: tf.tensor1d(variance),
      epsilon: float(node, 'epsilon', 1e-5),
    };
    return [same(x, w.add(name, spec, [x.node]))];
  },
};
