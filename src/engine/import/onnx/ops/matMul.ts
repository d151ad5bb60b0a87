// MatMul of the activation [N, ..., K] by a constant [K, M]: a Dense layer over the last axis (on a vector,
// or per position: torch's nn.Linear after ConvNeXt's permute to channels last, or on tokens); its bias may
// follow as an Add. A MatMul of two activations (attention's Q·Kᵀ and A·V, per head) is a `matmul` node over
// the last two axes, the leading ones equal.
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../../../errors';
import { act, isConstant } from '../nodeArgs';
import { floatConstant, type Activation, type OnnxWalk, type Value } from '../onnxGraph';
import { linearResult } from './linearResult';
import type { Translator } from './translator';

export const matMul: Translator = {
  ops: ['MatMul'],
  batchInside: true,
  translate(w, node, inputs, what, name) {
    if (isConstant(inputs[0])) throw new UserError(`${what} multiplies a constant by the activation; only activation × constant is supported`, w.file);
    if (!isConstant(inputs[1])) return [activationProduct(w, inputs, what, name)];
    const x = w.asPlain(act(w, inputs[0], what));
    const b = floatConstant(inputs[1], `${what}: its second input`, w.file);
    const k = x.dims[x.dims.length - 1];
    if (b.dims.length !== 2 || b.dims[0] !== k) throw new UserError(`${what} multiplies ${k} features by a matrix of shape [${b.dims}]`, w.file);
    const spec = { kind: 'dense' as const, kernel: tf.tensor2d(Float32Array.from(b.data), [b.dims[0], b.dims[1]]) };
    return [{ ...linearResult(w, node, name, spec, x, [...x.dims.slice(0, -1), b.dims[1]], 'plain', true), batchInside: x.batchInside }];
  },
};

/** A · B of two activations [..., m, k] · [..., k, n], held alike (both with their batch first or inside). */
function activationProduct(w: OnnxWalk, inputs: Array<Value | undefined>, what: string, name: string): Activation {
  const [a, b] = [w.asPlain(act(w, inputs[0], what)), w.asPlain(act(w, inputs[1], what))];
  const [fa, fb] = [w.fullDims(a), w.fullDims(b)];
  const lead = fa.slice(0, -2);
  if (fa.length < 3 || fa.length !== fb.length || lead.some((d, i) => d !== fb[i]) || fa[fa.length - 1] !== fb[fb.length - 2] || a.batchInside !== b.batchInside) {
    throw new UserError(`${what} multiplies activations of shapes [${fa}] and [${fb}] (at batch size 1); only equal leading axes and matching inner sizes are supported`, w.file);
  }
  const dims = [...a.dims.slice(0, -1), b.dims[b.dims.length - 1]];
  return { kind: 'activation', node: w.add(name, { kind: 'matmul' }, [a.node, b.node]), dims, rep: 'plain', batchInside: a.batchInside };
}
