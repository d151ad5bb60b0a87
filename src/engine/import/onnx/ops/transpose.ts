// Transpose of an activation (the batch stays first). It picks the representation (onnxGraph.ts) that makes
// it free where one does: a TF export's NHWC → NCHW, or PyTorch's permute to NHWC and back.
import { UserError } from '../../../errors';
import { act, ints } from '../nodeArgs';
import { engineShape, engineToOnnx, sameMemoryOrder, type Activation } from '../onnxGraph';
import type { Translator } from './translator';

export const transpose: Translator = {
  ops: ['Transpose'],
  translate(w, node, inputs, what, name) {
    const x = act(w, inputs[0], what);
    const rank = x.dims.length + 1;
    const perm = ints(node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
    if (perm[0] !== 0) throw new UserError(`${what} has perm [${perm}], which moves the batch axis; not supported`, w.file);
    const p = perm.slice(1).map((a) => a - 1);
    const dims = p.map((a) => x.dims[a]);
    // Engine axis k of the result holds ONNX axis eo[k] of the result, which is ONNX axis p[eo[k]] of the
    // input, held at engine axis inverse(ei)[p[eo[k]]] of the input. A representation in which that is the
    // identity makes the transpose free.
    const ei = engineToOnnx(x.rep, x.dims.length);
    const permFor = (rep: Activation['rep']) => engineToOnnx(rep, dims.length).map((a) => ei.indexOf(p[a]));
    const isIdentity = (perm: number[]) => perm.every((a, i) => a === i);
    const candidates: Array<Activation['rep']> = dims.length === 3 ? ['channelsFirst', 'plain'] : ['plain'];
    const rep = candidates.find((r) => isIdentity(permFor(r))) ?? candidates[0];
    const enginePerm = permFor(rep);
    if (isIdentity(enginePerm)) return [{ kind: 'activation', node: x.node, dims, rep }];
    const from = engineShape(x);
    const spec = sameMemoryOrder(enginePerm, from) ? { kind: 'reshape' as const, shape: enginePerm.map((a) => from[a]) } : { kind: 'transpose' as const, perm: enginePerm };
    return [{ kind: 'activation', node: w.add(name, spec, [x.node]), dims, rep }];
  },
};
