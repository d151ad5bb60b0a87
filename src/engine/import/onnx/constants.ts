// Constant subgraphs of an ONNX graph, evaluated once at load: the values a node computes when every
// input is known. PyTorch's `x.view(x.size(0), -1)` exports as Shape → Gather → Unsqueeze → Concat →
// Reshape; `Shape` of an activation is known here except for its batch size, which is carried as `null`
// (BATCH) through the shape arithmetic, so the Reshape sees [BATCH, -1]. Weight arithmetic (a Mul or Sub
// of two initializers, a Cast, a Transpose of a weight) folds the same way, and so do the shape chains of
// dynamic exports (Equal, Where, Expand, Range, ConstantOfShape, Min/Max, reductions of shapes, …): a
// comparison with the batch is unknown (null) unless both sides are the batch, and Where picks a branch
// only when its condition is known or both branches agree.
import { onnx } from 'onnx-proto';
import { checkBudget, countOf } from '../../budgets';
import { shown, UserError } from '../../errors';
import { attribute, toInt } from './onnxFile';
import { tensorValues, type TensorContext } from './onnxTensor';

/** The symbolic batch size inside folded shape values. */
export const BATCH = null;

export type Constant =
  | { type: 'float'; dims: number[]; data: Float32Array }
  /** Integer tensors (shapes, axes, indices); `null` is the batch size. */
  | { type: 'int'; dims: number[]; data: Array<number | null> };

/** Ops evaluated here when all their inputs are constants. */
export const FOLDABLE_OPS = [
  'Constant',
  'Identity',
  'Cast',
  'Shape',
  'Gather',
  'Unsqueeze',
  'Squeeze',
  'Concat',
  'Slice',
  'Reshape',
  'Flatten',
  'Transpose',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Neg',
  'Sqrt',
  'ConstantOfShape',
  'Equal',
  'Less',
  'Greater',
  'LessOrEqual',
  'GreaterOrEqual',
  'Not',
  'And',
  'Or',
  'Where',
  'Expand',
  'Range',
  'Min',
  'Max',
  'Floor',
  'Ceil',
  'Abs',
  'Pow',
  'Mod',
  'Exp',
  'Log',
  'Reciprocal',
  'Sign',
  'Tile',
  'Size',
  'ReduceProd',
  'ReduceSum',
  'ReduceMin',
  'ReduceMax',
  'ReduceMean',
  'Split',
] as const;

export function isFoldable(op: string): boolean {
  return (FOLDABLE_OPS as readonly string[]).includes(op);
}

export interface FoldContext extends TensorContext {
  /** Opset of the default domain (attributes moved to inputs over the versions). */
  opset: number;
}

/**
 * The outputs of `node` given its inputs (undefined for an omitted optional input). `Shape` is the one op
 * whose input may be an activation: pass its ONNX dims (batch first, as `null`) as an int constant.
 * Every output is checked to be a well-formed tensor (integer dims that hold its values, a rank within
 * budget); ops that make more values than they read check the count before allocating (checkFoldedSize).
 */
export function foldNode(node: onnx.INodeProto, inputs: Array<Constant | undefined>, ctx: FoldContext, what: string): Constant[] {
  const outputs = foldOp(node, inputs, ctx, what);
  for (const c of outputs) {
    checkBudget('tensorRank', c.dims.length, `the constant ${what} computes`, ctx.file);
    if (!c.dims.every((d) => Number.isSafeInteger(d) && d >= 0) || countOf(c.dims) !== c.data.length) {
      throw new UserError(`${what} computes a constant of shape ${shown(c.dims)} from its inputs, which is not a valid shape; the file is damaged`, ctx.file);
    }
  }
  return outputs;
}

/**
 * Refuses a folded constant of `count` values before it is allocated, unless it holds no more values than the
 * largest of the node's inputs (a Transpose or Mul of a large weight) or fits the folding budget.
 */
export function checkFoldedSize(count: number, inputs: Array<Constant | undefined>, ctx: FoldContext, what: string): void {
  const largestInput = inputs.reduce((largest, c) => Math.max(largest, c?.data.length ?? 0), 0);
  if (count <= largestInput) return;
  checkBudget('foldedValues', count, `the constant ${what} computes at load`, ctx.file);
}

function foldOp(node: onnx.INodeProto, inputs: Array<Constant | undefined>, ctx: FoldContext, what: string): Constant[] {
  const op = node.opType ?? '';
  const ints = (name: string) => attribute(node, name)?.ints?.map(toInt);
  const int = (name: string, fallback: number) => {
    const a = attribute(node, name);
    return a ? toInt(a.i) : fallback;
  };
  const need = (i: number): Constant => {
    const v = inputs[i];
    if (!v) throw new UserError(`${what} lacks its input ${i + 1}`, ctx.file);
    return v;
  };
  const intList = (i: number): number[] => {
    const v = need(i);
    if (v.type !== 'int' || v.data.some((d) => d === null)) throw new UserError(`${what} needs known integers as input ${i + 1}`, ctx.file);
    return v.data as number[];
  };

  switch (op) {
    case 'Constant':
      return [constantAttribute(node, ctx, what)];
    case 'Identity':
      return [need(0)];
    case 'Cast':
      return [cast(need(0), int('to', 1))];
    case 'Shape': {
      const dims = need(0).data as Array<number | null>;
      const start = normaliseAxis(int('start', 0), dims.length, true);
      const end = attribute(node, 'end') ? normaliseAxis(int('end', dims.length), dims.length, true) : dims.length;
      return [{ type: 'int', dims: [Math.max(0, end - start)], data: dims.slice(start, end) }];
    }
    case 'Gather': {
      const x = need(0);
      const indices = need(1);
      const axis = normaliseAxis(int('axis', 0), x.dims.length);
      const picks = intList(1);
      checkFoldedSize(countOf(x.dims.slice(0, axis)) * picks.length * countOf(x.dims.slice(axis + 1)), inputs, ctx, what);
      const n = x.dims[axis] ?? 0;
      if (picks.some((k) => !Number.isInteger(k) || k < -n || k >= n)) throw new UserError(`${what} gathers indices outside 0…${n - 1}; the file is damaged`, ctx.file);
      return [gather(x, picks, indices.dims, axis)];
    }
    case 'Unsqueeze': {
      const x = need(0);
      const axes = ctx.opset >= 13 ? intList(1) : (ints('axes') ?? []);
      const rank = x.dims.length + axes.length;
      const sorted = axes.map((a) => normaliseAxis(a, rank)).sort((a, b) => a - b);
      const dims = [...x.dims];
      for (const a of sorted) dims.splice(a, 0, 1);
      return [{ ...x, dims } as Constant];
    }
    case 'Squeeze': {
      const x = need(0);
      const given = ctx.opset >= 13 ? (inputs[1] ? intList(1) : undefined) : ints('axes');
      const axes = given?.map((a) => normaliseAxis(a, x.dims.length)) ?? x.dims.flatMap((d, i) => (d === 1 ? [i] : []));
      return [{ ...x, dims: x.dims.filter((_, i) => !axes.includes(i)) } as Constant];
    }
    case 'Concat': {
      const parts = inputs.filter((v): v is Constant => v !== undefined);
      return [concat(parts, int('axis', 0), ctx, what)];
    }
    case 'Slice':
      return [slice(node, inputs, ctx, what)];
    case 'Reshape': {
      const x = need(0);
      const target = intList(1);
      const count = size(x.dims);
      const allowZero = int('allowzero', 0) === 1;
      const dims = target.map((d, i) => (d === 0 && !allowZero ? x.dims[i] : d));
      const known = size(dims.filter((d) => d !== -1));
      return [{ ...x, dims: dims.map((d) => (d === -1 ? count / known : d)) } as Constant];
    }
    case 'Flatten': {
      const x = need(0);
      const axis = normaliseAxis(int('axis', 1), x.dims.length, true);
      return [{ ...x, dims: [size(x.dims.slice(0, axis)), size(x.dims.slice(axis))] } as Constant];
    }
    case 'Transpose': {
      const x = need(0);
      const perm = ints('perm') ?? x.dims.map((_, i) => x.dims.length - 1 - i);
      if (perm.length !== x.dims.length || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
        throw new UserError(`${what} has perm ${shown(perm)}, not a permutation of the ${x.dims.length} axes of its input; the file is damaged`, ctx.file);
      }
      return [transpose(x, perm)];
    }
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div':
    case 'Pow':
    case 'Mod':
    case 'Equal':
    case 'Less':
    case 'Greater':
    case 'LessOrEqual':
    case 'GreaterOrEqual':
    case 'And':
    case 'Or':
      return [elementwise(op, need(0), need(1), ctx, what, int('fmod', 0) === 1)];
    case 'Min':
    case 'Max':
      return [inputs.filter((v): v is Constant => v !== undefined).reduce((a, b) => elementwise(op, a, b, ctx, what))];
    case 'Neg':
      return [map(need(0), (v) => -v)];
    case 'Sqrt':
      return [map(need(0), Math.sqrt)];
    case 'Not':
      return [map(need(0), (v) => (v ? 0 : 1))];
    case 'Floor':
      return [map(need(0), Math.floor)];
    case 'Ceil':
      return [map(need(0), Math.ceil)];
    case 'Abs':
      return [map(need(0), Math.abs)];
    case 'Exp':
      return [map(need(0), Math.exp)];
    case 'Log':
      return [map(need(0), Math.log)];
    case 'Reciprocal':
      return [map(need(0), (v) => 1 / v)];
    case 'Sign':
      return [map(need(0), Math.sign)];
    case 'Where':
      return [where(need(0), need(1), need(2), ctx, what)];
    case 'Expand':
      return [expand(need(0), intList(1), ctx, what)];
    case 'Tile':
      return [tile(need(0), intList(1), ctx, what)];
    case 'Range': {
      const [start, limit, delta] = [0, 1, 2].map((i) => known(need(i).data[0], ctx, what));
      const n = Math.max(Math.ceil((limit - start) / delta), 0);
      if (!Number.isSafeInteger(n)) throw new UserError(`${what} counts from ${start} to ${limit} by ${delta}, which is not a number of values; the file is damaged`, ctx.file);
      checkFoldedSize(n, [], ctx, what);
      const values = Array.from({ length: n }, (_, k) => start + k * delta);
      return [need(0).type === 'float' ? { type: 'float', dims: [n], data: Float32Array.from(values) } : { type: 'int', dims: [n], data: values }];
    }
    case 'Size': {
      const x = need(0);
      return [{ type: 'int', dims: [], data: [x.data.length] }];
    }
    case 'ReduceProd':
    case 'ReduceSum':
    case 'ReduceMin':
    case 'ReduceMax':
    case 'ReduceMean': {
      const x = need(0);
      const given = ctx.opset >= 18 || (op === 'ReduceSum' && ctx.opset >= 13) ? (inputs[1] ? intList(1) : undefined) : ints('axes');
      return [reduce(op, x, given, int('keepdims', 1) === 1, int('noop_with_empty_axes', 0) === 1)];
    }
    case 'Split': {
      const x = need(0);
      const axis = normaliseAxis(int('axis', 0), x.dims.length);
      const count = (node.output ?? []).length;
      const sizes = ctx.opset >= 13 ? (inputs[1] ? intList(1) : undefined) : ints('split');
      return splitSizes(x.dims[axis], count, sizes, ctx, what).map((n, k, all) => {
        const start = all.slice(0, k).reduce((a, b) => a + b, 0);
        return sliceAxis(x, axis, start, start + n);
      });
    }
    case 'ConstantOfShape': {
      const dims = intList(0);
      if (!dims.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new UserError(`${what} asks for a constant of shape ${shown(dims)}, which is not a valid shape; the file is damaged`, ctx.file);
      checkFoldedSize(countOf(dims), [], ctx, what);
      const valueTensor = attribute(node, 'value')?.t;
      const value = valueTensor ? tensorValues(valueTensor, `${what} value`, ctx) : { type: 'float' as const, dims: [1], data: new Float32Array(1) };
      const n = size(dims);
      return [
        value.type === 'float'
          ? { type: 'float', dims, data: new Float32Array(n).fill(value.data[0] ?? 0) }
          : { type: 'int', dims, data: new Array<number>(n).fill(value.data[0] ?? 0) },
      ];
    }
    default:
      throw new UserError(`${what} cannot be evaluated at load time`, ctx.file);
  }
}

function constantAttribute(node: onnx.INodeProto, ctx: FoldContext, what: string): Constant {
  const a = node.attribute?.[0];
  switch (a?.name) {
    case 'value':
      return fromValues(tensorValues(a.t ?? {}, what, ctx));
    case 'value_float':
      return { type: 'float', dims: [], data: Float32Array.of(a.f ?? 0) };
    case 'value_floats':
      return { type: 'float', dims: [a.floats?.length ?? 0], data: Float32Array.from(a.floats ?? []) };
    case 'value_int':
      return { type: 'int', dims: [], data: [toInt(a.i)] };
    case 'value_ints':
      return { type: 'int', dims: [a.ints?.length ?? 0], data: (a.ints ?? []).map(toInt) };
    default:
      throw new UserError(`${what} has a "${a?.name ?? 'missing'}" value, which is not supported (tensors, floats and ints are)`, ctx.file);
  }
}

export function fromValues(v: ReturnType<typeof tensorValues>): Constant {
  return v.type === 'float' ? v : { type: 'int', dims: v.dims, data: v.data };
}

function cast(x: Constant, to: number): Constant {
  const T = onnx.TensorProto.DataType;
  const toFloat = [T.FLOAT, T.DOUBLE, T.FLOAT16, T.BFLOAT16].includes(to);
  if (toFloat) return x.type === 'float' ? x : { type: 'float', dims: x.dims, data: Float32Array.from(x.data, (v) => v ?? NaN) };
  if (x.type === 'int') return x;
  return { type: 'int', dims: x.dims, data: Array.from(x.data, (v) => Math.trunc(v)) };
}

function gather(x: Constant, indices: number[], indexDims: number[], axis: number): Constant {
  const outer = size(x.dims.slice(0, axis));
  const inner = size(x.dims.slice(axis + 1));
  const n = x.dims[axis];
  const picked: Array<number | null> = [];
  for (let o = 0; o < outer; o++) {
    for (const raw of indices) {
      const k = raw < 0 ? raw + n : raw;
      for (let i = 0; i < inner; i++) picked.push(x.data[(o * n + k) * inner + i]);
    }
  }
  const dims = [...x.dims.slice(0, axis), ...indexDims, ...x.dims.slice(axis + 1)];
  return x.type === 'float' ? { type: 'float', dims, data: Float32Array.from(picked as number[]) } : { type: 'int', dims, data: picked };
}

function concat(parts: Constant[], axisAttr: number, ctx: FoldContext, what: string): Constant {
  if (parts.length === 0) throw new UserError(`${what} joins no inputs; the file is damaged`, ctx.file);
  const rank = parts[0].dims.length;
  const axis = normaliseAxis(axisAttr, rank);
  if (parts.some((p) => p.dims.length !== rank || p.dims.some((d, i) => i !== axis && d !== parts[0].dims[i]))) {
    throw new UserError(`${what} joins constants of shapes ${shown(parts.map((p) => p.dims))}, which differ off the axis ${axis}; the file is damaged`, ctx.file);
  }
  const outer = size(parts[0].dims.slice(0, axis));
  const data: Array<number | null> = [];
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const chunk = size(p.dims.slice(axis));
      for (let i = 0; i < chunk; i++) data.push(p.data[o * chunk + i]);
    }
  }
  const dims = [...parts[0].dims];
  dims[axis] = parts.reduce((sum, p) => sum + p.dims[axis], 0);
  const isFloat = parts.every((p) => p.type === 'float');
  return isFloat ? { type: 'float', dims, data: Float32Array.from(data as number[]) } : { type: 'int', dims, data };
}

function slice(node: onnx.INodeProto, inputs: Array<Constant | undefined>, ctx: FoldContext, what: string): Constant {
  const x = inputs[0];
  if (!x) throw new UserError(`${what} lacks its input 1; the file is damaged`, ctx.file);
  const list = (i: number, attr: string): number[] | undefined => {
    if (ctx.opset < 10) return attribute(node, attr)?.ints?.map(toInt);
    const v = inputs[i];
    return v ? (v.data as number[]) : undefined;
  };
  const starts = list(1, 'starts') ?? [];
  const ends = list(2, 'ends') ?? [];
  const axes = (list(3, 'axes') ?? starts.map((_, i) => i)).map((a) => normaliseAxis(a, x.dims.length));
  const steps = list(4, 'steps') ?? starts.map(() => 1);
  if (starts.some((v) => v === null) || ends.some((v) => v === null)) throw new UserError(`${what} slices with unknown bounds`, ctx.file);
  if (steps.some((v) => !Number.isInteger(v) || v === 0)) throw new UserError(`${what} slices with steps ${shown(steps)}; steps must be non-zero integers`, ctx.file);
  // Per axis: the source indices kept.
  const kept = x.dims.map((d) => Array.from({ length: d }, (_, i) => i));
  axes.forEach((axis, k) => {
    kept[axis] = sliceIndices(x.dims[axis], starts[k], ends[k], steps[k]);
  });
  const dims = kept.map((k) => k.length);
  const strides = x.dims.map((_, i) => size(x.dims.slice(i + 1)));
  const data: Array<number | null> = [];
  const walk = (axis: number, offset: number) => {
    if (axis === dims.length) {
      data.push(x.data[offset]);
      return;
    }
    for (const i of kept[axis]) walk(axis + 1, offset + i * strides[axis]);
  };
  walk(0, 0);
  return x.type === 'float' ? { type: 'float', dims, data: Float32Array.from(data as number[]) } : { type: 'int', dims, data };
}

/** The indices ONNX Slice keeps along an axis of `d`: start and end clamped (negatives count from the end), any step. */
export function sliceIndices(d: number, start: number, end: number, step: number): number[] {
  const clampIndex = (v: number, low: number, high: number) => Math.min(Math.max(v < 0 ? v + d : v, low), high);
  const indices: number[] = [];
  if (step > 0) for (let i = clampIndex(start, 0, d); i < clampIndex(end, 0, d); i += step) indices.push(i);
  else for (let i = clampIndex(start, 0, d - 1); i > clampIndex(end, -1, d - 1); i += step) indices.push(i);
  return indices;
}

export function transpose(x: Constant, perm: number[]): Constant {
  const dims = perm.map((p) => x.dims[p]);
  const inStrides = x.dims.map((_, i) => size(x.dims.slice(i + 1)));
  const n = size(dims);
  const out = x.type === 'float' ? new Float32Array(n) : new Array<number | null>(n);
  const index = new Array<number>(dims.length).fill(0);
  for (let k = 0; k < n; k++) {
    let src = 0;
    for (let a = 0; a < dims.length; a++) src += index[a] * inStrides[perm[a]];
    out[k] = x.data[src] as number;
    for (let a = dims.length - 1; a >= 0; a--) {
      if (++index[a] < dims[a]) break;
      index[a] = 0;
    }
  }
  return x.type === 'float' ? { type: 'float', dims, data: out as Float32Array } : { type: 'int', dims, data: out as Array<number | null> };
}

/** A known number, or a UserError (the batch size where a number is needed). */
function known(v: number | null | undefined, ctx: FoldContext, what: string): number {
  if (v === null || v === undefined) throw new UserError(`${what} needs a number that depends on the batch size`, ctx.file);
  return v;
}

/** The sizes of a Split's parts: given, or equal parts of `n` (the last one smaller, as ONNX 18's num_outputs). */
export function splitSizes(n: number, count: number, given: number[] | undefined, ctx: { file: string }, what: string): number[] {
  if (given) {
    if (given.length !== count || given.reduce((a, b) => a + b, 0) !== n || given.some((v) => v < 0)) {
      throw new UserError(`${what} splits ${n} into [${given}] for ${count} outputs`, ctx.file);
    }
    return given;
  }
  const part = Math.ceil(n / count);
  return Array.from({ length: count }, (_, k) => Math.max(0, Math.min(part, n - k * part)));
}

function sliceAxis(x: Constant, axis: number, start: number, end: number): Constant {
  const outer = size(x.dims.slice(0, axis));
  const inner = size(x.dims.slice(axis + 1));
  const n = x.dims[axis];
  const data: Array<number | null> = [];
  for (let o = 0; o < outer; o++) for (let k = start; k < end; k++) for (let i = 0; i < inner; i++) data.push(x.data[(o * n + k) * inner + i]);
  const dims = [...x.dims];
  dims[axis] = end - start;
  return x.type === 'float' ? { type: 'float', dims, data: Float32Array.from(data as number[]) } : { type: 'int', dims, data };
}

/** x broadcast to `shape` (numpy rules: the result has the larger of each pair of dimensions). */
function expand(x: Constant, shape: number[], ctx: FoldContext, what: string): Constant {
  // The ones it broadcasts with are as large as the shape asked for: checked before they are made.
  checkFoldedSize(countOf(shape.map((d) => Math.max(d, 1))), [x], ctx, what);
  const ones: Constant = { type: 'int', dims: shape, data: new Array<number>(size(shape.map((d) => Math.max(d, 1)))).fill(1) };
  const out = elementwise('Mul', x, { ...ones, dims: shape.map((d) => Math.max(d, 1)) }, ctx, what);
  return x.type === 'float' ? { type: 'float', dims: out.dims, data: Float32Array.from(out.data as number[]) } : out;
}

function tile(x: Constant, repeats: number[], ctx: FoldContext, what: string): Constant {
  if (repeats.length !== x.dims.length) throw new UserError(`${what} repeats ${shown(repeats)} a tensor of rank ${x.dims.length}; the file is damaged`, ctx.file);
  checkFoldedSize(countOf(x.dims) * countOf(repeats), [x], ctx, what);
  let out = x;
  repeats.forEach((r, axis) => {
    const parts = new Array<Constant>(r).fill(out);
    const outer = size(out.dims.slice(0, axis));
    const chunk = size(out.dims.slice(axis));
    const data: Array<number | null> = [];
    for (let o = 0; o < outer; o++) for (const p of parts) for (let i = 0; i < chunk; i++) data.push(p.data[o * chunk + i]);
    const dims = [...out.dims];
    dims[axis] *= r;
    out = out.type === 'float' ? { type: 'float', dims, data: Float32Array.from(data as number[]) } : { type: 'int', dims, data };
  });
  return out;
}

/** A reduction over `axes` (all when none are given, unless noop_with_empty_axes). */
function reduce(op: string, x: Constant, given: number[] | undefined, keepdims: boolean, noopWithoutAxes: boolean): Constant {
  if ((!given || given.length === 0) && noopWithoutAxes) return x;
  const axes = new Set((given && given.length ? given : x.dims.map((_, i) => i)).map((a) => normaliseAxis(a, x.dims.length)));
  const outDims = x.dims.map((d, i) => (axes.has(i) ? 1 : d));
  const groups = new Map<number, Array<number | null>>();
  const strides = x.dims.map((_, i) => size(x.dims.slice(i + 1)));
  const outStrides = outDims.map((_, i) => size(outDims.slice(i + 1)));
  for (let k = 0; k < x.data.length; k++) {
    let target = 0;
    x.dims.forEach((_, i) => {
      const coordinate = Math.floor(k / strides[i]) % x.dims[i];
      if (!axes.has(i)) target += coordinate * outStrides[i];
    });
    if (!groups.has(target)) groups.set(target, []);
    groups.get(target)!.push(x.data[k]);
  }
  const combine = (values: Array<number | null>): number | null => {
    if (values.some((v) => v === null)) return null;
    const v = values as number[];
    switch (op) {
      case 'ReduceProd':
        return v.reduce((a, b) => a * b, 1);
      case 'ReduceSum':
        return v.reduce((a, b) => a + b, 0);
      // Not Math.min(...v): a spread of a large constant overflows the stack.
      case 'ReduceMin':
        return v.reduce((a, b) => Math.min(a, b), Infinity);
      case 'ReduceMax':
        return v.reduce((a, b) => Math.max(a, b), -Infinity);
      default:
        return v.reduce((a, b) => a + b, 0) / v.length;
    }
  };
  const data = Array.from({ length: size(outDims) }, (_, t) => combine(groups.get(t) ?? []));
  const dims = keepdims ? outDims : x.dims.filter((_, i) => !axes.has(i));
  return x.type === 'float' ? { type: 'float', dims, data: Float32Array.from(data as number[]) } : { type: 'int', dims, data };
}

/** Numpy-style broadcasting of several constants: the result's dims and, per element, the offset in each. */
function broadcast(parts: Constant[], ctx: FoldContext, what: string): { dims: number[]; offsets: (k: number) => number[] } {
  const rank = Math.max(...parts.map((p) => p.dims.length));
  const padded = parts.map((p) => [...new Array<number>(rank - p.dims.length).fill(1), ...p.dims]);
  const dims = Array.from({ length: rank }, (_, i) => {
    const sizes = new Set(padded.map((d) => d[i]).filter((d) => d !== 1));
    if (sizes.size > 1) throw new UserError(`${what} cannot broadcast ${parts.map((p) => `[${p.dims}]`).join(' with ')}`, ctx.file);
    return [...sizes][0] ?? 1;
  });
  const offsets = (flat: number) =>
    padded.map((d) => {
      let offset = 0;
      let stride = 1;
      let rest = flat;
      for (let i = rank - 1; i >= 0; i--) {
        const coordinate = rest % dims[i];
        rest = Math.floor(rest / dims[i]);
        offset += (d[i] === 1 ? 0 : coordinate) * stride;
        stride *= d[i];
      }
      return offset;
    });
  return { dims, offsets };
}

/**
 * Elementwise arithmetic and comparisons of two constants with broadcasting. The batch (null) stays null
 * through any arithmetic; comparisons give 0/1 integers, and the batch equals only itself (comparing it with
 * a number is unknown).
 */
function elementwise(op: string, a: Constant, b: Constant, ctx: FoldContext, what: string, fmod = false): Constant {
  const { dims, offsets } = broadcast([a, b], ctx, what);
  checkFoldedSize(countOf(dims), [a, b], ctx, what);
  const comparison = ['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or'].includes(op);
  const isInt = comparison || (a.type === 'int' && b.type === 'int');
  const f: Record<string, (x: number, y: number) => number> = {
    Add: (x, y) => x + y,
    Sub: (x, y) => x - y,
    Mul: (x, y) => x * y,
    Div: (x, y) => (isInt ? Math.trunc(x / y) : x / y),
    Pow: (x, y) => x ** y,
    // Integer Mod takes the divisor's sign (Python's %), fmod the dividend's.
    Mod: (x, y) => (fmod ? x % y : x - y * Math.floor(x / y)),
    Min: Math.min,
    Max: Math.max,
    Equal: (x, y) => Number(x === y),
    Less: (x, y) => Number(x < y),
    Greater: (x, y) => Number(x > y),
    LessOrEqual: (x, y) => Number(x <= y),
    GreaterOrEqual: (x, y) => Number(x >= y),
    And: (x, y) => Number(Boolean(x) && Boolean(y)),
    Or: (x, y) => Number(Boolean(x) || Boolean(y)),
  };
  const values = Array.from({ length: size(dims) }, (_, k) => {
    const [i, j] = offsets(k);
    const [x, y] = [a.data[i], b.data[j]];
    if (x === null || y === null) return op === 'Equal' && x === null && y === null ? 1 : null;
    return f[op](x, y);
  });
  return isInt ? { type: 'int', dims, data: values } : { type: 'float', dims, data: Float32Array.from(values as number[]) };
}

/** cond ? a : b elementwise with broadcasting; an unknown condition (about the batch) is known when a and b agree. */
function where(cond: Constant, a: Constant, b: Constant, ctx: FoldContext, what: string): Constant {
  const { dims, offsets } = broadcast([cond, a, b], ctx, what);
  checkFoldedSize(countOf(dims), [cond, a, b], ctx, what);
  const values = Array.from({ length: size(dims) }, (_, k) => {
    const [c, i, j] = offsets(k);
    const [yes, no] = [a.data[i], b.data[j]];
    const test = cond.data[c];
    return test === null ? (yes === no ? yes : null) : test ? yes : no;
  });
  return a.type === 'float' && b.type === 'float' ? { type: 'float', dims, data: Float32Array.from(values as number[]) } : { type: 'int', dims, data: values };
}

function map(x: Constant, f: (v: number) => number): Constant {
  return x.type === 'float'
    ? { type: 'float', dims: x.dims, data: x.data.map(f) }
    : { type: 'int', dims: x.dims, data: x.data.map((v) => (v === null ? null : f(v))) };
}

export function normaliseAxis(axis: number, rank: number, allowRank = false): number {
  const a = axis < 0 ? axis + rank : axis;
  return Math.min(Math.max(a, 0), allowRank ? rank : rank - 1);
}

export function size(dims: ArrayLike<number>): number {
  let n = 1;
  for (let i = 0; i < dims.length; i++) n *= dims[i];
  return n;
}
