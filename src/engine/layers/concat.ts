// Concatenation along one batch-free axis (negative counts from the end). Each input gets its own slice of
// the signal back, in every method.
import * as tf from '@tensorflow/tfjs';
import type { FixedKind } from './layerKind';

export const concat: FixedKind<'concat'> = {
  kind: 'concat',
  create(spec, c) {
    const shapes = c.inputShapes;
    if (shapes.length < 1) c.fail('has no inputs');
    const rank = shapes[0].length;
    const axis = spec.axis < 0 ? spec.axis + rank : spec.axis;
    if (!Number.isInteger(axis) || axis < 0 || axis >= rank) c.fail(`has axis ${spec.axis}; its inputs have ${rank} axes (batch not counted)`);
    const fits = shapes.every((s) => s.length === rank && s.every((d, i) => i === axis || d === shapes[0][i]));
    if (!fits) c.fail(`joins inputs of shapes ${shapes.map((s) => `[${s}]`).join(', ')} along axis ${axis}; the other axes must agree`);
    const shape = [...shapes[0]];
    shape[axis] = shapes.reduce((total, s) => total + s[axis], 0);
    return { kind: 'concat', axis, shape };
  },
  forward: (node, inputs) => (inputs.length === 1 ? tf.clone(inputs[0]) : tf.concat(inputs, node.axis + 1)),
  describe: (node) => `concatenate ${node.inputs.length} inputs on axis ${node.axis}`,
  vjp: (c, g) => slices(c.node.axis, c.node.inputs.map((_, k) => c.input(k).shape[c.node.axis + 1]), g),
  relevance: (c, r) => slices(c.node.axis, c.node.inputs.map((_, k) => c.input(k).shape[c.node.axis + 1]), r),
  lrpTreatment: () => 'each input its slice',
  gradientTreatment: () => 'each input its slice',
};

function slices(axis: number, sizes: number[], t: tf.Tensor): tf.Tensor[] {
  return sizes.length === 1 ? [t] : tf.split(t, sizes, axis + 1);
}
