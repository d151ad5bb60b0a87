// Transpose of an activation (the batch stays first). It picks the representation (onnxGraph.ts) that makes
// it free where one does: a TF export's NHWC → NCHW, or PyTorch's permute to NHWC and back. In a unit-batch
// walk (onnxGraph.ts) a perm may move the batch axis (attention's [N, T, E] → [T, N, E]): at batch size 1 a
// transpose of the other axes and a reshape.
import { UserError } from '../../../errors';
import { act, ints } from '../nodeArgs';
import { engineShape, engineToOnnx, sameMemoryOrder, type Activation, type OnnxWalk } from '../onnxGraph';
import type { Translator } from './translator';

export const transpose: Translator = {
  ops: ['Transpose'],
  batchInside: true,
  translate(w, node, inputs, what, name) {
    const x = act(w, inputs[0], what);
    const rank = w.fullDims(x).length;
    const perm = ints(node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
    if (x.batchInside || (w.unitBatch && perm[0] !== 0)) return [moveBatch(w, x, perm, name)];
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

/** A transpose at batch size 1 whose result is held with all its ONNX dims (`batchInside`). */
function moveBatch(w: OnnxWalk, x: Activation, perm: number[], name: string): Activation {
  const plain = w.asPlain(x);
  const full = w.fullDims(plain);
  const dims = perm.map((a) => full[a]);
  // The engine holds the dims after the unit batch axis (or all of them when it is inside already).
  const axes = plain.batchInside ? perm : perm.filter((a) => a !== 0).map((a) => a - 1);
  let node = plain.node;
  if (!axes.every((a, i) => a === i)) {
    const spec = sameMemoryOrder(axes, plain.dims) ? { kind: 'reshape' as const, shape: axes.map((a) => plain.dims[a]) } : { kind: 'transpose' as const, perm: axes };
    node = w.add(name, spec, [node]);
  }
  if (!plain.batchInside) node = w.add(`${name}/batch-inside`, { kind: 'reshape', shape: dims }, [node]);
  return { kind: 'activation', node, dims, rep: 'plain', batchInside: true };
}
