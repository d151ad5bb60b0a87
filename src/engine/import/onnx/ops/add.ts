// Add and Sum. Add of a constant: the bias of a pending Dense/Conv (linearResult.ts), else an affine map;
// Add/Sum of activations: a residual sum, in one representation (no broadcasting between activations).
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../../../errors';
import { act, isConstant, same } from '../nodeArgs';
import type { Activation, OnnxWalk, Value } from '../onnxGraph';
import { affineOp } from './affine';
import { biasVector } from './constantArgs';
import type { Translator } from './translator';

export const add: Translator = {
  ops: ['Add'],
  batchInside: true,
  translate(w, _node, inputs, what, name) {
    const [a, b] = inputs;
    if (isConstant(a) || isConstant(b)) {
      const [x, c] = isConstant(a) ? [b, a] : [a, b];
      if (x?.kind === 'pending') {
        // One value per output: the channels of a (transposed) convolution, the last axis of a dense layer.
        const outputs = x.spec.kind === 'dense' ? x.dims[x.dims.length - 1] : x.dims[0];
        const bias = biasVector(c!, outputs, `${what}: the bias it adds`, w.file);
        const spec = { ...x.spec, bias: tf.tensor1d(bias) };
        return [{ kind: 'activation', node: w.add(x.name, spec, [x.input]), dims: x.dims, rep: x.rep, batchInside: x.batchInside }];
      }
      return [affineOp(w, 'Add', inputs, what, name)];
    }
    return [sum(w, inputs, what, name)];
  },
};

export const sumOp: Translator = {
  ops: ['Sum'],
  translate: (w, _node, inputs, what, name) => [sum(w, inputs, what, name)],
};

/** Elementwise sum of activations (a residual connection), in one representation. */
function sum(w: OnnxWalk, inputs: Array<Value | undefined>, what: string, name: string): Activation {
  if (inputs.some(isConstant)) throw new UserError(`${what} adds constants to several activations; not supported`, w.file);
  const xs = inputs.map((v) => act(w, v, what));
  const first = xs[0];
  for (const x of xs) {
    if (x.batchInside !== first.batchInside || x.dims.length !== first.dims.length || x.dims.some((d, i) => d !== first.dims[i])) {
      throw new UserError(`${what} adds tensors of shapes [N, ${first.dims}] and [N, ${x.dims}]; broadcasting between activations is not supported`, w.file);
    }
  }
  const aligned = xs.map((x) => (first.rep === 'channelsFirst' ? w.asChannelsFirst(x, what) : w.asPlain(x)));
  if (aligned.length === 1) return aligned[0];
  return same(first, w.add(name, { kind: 'add' }, aligned.map((x) => x.node)));
}
