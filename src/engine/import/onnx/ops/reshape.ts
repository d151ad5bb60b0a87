// Reshape, Squeeze and Unsqueeze of an activation: the batch stays first; the rest is a reshape in ONNX
// order (a channels-first map is converted first, or flattened when the result is a vector).
import { UserError } from '../../../errors';
import { normaliseAxis, size } from '../constants';
import { act, int, ints, isConstant } from '../nodeArgs';
import type { Activation, OnnxWalk } from '../onnxGraph';
import type { Translator } from './translator';

/** The target of a Reshape without the batch dimension, checked to keep the batch. */
export const reshape: Translator = {
  ops: ['Reshape'],
  batchInside: true,
  translate(w, node, inputs, what, name) {
    const x = act(w, inputs[0], what);
    const shapeInput = inputs[1];
    if (!isConstant(shapeInput) || shapeInput.value.type !== 'int') {
      throw new UserError(`${what} gets its target shape from values known only when the model runs; only shapes computable at load are supported`, w.file);
    }
    const target = [...shapeInput.value.data];
    const allowZero = int(node, 'allowzero', 0) === 1;
    if (w.unitBatch) return [unitBatchReshape(w, x, target, allowZero, what, name)];
    const count = size(x.dims);
    const first = target[0];
    // The batch stays first: the exporters write it as the batch itself (Shape → Gather), 0 (copy), −1, or
    // the exported batch size (1 for a model exported with batch 1 and no dynamic axis).
    if (!(first === null || first === -1 || (first === 0 && !allowZero) || first === 1 || first === w.staticBatch)) {
      throw new UserError(`${what} reshapes to [${target.map((d) => d ?? 'N')}], which changes the batch dimension; only reshapes that keep the batch are supported`, w.file);
    }
    const rest = target.slice(1).map((d, i) => (d === 0 && !allowZero ? x.dims[i] : d));
    if (rest.some((d) => d === null)) throw new UserError(`${what} reshapes to [${target}], with the batch size inside the sample's shape`, w.file);
    const dims = rest as number[];
    const wildcard = dims.indexOf(-1);
    if (wildcard >= 0) dims[wildcard] = count / size(dims.filter((d) => d !== -1));
    if (first === -1 && wildcard >= 0) throw new UserError(`${what} reshapes to [${target}] with two -1`, w.file);
    if (!dims.every((d) => Number.isInteger(d) && d > 0) || size(dims) !== count) {
      throw new UserError(`${what} cannot reshape [N, ${x.dims}] to [${target.map((d) => d ?? 'N')}]`, w.file);
    }
    return [reshapeTo(w, x, dims, name)];
  },
};

export const squeezeOrUnsqueeze: Translator = {
  ops: ['Squeeze', 'Unsqueeze'],
  translate(w, node, inputs, what, name) {
    const x = act(w, inputs[0], what);
    const axesInput = inputs[1];
    const axes = w.ctx.opset >= 13 ? (isConstant(axesInput) ? (axesInput.value.data as number[]) : undefined) : ints(node, 'axes');
    const rank = x.dims.length + 1;
    const full = [1, ...x.dims];
    let dims: number[];
    if (node.opType === 'Unsqueeze') {
      if (!axes) throw new UserError(`${what} has no constant axes`, w.file);
      const outRank = rank + axes.length;
      const sorted = axes.map((a) => normaliseAxis(a, outRank)).sort((a, b) => a - b);
      if (sorted.includes(0)) throw new UserError(`${what} inserts an axis before the batch; not supported`, w.file);
      dims = [...full];
      for (const a of sorted) dims.splice(a, 0, 1);
    } else {
      const squeezed = axes ? axes.map((a) => normaliseAxis(a, rank)) : full.flatMap((d, i) => (i > 0 && d === 1 ? [i] : []));
      if (squeezed.includes(0)) throw new UserError(`${what} removes the batch axis; not supported`, w.file);
      dims = full.filter((_, i) => !squeezed.includes(i));
    }
    return [reshapeTo(w, x, dims.slice(1), name)];
  },
};

/** `x` with ONNX dims `dims` (batch left out): itself when they agree, a flatten to a vector, or a reshape. */
export function reshapeTo(w: OnnxWalk, x: Activation, dims: number[], name: string): Activation {
  if (dims.length === x.dims.length && dims.every((d, i) => d === x.dims[i])) return x;
  if (dims.length === 1) return w.asVector(x, name);
  const plain = w.asPlain(x);
  const node = w.add(name, { kind: 'reshape', shape: dims }, [plain.node]);
  return { kind: 'activation', node, dims, rep: 'plain' };
}

/**
 * A Reshape at batch size 1 (a unit-batch walk, onnxGraph.ts): the target may merge the batch into another
 * axis (attention's [T, N·h, d], Swin's [N·nW, t, C]); a result whose first axis is not 1 is held with all
 * its ONNX dims (`batchInside`).
 */
function unitBatchReshape(w: OnnxWalk, x: Activation, target: Array<number | null>, allowZero: boolean, what: string, name: string): Activation {
  const full = w.fullDims(x);
  const count = size(full);
  const dims = target.map((d, i) => (d === null ? 1 : d === 0 && !allowZero ? full[i] : d));
  const wildcard = dims.indexOf(-1);
  if (wildcard >= 0) dims[wildcard] = count / size(dims.filter((d) => d !== -1));
  if (!dims.every((d) => Number.isInteger(d) && d > 0) || size(dims) !== count) {
    throw new UserError(`${what} cannot reshape [${full}] to [${target.map((d) => d ?? 'N')}] (at batch size 1)`, w.file);
  }
  if (dims[0] === 1 && dims.length > 1 && !x.batchInside) return reshapeTo(w, x, dims.slice(1), name);
  const plain = w.asPlain(x);
  return { kind: 'activation', node: w.add(name, { kind: 'reshape', shape: dims }, [plain.node]), dims, rep: 'plain', batchInside: true };
}
