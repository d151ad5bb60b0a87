// Constant subgraphs of an ONNX graph, evaluated once at load: the values a node computes when every
// input is known. PyTorch's `x.view(x.size(0), -1)` exports as Shape → Gather → Unsqueeze → Concat →
// Reshape; `Shape` of an activation is known here except for its batch size, which is carried as `null`
// (BATCH) through the shape arithmetic, so the Reshape sees [BATCH, -1]. Weight arithmetic (a Mul or Sub
// of two initializers, a Cast, a Transpose of a weight) folds the same way.
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
      return [elementwise(op, need(0), need(1), ctx, what)];
    case 'Neg':
      return [map(need(0), (v) => -v)];
    case 'Sqrt':
      return [map(need(0), Math.sqrt)];
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
    const d = x.dims[axis];
    const step = steps[k];
    const clampIndex = (v: number, low: number, high: number) => Math.min(Math.max(v < 0 ? v + d : v, low), high);
    const indices: number[] = [];
    if (step > 0) for (let i = clampIndex(starts[k], 0, d); i < clampIndex(ends[k], 0, d); i += step) indices.push(i);
    else for (let i = clampIndex(starts[k], 0, d - 1); i > clampIndex(ends[k], -1, d - 1); i += step) indices.push(i);
    kept[axis] = indices;
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

/** Numpy-style broadcasting of two constants; the batch (null) stays null through any arithmetic. */
function elementwise(op: string, a: Constant, b: Constant, ctx: FoldContext, what: string): Constant {
  const rank = Math.max(a.dims.length, b.dims.length);
  const pad = (d: number[]) => [...new Array<number>(rank - d.length).fill(1), ...d];
  const [da, db] = [pad(a.dims), pad(b.dims)];
  const dims = da.map((d, i) => {
    if (d !== db[i] && d !== 1 && db[i] !== 1) throw new UserError(`${what} cannot broadcast [${a.dims}] with [${b.dims}]`, ctx.file);
    return Math.max(d, db[i]);
  });
  // The offset in a constant of padded dims `d` of the element at row-major position `flat` of the result.
  const index = (d: number[], flat: number) => {
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
  };
  const f = { Add: (x: number, y: number) => x + y, Sub: (x: number, y: number) => x - y, Mul: (x: number, y: number) => x * y, Div: (x: number, y: number) => x / y }[op]!;
  const n = countOf(dims);
  checkFoldedSize(n, [a, b], ctx, what);
  const isInt = a.type === 'int' && b.type === 'int';
  const values: Array<number | null> = [];
  for (let k = 0; k < n; k++) {
    const x = a.data[index(da, k)];
    const y = b.data[index(db, k)];
    if (x === null || y === null) values.push(null);
    else values.push(isInt && op === 'Div' ? Math.trunc(x / y) : f(x, y));
  }
  return isInt ? { type: 'int', dims, data: values } : { type: 'float', dims, data: Float32Array.from(values as number[]) };
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
