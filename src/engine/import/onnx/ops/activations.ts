// The elementwise activations that map one-to-one onto an engine node: Relu, LeakyRelu, Sigmoid, Tanh,
// Softplus, HardSwish, HardSigmoid (alpha, beta), Elu (alpha), Gelu (opset 20; approximate none or tanh).
import { UserError } from '../../../errors';
import type { NodeSpec } from '../../../graph/nodes';
import { leakyReluSpec } from '../../../layers/leakyRelu';
import { act, elementwise, float, int, same, text } from '../nodeArgs';
import type { onnx } from 'onnx-proto';
import type { Translator } from './translator';

/** A translator for ops whose node is `spec(node)` on the first input (null spec: the identity). */
function unary(ops: string[], spec: (node: onnx.INodeProto, what: string, file: string) => NodeSpec | null): Translator {
  // Elementwise: any layout, the batch inside too.
  return { ops, batchInside: true, translate: (w, node, inputs, what, name) => [elementwise(w, inputs, what, name, spec(node, what, w.file))] };
}

export const relu = unary(['Relu'], () => ({ kind: 'relu' }));
export const leakyRelu = unary(['LeakyRelu'], (node) => leakyReluSpec(float(node, 'alpha', 0.01)));
export const sigmoid = unary(['Sigmoid'], () => ({ kind: 'activation', fn: 'sigmoid' }));
export const tanh = unary(['Tanh'], () => ({ kind: 'activation', fn: 'tanh' }));
export const softplus = unary(['Softplus'], () => ({ kind: 'activation', fn: 'softplus' }));
export const hardSwish = unary(['HardSwish'], () => ({ kind: 'activation', fn: 'hardSwish' }));
export const hardSigmoid = unary(['HardSigmoid'], (node) => ({ kind: 'activation', fn: 'hardSigmoid', alpha: float(node, 'alpha', 0.2), beta: float(node, 'beta', 0.5) }));
export const elu = unary(['Elu'], (node) => ({ kind: 'activation', fn: 'elu', alpha: float(node, 'alpha', 1) }));

/** Gelu (opset 20): `approximate` "none" is the erf form, "tanh" the tanh approximation. */
export const gelu = unary(['Gelu'], (node, what, file) => {
  const approximate = text(node, 'approximate', 'none');
  if (approximate !== 'none' && approximate !== 'tanh') throw new UserError(`${what} has approximate "${approximate}"; "none" or "tanh" is needed`, file);
  return { kind: 'activation', fn: approximate === 'tanh' ? 'geluTanh' : 'gelu' };
});

/**
 * Softmax and LogSoftmax over the last axis (channels of an image tensor; ONNX's default axis, −1 from opset
 * 13, 1 before, flattening what follows: the last axis of a matrix). At the output the builder drops them
 * (graph/canonise.ts); inside the network a softmax stays a node and a log-softmax is refused.
 */
export const softmax: Translator = {
  ops: ['Softmax', 'LogSoftmax'],
  batchInside: true,
  translate(w, node, inputs, what, name) {
    const x = act(w, inputs[0], what);
    const rank = w.fullDims(x).length;
    const given = int(node, 'axis', w.ctx.opset >= 13 ? -1 : 1);
    const axis = given < 0 ? given + rank : given;
    if (axis !== (x.rep === 'channelsFirst' ? 1 : rank - 1)) {
      throw new UserError(`${what} normalises over axis ${given} of a rank-${rank} tensor; only its last axis (an image's channels) is supported`, w.file);
    }
    return [same(x, w.add(name, node.opType === 'LogSoftmax' ? { kind: 'softmax', log: true } : { kind: 'softmax' }, [x.node]))];
  },
};
