// MatMul of the activation [N, ..., K] by a constant [K, M]: a Dense layer over the last axis (on a vector,
// or per position: torch's nn.Linear after ConvNeXt's permute to channels last, or on tokens); its bias may
// follow as an Add. A MatMul of two activations is attention's (issue [3 of 7]): refused by name.
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../../../errors';
import { act, isConstant } from '../nodeArgs';
import { floatConstant } from '../onnxGraph';
import { attentionFeature, UnsupportedFeature } from '../unsupported';
import { linearResult } from './linearResult';
import type { Translator } from './translator';

export const matMul: Translator = {
  ops: ['MatMul'],
  translate(w, node, inputs, what, name) {
    if (isConstant(inputs[0])) throw new UserError(`${what} multiplies a constant by the activation; only activation × constant is supported`, w.file);
    if (!isConstant(inputs[1])) throw new UnsupportedFeature(`${what} multiplies two activations`, w.file, attentionFeature('MatMul of two activations'));
    const x = w.asPlain(act(w, inputs[0], what));
    const b = floatConstant(inputs[1], `${what}: its second input`, w.file);
    const k = x.dims[x.dims.length - 1];
    if (b.dims.length !== 2 || b.dims[0] !== k) throw new UserError(`${what} multiplies ${k} features by a matrix of shape [${b.dims}]`, w.file);
    const spec = { kind: 'dense' as const, kernel: tf.tensor2d(Float32Array.from(b.data), [b.dims[0], b.dims[1]]) };
    return [linearResult(w, node, name, spec, x, [...x.dims.slice(0, -1), b.dims[1]], 'plain', true)];
  },
};
