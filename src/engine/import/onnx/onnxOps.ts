// One translation per supported ONNX op: its inputs (constants or activations, see onnxGraph.ts) and
// attributes into engine nodes. Weights are turned from ONNX's layouts into the engine's here: Conv
// kernels OIHW → [kh, kw, in/groups, out], Gemm/MatMul weights into a Dense kernel [in, out] (transB,
// alpha and beta applied), BatchNormalization's parameters per channel. The ops that only move values
// (Flatten, Reshape, Transpose, Pad, Concat, …) are in shapeOps.ts. Ops the engine cannot explain
// (anything not in the table) fail with the node's name, its op and the supported list.
import * as tf from '@tensorflow/tfjs';
import { onnx } from 'onnx-proto';
import { listCut, UserError } from '../../errors';
import type { NodeSpec, Pads } from '../../graph/nodes';
import { clipSpec } from '../../layers/clip';
import { resolvePads } from '../../layers/geometry';
import { leakyReluSpec } from '../../layers/leakyRelu';
import { FOLDABLE_OPS, normaliseAxis, type Constant } from './constants';
import { act, float, int, ints, isConstant, same, text } from './nodeArgs';
import { floatConstant, type Activation, type OnnxWalk, type PendingLinear, type Value } from './onnxGraph';
import { concat, flatten, pad, reshape, squeezeOrUnsqueeze, transposeOp } from './shapeOps';

type Translate = (w: OnnxWalk, node: onnx.INodeProto, inputs: Array<Value | undefined>, what: string, name: string) => Array<Value | undefined>;

const OPS: Record<string, Translate> = {
  Conv: conv,
  Gemm: gemm,
  MatMul: matMul,
  Relu: (w, node, inputs, what, name) => [unary(w, inputs, what, name, { kind: 'relu' })],
  MaxPool: (w, node, inputs, what, name) => [pool(w, node, inputs, what, name, 'max')],
  AveragePool: (w, node, inputs, what, name) => [pool(w, node, inputs, what, name, 'avg')],
  GlobalAveragePool: (w, node, inputs, what, name) => [globalPool(w, inputs, what, name, 'globalAvgPool')],
  GlobalMaxPool: (w, node, inputs, what, name) => [globalPool(w, inputs, what, name, 'globalMaxPool')],
  ReduceMean: (w, node, inputs, what, name) => [spatialReduce(w, node, inputs, what, name, 'globalAvgPool')],
  ReduceMax: (w, node, inputs, what, name) => [spatialReduce(w, node, inputs, what, name, 'globalMaxPool')],
  Flatten: flatten,
  Reshape: reshape,
  Squeeze: squeezeOrUnsqueeze,
  Unsqueeze: squeezeOrUnsqueeze,
  Transpose: transposeOp,
  Pad: pad,
  BatchNormalization: batchNorm,
  Add: (w, node, inputs, what, name) => [add(w, node, inputs, what, name)],
  Sum: (w, node, inputs, what, name) => [sum(w, inputs, what, name)],
  Sub: (w, node, inputs, what, name) => [affineOp(w, 'Sub', inputs, what, name)],
  Mul: (w, node, inputs, what, name) => [siluOf(w, inputs, name) ?? affineOp(w, 'Mul', inputs, what, name)],
  Div: (w, node, inputs, what, name) => [affineOp(w, 'Div', inputs, what, name)],
  Concat: concat,
  Dropout: (w, node, inputs, what) => [passThrough(w, inputs, what)],
  Identity: (w, node, inputs, what) => [passThrough(w, inputs, what)],
  Clip: (w, node, inputs, what, name) => [clip(w, node, inputs, what, name)],
  LeakyRelu: (w, node, inputs, what, name) => [activation(w, inputs, what, name, leakyReluSpec(float(node, 'alpha', 0.01)))],
  Sigmoid: (w, node, inputs, what, name) => [sigmoid(w, inputs, what, name)],
  Tanh: (w, node, inputs, what, name) => [activation(w, inputs, what, name, { kind: 'activation', fn: 'tanh' })],
  Softplus: (w, node, inputs, what, name) => [activation(w, inputs, what, name, { kind: 'activation', fn: 'softplus' })],
  HardSwish: (w, node, inputs, what, name) => [activation(w, inputs, what, name, { kind: 'activation', fn: 'hardSwish' })],
  HardSigmoid: (w, node, inputs, what, name) => [
    activation(w, inputs, what, name, { kind: 'activation', fn: 'hardSigmoid', alpha: float(node, 'alpha', 0.2), beta: float(node, 'beta', 0.5) }),
  ],
  Elu: (w, node, inputs, what, name) => [activation(w, inputs, what, name, { kind: 'activation', fn: 'elu', alpha: float(node, 'alpha', 1) })],
  Gelu: (w, node, inputs, what, name) => [gelu(w, node, inputs, what, name)],
  PRelu: (w, node, inputs, what, name) => [preluOp(w, inputs, what, name)],
  Softmax: (w, node, inputs, what, name) => [unary(w, inputs, what, name, { kind: 'softmax' })],
  LogSoftmax: (w, node, inputs, what, name) => [unary(w, inputs, what, name, { kind: 'softmax' })],
};

/** Every op an ONNX model may use: the ones above, and those evaluated at load on constants. */
export const SUPPORTED_OPS = [...Object.keys(OPS), 'Constant'];
const SUPPORTED_TEXT = [...SUPPORTED_OPS, ...FOLDABLE_OPS.filter((o) => !SUPPORTED_OPS.includes(o)).map((o) => `${o} (on constants)`)];

export function translateOp(w: OnnxWalk, node: onnx.INodeProto, inputs: Array<Value | undefined>, what: string, name: string): Array<Value | undefined> {
  const op = OPS[node.opType ?? ''];
  if (!op) throw new UserError(`${what} is not supported; supported ops: ${listCut(SUPPORTED_TEXT, 110)}; the README's ONNX table lists them all`, w.file);
  return op(w, node, inputs, what, name);
}

function unary(w: OnnxWalk, inputs: Array<Value | undefined>, what: string, name: string, spec: { kind: 'relu' } | { kind: 'softmax' }): Activation {
  const x = act(w, inputs[0], what);
  return same(x, w.add(name, spec, [x.node]));
}

/** An elementwise activation node; null is the identity (a clip without bounds, a leaky ReLU of slope 1). */
function activation(w: OnnxWalk, inputs: Array<Value | undefined>, what: string, name: string, spec: NodeSpec | null): Value {
  const x = act(w, inputs[0], what);
  return spec ? same(x, w.add(name, spec, [x.node])) : x;
}

/**
 * Clip with constant bounds (inputs from opset 11, attributes before): min 0 without max is a ReLU
 * (`torch.clamp(x, min=0)`), ReLU6 and Hardtanh export as Clip(0, 6) and Clip(−1, 1).
 */
function clip(w: OnnxWalk, node: onnx.INodeProto, inputs: Array<Value | undefined>, what: string, name: string): Value {
  const bound = (i: number, attr: string, fallback: number): number => {
    if (w.ctx.opset < 11) return float(node, attr, fallback);
    const v = inputs[i];
    return v ? (floatConstant(v, `${what}: its ${attr}`, w.file).data[0] ?? fallback) : fallback;
  };
  const min = bound(1, 'min', -Infinity);
  // Before opset 11 an absent max is FLT_MAX.
  const max = bound(2, 'max', Infinity);
  // FLT_MAX (the old default, or torch's clamp without a bound written out) is no bound.
  const unbounded = (v: number) => (Math.abs(v) >= 3.4e38 ? Math.sign(v) * Infinity : v);
  const [lo, hi] = [unbounded(min), unbounded(max)];
  if (!(lo < hi)) throw new UserError(`${what} clips to [${min}, ${max}]; the lower bound must be below the upper one`, w.file);
  return activation(w, inputs, what, name, clipSpec(lo, hi));
}

function sigmoid(w: OnnxWalk, inputs: Array<Value | undefined>, what: string, name: string): Value {
  const x = act(w, inputs[0], what);
  const y = same(x, w.add(name, { kind: 'activation', fn: 'sigmoid' }, [x.node]));
  w.sigmoidInputs.set(y.node.id, x.node.id);
  return y;
}

/**
 * Mul(x, Sigmoid(x)) in either order, as torch exports nn.SiLU (opset ≤ 17 has no SiLU op): a SiLU node on x.
 * The Sigmoid node stays behind unread (the builder drops it) unless something else reads it.
 */
function siluOf(w: OnnxWalk, [a, b]: Array<Value | undefined>, name: string): Value | null {
  if (a?.kind !== 'activation' || b?.kind !== 'activation' || a.rep !== b.rep) return null;
  const x = w.sigmoidInputs.get(b.node.id) === a.node.id ? a : w.sigmoidInputs.get(a.node.id) === b.node.id ? b : null;
  return x && same(x, w.add(name, { kind: 'activation', fn: 'silu' }, [x.node]));
}

/** Gelu (opset 20): `approximate` "none" is the erf form, "tanh" the tanh approximation. */
function gelu(w: OnnxWalk, node: onnx.INodeProto, inputs: Array<Value | undefined>, what: string, name: string): Value {
  const approximate = text(node, 'approximate', 'none');
  if (approximate !== 'none' && approximate !== 'tanh') throw new UserError(`${what} has approximate "${approximate}"; "none" or "tanh" is needed`, w.file);
  return activation(w, inputs, what, name, { kind: 'activation', fn: approximate === 'tanh' ? 'geluTanh' : 'gelu' });
}

/**
 * PRelu: the slope is a constant broadcast against the input, one value or one per channel (torch's
 * nn.PReLU(C) exports it as [C, 1, 1], a dense layer's as [C]), as a Mul's constant is read.
 */
function preluOp(w: OnnxWalk, inputs: Array<Value | undefined>, what: string, name: string): Value {
  const xIn = act(w, inputs[0], what);
  const c = floatConstant(inputs[1], `${what}: its slope`, w.file);
  const { values, axis } = perChannel(c, xIn.dims, `${what}: its slope`, w.file);
  const x = axis === 'channel' ? w.asChannelsFirst(xIn, what) : axis === 'last' ? w.asPlain(xIn) : xIn;
  return same(x, w.add(name, { kind: 'prelu', slope: values }, [x.node]));
}

function passThrough(w: OnnxWalk, inputs: Array<Value | undefined>, what: string): Value {
  const v = inputs[0];
  if (!v) throw new UserError(`${what} lacks its input`, w.file);
  return v;
}

/** Two spatial axes of an attribute, or the fallback. */
function pair(node: onnx.INodeProto, key: string, fallback: number, what: string, file: string): [number, number] {
  const v = ints(node, key);
  if (v === undefined) return [fallback, fallback];
  if (v.length !== 2 || !v.every((d) => Number.isInteger(d) && d > 0)) {
    throw new UserError(`${what} has ${key} [${v}]; two positive integers are needed (only 2-D images are supported)`, file);
  }
  return [v[0], v[1]];
}

/** Explicit pads from `pads` / `auto_pad`, in the engine's [top, left, bottom, right]. */
function explicitPads(node: onnx.INodeProto, inputHW: number[], kernel: [number, number], strides: [number, number], dilations: [number, number], what: string, file: string): Pads {
  const autoPad = text(node, 'auto_pad', 'NOTSET');
  const win = { kernel, strides, dilations };
  switch (autoPad) {
    case 'NOTSET': {
      const pads = ints(node, 'pads') ?? [0, 0, 0, 0];
      if (pads.length !== 4 || !pads.every((p) => Number.isInteger(p) && p >= 0)) {
        throw new UserError(`${what} has pads [${pads}]; four non-negative integers are needed`, file);
      }
      // ONNX: [x1_begin, x2_begin, x1_end, x2_end] = [top, left, bottom, right], the engine's order.
      return pads as Pads;
    }
    case 'VALID':
      return [0, 0, 0, 0];
    case 'SAME_UPPER':
      return resolvePads('same', inputHW, win);
    case 'SAME_LOWER':
      return resolvePads('same-lower', inputHW, win);
    default:
      throw new UserError(`${what} has auto_pad "${autoPad}"; NOTSET, VALID, SAME_UPPER and SAME_LOWER are supported`, file);
  }
}

// ---- linear layers -----------------------------------------------------------------------------------

function conv(w: OnnxWalk, node: onnx.INodeProto, inputs: Array<Value | undefined>, what: string, name: string): Array<Value> {
  const x = w.asChannelsFirst(act(w, inputs[0], what), what);
  const weight = floatConstant(inputs[1], `${what}: its weight`, w.file);
  if (weight.dims.length !== 4) {
    throw new UserError(`${what} has a weight of shape [${weight.dims}]; only 2-D convolutions (weights [out, in, kh, kw]) are supported`, w.file);
  }
  const [out, inPerGroup, kh, kw] = weight.dims;
  const groups = int(node, 'group', 1);
  const [c, h, wd] = x.dims;
  if (groups < 1 || c % groups !== 0 || out % groups !== 0 || inPerGroup * groups !== c) {
    throw new UserError(`${what} has group ${groups} and a weight [${weight.dims}] that do not fit its ${c} input channels`, w.file);
  }
  const declared = ints(node, 'kernel_shape');
  if (declared && (declared[0] !== kh || declared[1] !== kw)) throw new UserError(`${what} has kernel_shape [${declared}] but a weight of shape [${weight.dims}]`, w.file);
  const strides = pair(node, 'strides', 1, what, w.file);
  const dilations = pair(node, 'dilations', 1, what, w.file);
  const pads = explicitPads(node, [h, wd], [kh, kw], strides, dilations, what, w.file);
  const kernel = tf.tensor4d(oihwToHwio(weight.data, out, inPerGroup, kh, kw), [kh, kw, inPerGroup, out]);
  const bias = inputs[2] ? biasVector(inputs[2], out, `${what}: its bias`, w.file) : undefined;
  const spec = { kind: 'conv2d' as const, kernel, bias: bias ? tf.tensor1d(bias) : undefined, strides, padding: pads, dilations, groups };
  const outDims = [out, ...outputHW([h, wd], [kh, kw], strides, dilations, pads)];
  return [linearResult(w, node, name, spec, x, outDims, 'channelsFirst', bias === undefined)];
}

/** ONNX's [out, in/groups, kh, kw] kernel as the engine's [kh, kw, in/groups, out]. */
function oihwToHwio(w: Float32Array, out: number, inPerGroup: number, kh: number, kw: number): Float32Array {
  const result = new Float32Array(w.length);
  const taps = kh * kw;
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inPerGroup; i++) {
      const from = (o * inPerGroup + i) * taps;
      for (let t = 0; t < taps; t++) result[(t * inPerGroup + i) * out + o] = w[from + t];
    }
  }
  return result;
}

/** A row-major [rows, cols] matrix transposed, in tiles so that both sides stay in cache (VGG's 25088 × 4096). */
function transposeMatrix(m: Float32Array, rows: number, cols: number): Float32Array {
  const result = new Float32Array(m.length);
  const TILE = 64;
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    const r1 = Math.min(rows, r0 + TILE);
    for (let c0 = 0; c0 < cols; c0 += TILE) {
      const c1 = Math.min(cols, c0 + TILE);
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) result[c * rows + r] = m[r * cols + c];
    }
  }
  return result;
}

function outputHW([h, w]: number[], kernel: [number, number], strides: [number, number], dilations: [number, number], pads: Pads): number[] {
  const axis = (n: number, k: number, s: number, d: number, before: number, after: number) => Math.floor((n + before + after - ((k - 1) * d + 1)) / s) + 1;
  return [axis(h, kernel[0], strides[0], dilations[0], pads[0], pads[2]), axis(w, kernel[1], strides[1], dilations[1], pads[1], pads[3])];
}

/** Gemm: Y = alpha · A' · B' + beta · C with A the activation [N, K] and B, C constants. */
function gemm(w: OnnxWalk, node: onnx.INodeProto, inputs: Array<Value | undefined>, what: string, name: string): Array<Value> {
  if (int(node, 'transA', 0) !== 0) {
    throw new UserError(`${what} has transA = 1; only Gemm with the activation as A (transA = 0) and constant B is supported`, w.file);
  }
  const x = w.asVector(act(w, inputs[0], what), name);
  const b = floatConstant(inputs[1], `${what}: its B input`, w.file);
  if (b.dims.length !== 2) throw new UserError(`${what} has a B of shape [${b.dims}]; a matrix is needed`, w.file);
  const transB = int(node, 'transB', 0) === 1;
  const alpha = float(node, 'alpha', 1);
  const beta = float(node, 'beta', 1);
  const [k, m] = transB ? [b.dims[1], b.dims[0]] : b.dims;
  if (k !== x.dims[0]) throw new UserError(`${what} multiplies ${x.dims[0]} features by a B of shape [${b.dims}]${transB ? ' (transB)' : ''}`, w.file);
  const kernelData = transB ? transposeMatrix(b.data, b.dims[0], b.dims[1]) : Float32Array.from(b.data);
  if (alpha !== 1) for (let i = 0; i < kernelData.length; i++) kernelData[i] *= alpha;
  let bias: Float32Array | undefined;
  if (inputs[2]) {
    bias = biasVector(inputs[2], m, `${what}: its C input`, w.file);
    if (beta !== 1) for (let i = 0; i < m; i++) bias[i] *= beta;
  }
  const spec = { kind: 'dense' as const, kernel: tf.tensor2d(kernelData, [k, m]), bias: bias ? tf.tensor1d(bias) : undefined };
  return [linearResult(w, node, name, spec, x, [m], 'plain', bias === undefined)];
}

/** MatMul of the activation [N, K] by a constant [K, M]: a Dense layer (its bias may follow as an Add). */
function matMul(w: OnnxWalk, node: onnx.INodeProto, inputs: Array<Value | undefined>, what: string, name: string): Array<Value> {
  if (isConstant(inputs[0])) throw new UserError(`${what} multiplies a constant by the activation; only activation × constant is supported`, w.file);
  const xIn = act(w, inputs[0], what);
  if (xIn.dims.length !== 1) throw new UserError(`${what} multiplies a tensor of shape [N, ${xIn.dims}]; only [N, features] × [features, out] is supported`, w.file);
  const x = w.asPlain(xIn);
  const b = floatConstant(inputs[1], `${what}: its second input`, w.file);
  if (b.dims.length !== 2 || b.dims[0] !== x.dims[0]) throw new UserError(`${what} multiplies ${x.dims[0]} features by a matrix of shape [${b.dims}]`, w.file);
  const spec = { kind: 'dense' as const, kernel: tf.tensor2d(Float32Array.from(b.data), [b.dims[0], b.dims[1]]) };
  return [linearResult(w, node, name, spec, x, [b.dims[1]], 'plain', true)];
}

/**
 * A Dense/Conv node, or, when it has no bias and its only reader is an Add of a constant, a pending one
 * whose bias that Add supplies.
 */
function linearResult(
  w: OnnxWalk,
  node: onnx.INodeProto,
  name: string,
  spec: PendingLinear['spec'],
  x: Activation,
  dims: number[],
  rep: Activation['rep'],
  biasFree: boolean,
): Value {
  const output = node.output?.[0] ?? '';
  if (biasFree && w.readerCount(output) === 1 && !w.isGraphOutput(output)) {
    const reader = (w.onnxFile.graph.node ?? []).find((n) => n.input?.includes(output));
    if (reader?.opType === 'Add') return { kind: 'pending', name, spec, input: x.node, dims, rep };
  }
  return { kind: 'activation', node: w.add(name, spec, [x.node]), dims, rep };
}

/** A constant of M values (or one, broadcast) as a bias: shapes [M], [1, M], [M, 1, 1], [1], []. */
function biasVector(v: Value, m: number, what: string, file: string): Float32Array {
  const c = floatConstant(v, what, file);
  const n = c.data.length;
  if (n === m && c.dims.filter((d) => d !== 1).length <= 1) return Float32Array.from(c.data);
  if (n === 1) return new Float32Array(m).fill(c.data[0]);
  throw new UserError(`${what} has shape [${c.dims}]; ${m} values (one per output) are needed`, file);
}

// ---- pooling -----------------------------------------------------------------------------------------

function pool(w: OnnxWalk, node: onnx.INodeProto, inputs: Array<Value | undefined>, what: string, name: string, type: 'max' | 'avg'): Activation {
  if ((node.output ?? []).length > 1 && w.readerCount(node.output![1]) > 0) {
    throw new UserError(`${what}: its Indices output is used, which is not supported`, w.file);
  }
  const x = w.asChannelsFirst(act(w, inputs[0], what), what);
  const [c, h, wd] = x.dims;
  const kernel = pair(node, 'kernel_shape', 0, what, w.file);
  if (!ints(node, 'kernel_shape')) throw new UserError(`${what} has no kernel_shape`, w.file);
  const strides = pair(node, 'strides', 1, what, w.file);
  const dilations = pair(node, 'dilations', 1, what, w.file);
  if (dilations[0] !== 1 || dilations[1] !== 1) throw new UserError(`${what} has dilations [${dilations}]; only 1 is supported for pooling`, w.file);
  const pads = explicitPads(node, [h, wd], kernel, strides, dilations, what, w.file);
  const ceil = int(node, 'ceil_mode', 0) === 1;
  // ceil_mode: extra padding at the end, so that a last window hanging over the edge is computed; a
  // window that would start in the end padding is left out (ONNX and PyTorch).
  const extra = (n: number, k: number, s: number, before: number, after: number): number => {
    if (!ceil) return 0;
    let out = Math.ceil((n + before + after - k) / s) + 1;
    if ((out - 1) * s >= n + before) out -= 1;
    return Math.max(0, (out - 1) * s + k - (n + before + after));
  };
  const extraBottom = extra(h, kernel[0], strides[0], pads[0], pads[2]);
  const extraRight = extra(wd, kernel[1], strides[1], pads[1], pads[3]);
  let source = x.node;
  let poolPads: Pads = [pads[0], pads[1], pads[2] + extraBottom, pads[3] + extraRight];
  let countIncludePad = false;
  if (type === 'avg' && int(node, 'count_include_pad', 0) === 1 && pads.some((p) => p > 0)) {
    // The explicit pads count in every window's divisor, the ceil_mode overhang does not: pad explicitly,
    // then pool over the padded map with only the overhang as (uncounted) padding.
    source = w.add(`${name}/pad`, { kind: 'pad', pads }, [x.node]);
    poolPads = [0, 0, extraBottom, extraRight];
    countIncludePad = false;
  }
  const spec =
    type === 'max'
      ? { kind: 'maxPool' as const, poolSize: kernel, strides, padding: poolPads }
      : { kind: 'avgPool' as const, poolSize: kernel, strides, padding: poolPads, countIncludePad };
  const ref = w.add(name, spec, [source]);
  const [oh, ow, oc] = ref.shape;
  return { kind: 'activation', node: ref, dims: [oc ?? c, oh, ow], rep: 'channelsFirst' };
}

/** Global pooling keeps ONNX's [C, 1, 1]: the engine's [c] node, reshaped to the 1×1 map [1, 1, c]. */
function globalPool(w: OnnxWalk, inputs: Array<Value | undefined>, what: string, name: string, kind: 'globalAvgPool' | 'globalMaxPool'): Activation {
  const x = w.asChannelsFirst(act(w, inputs[0], what), what);
  const c = x.dims[0];
  const pooled = w.add(name, { kind }, [x.node]);
  const node = w.add(`${name}/keepdims`, { kind: 'reshape', shape: [1, 1, c] }, [pooled]);
  return { kind: 'activation', node, dims: [c, 1, 1], rep: 'channelsFirst' };
}

/**
 * ReduceMean / ReduceMax over height and width (PyTorch's `x.mean((2, 3))`, `x.amax((2, 3))`): global
 * pooling, keeping ONNX's [C, 1, 1] when keepdims is 1. Other axes are not an image classifier's.
 */
function spatialReduce(w: OnnxWalk, node: onnx.INodeProto, inputs: Array<Value | undefined>, what: string, name: string, kind: 'globalAvgPool' | 'globalMaxPool'): Activation {
  const axesInput = inputs[1];
  const given = w.ctx.opset >= 18 ? (isConstant(axesInput) ? (axesInput.value.data as number[]) : undefined) : ints(node, 'axes');
  const x = act(w, inputs[0], what);
  const axes = (given ?? []).map((a) => normaliseAxis(a, x.dims.length + 1)).sort();
  if (x.dims.length !== 3 || axes.length !== 2 || axes[0] !== 2 || axes[1] !== 3) {
    throw new UserError(`${what} reduces axes [${given ?? 'all'}] of a tensor [N, ${x.dims}]; only the mean or max over height and width (axes 2, 3) is supported`, w.file);
  }
  const pooled = globalPool(w, [x], what, name, kind);
  return int(node, 'keepdims', 1) === 1 ? pooled : w.asVector(pooled, name);
}

// ---- normalisation and elementwise -------------------------------------------------------------------

function batchNorm(w: OnnxWalk, node: onnx.INodeProto, inputs: Array<Value | undefined>, what: string, name: string): Array<Value> {
  if (int(node, 'training_mode', 0) !== 0) throw new UserError(`${what} is in training mode; export the model in eval mode (model.eval())`, w.file);
  const xIn = act(w, inputs[0], what);
  const x = xIn.dims.length === 3 ? w.asChannelsFirst(xIn, what) : w.asPlain(xIn);
  const channels = x.dims[0];
  const vector = (i: number, label: string) => tf.tensor1d(biasVector(inputs[i] ?? failMissing(w, what, label), channels, `${what}: its ${label}`, w.file));
  const spec = {
    kind: 'batchNorm' as const,
    gamma: vector(1, 'scale'),
    beta: vector(2, 'B'),
    mean: vector(3, 'mean'),
    variance: vector(4, 'var'),
    epsilon: float(node, 'epsilon', 1e-5),
  };
  return [same(x, w.add(name, spec, [x.node]))];
}

function failMissing(w: OnnxWalk, what: string, label: string): never {
  throw new UserError(`${what} lacks its ${label} input`, w.file);
}

function add(w: OnnxWalk, node: onnx.INodeProto, inputs: Array<Value | undefined>, what: string, name: string): Value {
  const [a, b] = inputs;
  if (isConstant(a) || isConstant(b)) {
    const [x, c] = isConstant(a) ? [b, a] : [a, b];
    if (x?.kind === 'pending') {
      const bias = biasVector(c!, x.dims[0], `${what}: the bias it adds`, w.file);
      const spec = { ...x.spec, bias: tf.tensor1d(bias) };
      return { kind: 'activation', node: w.add(x.name, spec, [x.input]), dims: x.dims, rep: x.rep };
    }
    return affineOp(w, 'Add', inputs, what, name);
  }
  return sum(w, inputs, what, name);
}

/** Elementwise sum of activations (a residual connection), in one representation. */
function sum(w: OnnxWalk, inputs: Array<Value | undefined>, what: string, name: string): Activation {
  if (inputs.some(isConstant)) throw new UserError(`${what} adds constants to several activations; not supported`, w.file);
  const xs = inputs.map((v) => act(w, v, what));
  const first = xs[0];
  for (const x of xs) {
    if (x.dims.length !== first.dims.length || x.dims.some((d, i) => d !== first.dims[i])) {
      throw new UserError(`${what} adds tensors of shapes [N, ${first.dims}] and [N, ${x.dims}]; broadcasting between activations is not supported`, w.file);
    }
  }
  const aligned = xs.map((x) => (first.rep === 'channelsFirst' ? w.asChannelsFirst(x, what) : w.asPlain(x)));
  if (aligned.length === 1) return aligned[0];
  return same(first, w.add(name, { kind: 'add' }, aligned.map((x) => x.node)));
}

/**
 * x − c, c − x, x · c, x / c and x + c with a constant c that is a scalar or one value per channel (per
 * feature for vectors): an affine node y = scale ⊙ x + offset.
 */
function affineOp(w: OnnxWalk, op: 'Add' | 'Sub' | 'Mul' | 'Div', inputs: Array<Value | undefined>, what: string, name: string): Activation {
  const [a, b] = inputs;
  const constantFirst = isConstant(a);
  if (constantFirst === isConstant(b)) {
    throw new UserError(`${what} combines two activations; only ${op === 'Sub' ? 'subtracting' : op === 'Mul' ? 'multiplying by' : 'dividing by'} a constant is supported`, w.file);
  }
  if (op === 'Div' && constantFirst) throw new UserError(`${what} divides a constant by the activation; not supported`, w.file);
  const xIn = act(w, constantFirst ? b : a, what);
  const c = floatConstant(constantFirst ? a : b, `${what}: its constant`, w.file);
  const { values, axis } = perChannel(c, xIn.dims, what, w.file);
  const x = axis === 'channel' ? w.asChannelsFirst(xIn, what) : axis === 'last' ? w.asPlain(xIn) : xIn;
  const n = values.length;
  const ones = new Array<number>(n).fill(1);
  const zeros = new Array<number>(n).fill(0);
  let scale: number[];
  let offset: number[];
  switch (op) {
    case 'Add':
      [scale, offset] = [ones, values];
      break;
    case 'Sub':
      [scale, offset] = constantFirst ? [ones.map(() => -1), values] : [ones, values.map((v) => -v)];
      break;
    case 'Mul':
      [scale, offset] = [values, zeros];
      break;
    case 'Div':
      if (values.some((v) => v === 0)) throw new UserError(`${what} divides by zero`, w.file);
      [scale, offset] = [values.map((v) => 1 / v), zeros];
      break;
  }
  const spec = { kind: 'affine' as const, scale: n === 1 ? scale[0] : scale, offset: n === 1 ? offset[0] : offset };
  return same(x, w.add(name, spec, [x.node]));
}

/**
 * A constant broadcast against [N, ...dims]: one value, or one per channel (ONNX axis 1 of an image) or
 * per feature (the last axis). Anything that varies along another axis is refused.
 */
function perChannel(c: { dims: number[]; data: Float32Array }, dims: number[], what: string, file: string): { values: number[]; axis: 'none' | 'channel' | 'last' } {
  const rank = dims.length + 1;
  if (c.dims.length > rank) throw new UserError(`${what} has a constant of shape [${c.dims}] for a tensor of shape [N, ${dims}]`, file);
  const padded = [...new Array<number>(rank - c.dims.length).fill(1), ...c.dims];
  const varying = padded.flatMap((d, i) => (d !== 1 ? [i] : []));
  const fits = padded.every((d, i) => d === 1 || (i > 0 && d === dims[i - 1]));
  if (!fits || varying.length > 1 || varying.includes(0)) {
    throw new UserError(`${what} has a constant of shape [${c.dims}]; only a scalar or one value per channel is supported`, file);
  }
  const values = Array.from(c.data);
  if (varying.length === 0) return { values: [values[0]], axis: 'none' };
  const axis = varying[0] - 1;
  if (dims.length === 3 && axis === 0) return { values, axis: 'channel' };
  if (axis === dims.length - 1) return { values, axis: 'last' };
  throw new UserError(`${what} has a constant of shape [${c.dims}]; only a scalar or one value per channel is supported`, file);
}

export type { Constant };
