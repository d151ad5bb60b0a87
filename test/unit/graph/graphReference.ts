// An independent float64 reference for graphs: small networks written as plain arrays, every node turned
// into explicit loops (connection lists, index maps, windows) straight from METHODS.md. Nothing here calls
// the engine's layer code; `toGraphNetwork` only builds the engine's Network from the same numbers with
// the public GraphBuilder.
import * as tf from '@tensorflow/tfjs';
import { GraphBuilder, type NodeRef } from '../../../src/engine/graph/builder';
import type { Network, NodeSpec, Pads } from '../../../src/engine/graph/nodes';
import { applyRuleRef, EPS0, stab, type Linear, type RefRule } from '../methods/reference';

// ---- description ---------------------------------------------------------------------------------------
/** Weights flat, row-major, in the engine's layout: dense [in, out], conv [kh, kw, in/groups, out]. */
export type RefNode =
  | { kind: 'dense'; input: number; outputs: number; w: number[]; b: number[] }
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
  | { kind: 'maxPool'; input: number; pool: [number, number]; strides: [number, number]; pads: Pads }
  | { kind: 'avgPool'; input: number; pool: [number, number]; strides: [number, number]; pads: Pads; countIncludePad: boolean }
  | { kind: 'globalAvgPool' | 'globalMaxPool'; input: number }
  | { kind: 'flatten'; input: number }
  | { kind: 'transpose'; input: number; perm: number[] }
  | { kind: 'pad'; input: number; pads: Pads }
  | { kind: 'affine'; input: number; scale: number[]; offset: number[] }
  | { kind: 'batchNorm'; input: number; mean: number[]; variance: number[]; gamma: number[]; beta: number[]; epsilon: number }
  | { kind: 'add'; inputs: number[] }
  | { kind: 'concat'; inputs: number[]; axis: number };

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
  | { type: 'max'; windows: number[][] }
  | { type: 'add' };

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
      case 'max':
        // First maximum in row-major window order.
        out = op.windows.map((m) => a[m.reduce((best, i) => (a[i] > a[best] ? i : best), m[0])]);
        break;
      case 'add':
        out = a.map((_, k) => ins.reduce((s, i) => s + values[i][k], 0));
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
      const inputs = size;
      const conns = Array.from({ length: node.outputs }, (_, j) => Array.from({ length: inputs }, (_, i) => ({ i, w: node.w[i * node.outputs + j] })));
      return { op: { type: 'linear', lin: { outShape: [node.outputs], conns, bias: node.b } }, outShape: [node.outputs] };
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
    case 'pad':
      return { kind: 'pad', pads: node.pads };
    case 'affine':
      return { kind: 'affine', scale: node.scale, offset: node.offset };
    case 'concat':
      return { kind: 'concat', axis: node.axis };
  }
}

export { EPS0, stab, applyRuleRef, type RefRule };
