// An independent float64 reference for graphs: small networks written as plain arrays, every node turned
// into explicit loops (connection lists, index maps, windows) straight from METHODS.md. Nothing here calls
// the engine's layer code; `toGraphNetwork` only builds the engine's Network from the same numbers with
// the public GraphBuilder.
import * as tf from '@tensorflow/tfjs';
import { GraphBuilder, type NodeRef } from '../../../src/engine/graph/builder';
import type { ActivationFn, Network, NodeSpec, Pads, ResizeCoordinates, ResizeNearest } from '../../../src/engine/graph/nodes';
import { smoothGradNoise } from '../../../src/engine/methods/attributors';
import type { InputBounds, MethodSpec } from '../../../src/engine/types';
import type { ImageShape } from '../../../src/protocol/model';
import { applyRuleRef, channelSumRef, occlusionOf, stab, type Linear, type RefRule } from '../methods/reference';

// ---- description ---------------------------------------------------------------------------------------
/** Weights flat, row-major, in the engine's layout: dense [in, out], conv [kh, kw, in/groups, out]. */
export type RefNode =
  /** `perPosition`: over the last axis of a map (each position on its own), else over the flat input. */
  | { kind: 'dense'; input: number; outputs: number; w: number[]; b: number[]; perPosition?: boolean }
  | {
      kind: 'conv2d';
      input: number;
      kh: number;
      kw: number;
      outC: number;
      groups: number;
      w: number[];
      b: number[];
      strides: [number, number];
      pads: Pads;
      dilations: [number, number];
    }
  | { kind: 'relu'; input: number }
  /** min(max(x, min), max); either bound may be ±Infinity. */
  | { kind: 'clip'; input: number; min: number; max: number }
  | { kind: 'leakyRelu'; input: number; alpha: number }
  /** The smooth activations (layers/activation.ts); alpha/beta as the engine's node (hardSigmoid, elu). */
  | { kind: 'activation'; input: number; fn: ActivationFn; alpha?: number; beta?: number }
  /** Slope per channel (last axis) or one for all. */
  | { kind: 'prelu'; input: number; slope: number[] }
  | { kind: 'maxPool'; input: number; pool: [number, number]; strides: [number, number]; pads: Pads }
  | { kind: 'avgPool'; input: number; pool: [number, number]; strides: [number, number]; pads: Pads; countIncludePad: boolean }
  | { kind: 'globalAvgPool' | 'globalMaxPool'; input: number }
  | { kind: 'flatten'; input: number }
  /** The same values in row-major order under another shape. */
  | { kind: 'reshape'; input: number; shape: number[] }
  | { kind: 'transpose'; input: number; perm: number[] }
  | { kind: 'pad'; input: number; pads: Pads }
  | { kind: 'affine'; input: number; scale: number[]; offset: number[] }
  | { kind: 'batchNorm'; input: number; mean: number[]; variance: number[]; gamma: number[]; beta: number[]; epsilon: number }
  | { kind: 'add'; inputs: number[] }
  | { kind: 'concat'; inputs: number[]; axis: number }
  /** Softmax over one (non-negative) axis, inside the network. */
  | { kind: 'softmax'; input: number; axis: number }
  /** O = op(A)·op(B) over the last two axes, leading axes batched (op: transposed when asked). */
  | { kind: 'matmul'; inputs: [number, number]; transposeA?: boolean; transposeB?: boolean }
  /** Transposed convolution; `w` in the engine's layout [kh, kw, outC / groups, inC]. */
  | {
      kind: 'convTranspose';
      input: number;
      kh: number;
      kw: number;
      outC: number;
      groups: number;
      w: number[];
      b: number[];
      strides: [number, number];
      pads: Pads;
      dilations: [number, number];
      outputPadding: [number, number];
    }
  /** a ⊙ b, each axis equal or 1 in one factor. */
  | { kind: 'product'; inputs: [number, number] }
  /** LayerNorm over the last axis (groups null), GroupNorm, or RMSNorm; scale/offset one or one per channel. */
  | { kind: 'layerNorm'; input: number; epsilon: number; scale: number[]; offset: number[]; groups: number | null; rms?: boolean }
  | { kind: 'gather'; input: number; axis: number; indices: number[] }
  | { kind: 'resize'; input: number; size: [number, number]; mode: 'nearest' | 'linear'; coordinates: ResizeCoordinates; nearest: ResizeNearest };

/** How an LRP method treats softmax and matmul nodes (METHODS.md, "Gates, normalisation layers and attention"). */
export type RefAttention = 'attnlrp' | 'cp-lrp';

/** Node 0 is the input; `nodes[k]` is node k + 1; inputs name node numbers. The last node gives the logits. */
export interface RefGraph {
  inputShape: number[];
  nodes: RefNode[];
}

export function inputsOf(node: RefNode): number[] {
  return 'inputs' in node ? node.inputs : [node.input];
}

// ---- forward -------------------------------------------------------------------------------------------
/** How an output element is made from input elements. */
type Op =
  /** Σ over connections of a_i·w + bias (dense, conv, average pools, affine, batchNorm). */
  | { type: 'linear'; lin: Linear }
  /** out[o] = in[k][source[o]] (or 0 where source is −1): flatten, transpose, pad, concat. */
  | { type: 'copy'; sources: Array<{ input: number; index: number }> }
  | { type: 'relu' }
  /**
   * Another elementwise activation (clip, leaky ReLU): f and its derivative f' at the input. Every gradient
   * method takes f' (guided backprop and deconvnet change ReLUs only, as Zennit's hooks), LRP passes.
   */
  | { type: 'activation'; f: (z: number, i: number) => number; df: (z: number, i: number) => number }
  | { type: 'max'; windows: number[][] }
  | { type: 'add' }
  /** Each group: the flat indices of one vector the softmax normalises (along its axis). */
  | { type: 'softmax'; groups: number[][] }
  /** out[o] = Σ over terms[o] of A[i]·B[j]. */
  | { type: 'matmul'; terms: Array<Array<[number, number]>> }
  /** out[o] = A[a[o]]·B[b[o]] for the two inputs A, B (broadcasting as index maps). */
  | { type: 'product'; a: number[]; b: number[] }
  /** Each set of elements normalised: (x − μ)/σ (x/rms when `rms`) times gamma[i] plus beta[i]. */
  | { type: 'norm'; sets: number[][]; gamma: number[]; beta: number[]; epsilon: number; rms: boolean };

export interface RefTrace {
  /** Output of every node (values[0] = x). */
  values: number[][];
  shapes: number[][];
  ops: Op[];
}

export function forwardGraph(g: RefGraph, x: number[]): RefTrace {
  const values: number[][] = [x.slice()];
  const shapes: number[][] = [g.inputShape];
  const ops: Op[] = [{ type: 'add' }];
  g.nodes.forEach((node) => {
    const ins = inputsOf(node);
    const a = values[ins[0]];
    const { op, outShape } = opOf(node, ins.map((i) => shapes[i]));
    let out: number[];
    switch (op.type) {
      case 'linear':
        out = op.lin.conns.map((list, j) => list.reduce((s, { i, w }) => s + a[i] * w, 0) + op.lin.bias[j]);
        break;
      case 'copy':
        out = op.sources.map(({ input, index }) => (index < 0 ? 0 : values[ins[input]][index]));
        break;
      case 'relu':
        out = a.map((v) => Math.max(v, 0));
        break;
      case 'activation':
        out = a.map(op.f);
        break;
      case 'max':
        // First maximum in row-major window order.
        out = op.windows.map((m) => a[m.reduce((best, i) => (a[i] > a[best] ? i : best), m[0])]);
        break;
      case 'add':
        out = a.map((_, k) => ins.reduce((s, i) => s + values[i][k], 0));
        break;
      case 'softmax': {
        out = new Array<number>(a.length).fill(0);
        for (const group of op.groups) {
          const max = Math.max(...group.map((i) => a[i]));
          const total = group.reduce((s, i) => s + Math.exp(a[i] - max), 0);
          for (const i of group) out[i] = Math.exp(a[i] - max) / total;
        }
        break;
      }
      case 'matmul': {
        const b = values[ins[1]];
        out = op.terms.map((list) => list.reduce((s, [i, j]) => s + a[i] * b[j], 0));
        break;
      }
      case 'product': {
        const b = values[ins[1]];
        out = op.a.map((ia, o) => a[ia] * b[op.b[o]]);
        break;
      }
      case 'norm':
        out = new Array(a.length).fill(0);
        for (const set of op.sets) {
          const { xhat } = normStats(op, set, a);
          set.forEach((i, k) => (out[i] = xhat[k] * op.gamma[i] + op.beta[i]));
        }
        break;
    }
    values.push(out);
    shapes.push(outShape);
    ops.push(op);
  });
  return { values, shapes, ops };
}

export function logitsOfGraph(g: RefGraph, x: number[]): number[] {
  const t = forwardGraph(g, x);
  return t.values[t.values.length - 1];
}

/** Output size and first position along one axis. */
function axis(n: number, k: number, s: number, d: number, before: number, after: number) {
  return Math.floor((n + before + after - ((k - 1) * d + 1)) / s) + 1;
}

function opOf(node: RefNode, inShapes: number[][]): { op: Op; outShape: number[] } {
  const shape = inShapes[0];
  const size = shape.reduce((p, d) => p * d, 1);
  switch (node.kind) {
    case 'dense': {
      const inputs = node.w.length / node.outputs;
      const positions = node.perPosition ? size / inputs : 1;
      const conns: Linear['conns'] = [];
      for (let p = 0; p < positions; p++) {
        for (let j = 0; j < node.outputs; j++) conns.push(Array.from({ length: inputs }, (_, i) => ({ i: p * inputs + i, w: node.w[i * node.outputs + j] })));
      }
      const outShape = node.perPosition ? [...shape.slice(0, -1), node.outputs] : [node.outputs];
      return { op: { type: 'linear', lin: { outShape, conns, bias: conns.map((_, k) => node.b[k % node.outputs]) } }, outShape };
    }
    case 'conv2d': {
      const [H, W, C] = shape;
      const [sh, sw] = node.strides;
      const [dh, dw] = node.dilations;
      const [top, left, bottom, right] = node.pads;
      const gi = C / node.groups;
      const go = node.outC / node.groups;
      const outH = axis(H, node.kh, sh, dh, top, bottom);
      const outW = axis(W, node.kw, sw, dw, left, right);
      const conns: Linear['conns'] = [];
      const bias: number[] = [];
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++) {
          for (let co = 0; co < node.outC; co++) {
            const g = Math.floor(co / go);
            const list: Array<{ i: number; w: number }> = [];
            for (let ky = 0; ky < node.kh; ky++) {
              for (let kx = 0; kx < node.kw; kx++) {
                const y = oy * sh - top + ky * dh;
                const xx = ox * sw - left + kx * dw;
                if (y < 0 || y >= H || xx < 0 || xx >= W) continue;
                for (let i = 0; i < gi; i++) {
                  list.push({ i: (y * W + xx) * C + g * gi + i, w: node.w[((ky * node.kw + kx) * gi + i) * node.outC + co] });
                }
              }
            }
            conns.push(list);
            bias.push(node.b[co]);
          }
        }
      }
      const outShape = [outH, outW, node.outC];
      return { op: { type: 'linear', lin: { outShape, conns, bias } }, outShape };
    }
    case 'relu':
      return { op: { type: 'relu' }, outShape: shape };
    case 'clip': {
      const { min, max } = node;
      // PyTorch's hardtanh backward (ReLU6 included): 1 strictly inside, 0 at and beyond either bound.
      return { op: { type: 'activation', f: (z) => Math.min(Math.max(z, min), max), df: (z) => (z > min && z < max ? 1 : 0) }, outShape: shape };
    }
    case 'leakyRelu': {
      const { alpha } = node;
      return { op: { type: 'activation', f: (z) => (z > 0 ? z : alpha * z), df: (z) => (z > 0 ? 1 : alpha) }, outShape: shape };
    }
    case 'activation':
      return { op: { type: 'activation', ...smoothActivation(node.fn, node.alpha, node.beta) }, outShape: shape };
    case 'prelu': {
      // NHWC rows: element i is channel i mod C.
      const C = shape[shape.length - 1];
      const a = (i: number) => node.slope[node.slope.length === 1 ? 0 : i % C];
      return { op: { type: 'activation', f: (z, i) => (z > 0 ? z : a(i) * z), df: (z, i) => (z > 0 ? 1 : a(i)) }, outShape: shape };
    }
    case 'maxPool':
    case 'avgPool': {
      const [H, W, C] = shape;
      const [ph, pw] = node.pool;
      const [sh, sw] = node.strides;
      const [top, left, bottom, right] = node.pads;
      const outH = axis(H, ph, sh, 1, top, bottom);
      const outW = axis(W, pw, sw, 1, left, right);
      const windows: number[][] = [];
      const divisors: number[] = [];
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++) {
          for (let c = 0; c < C; c++) {
            const members: number[] = [];
            let positions = 0;
            for (let ky = 0; ky < ph; ky++) {
              for (let kx = 0; kx < pw; kx++) {
                const y = oy * sh - top + ky;
                const xx = ox * sw - left + kx;
                // Positions of the padded map (PyTorch counts those, clipped to the padded extent).
                if (y >= -top && y < H + bottom && xx >= -left && xx < W + right) positions++;
                if (y >= 0 && y < H && xx >= 0 && xx < W) members.push((y * W + xx) * C + c);
              }
            }
            windows.push(members);
            divisors.push(node.kind === 'avgPool' && node.countIncludePad ? positions : members.length);
          }
        }
      }
      const outShape = [outH, outW, C];
      if (node.kind === 'maxPool') return { op: { type: 'max', windows }, outShape };
      const conns = windows.map((m, j) => m.map((i) => ({ i, w: 1 / divisors[j] })));
      return { op: { type: 'linear', lin: { outShape, conns, bias: windows.map(() => 0) } }, outShape };
    }
    case 'globalAvgPool':
    case 'globalMaxPool': {
      const [H, W, C] = shape;
      const windows = Array.from({ length: C }, (_, c) => Array.from({ length: H * W }, (_, p) => p * C + c));
      if (node.kind === 'globalMaxPool') return { op: { type: 'max', windows }, outShape: [C] };
      const conns = windows.map((m) => m.map((i) => ({ i, w: 1 / (H * W) })));
      return { op: { type: 'linear', lin: { outShape: [C], conns, bias: new Array(C).fill(0) } }, outShape: [C] };
    }
    case 'flatten':
      return { op: { type: 'copy', sources: Array.from({ length: size }, (_, index) => ({ input: 0, index })) }, outShape: [size] };
    case 'reshape':
      return { op: { type: 'copy', sources: Array.from({ length: size }, (_, index) => ({ input: 0, index })) }, outShape: node.shape };
    case 'transpose': {
      const outShape = node.perm.map((p) => shape[p]);
      const strides = shape.map((_, a) => shape.slice(a + 1).reduce((p, d) => p * d, 1));
      const sources = Array.from({ length: size }, (_, o) => {
        // Output position (row-major in outShape) → input position: input axis perm[k] = output index k.
        let rest = o;
        const position = new Array<number>(shape.length);
        outShape.forEach((_, k) => {
          const stride = outShape.slice(k + 1).reduce((p, d) => p * d, 1);
          position[node.perm[k]] = Math.floor(rest / stride);
          rest %= stride;
        });
        return { input: 0, index: position.reduce((s, v, a) => s + v * strides[a], 0) };
      });
      return { op: { type: 'copy', sources }, outShape };
    }
    case 'pad': {
      const [H, W, C] = shape;
      const [top, left, bottom, right] = node.pads;
      const outShape = [H + top + bottom, W + left + right, C];
      const sources: Array<{ input: number; index: number }> = [];
      for (let y = 0; y < outShape[0]; y++) {
        for (let xx = 0; xx < outShape[1]; xx++) {
          for (let c = 0; c < C; c++) {
            const sy = y - top;
            const sx = xx - left;
            sources.push({ input: 0, index: sy >= 0 && sy < H && sx >= 0 && sx < W ? (sy * W + sx) * C + c : -1 });
          }
        }
      }
      return { op: { type: 'copy', sources }, outShape };
    }
    case 'affine':
    case 'batchNorm': {
      const C = shape[shape.length - 1];
      const scale =
        node.kind === 'affine'
          ? node.scale
          : node.variance.map((v, c) => node.gamma[c] / Math.sqrt(v + node.epsilon));
      const offset = node.kind === 'affine' ? node.offset : node.beta.map((b, c) => b - node.mean[c] * scale[c]);
      const at = (v: number[], i: number) => (v.length === 1 ? v[0] : v[i % C]);
      const conns = Array.from({ length: size }, (_, i) => [{ i, w: at(scale, i) }]);
      return { op: { type: 'linear', lin: { outShape: shape, conns, bias: conns.map((_, i) => at(offset, i)) } }, outShape: shape };
    }
    case 'add':
      return { op: { type: 'add' }, outShape: shape };
    case 'softmax': {
      // Row-major: element (outer, k, inner) sits at (outer·n + k)·inner + inner index.
      const n = shape[node.axis];
      const inner = shape.slice(node.axis + 1).reduce((p, d) => p * d, 1);
      const outer = size / (n * inner);
      const groups: number[][] = [];
      for (let o = 0; o < outer; o++) for (let q = 0; q < inner; q++) groups.push(Array.from({ length: n }, (_, k) => (o * n + k) * inner + q));
      return { op: { type: 'softmax', groups }, outShape: shape };
    }
    case 'matmul': {
      const bShape = inShapes[1];
      const r = shape.length;
      const batches = shape.slice(0, -2).reduce((p, d) => p * d, 1);
      const [aRows, aCols] = shape.slice(-2);
      const [bRows, bCols] = bShape.slice(-2);
      // op(A)[m][k] and op(B)[k][n] as flat indices into A and B.
      const at = (batch: number, m: number, k: number) => batch * aRows * aCols + (node.transposeA ? k * aCols + m : m * aCols + k);
      const bt = (batch: number, k: number, n: number) => batch * bRows * bCols + (node.transposeB ? n * bCols + k : k * bCols + n);
      const [M, K] = node.transposeA ? [aCols, aRows] : [aRows, aCols];
      const N = node.transposeB ? bRows : bCols;
      const terms: Array<Array<[number, number]>> = [];
      for (let batch = 0; batch < batches; batch++)
        for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) terms.push(Array.from({ length: K }, (_, k) => [at(batch, m, k), bt(batch, k, n)] as [number, number]));
      return { op: { type: 'matmul', terms }, outShape: [...shape.slice(0, r - 2), M, N] };
    }
    case 'convTranspose': {
      // y[oy, ox, co] += x[iy, ix, ci]·w[ky, kx, co mod (outC/groups), ci] where oy = iy·sh − top + ky·dh
      // (the same along x), ci and co in the same group: written per output as the taps that reach it.
      const [H, W, C] = shape;
      const [sh, sw] = node.strides;
      const [dh, dw] = node.dilations;
      const [top, left, bottom, right] = node.pads;
      const gi = C / node.groups;
      const go = node.outC / node.groups;
      const outH = sh * (H - 1) + node.outputPadding[0] + (node.kh - 1) * dh + 1 - top - bottom;
      const outW = sw * (W - 1) + node.outputPadding[1] + (node.kw - 1) * dw + 1 - left - right;
      const conns: Linear['conns'] = [];
      const bias: number[] = [];
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++) {
          for (let co = 0; co < node.outC; co++) {
            const g = Math.floor(co / go);
            const list: Array<{ i: number; w: number }> = [];
            for (let ky = 0; ky < node.kh; ky++) {
              for (let kx = 0; kx < node.kw; kx++) {
                const ny = oy + top - ky * dh;
                const nx = ox + left - kx * dw;
                if (ny % sh !== 0 || nx % sw !== 0) continue;
                const [iy, ix] = [ny / sh, nx / sw];
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                for (let c = 0; c < gi; c++) {
                  const ci = g * gi + c;
                  list.push({ i: (iy * W + ix) * C + ci, w: node.w[((ky * node.kw + kx) * go + (co % go)) * C + ci] });
                }
              }
            }
            conns.push(list);
            bias.push(node.b[co]);
          }
        }
      }
      const outShape = [outH, outW, node.outC];
      return { op: { type: 'linear', lin: { outShape, conns, bias } }, outShape };
    }
    case 'product': {
      const [sa, sb] = inShapes;
      const outShape = sa.map((d, k) => Math.max(d, sb[k]));
      const n = outShape.reduce((p, d) => p * d, 1);
      // Output position → the position in a factor of that shape (index 0 along its axes of size 1).
      const indexIn = (factor: number[], o: number) => {
        let rest = o;
        let index = 0;
        let stride = 1;
        for (let k = outShape.length - 1; k >= 0; k--) {
          const coordinate = rest % outShape[k];
          rest = Math.floor(rest / outShape[k]);
          index += (factor[k] === 1 ? 0 : coordinate) * stride;
          stride *= factor[k];
        }
        return index;
      };
      return { op: { type: 'product', a: Array.from({ length: n }, (_, o) => indexIn(sa, o)), b: Array.from({ length: n }, (_, o) => indexIn(sb, o)) }, outShape };
    }
    case 'layerNorm': {
      const C = shape[shape.length - 1];
      const positions = size / C;
      const sets: number[][] = [];
      if (node.groups === null) {
        for (let p = 0; p < positions; p++) sets.push(Array.from({ length: C }, (_, c) => p * C + c));
      } else {
        const per = C / node.groups;
        for (let g = 0; g < node.groups; g++) {
          const set: number[] = [];
          for (let p = 0; p < positions; p++) for (let c = 0; c < per; c++) set.push(p * C + g * per + c);
          sets.push(set);
        }
      }
      const at = (v: number[], i: number) => (v.length === 1 ? v[0] : v[i % C]);
      return {
        op: { type: 'norm', sets, gamma: Array.from({ length: size }, (_, i) => at(node.scale, i)), beta: Array.from({ length: size }, (_, i) => at(node.offset, i)), epsilon: node.epsilon, rms: node.rms ?? false },
        outShape: shape,
      };
    }
    case 'gather': {
      const outShape = [...shape];
      outShape[node.axis] = node.indices.length;
      const inner = shape.slice(node.axis + 1).reduce((p, d) => p * d, 1);
      const outer = shape.slice(0, node.axis).reduce((p, d) => p * d, 1);
      const sources: Array<{ input: number; index: number }> = [];
      for (let o = 0; o < outer; o++) {
        for (const k of node.indices) for (let i = 0; i < inner; i++) sources.push({ input: 0, index: (o * shape[node.axis] + k) * inner + i });
      }
      return { op: { type: 'copy', sources }, outShape };
    }
    case 'resize': {
      const [H, W, C] = shape;
      const [oh, ow] = node.size;
      const wy = interpolationWeights(node, H, oh);
      const wx = interpolationWeights(node, W, ow);
      const conns: Linear['conns'] = [];
      for (let y = 0; y < oh; y++) {
        for (let x = 0; x < ow; x++) {
          for (let c = 0; c < C; c++) {
            const list: Array<{ i: number; w: number }> = [];
            for (const [iy, a] of wy[y]) for (const [ix, b] of wx[x]) list.push({ i: (iy * W + ix) * C + c, w: a * b });
            conns.push(list);
          }
        }
      }
      const outShape = [oh, ow, C];
      return { op: { type: 'linear', lin: { outShape, conns, bias: conns.map(() => 0) } }, outShape };
    }
    case 'concat': {
      const rank = shape.length;
      const ax = node.axis < 0 ? node.axis + rank : node.axis;
      const outShape = [...shape];
      outShape[ax] = inShapes.reduce((s, sh) => s + sh[ax], 0);
      const outer = shape.slice(0, ax).reduce((p, d) => p * d, 1);
      const inner = shape.slice(ax + 1).reduce((p, d) => p * d, 1);
      const sources: Array<{ input: number; index: number }> = [];
      for (let o = 0; o < outer; o++) {
        inShapes.forEach((sh, input) => {
          for (let k = 0; k < sh[ax] * inner; k++) sources.push({ input, index: o * sh[ax] * inner + k });
        });
      }
      return { op: { type: 'copy', sources }, outShape };
    }
  }
}

// ---- the engine's network for a reference graph ---------------------------------------------------------
/** Builds the engine's Network with the public builder (tensors on the active backend). */
export function toGraphNetwork(g: RefGraph): { network: Network; notes: string[] } {
  const b = new GraphBuilder('test-graph');
  const refs: NodeRef[] = [b.input('input', g.inputShape)];
  g.nodes.forEach((node, k) => {
    const inputs = inputsOf(node).map((i) => refs[i]);
    const shape = inputs[0].shape;
    refs.push(b.add(`${node.kind}${k + 1}`, specOf(node, [...shape]), inputs));
  });
  return b.build(refs[refs.length - 1]);
}

function specOf(node: RefNode, inShape: number[]): NodeSpec {
  switch (node.kind) {
    case 'dense':
      return { kind: 'dense', kernel: tf.tensor2d(node.w, [node.w.length / node.outputs, node.outputs]), bias: tf.tensor1d(node.b) };
    case 'conv2d': {
      const gi = inShape[2] / node.groups;
      return {
        kind: 'conv2d',
        kernel: tf.tensor4d(node.w, [node.kh, node.kw, gi, node.outC]),
        bias: tf.tensor1d(node.b),
        strides: node.strides,
        padding: node.pads,
        dilations: node.dilations,
        groups: node.groups,
      };
    }
    case 'maxPool':
      return { kind: 'maxPool', poolSize: node.pool, strides: node.strides, padding: node.pads };
    case 'avgPool':
      return { kind: 'avgPool', poolSize: node.pool, strides: node.strides, padding: node.pads, countIncludePad: node.countIncludePad };
    case 'batchNorm':
      return {
        kind: 'batchNorm',
        mean: tf.tensor1d(node.mean),
        variance: tf.tensor1d(node.variance),
        gamma: tf.tensor1d(node.gamma),
        beta: tf.tensor1d(node.beta),
        epsilon: node.epsilon,
      };
    case 'relu':
    case 'globalAvgPool':
    case 'globalMaxPool':
    case 'flatten':
    case 'add':
      return { kind: node.kind };
    case 'transpose':
      return { kind: 'transpose', perm: node.perm };
    case 'reshape':
      return { kind: 'reshape', shape: node.shape };
    case 'clip':
      return { kind: 'clip', min: node.min, max: node.max };
    case 'leakyRelu':
      return { kind: 'leakyRelu', alpha: node.alpha };
    case 'activation':
      return { kind: 'activation', fn: node.fn, alpha: node.alpha, beta: node.beta };
    case 'prelu':
      return { kind: 'prelu', slope: node.slope };
    case 'pad':
      return { kind: 'pad', pads: node.pads };
    case 'affine':
      return { kind: 'affine', scale: node.scale, offset: node.offset };
    case 'concat':
      return { kind: 'concat', axis: node.axis };
    case 'softmax':
      return { kind: 'softmax', axis: node.axis };
    case 'matmul':
      return { kind: 'matmul', transposeA: node.transposeA, transposeB: node.transposeB };
    case 'convTranspose':
      return {
        kind: 'convTranspose',
        kernel: tf.tensor4d(node.w, [node.kh, node.kw, node.outC / node.groups, inShape[2]]),
        bias: tf.tensor1d(node.b),
        strides: node.strides,
        pads: node.pads,
        dilations: node.dilations,
        groups: node.groups,
        outputPadding: node.outputPadding,
      };
    case 'product':
      return { kind: 'product' };
    case 'layerNorm':
      return { kind: 'layerNorm', epsilon: node.epsilon, scale: node.scale, offset: node.offset, groups: node.groups ?? undefined, rms: node.rms };
    case 'gather':
      return { kind: 'gather', axis: node.axis, indices: node.indices };
    case 'resize':
      return { kind: 'resize', size: node.size, mode: node.mode, coordinates: node.coordinates, nearest: node.nearest };
  }
}

/**
 * ONNX Resize along one axis of n inputs to `out` outputs (its operator text): the input coordinate of
 * output o by the coordinate transformation (scale = out / n), then the nearest input by the rounding mode,
 * or the two neighbours weighted by distance, the coordinate clamped to [0, n − 1] (onnxruntime, torch).
 */
function interpolationWeights(node: Extract<RefNode, { kind: 'resize' }>, n: number, out: number): Array<Array<[number, number]>> {
  const scale = out / n;
  return Array.from({ length: out }, (_, o) => {
    const x = {
      half_pixel: (o + 0.5) / scale - 0.5,
      pytorch_half_pixel: out > 1 ? (o + 0.5) / scale - 0.5 : 0,
      align_corners: out === 1 ? 0 : (o * (n - 1)) / (out - 1),
      asymmetric: o / scale,
      tf_half_pixel_for_nn: (o + 0.5) / scale,
    }[node.coordinates];
    if (node.mode === 'nearest') {
      const frac = x - Math.floor(x);
      const rounded = {
        round_prefer_floor: frac <= 0.5 ? Math.floor(x) : Math.ceil(x),
        round_prefer_ceil: frac < 0.5 ? Math.floor(x) : Math.ceil(x),
        floor: Math.floor(x),
        ceil: Math.ceil(x),
      }[node.nearest];
      return [[Math.min(n - 1, Math.max(0, rounded)), 1]];
    }
    const c = Math.min(n - 1, Math.max(0, x));
    const lo = Math.floor(c);
    const hi = Math.min(lo + 1, n - 1);
    return lo === hi ? [[lo, 1]] : [[lo, 1 - (c - lo)], [hi, c - lo]];
  });
}

/** One normalised set: x̂ = (x − μ)/σ (x/rms uncentred) and 1/σ, from the definitions. */
function normStats(op: Extract<Op, { type: 'norm' }>, set: number[], a: number[]): { xhat: number[]; inv: number } {
  const m = set.length;
  const mean = op.rms ? 0 : set.reduce((s, i) => s + a[i], 0) / m;
  const variance = set.reduce((s, i) => s + (a[i] - mean) ** 2, 0) / m;
  const inv = 1 / Math.sqrt(variance + op.epsilon);
  return { xhat: set.map((i) => (a[i] - mean) * inv), inv };
}


// ---- canonisation, as METHODS.md defines it -------------------------------------------------------------
/**
 * The graph the rules see: a BatchNorm whose input is a Dense/Conv read by nothing else is folded into it
 * (w' = w·s_c, b' = (b − μ_c)·s_c + β_c with s_c = γ_c/√(σ²_c + ε)); any other BatchNorm becomes the affine
 * map y = s ⊙ x + (β − μ·s). Same node numbers (a folded BatchNorm becomes an identity affine).
 */
export function canoniseRef(g: RefGraph): RefGraph {
  const nodes = g.nodes.map((n) => ({ ...n })) as RefNode[];
  const readers = (id: number) => nodes.filter((n) => inputsOf(n).includes(id)).length;
  nodes.forEach((node, k) => {
    if (node.kind !== 'batchNorm') return;
    const scale = node.variance.map((v, c) => node.gamma[c] / Math.sqrt(v + node.epsilon));
    const shift = node.beta.map((b, c) => b - node.mean[c] * scale[c]);
    const producer = node.input === 0 ? undefined : nodes[node.input - 1];
    if (producer && (producer.kind === 'dense' || producer.kind === 'conv2d') && readers(node.input) === 1) {
      const out = producer.kind === 'dense' ? producer.outputs : producer.outC;
      nodes[node.input - 1] = {
        ...producer,
        w: producer.w.map((w, i) => w * scale[i % out]),
        b: producer.b.map((b, c) => (b - node.mean[c]) * scale[c] + node.beta[c]),
      };
      nodes[k] = { kind: 'affine', input: node.input, scale: [1], offset: [0] };
    } else {
      nodes[k] = { kind: 'affine', input: node.input, scale, offset: shift };
    }
  });
  return { inputShape: g.inputShape, nodes };
}

// ---- gradient family ----------------------------------------------------------------------------------
export type RefReluMode = 'gradient' | 'guided' | 'deconvnet';

/** The backward signal at the input, from `top` at node `from`; `step` maps one node's signal back, `observe` sees each. */
function walkBack(
  t: RefTrace,
  g: RefGraph,
  top: number[],
  step: (k: number, op: Op, signal: number[], ins: number[]) => number[][],
  from = g.nodes.length,
  observe?: (k: number, signal: number[]) => void,
): number[] {
  return walkBackAll(t, g, top, step, from, observe)[0] ?? t.values[0].map(() => 0);
}

/** The backward signal arriving at every node's output (null where none arrives). */
function walkBackAll(
  t: RefTrace,
  g: RefGraph,
  top: number[],
  step: (k: number, op: Op, signal: number[], ins: number[]) => number[][],
  from = g.nodes.length,
  observe?: (k: number, signal: number[]) => void,
): Array<number[] | null> {
  const signals: Array<number[] | null> = t.values.map(() => null);
  signals[from] = top;
  for (let k = from; k >= 1; k--) {
    const signal = signals[k];
    if (!signal) continue;
    observe?.(k, signal);
    const ins = inputsOf(g.nodes[k - 1]);
    const back = step(k, t.ops[k], signal, ins);
    ins.forEach((i, n) => {
      const previous = signals[i];
      signals[i] = previous ? previous.map((v, q) => v + back[n][q]) : back[n];
    });
  }
  return signals;
}

/** ∂f_c/∂x with the ReLU's backward rule chosen by `mode`; a tensor read by several nodes sums what comes back. */
export function gradientGraph(g: RefGraph, x: number[], target: number, mode: RefReluMode = 'gradient'): number[] {
  const t = forwardGraph(g, x);
  const top = t.values[t.values.length - 1].map((_, j) => (j === target ? 1 : 0));
  return walkBack(t, g, top, (k, op, s, ins) => {
    const zeros = (i: number) => new Array(t.values[i].length).fill(0);
    switch (op.type) {
      case 'linear': {
        const next = zeros(ins[0]);
        op.lin.conns.forEach((list, j) => list.forEach(({ i, w }) => (next[i] += w * s[j])));
        return [next];
      }
      case 'copy': {
        const next = ins.map(zeros);
        op.sources.forEach(({ input, index }, o) => {
          if (index >= 0) next[input][index] += s[o];
        });
        return next;
      }
      case 'relu': {
        const a = t.values[ins[0]];
        return [s.map((v, i) => (mode === 'gradient' ? v * (a[i] > 0 ? 1 : 0) : mode === 'guided' ? (a[i] > 0 && v > 0 ? v : 0) : Math.max(v, 0)))];
      }
      case 'activation': {
        const a = t.values[ins[0]];
        return [s.map((v, i) => v * op.df(a[i], i))];
      }
      case 'max': {
        const a = t.values[ins[0]];
        const next = zeros(ins[0]);
        op.windows.forEach((m, o) => (next[m.reduce((best, i) => (a[i] > a[best] ? i : best), m[0])] += s[o]));
        return [next];
      }
      case 'add':
        return ins.map(() => s.slice());
      case 'softmax': {
        // ∂s_j/∂z_i = s_j(δ_ij − s_i): g_z_i = s_i·(g_i − Σ_j s_j g_j) within each group.
        const out = t.values[k];
        const next = zeros(ins[0]);
        for (const group of op.groups) {
          const dot = group.reduce((sum, j) => sum + out[j] * s[j], 0);
          for (const i of group) next[i] = out[i] * (s[i] - dot);
        }
        return [next];
      }
      case 'matmul': {
        const [a, b] = [t.values[ins[0]], t.values[ins[1]]];
        const [ga, gb] = [zeros(ins[0]), zeros(ins[1])];
        op.terms.forEach((list, o) => {
          for (const [i, j] of list) {
            ga[i] += b[j] * s[o];
            gb[j] += a[i] * s[o];
          }
        });
        return [ga, gb];
      }
      case 'product': {
        const [A, B] = [t.values[ins[0]], t.values[ins[1]]];
        const [ga, gb] = [zeros(ins[0]), zeros(ins[1])];
        s.forEach((v, o) => {
          ga[op.a[o]] += v * B[op.b[o]];
          gb[op.b[o]] += v * A[op.a[o]];
        });
        return [ga, gb];
      }
      case 'norm': {
        // ∂y_j/∂x_i = γ_j/σ (δ_ij − 1/m − x̂_i x̂_j / m) within a set (RMSNorm: γ_j/r (δ_ij − x̂_i x̂_j / m)).
        const a = t.values[ins[0]];
        const next = zeros(ins[0]);
        for (const set of op.sets) {
          const { xhat, inv } = normStats(op, set, a);
          const m = set.length;
          set.forEach((i, p) => {
            next[i] = set.reduce((sum, j, q) => sum + s[j] * op.gamma[j] * inv * ((p === q ? 1 : 0) - (op.rms ? 0 : 1 / m) - (xhat[p] * xhat[q]) / m), 0);
          });
        }
        return [next];
      }
    }
  });
}

// ---- LRP ------------------------------------------------------------------------------------------------
/** The nodes the composites' rules apply to. */
export function isLinearRef(node: RefNode): boolean {
  return node.kind === 'dense' || node.kind === 'conv2d' || node.kind === 'convTranspose';
}

/**
 * For each product node (by node number), the input (0 or 1) that is a gate, or null: METHODS.md's gate is
 * the output of a sigmoid or hard sigmoid (seen through flattens and transposes) whose input is not an
 * elementwise function of anything the other factor is an elementwise function of. Exactly one gate, or none.
 */
export function gatesRef(g: RefGraph): Map<number, 0 | 1 | null> {
  const elementwise = new Set(['relu', 'clip', 'leakyRelu', 'activation', 'prelu', 'affine', 'batchNorm', 'add', 'product']);
  const nodeAt = (id: number) => (id === 0 ? null : g.nodes[id - 1]);
  const sources = (id: number): Set<number> => {
    const found = new Set<number>([id]);
    const node = nodeAt(id);
    if (node && elementwise.has(node.kind)) for (const i of inputsOf(node)) for (const k of sources(i)) found.add(k);
    return found;
  };
  const gates = new Map<number, 0 | 1 | null>();
  g.nodes.forEach((node, k) => {
    if (node.kind !== 'product') return;
    const isGate = node.inputs.map((id, f) => {
      let source = id;
      while (['flatten', 'reshape', 'transpose'].includes(nodeAt(source)?.kind ?? '')) source = inputsOf(nodeAt(source)!)[0];
      const s = nodeAt(source);
      if (!s || s.kind !== 'activation' || (s.fn !== 'sigmoid' && s.fn !== 'hardSigmoid')) return false;
      const mine = sources(s.input);
      return ![...sources(node.inputs[1 - f])].some((i) => mine.has(i));
    });
    gates.set(k + 1, isGate[0] === isGate[1] ? null : isGate[0] ? 0 : 1);
  });
  return gates;
}

/** Which nodes lie between the input and the first Dense/Conv layers (no Dense/Conv upstream). */
export function beforeFirstLinearRef(g: RefGraph): boolean[] {
  const before = [true];
  g.nodes.forEach((node) => {
    before.push(!isLinearRef(node) && inputsOf(node).every((i) => before[i]));
  });
  return before;
}

/**
 * z^B's box at every node before the first Dense/Conv layers: per channel [l_c, h_c] at the input, then
 * each node applied to the lows and to the highs (every such node is monotone in each input; an affine map
 * with a negative scale swaps them, hence min / max), padding adding zeros.
 */
export function boxesRef(g: RefGraph, [lows, highs]: [number[], number[]]): Array<{ low: number[]; high: number[] } | null> {
  const size = g.inputShape.reduce((a, b) => a * b, 1);
  const channels = lows.length;
  const before = beforeFirstLinearRef(g);
  const low0 = Array.from({ length: size }, (_, i) => lows[i % channels]);
  const high0 = Array.from({ length: size }, (_, i) => highs[i % channels]);
  const tl = forwardGraph(g, low0);
  const th = forwardGraph(g, high0);
  // The two passes agree with a node-by-node interval only while no node has mixed signs upstream; the
  // graphs of the tests have at most an affine map with positive or negative scales before the first layer,
  // which min / max handles.
  return tl.values.map((l, k) => (before[k] ? { low: l.map((v, i) => Math.min(v, th.values[k][i])), high: l.map((v, i) => Math.max(v, th.values[k][i])) } : null));
}

/** LRP from R = f_c at the target down to the input, on the canonised graph (the rules: lrpParts). */
export function lrpGraph(
  g0: RefGraph,
  x: number[],
  target: number,
  ruleFor: (node: RefNode, first: boolean) => RefRule | 'zB',
  bounds: [number[], number[]] | null,
  attention: RefAttention = 'attnlrp',
): number[] {
  return lrpGraphSignals(g0, x, target, ruleFor, bounds, attention)[0] ?? x.map(() => 0);
}

/** As lrpGraph, the relevance arriving at every node's output (index 0: the input; null: none arrives). */
export function lrpGraphSignals(
  g0: RefGraph,
  x: number[],
  target: number,
  ruleFor: (node: RefNode, first: boolean) => RefRule | 'zB',
  bounds: [number[], number[]] | null,
  attention: RefAttention = 'attnlrp',
): Array<number[] | null> {
  const { g, t, step } = lrpParts(g0, x, ruleFor, bounds, attention);
  const top = t.values[t.values.length - 1].map((v, j) => (j === target ? v : 0));
  return walkBackAll(t, g, top, step);
}


/**
 * Concepts (CRP) on the reference: the relevance at node `node`'s output (the LRP walk from the logits),
 * and the conditional map of a channel: the walk from that node on with every other channel (last axis)
 * of its relevance set to 0, nothing else flowing.
 */
export function lrpAtNodeGraph(
  g0: RefGraph,
  x: number[],
  target: number,
  ruleFor: (node: RefNode, first: boolean) => RefRule | 'zB',
  bounds: [number[], number[]] | null,
  node: number,
  attention: RefAttention = 'attnlrp',
): { atNode: number[]; conditional(channel: number): number[] } {
  const { g, t, step } = lrpParts(g0, x, ruleFor, bounds, attention);
  const top = t.values[t.values.length - 1].map((v, j) => (j === target ? v : 0));
  let atNode: number[] = t.values[node].map(() => 0);
  walkBack(t, g, top, step, g.nodes.length, (k, signal) => {
    if (k === node) atNode = signal.slice();
  });
  const channels = t.shapes[node][t.shapes[node].length - 1];
  return {
    atNode,
    conditional: (channel) => walkBack(t, g, atNode.map((v, i) => (i % channels === channel ? v : 0)), step, node),
  };
}

/**
 * LRP's step at every node, on the canonised graph. `ruleFor(node, first)` names the rule of each Dense/Conv
 * (first: its input is before the first Dense/Conv layers); a 'zB' rule's box comes from `bounds`. ReLU
 * passes relevance; copies route it back (padding drops it); max pooling gives it to the winner; average
 * pooling uses the z-rule; Add splits it in proportion to its inputs; an affine map before the first layers
 * passes relevance, elsewhere it is LRP-0 with its offset. Softmax and matmul nodes follow `attention`:
 * AttnLRP (softmax R_z = z ⊙ (R_s − s·ΣR_s); matmul: the ε₀-rule over its sum, each product split evenly
 * between its factors) or CP-LRP (a softmax passes nothing; a matmul one of whose operands is a softmax
 * output, through copies, holds that operand constant and gives the other all).
 */
function lrpParts(g0: RefGraph, x: number[], ruleFor: (node: RefNode, first: boolean) => RefRule | 'zB', bounds: [number[], number[]] | null, attention: RefAttention = 'attnlrp') {
  const g = canoniseRef(g0);
  const t = forwardGraph(g, x);
  const before = beforeFirstLinearRef(g);
  const boxes = bounds && boxesRef(g, bounds);
  const gates = gatesRef(g);
  const step = (k: number, op: Op, r: number[], ins: number[]): number[][] => {
    const node = g.nodes[k - 1];
    const a = t.values[ins[0]];
    const zeros = (i: number) => new Array(t.values[i].length).fill(0);
    switch (op.type) {
      case 'linear': {
        if (isLinearRef(node)) {
          const rule = ruleFor(node, before[ins[0]]);
          if (rule === 'zB') return [zBoxRef(op.lin, a, r, boxes![ins[0]]!)];
          return [applyRuleRef(op.lin, a, r, rule)];
        }
        if (node.kind === 'affine' && before[k]) return [r.slice()];
        return [applyRuleRef(op.lin, a, r, { rule: 'z' })];
      }
      case 'copy': {
        const next = ins.map(zeros);
        op.sources.forEach(({ input, index }, o) => {
          if (index >= 0) next[input][index] += r[o];
        });
        return next;
      }
      case 'relu':
      case 'activation':
        return [r.slice()];
      case 'max': {
        const next = zeros(ins[0]);
        op.windows.forEach((m, o) => (next[m.reduce((best, i) => (a[i] > a[best] ? i : best), m[0])] += r[o]));
        return [next];
      }
      case 'add': {
        const z = t.values[k];
        return ins.map((i) => t.values[i].map((v, q) => (v / stab(z[q])) * r[q]));
      }
      case 'softmax': {
        const next = zeros(ins[0]);
        if (attention === 'cp-lrp') return [next];
        const s = t.values[k];
        for (const group of op.groups) {
          const total = group.reduce((sum, j) => sum + r[j], 0);
          for (const i of group) next[i] = a[i] * (r[i] - s[i] * total);
        }
        return [next];
      }
      case 'matmul': {
        const b = t.values[ins[1]];
        const z = t.values[k];
        const held = attention === 'cp-lrp' ? ins.findIndex((i) => isSoftmaxOutput(g, i)) : -1;
        // Factor 1 for the free operand when the other is held, ½ each otherwise.
        const share = held < 0 ? 0.5 : 1;
        const [ra, rb] = [zeros(ins[0]), zeros(ins[1])];
        op.terms.forEach((list, o) => {
          const d = stab(z[o]);
          for (const [i, j] of list) {
            const part = (share * a[i] * b[j] * r[o]) / d;
            if (held !== 0) ra[i] += part;
            if (held !== 1) rb[j] += part;
          }
        });
        return [ra, rb];
      }
      case 'product': {
        // The gate gets nothing, the other factor all; no gate: halves.
        const gate = gates.get(k) ?? null;
        const shares = gate === null ? [0.5, 0.5] : gate === 0 ? [0, 1] : [1, 0];
        const [ra, rb] = [zeros(ins[0]), zeros(ins[1])];
        r.forEach((v, o) => {
          ra[op.a[o]] += shares[0] * v;
          rb[op.b[o]] += shares[1] * v;
        });
        return [ra, rb];
      }
      case 'norm': {
        // σ held constant: y = A x + β with A_ji = γ_j/σ (δ_ji − 1/m) (RMSNorm: γ_j/r δ_ji); LRP-0 on it.
        const y = t.values[k];
        const next = zeros(ins[0]);
        for (const set of op.sets) {
          const { inv } = normStats(op, set, a);
          const m = set.length;
          set.forEach((i, p) => {
            next[i] = set.reduce((sum, j, q) => sum + (a[i] * op.gamma[j] * inv * ((p === q ? 1 : 0) - (op.rms ? 0 : 1 / m)) * r[j]) / stab(y[j]), 0);
          });
        }
        return [next];
      }
    }
  };
  return { g, t, step };
}

/** Node i is a softmax's output, directly or through reshapes / transposes (CP-LRP's attention weights). */
function isSoftmaxOutput(g: RefGraph, i: number): boolean {
  if (i === 0) return false;
  const node = g.nodes[i - 1];
  return node.kind === 'softmax' || ((node.kind === 'reshape' || node.kind === 'transpose') && isSoftmaxOutput(g, node.input));
}

/** z^B with an elementwise box: R_i = Σ_j (a_i w_ij − l_i w_ij⁺ − h_i w_ij⁻) / Σ_i' (…) · R_j. */
function zBoxRef(lin: Linear, a: number[], rOut: number[], box: { low: number[]; high: number[] }): number[] {
  const rIn = new Array(a.length).fill(0);
  lin.conns.forEach((list, j) => {
    const n = (i: number, w: number) => a[i] * w - box.low[i] * Math.max(w, 0) - box.high[i] * Math.min(w, 0);
    const d = stab(list.reduce((s, { i, w }) => s + n(i, w), 0));
    for (const { i, w } of list) rIn[i] += (n(i, w) * rOut[j]) / d;
  });
  return rIn;
}

// ---- attributors ----------------------------------------------------------------------------------------
export function integratedGradientsGraph(g: RefGraph, x: number[], target: number, steps: number): number[] {
  const mean = new Array(x.length).fill(0);
  for (let k = 1; k <= steps; k++) {
    const alpha = (k - 0.5) / steps;
    gradientGraph(g, x.map((v) => alpha * v), target).forEach((v, i) => (mean[i] += v / steps));
  }
  return mean.map((v, i) => v * x[i]);
}

/** `noise` [samples][size] unit normals; `sigma` per element. */
export function smoothGradGraph(g: RefGraph, x: number[], target: number, noise: number[][], sigma: number[]): number[] {
  const mean = new Array(x.length).fill(0);
  for (const n of noise) {
    gradientGraph(g, x.map((v, i) => v + sigma[i] * n[i]), target).forEach((v, i) => (mean[i] += v / noise.length));
  }
  return mean;
}

export function occlusionGraph(g: RefGraph, x: number[], target: number, shape: number[], patch: number, stride: number): number[] {
  return occlusionOf((v) => logitsOfGraph(g, v), x, target, shape, patch, stride);
}

/**
 * The smallest |z_j| / Σ_i |a_i w'_ij| (bias included) over the Dense/Conv columns of the canonised graph
 * that pass relevance on (output not a dead ReLU), for w′ = w + γw⁺ with γ in `gammas` (ALL_SPECS also
 * tries γ = 0.5 in epsilon-gamma-box: pass it where that rule's columns must be well conditioned too), and
 * the same ratio for what the other LRP denominators divide by: an affine map after the first layers
 * (s·x + t), a normalisation held as its affine map, and an Add (Σ_k x_k). LRP-0 and LRP-γ have no ε, so a denominator that cancels to 1e-4 of its terms is
 * float32-accurate to ~1e-3 only, and a test at 1e-5 needs graphs and images without such columns
 * (methods/backends.test.ts says the same of chains).
 */
export function worstCancellation(g0: RefGraph, x: number[], gammas = [0, 0.25, 1]): number {
  const g = canoniseRef(g0);
  const t = forwardGraph(g, x);
  const before = beforeFirstLinearRef(g);
  let worst = Infinity;
  const ratio = (z: number, total: number) => {
    if (total > 0) worst = Math.min(worst, Math.abs(z) / total);
  };
  g.nodes.forEach((node, k) => {
    const op = t.ops[k + 1];
    const ins = inputsOf(node);
    const out = t.values[k + 1];
    if (node.kind === 'add') {
      out.forEach((z, q) => ratio(z, ins.reduce((s, i) => s + Math.abs(t.values[i][q]), 0)));
      return;
    }
    if (op.type === 'matmul') {
      const [a, b] = ins.map((i) => t.values[i]);
      op.terms.forEach((list, o) => ratio(out[o], list.reduce((s, [i, j]) => s + Math.abs(a[i] * b[j]), 0)));
      return;
    }
    if (op.type === 'norm') {
      // The LRP-0 denominators y_j of the normalisation held as the affine map A x + β.
      const a = t.values[ins[0]];
      for (const set of op.sets) {
        const { inv } = normStats(op, set, a);
        for (const j of set) {
          const terms = set.reduce((sum, i) => sum + Math.abs(a[i] * op.gamma[j] * inv * ((i === j ? 1 : 0) - (op.rms ? 0 : 1 / set.length))), 0);
          ratio(out[j], terms + Math.abs(op.beta[j]));
        }
      }
      return;
    }
    if (op.type !== 'linear') return;
    const a = t.values[ins[0]];
    if (node.kind === 'affine') {
      if (!before[k + 1]) op.lin.conns.forEach(([{ i, w }], j) => ratio(out[j], Math.abs(a[i] * w) + Math.abs(op.lin.bias[j])));
      return;
    }
    if (!isLinearRef(node)) return;
    for (const gamma of gammas) {
      const boost = (v: number) => v + gamma * Math.max(v, 0);
      op.lin.conns.forEach((list, j) => {
        if (out[j] === 0 && gamma === 0) return;
        const z = list.reduce((s, { i, w }) => s + a[i] * boost(w), 0) + boost(op.lin.bias[j]);
        ratio(z, list.reduce((s, { i, w }) => s + Math.abs(a[i] * boost(w)), 0) + Math.abs(boost(op.lin.bias[j])));
      });
    }
  });
  return worst;
}

/**
 * Whether every column of every Dense/Conv node has a positive contribution a_i·w_ij > 0 for this input:
 * then z⁺ can pass on whatever relevance reaches any column, and on a bias-free network it conserves
 * exactly. (A column without one passes nothing under z⁺, as Zennit's ZPlus; relevance sent to it, e.g. by
 * an Add whose input there is negative, is lost.)
 */
export function everyColumnHasPositivePart(g0: RefGraph, x: number[]): boolean {
  const g = canoniseRef(g0);
  const t = forwardGraph(g, x);
  return g.nodes.every((node, k) => {
    const op = t.ops[k + 1];
    if (!isLinearRef(node) || op.type !== 'linear') return true;
    const a = t.values[inputsOf(node)[0]];
    return op.lin.conns.every((list) => list.some(({ i, w }) => a[i] * w > 0));
  });
}

// ---- every method -----------------------------------------------------------------------------------
/** Every method id, the seed presets and a non-default parameter of each: what the graph tests run. */
export const ALL_SPECS = [
  'sensitivity',
  'gradient',
  'simple-taylor',
  'guided-backprop',
  'deconvnet',
  'deep-taylor',
  'lrp-a1.2b0.2',
  'lrp-a1.5b0.5',
  'lrp-a2b1',
  'lrp-a1b0',
  'lrp-ab:alpha=3,beta=2',
  'lrp-z',
  'lrp-epsilon',
  'lrp-epsilon:epsilon=0.01',
  'lrp-gamma',
  'lrp-gamma:gamma=1',
  'epsilon-plus-flat',
  'epsilon-gamma-box',
  'epsilon-gamma-box:epsilon=0.1,gamma=0.5',
  'attnlrp',
  'cp-lrp',
  'integrated-gradients:steps=5',
  'smoothgrad:samples=5,sigma=0.3,seed=7',
  'occlusion:patch=2,stride=1',
];

/** Per channel [lows, highs] from the request's bounds. */
function perChannel(bounds: InputBounds, channels: number): [number[], number[]] {
  return bounds.map((end) => (typeof end === 'number' ? new Array(channels).fill(end) : end.length === 1 ? new Array(channels).fill(end[0]) : end)) as [
    number[],
    number[],
  ];
}

/** The reference's rule on each Dense/Conv node for an LRP method (METHODS.md's composites). */
export function lrpRulesRef(spec: MethodSpec, bounded: boolean): (node: RefNode, first: boolean) => RefRule | 'zB' {
  const p = spec.params;
  const input = (): RefRule | 'zB' => (bounded ? 'zB' : { rule: 'w2' });
  const isConv = (node: RefNode) => node.kind === 'conv2d' || node.kind === 'convTranspose';
  const ab = (alpha: number, beta: number): RefRule => ({ rule: 'ab', alpha, beta });
  switch (spec.id) {
    case 'lrp-z':
      return () => ({ rule: 'z' });
    case 'lrp-epsilon':
      return () => ({ rule: 'epsilon', epsilon: p.epsilon });
    case 'lrp-gamma':
      return () => ({ rule: 'gamma', gamma: p.gamma });
    case 'lrp-ab':
      return () => ab(p.alpha, p.beta);
    case 'deep-taylor':
      return (_node, first) => (first ? input() : ab(1, 0));
    case 'epsilon-plus-flat':
      return (node, first) => (first ? { rule: 'flat' } : isConv(node) ? ab(1, 0) : { rule: 'epsilon', epsilon: p.epsilon });
    case 'epsilon-gamma-box':
      return (node, first) => (first ? input() : isConv(node) ? { rule: 'gamma', gamma: p.gamma } : { rule: 'epsilon', epsilon: p.epsilon });
    case 'attnlrp':
    case 'cp-lrp':
      // LRP-γ on every Dense/Conv when γ > 0, LRP-ε otherwise; the method names its attention rule (lrpParts).
      return () => (p.gamma > 0 ? { rule: 'gamma', gamma: p.gamma } : { rule: 'epsilon', epsilon: p.epsilon });
    default:
      throw new Error(`${spec.id} is not an LRP method`);
  }
}

/** The reference map (h × w) of one method for one image and target on a graph. */
export function graphReferenceMap(g: RefGraph, x: number[], target: number, spec: MethodSpec, imageShape: ImageShape, bounds: InputBounds | null): number[] {
  const channels = imageShape[2];
  const p = spec.params;
  const box = bounds && perChannel(bounds, channels);
  const lrp = (ruleFor: (node: RefNode, first: boolean) => RefRule | 'zB', attention: RefAttention = 'attnlrp') =>
    channelSumRef(lrpGraph(g, x, target, ruleFor, box, attention), channels);
  switch (spec.id) {
    case 'sensitivity':
      return channelSumRef(gradientGraph(g, x, target).map((v) => v * v), channels);
    case 'gradient':
      return channelSumRef(gradientGraph(g, x, target), channels);
    case 'simple-taylor':
      return channelSumRef(gradientGraph(g, x, target).map((v, i) => v * x[i]), channels);
    case 'guided-backprop':
      return channelSumRef(gradientGraph(g, x, target, 'guided'), channels);
    case 'deconvnet':
      return channelSumRef(gradientGraph(g, x, target, 'deconvnet'), channels);
    case 'lrp-z':
    case 'lrp-epsilon':
    case 'lrp-gamma':
    case 'lrp-ab':
    case 'deep-taylor':
    case 'epsilon-plus-flat':
    case 'epsilon-gamma-box':
    case 'attnlrp':
    case 'cp-lrp':
      return lrp(lrpRulesRef(spec, box !== null), spec.id === 'cp-lrp' ? 'cp-lrp' : 'attnlrp');
    case 'integrated-gradients':
      return channelSumRef(integratedGradientsGraph(g, x, target, p.steps), channels);
    case 'smoothgrad': {
      const noiseTensor = smoothGradNoise(p.samples, x.length, p.seed);
      const noise = noiseTensor.arraySync();
      noiseTensor.dispose();
      const sigma = box ? x.map((_, i) => p.sigma * (box[1][i % channels] - box[0][i % channels])) : x.map(() => p.sigma * (Math.max(...x) - Math.min(...x)));
      return channelSumRef(smoothGradGraph(g, x, target, noise, sigma), channels);
    }
    case 'occlusion':
      return occlusionGraph(g, x, target, imageShape, p.patch, p.stride);
  }
}


/**
 * f and f′ of the smooth activations in float64, from their textbook definitions (PyTorch's derivative at
 * the kinks of hardSigmoid / hardSwish / elu), independent of the engine's tfjs ops.
 */
export function smoothActivation(fn: ActivationFn, alphaGiven?: number, betaGiven?: number): { f: (z: number) => number; df: (z: number) => number } {
  const sigma = (z: number) => 1 / (1 + Math.exp(-z));
  const alpha = alphaGiven ?? (fn === 'hardSigmoid' ? 0.2 : 1);
  const beta = betaGiven ?? 0.5;
  switch (fn) {
    case 'sigmoid':
      return { f: sigma, df: (z) => sigma(z) * (1 - sigma(z)) };
    case 'tanh':
      return { f: Math.tanh, df: (z) => 1 - Math.tanh(z) ** 2 };
    case 'silu':
      return { f: (z) => z * sigma(z), df: (z) => sigma(z) + z * sigma(z) * (1 - sigma(z)) };
    case 'hardSigmoid':
      return { f: (z) => Math.min(1, Math.max(0, alpha * z + beta)), df: (z) => (alpha * z + beta > 0 && alpha * z + beta < 1 ? alpha : 0) };
    case 'hardSwish':
      return { f: (z) => (z * Math.min(6, Math.max(0, z + 3))) / 6, df: (z) => (z < -3 ? 0 : z <= 3 ? (2 * z + 3) / 6 : 1) };
    case 'elu':
      return { f: (z) => (z > 0 ? z : alpha * Math.expm1(z)), df: (z) => (z > 0 ? 1 : alpha * Math.exp(z)) };
    case 'softplus':
      return { f: (z) => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))), df: sigma };
    case 'gelu': {
      const cdf = (z: number) => 0.5 * (1 + erf(z / Math.SQRT2));
      return { f: (z) => z * cdf(z), df: (z) => cdf(z) + (z * Math.exp(-z * z / 2)) / Math.sqrt(2 * Math.PI) };
    }
    case 'geluTanh': {
      const k = Math.sqrt(2 / Math.PI);
      const u = (z: number) => k * (z + 0.044715 * z ** 3);
      return {
        f: (z) => 0.5 * z * (1 + Math.tanh(u(z))),
        df: (z) => 0.5 * (1 + Math.tanh(u(z))) + 0.5 * z * (1 - Math.tanh(u(z)) ** 2) * k * (1 + 3 * 0.044715 * z * z),
      };
    }
  }
}

/** erf(x) = 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3···(2n+1)): positive terms, no cancellation; ±1 beyond |x| = 6. */
export function erf(x: number): number {
  if (Math.abs(x) > 6) return Math.sign(x);
  let term = x;
  let sum = x;
  for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
    term *= (2 * x * x) / (2 * n + 1);
    sum += term;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
}
