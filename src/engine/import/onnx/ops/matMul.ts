// MatMul of the activation [N, K] by a constant [K, M]: a Dense layer (its bias may follow as an Add).
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../../../errors';
import { act, isConstant } from '../nodeArgs';
import { floatConstant } from '../onnxGraph';
import { linearResult } from './linearResult';
import type { Translator } from './translator';

export const matMul: Translator = {
  ops: ['MatMul'],
  translate(w, node, inputs, what, name) {
    if (isConstant(inputs[0])) throw new UserError(`${what} multiplies a constant by the activation; only activation × constant is supported`, w.file);
    const xIn = act(w, inputs[0], what);
    if (xIn.dims.length !== 1) throw new UserError(`${what} multiplies a tensor of shape [N, ${xIn.dims}]; only [N, features] × [features, out] is supported`, w.file);
    const x = w.asPlain(xIn);
    const b = floatConstant(inputs[1], `${what}: its second input`, w.file);
    if (b.dims.length !== 2 || b.dims[0] !== x.dims[0]) throw new UserError(`${what} multiplies ${x.dims[0]} features by a matrix of shape [${b.dims}]`, w.file);
    const spec = { kind: 'dense' as const, kernel: tf.tensor2d(Float32Array.from(b.data), [b.dims[0], b.dims[1]]) };
    return [linearResult(w, node, name, spec, x, [b.dims[1]], 'plain', true)];
  },
};
