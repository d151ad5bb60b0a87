// Reshape (and flatten, a reshape to one vector): the same values in row-major order. Signals are reshaped
// back.
import * as tf from '@tensorflow/tfjs';
import { product } from './geometry';
import type { FixedKind } from './layerKind';

export const reshape: FixedKind<'reshape'> = {
  kind: 'reshape',
  create(spec, c) {
    const [input] = c.inputShapes;
    const dims = spec.shape;
    const size = product(input);
    if (!Array.isArray(dims) || !dims.every((d) => Number.isInteger(d) && (d > 0 || d === -1)) || dims.filter((d) => d === -1).length > 1) {
      c.fail(`has target shape ${JSON.stringify(dims)}; positive integers and at most one -1 are needed`);
    }
    const known = product(dims.filter((d) => d !== -1));
    const shape = dims.map((d) => (d === -1 ? size / known : d));
    if (!shape.every(Number.isInteger) || product(shape) !== size) c.fail(`cannot reshape [${input}] (${size} values) into [${dims}]`);
    return { kind: 'reshape', shape };
  },
  forward: (node, [x]) => tf.reshape(x, [x.shape[0], ...node.shape]),
  describe: (node) => (node.shape.length === 1 ? `flatten → ${node.shape[0]}` : `reshape → [${node.shape.join(', ')}]`),
  vjp: (c, g) => [tf.reshape(g, c.inputShape(0, g.shape[0]))],
  relevance: (c, r) => [tf.reshape(r, c.inputShape(0, r.shape[0]))],
  lrpTreatment: () => 'reshaped',
  gradientTreatment: () => 'reshaped',
};
