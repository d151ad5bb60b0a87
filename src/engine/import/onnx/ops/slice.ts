// Slice, Split and Gather of constant indices on activations: gather nodes (layers/gather.ts) along the
// engine axis that holds the ONNX axis (ShuffleNetV2's x.chunk(2, dim=1), x[:, :, ::2]). The batch axis stays
// whole. A Gather of one scalar index drops its axis (a reshape after the pick). A tensor held with its
// batch inside (onnxGraph.ts) counts its axes from its first ONNX axis.
import { UserError } from '../../../errors';
import { normaliseAxis, sliceIndices, splitSizes } from '../constants';
import { act, int, ints, isConstant } from '../nodeArgs';
import { engineToOnnx, type Activation, type OnnxWalk, type Value } from '../onnxGraph';
import { reshapeTo } from './reshape';
import type { Translator } from './translator';

export const slice: Translator = {
  ops: ['Slice'],
  batchInside: true,
  translate(w, node, inputs, what, name) {
    let x = act(w, inputs[0], what);
    const list = (i: number, attr: string): number[] | undefined => {
      if (w.ctx.opset < 10) return ints(node, attr);
      const v = inputs[i];
      if (!v) return undefined;
      if (!isConstant(v) || v.value.data.some((d) => d === null)) throw new UserError(`${what} has ${attr} computed when the model runs; only constants are supported`, w.file);
      return v.value.data as number[];
    };
    const starts = list(1, 'starts') ?? [];
    const ends = list(2, 'ends') ?? [];
    const first = x.batchInside ? 0 : 1;
    const rank = x.dims.length + first;
    const axes = (list(3, 'axes') ?? starts.map((_, i) => i)).map((a) => normaliseAxis(a, rank));
    const steps = list(4, 'steps') ?? starts.map(() => 1);
    axes.forEach((axis, k) => {
      if (axis === 0 && first === 1) {
        // The whole batch (torch writes its end as INT64_MAX) is no slice.
        if (steps[k] === 1 && starts[k] === 0 && ends[k] >= 2 ** 31 - 1) return;
        throw new UserError(`${what} slices the batch axis; not supported`, w.file);
      }
      x = pick(w, x, axis - first, sliceIndices(x.dims[axis - first], starts[k], ends[k], steps[k]), `${name}/${axis}`, what);
    });
    return [x];
  },
};

export const split: Translator = {
  ops: ['Split'],
  translate(w, node, inputs, what, name) {
    const x = act(w, inputs[0], what);
    const axis = normaliseAxis(int(node, 'axis', 0), x.dims.length + 1) - 1;
    if (axis < 0) throw new UserError(`${what} splits the batch axis; not supported`, w.file);
    const given = w.ctx.opset >= 13 ? constantInts(inputs[1], `${what}: its split`, w.file) : ints(node, 'split');
    const count = (node.output ?? []).length;
    const sizes = splitSizes(x.dims[axis], count, given, w.ctx, what);
    let start = 0;
    return sizes.map((n, k) => {
      const indices = Array.from({ length: n }, (_, i) => start + i);
      start += n;
      return pick(w, x, axis, indices, `${name}/${k}`, what);
    });
  },
};

export const gatherOp: Translator = {
  ops: ['Gather'],
  batchInside: true,
  translate(w, node, inputs, what, name) {
    const x = act(w, inputs[0], what);
    const first = x.batchInside ? 0 : 1;
    const axis = normaliseAxis(int(node, 'axis', 0), x.dims.length + first) - first;
    if (axis < 0) throw new UserError(`${what} gathers along the batch axis; not supported`, w.file);
    const v = inputs[1];
    if (!isConstant(v) || v.value.data.some((d) => d === null)) throw new UserError(`${what} gathers indices computed when the model runs; only constant indices are supported`, w.file);
    if (v.value.dims.length > 1) throw new UserError(`${what} gathers indices of shape [${v.value.dims}]; a scalar or a list is supported`, w.file);
    const n = x.dims[axis];
    const indices = (v.value.data as number[]).map((i) => (i < 0 ? i + n : i));
    const picked = pick(w, x, axis, indices, name, what);
    if (v.value.dims.length === 1) return [picked];
    const dims = picked.dims.filter((_, i) => i !== axis);
    if (x.batchInside) return [{ ...picked, node: w.add(`${name}/drop-axis`, { kind: 'reshape', shape: dims }, [picked.node]), dims }];
    return [reshapeTo(w, picked, dims, `${name}/drop-axis`)];
  },
};

/** `x` with only `indices` of batch-free ONNX axis `axis` (itself when that is every index in order). */
function pick(w: OnnxWalk, x: Activation, axis: number, indices: number[], name: string, what: string): Activation {
  if (indices.length === x.dims[axis] && indices.every((v, i) => v === i)) return x;
  if (indices.length === 0) throw new UserError(`${what} keeps nothing of axis ${axis + 1}`, w.file);
  const engineAxis = engineToOnnx(x.rep, x.dims.length).indexOf(axis);
  const dims = [...x.dims];
  dims[axis] = indices.length;
  return { kind: 'activation', node: w.add(name, { kind: 'gather', axis: engineAxis, indices }, [x.node]), dims, rep: x.rep, batchInside: x.batchInside };
}

function constantInts(v: Value | undefined, what: string, file: string): number[] | undefined {
  if (!v) return undefined;
  if (!isConstant(v) || v.value.data.some((d) => d === null)) throw new UserError(`${what} must be a constant`, file);
  return v.value.data as number[];
}
