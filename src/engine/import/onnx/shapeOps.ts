// The ONNX ops that move values without computing: Flatten, Reshape, Squeeze, Unsqueeze, Transpose, Pad,
// Concat. Each keeps the batch first and picks the representation (onnxGraph.ts) that makes it cheapest: a
// Transpose back to the engine's axis order, or a reshape of 1×1 maps, costs nothing.
import { onnx } from 'onnx-proto';
import { UserError } from '../../errors';
import type { Pads } from '../../graph/nodes';
import { normaliseAxis, size } from './constants';
import { act, float, int, ints, isConstant, text } from './nodeArgs';
import { engineShape, floatConstant, sameMemoryOrder, type Activation, type OnnxWalk, type Value } from './onnxGraph';

export function flatten(w: OnnxWalk, node: onnx.INodeProto, inputs: Array<Value | undefined>, what: string, name: string): Array<Value> {
  const x = act(w, inputs[0], what);
  const axis = normaliseAxis(int(node, 'axis', 1), x.dims.length + 1, true);
  if (axis !== 1) throw new UserError(`${what} has axis ${int(node, 'axis', 1)}; only axis 1 (keep the batch, flatten the rest) is supported`, w.file);
  return [w.asVector(x, name)];
}

/** The target of a Reshape/Squeeze/Unsqueeze without the batch dimension, checked to keep the batch. */
export function reshape(w: OnnxWalk, node: onnx.INodeProto, inputs: Array<Value | undefined>, what: string, name: string): Array<Value> {
  const x = act(w, inputs[0], what);
  const shapeInput = inputs[1];
  if (!isConstant(shapeInput) || shapeInput.value.type !== 'int') {
    throw new UserError(`${what} gets its target shape from values known only when the model runs; only shapes computable at load are supported`, w.file);
  }
  const target = [...shapeInput.value.data];
  const allowZero = int(node, 'allowzero', 0) === 1;
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
}

export function squeezeOrUnsqueeze(w: OnnxWalk, node: onnx.INodeProto, inputs: Array<Value | undefined>, what: string, name: string): Array<Value> {
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
}

export function reshapeTo(w: OnnxWalk, x: Activation, dims: number[], name: string): Activation {
  if (dims.length === x.dims.length && dims.every((d, i) => d === x.dims[i])) return x;
  if (dims.length === 1) return w.asVector(x, name);
  const plain = w.asPlain(x);
  const node = w.add(name, { kind: 'reshape', shape: dims }, [plain.node]);
  return { kind: 'activation', node, dims, rep: 'plain' };
}

export function transposeOp(w: OnnxWalk, node: onnx.INodeProto, inputs: Array<Value | undefined>, what: string, name: string): Array<Value> {
  const x = act(w, inputs[0], what);
  const rank = x.dims.length + 1;
  const perm = ints(node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  if (perm[0] !== 0) throw new UserError(`${what} has perm [${perm}], which moves the batch axis; not supported`, w.file);
  const p = perm.slice(1).map((a) => a - 1);
  const dims = p.map((a) => x.dims[a]);
  // Engine axis k of the result holds ONNX axis eo[k] of the result, which is ONNX axis p[eo[k]] of the
  // input, held at engine axis inverse(ei)[p[eo[k]]] of the input. A representation in which that is the
  // identity makes the transpose free (a TF export's NHWC → NCHW, or PyTorch's permute back to NHWC).
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
}

/** For each engine axis, the (batch-free) ONNX axis it holds. */
export function engineToOnnx(rep: Activation['rep'], rank: number): number[] {
  return rep === 'channelsFirst' ? [1, 2, 0] : Array.from({ length: rank }, (_, i) => i);
}

/** Pad with constant 0 on the two spatial axes (opset < 11: attributes; later: inputs, opset 18: axes). */
export function pad(w: OnnxWalk, node: onnx.INodeProto, inputs: Array<Value | undefined>, what: string, name: string): Array<Value> {
  const mode = text(node, 'mode', 'constant');
  if (mode !== 'constant') throw new UserError(`${what} has mode "${mode}"; only constant (zero) padding is supported`, w.file);
  const x = w.asChannelsFirst(act(w, inputs[0], what), what);
  let pads: number[];
  let value = 0;
  let axes = [0, 1, 2, 3];
  if (w.ctx.opset < 11) {
    pads = ints(node, 'pads') ?? [];
    value = float(node, 'value', 0);
  } else {
    const p = inputs[1];
    if (!isConstant(p)) throw new UserError(`${what} has pads computed by the graph; only constant pads are supported`, w.file);
    pads = p.value.data as number[];
    if (inputs[2]) value = floatConstant(inputs[2], `${what}: its constant_value`, w.file).data[0] ?? 0;
    if (inputs[3]) {
      const a = inputs[3];
      if (!isConstant(a)) throw new UserError(`${what} has axes computed by the graph`, w.file);
      axes = (a.value.data as number[]).map((v) => normaliseAxis(v, 4));
    }
  }
  if (value !== 0) throw new UserError(`${what} pads with the value ${value}; only zero padding is supported`, w.file);
  if (pads.length !== 2 * axes.length) throw new UserError(`${what} has ${pads.length} pads for ${axes.length} axes`, w.file);
  const before = [0, 0, 0, 0];
  const after = [0, 0, 0, 0];
  axes.forEach((a, i) => {
    before[a] = pads[i];
    after[a] = pads[i + axes.length];
  });
  if (before[0] || after[0] || before[1] || after[1]) throw new UserError(`${what} pads the batch or channel axis ([${pads}]); only height and width can be padded`, w.file);
  if ([...before, ...after].some((v) => v < 0)) throw new UserError(`${what} has negative pads [${pads}] (cropping); not supported`, w.file);
  const enginePads: Pads = [before[2], before[3], after[2], after[3]];
  if (enginePads.every((v) => v === 0)) return [x];
  const ref = w.add(name, { kind: 'pad', pads: enginePads }, [x.node]);
  const [c, h, wd] = x.dims;
  return [{ kind: 'activation', node: ref, dims: [c, h + enginePads[0] + enginePads[2], wd + enginePads[1] + enginePads[3]], rep: 'channelsFirst' }];
}


export function concat(w: OnnxWalk, node: onnx.INodeProto, inputs: Array<Value | undefined>, what: string, name: string): Array<Value> {
  if (inputs.some(isConstant)) throw new UserError(`${what} joins constants with activations; not supported`, w.file);
  const xs = inputs.filter((v): v is Value => v !== undefined).map((v) => act(w, v, what));
  const rank = xs[0].dims.length;
  const axis = normaliseAxis(int(node, 'axis', 1), rank + 1) - 1;
  if (axis < 0) throw new UserError(`${what} concatenates along the batch axis; not supported`, w.file);
  if (xs.length === 1) return [xs[0]];
  const rep = rank === 3 ? 'channelsFirst' : 'plain';
  const aligned = xs.map((x) => (rep === 'channelsFirst' ? w.asChannelsFirst(x, what) : w.asPlain(x)));
  const engineAxis = engineToOnnx(rep, rank).indexOf(axis);
  const ref = w.add(name, { kind: 'concat', axis: engineAxis }, aligned.map((x) => x.node));
  const dims = [...xs[0].dims];
  dims[axis] = xs.reduce((s, x) => s + x.dims[axis], 0);
  return [{ kind: 'activation', node: ref, dims, rep }];
}
