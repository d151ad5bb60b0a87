// Independent references for the method tests: small networks described as plain arrays, evaluated in
// float64 with explicit loops straight from the formulas of METHODS.md. Nothing here calls the engine's
// propagation code; `toNetwork` only builds the engine's `Network` (tfjs tensors) from the same numbers,
// with the public GraphBuilder (a chain is a graph whose nodes each read the one before).
import { mulberry32 } from '../../../src/engine/seededRandom';
import * as tf from '@tensorflow/tfjs';
import { GraphBuilder } from '../../../src/engine/graph/builder';
import type { Network, NodeSpec } from '../../../src/engine/graph/nodes';

export type Padding = 'same' | 'valid';

// ---- description ---------------------------------------------------------------------------------------
/** Weights are flat, row-major in the Keras layout: dense [in, out], conv [kh, kw, inC, outC]. */
export type RefLayer =
  | { kind: 'dense'; inputs: number; outputs: number; w: number[]; b: number[] }
  | { kind: 'conv2d'; kh: number; kw: number; inC: number; outC: number; w: number[]; b: number[]; stride: number; padding: Padding }
  | { kind: 'relu' }
  | { kind: 'maxPool' | 'avgPool'; pool: number; stride: number; padding: Padding }
  | { kind: 'globalAvgPool' }
  | { kind: 'reshape'; shape: number[] }
  | { kind: 'rescale'; scale: number; offset: number };

export interface RefNet {
  inputShape: number[];
  layers: RefLayer[];
}

/** Deterministic pseudo-random numbers (the engine's mulberry32; randomArray rounds them to float32 so
 *  both sides see equal values). */
export const random = mulberry32;

export function randomArray(rand: () => number, n: number, low = -1, high = 1): number[] {
  return Array.from({ length: n }, () => Math.fround(low + (high - low) * rand()));
}

export function dense(rand: () => number, inputs: number, outputs: number, bias = true): RefLayer {
  const scale = Math.sqrt(3 / inputs);
  return {
    kind: 'dense',
    inputs,
    outputs,
    w: randomArray(rand, inputs * outputs, -scale, scale),
    b: bias ? randomArray(rand, outputs, -0.2, 0.2) : new Array(outputs).fill(0),
  };
}

export function conv(
  rand: () => number,
  k: number,
  inC: number,
  outC: number,
  stride: number,
  padding: Padding,
  bias = true,
): RefLayer {
  const scale = Math.sqrt(3 / (k * k * inC));
  return {
    kind: 'conv2d',
    kh: k,
    kw: k,
    inC,
    outC,
    w: randomArray(rand, k * k * inC * outC, -scale, scale),
    b: bias ? randomArray(rand, outC, -0.2, 0.2) : new Array(outC).fill(0),
    stride,
    padding,
  };
}

/** The engine's Network for a reference description (tensors on the active backend). */
export function toNetwork(net: RefNet): Network {
  const b = new GraphBuilder('test-net');
  let x = b.input('input', net.inputShape);
  net.layers.forEach((l, i) => {
    x = b.add(`layer${i}`, specOf(l), [x]);
  });
  return b.build(x).network;
}

function specOf(l: RefLayer): NodeSpec {
  switch (l.kind) {
    case 'dense':
      return { kind: 'dense', kernel: tf.tensor2d(l.w, [l.inputs, l.outputs]), bias: tf.tensor1d(l.b) };
    case 'conv2d':
      return {
        kind: 'conv2d',
        kernel: tf.tensor4d(l.w, [l.kh, l.kw, l.inC, l.outC]),
        bias: tf.tensor1d(l.b),
        strides: [l.stride, l.stride],
        padding: l.padding,
      };
    case 'maxPool':
    case 'avgPool':
      return { kind: l.kind, poolSize: [l.pool, l.pool], strides: [l.stride, l.stride], padding: l.padding };
    case 'relu':
    case 'globalAvgPool':
      return { kind: l.kind };
    case 'reshape':
      return { kind: 'reshape', shape: l.shape };
    case 'rescale':
      return { kind: 'affine', scale: l.scale, offset: l.offset };
  }
}

// ---- layers as explicit connection lists ---------------------------------------------------------------
/** A linear map written out: output j = Σ over its connections (i, w) of a_i·w, plus bias[j]. */
export interface Linear {
  outShape: number[];
  /** For each output j, its connections. */
  conns: Array<Array<{ i: number; w: number }>>;
  bias: number[];
}

/** TF's output size and leading padding along one axis. */
function axis(size: number, k: number, stride: number, padding: Padding): { out: number; padBefore: number } {
  if (padding === 'valid') return { out: Math.floor((size - k) / stride) + 1, padBefore: 0 };
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + k - size, 0);
  return { out, padBefore: Math.floor(total / 2) };
}

/** Windows of a 2-D sliding operation on an [H, W, C] input: per output (oy, ox, c), the input indices. */
function windows(inShape: number[], k: number, stride: number, padding: Padding) {
  const [H, W, C] = inShape;
  const ay = axis(H, k, stride, padding);
  const ax = axis(W, k, stride, padding);
  const result: number[][] = [];
  for (let oy = 0; oy < ay.out; oy++) {
    for (let ox = 0; ox < ax.out; ox++) {
      for (let c = 0; c < C; c++) {
        const members: number[] = [];
        for (let ky = 0; ky < k; ky++) {
          for (let kx = 0; kx < k; kx++) {
            const y = oy * stride + ky - ay.padBefore;
            const x = ox * stride + kx - ax.padBefore;
            if (y >= 0 && y < H && x >= 0 && x < W) members.push((y * W + x) * C + c);
          }
        }
        result.push(members);
      }
    }
  }
  return { outShape: [ay.out, ax.out, C], windows: result };
}

function linearOf(layer: RefLayer, inShape: number[]): Linear {
  if (layer.kind === 'dense') {
    const conns = Array.from({ length: layer.outputs }, (_, j) =>
      Array.from({ length: layer.inputs }, (_, i) => ({ i, w: layer.w[i * layer.outputs + j] })),
    );
    return { outShape: [layer.outputs], conns, bias: layer.b };
  }
  if (layer.kind === 'conv2d') {
    const [H, W] = inShape;
    const ay = axis(H, layer.kh, layer.stride, layer.padding);
    const ax = axis(W, layer.kw, layer.stride, layer.padding);
    const conns: Linear['conns'] = [];
    const bias: number[] = [];
    for (let oy = 0; oy < ay.out; oy++) {
      for (let ox = 0; ox < ax.out; ox++) {
        for (let co = 0; co < layer.outC; co++) {
          const list: Array<{ i: number; w: number }> = [];
          for (let ky = 0; ky < layer.kh; ky++) {
            for (let kx = 0; kx < layer.kw; kx++) {
              const y = oy * layer.stride + ky - ay.padBefore;
              const x = ox * layer.stride + kx - ax.padBefore;
              if (y < 0 || y >= H || x < 0 || x >= W) continue;
              for (let ci = 0; ci < layer.inC; ci++) {
                list.push({ i: (y * W + x) * layer.inC + ci, w: layer.w[((ky * layer.kw + kx) * layer.inC + ci) * layer.outC + co] });
              }
            }
          }
          conns.push(list);
          bias.push(layer.b[co]);
        }
      }
    }
    return { outShape: [ay.out, ax.out, layer.outC], conns, bias };
  }
  if (layer.kind === 'avgPool') {
    const { outShape, windows: ws } = windows(inShape, layer.pool, layer.stride, layer.padding);
    return { outShape, conns: ws.map((m) => m.map((i) => ({ i, w: 1 / m.length }))), bias: ws.map(() => 0) };
  }
  if (layer.kind === 'globalAvgPool') {
    const [H, W, C] = inShape;
    const conns = Array.from({ length: C }, (_, c) =>
      Array.from({ length: H * W }, (_, p) => ({ i: p * C + c, w: 1 / (H * W) })),
    );
    return { outShape: [C], conns, bias: new Array(C).fill(0) };
  }
  throw new Error(`${layer.kind} is not linear`);
}

// ---- forward -------------------------------------------------------------------------------------------
export interface Trace {
  /** Input of every layer (acts[0] = x), then the logits as the last entry. */
  acts: number[][];
  shapes: number[][];
  /** Connection lists of the linear layers (dense, conv, avgPool, globalAvgPool), by layer index. */
  linear: Map<number, Linear>;
  /** Max pooling: for each output, the winning input index. */
  winners: Map<number, number[]>;
}

export function forwardRef(net: RefNet, x: number[]): Trace {
  const acts = [x.slice()];
  const shapes = [net.inputShape];
  const linear = new Map<number, Linear>();
  const winners = new Map<number, number[]>();
  net.layers.forEach((layer, index) => {
    const a = acts[index];
    const shape = shapes[index];
    let out: number[];
    let outShape = shape;
    switch (layer.kind) {
      case 'dense':
      case 'conv2d':
      case 'avgPool':
      case 'globalAvgPool': {
        const lin = linearOf(layer, shape);
        linear.set(index, lin);
        out = lin.conns.map((list, j) => list.reduce((s, { i, w }) => s + a[i] * w, 0) + lin.bias[j]);
        outShape = lin.outShape;
        break;
      }
      case 'relu':
        out = a.map((v) => Math.max(v, 0));
        break;
      case 'maxPool': {
        const { outShape: os, windows: ws } = windows(shape, layer.pool, layer.stride, layer.padding);
        const win = ws.map((m) => m.reduce((best, i) => (a[i] > a[best] ? i : best), m[0]));
        winners.set(index, win);
        out = win.map((i) => a[i]);
        outShape = os;
        break;
      }
      case 'reshape':
        out = a.slice();
        outShape = layer.shape;
        break;
      case 'rescale':
        out = a.map((v) => v * layer.scale + layer.offset);
        break;
    }
    acts.push(out);
    shapes.push(outShape);
  });
  return { acts, shapes, linear, winners };
}

export function logitsRef(net: RefNet, x: number[]): number[] {
  const t = forwardRef(net, x);
  return t.acts[t.acts.length - 1];
}

export function argMax(v: number[]): number {
  return v.reduce((best, value, i) => (value > v[best] ? i : best), 0);
}

// ---- gradient family -------------------------------------------------------------------------------------
export type ReluMode = 'gradient' | 'guided' | 'deconvnet';

/** ∂f_c/∂x with the ReLU's backward rule chosen by `mode`; `seed` replaces the one-hot of the target at the
 *  logits (e.g. +1 at c, −1 at c′ for a contrast). */
export function gradientRef(net: RefNet, x: number[], target: number, mode: ReluMode = 'gradient', seed?: number[]): number[] {
  const t = forwardRef(net, x);
  const top = t.acts[t.acts.length - 1];
  let g = seed ? [...seed] : top.map((_, j) => (j === target ? 1 : 0));
  for (let index = net.layers.length - 1; index >= 0; index--) {
    const layer = net.layers[index];
    const a = t.acts[index];
    const next = new Array(a.length).fill(0);
    switch (layer.kind) {
      case 'relu':
        for (let i = 0; i < a.length; i++) {
          const forwardMask = a[i] > 0 ? 1 : 0;
          const backwardMask = g[i] > 0 ? 1 : 0;
          next[i] = mode === 'gradient' ? g[i] * forwardMask : mode === 'guided' ? g[i] * forwardMask * backwardMask : g[i] * backwardMask;
        }
        break;
      case 'maxPool':
        t.winners.get(index)!.forEach((i, j) => (next[i] += g[j]));
        break;
      case 'reshape':
        g.forEach((v, i) => (next[i] = v));
        break;
      case 'rescale':
        g.forEach((v, i) => (next[i] = v * layer.scale));
        break;
      default:
        t.linear.get(index)!.conns.forEach((list, j) => list.forEach(({ i, w }) => (next[i] += w * g[j])));
    }
    g = next;
  }
  return g;
}

// ---- LRP -------------------------------------------------------------------------------------------------
export const EPS0 = 1e-9;
const signPlus = (v: number) => (v >= 0 ? 1 : -1);
/** d + ε₀·sign(d), sign(0) = +1. */
export const stab = (d: number) => d + EPS0 * signPlus(d);

export type RefRule =
  | { rule: 'z' }
  | { rule: 'epsilon'; epsilon: number }
  | { rule: 'gamma'; gamma: number }
  | { rule: 'ab'; alpha: number; beta: number }
  | { rule: 'zB'; low: number; high: number }
  | { rule: 'w2' }
  | { rule: 'flat' };

/** Relevance at the input of one linear layer under `rule`, straight from the formulas. */
export function applyRuleRef(lin: Linear, a: number[], rOut: number[], rule: RefRule): number[] {
  const rIn = new Array(a.length).fill(0);
  lin.conns.forEach((list, j) => {
    const b = lin.bias[j];
    const share = (numerator: (i: number, w: number) => number, denominator: number, coefficient = 1) => {
      const d = stab(denominator);
      for (const { i, w } of list) rIn[i] += (coefficient * numerator(i, w) * rOut[j]) / d;
    };
    switch (rule.rule) {
      case 'z': {
        const z = list.reduce((s, { i, w }) => s + a[i] * w, 0) + b;
        share((i, w) => a[i] * w, z);
        break;
      }
      case 'epsilon': {
        const z = list.reduce((s, { i, w }) => s + a[i] * w, 0) + b;
        share((i, w) => a[i] * w, z + rule.epsilon * signPlus(z));
        break;
      }
      case 'gamma': {
        const wg = (w: number) => w + rule.gamma * Math.max(w, 0);
        const z = list.reduce((s, { i, w }) => s + a[i] * wg(w), 0) + b + rule.gamma * Math.max(b, 0);
        share((i, w) => a[i] * wg(w), z);
        break;
      }
      case 'ab': {
        const pos = (i: number, w: number) => Math.max(a[i] * w, 0);
        const neg = (i: number, w: number) => Math.min(a[i] * w, 0);
        share(pos, list.reduce((s, { i, w }) => s + pos(i, w), 0), rule.alpha);
        if (rule.beta !== 0) share(neg, list.reduce((s, { i, w }) => s + neg(i, w), 0), -rule.beta);
        break;
      }
      case 'zB': {
        const n = (i: number, w: number) => a[i] * w - rule.low * Math.max(w, 0) - rule.high * Math.min(w, 0);
        share(n, list.reduce((s, { i, w }) => s + n(i, w), 0));
        break;
      }
      case 'w2':
        share((_i, w) => w * w, list.reduce((s, { w }) => s + w * w, 0));
        break;
      case 'flat':
        share(() => 1, list.length);
        break;
    }
  });
  return rIn;
}

/**
 * LRP from R = f_c at the target down to the input. `ruleFor(index, first)` names the rule of each Dense/Conv
 * layer (first = the first Dense/Conv). ReLU and rescale pass relevance unchanged, max pooling gives it to
 * the winner, average pooling uses the z-rule.
 */
export function lrpRef(net: RefNet, x: number[], target: number, ruleFor: (layer: RefLayer, first: boolean) => RefRule): number[] {
  const t = forwardRef(net, x);
  const top = t.acts[t.acts.length - 1];
  let r = top.map((v, j) => (j === target ? v : 0));
  const firstLinear = net.layers.findIndex((l) => l.kind === 'dense' || l.kind === 'conv2d');
  for (let index = net.layers.length - 1; index >= 0; index--) {
    const layer = net.layers[index];
    const a = t.acts[index];
    switch (layer.kind) {
      case 'relu':
      case 'reshape':
      case 'rescale':
        break;
      case 'maxPool': {
        const next = new Array(a.length).fill(0);
        t.winners.get(index)!.forEach((i, j) => (next[i] += r[j]));
        r = next;
        break;
      }
      case 'avgPool':
      case 'globalAvgPool':
        r = applyRuleRef(t.linear.get(index)!, a, r, { rule: 'z' });
        break;
      default:
        r = applyRuleRef(t.linear.get(index)!, a, r, ruleFor(layer, index === firstLinear));
    }
  }
  return r;
}

// ---- attributors -----------------------------------------------------------------------------------------
export function integratedGradientsRef(net: RefNet, x: number[], target: number, steps: number): number[] {
  const mean = new Array(x.length).fill(0);
  for (let k = 1; k <= steps; k++) {
    const alpha = (k - 0.5) / steps;
    const g = gradientRef(
      net,
      x.map((v) => alpha * v),
      target,
    );
    g.forEach((v, i) => (mean[i] += v / steps));
  }
  return mean.map((v, i) => v * x[i]);
}

/** `noise` holds the unit-normal samples, [samples][size]; σ is given. */
export function smoothGradRef(net: RefNet, x: number[], target: number, noise: number[][], sigma: number): number[] {
  const mean = new Array(x.length).fill(0);
  for (const n of noise) {
    const g = gradientRef(
      net,
      x.map((v, i) => v + sigma * n[i]),
      target,
    );
    g.forEach((v, i) => (mean[i] += v / noise.length));
  }
  return mean;
}

/** Image [h, w, c]: each patch (all channels) set to 0; each pixel averages the logit drops of its patches. */
export function occlusionRef(net: RefNet, x: number[], target: number, shape: number[], patch: number, stride: number): number[] {
  return occlusionOf((v) => logitsRef(net, v), x, target, shape, patch, stride);
}

/** Occlusion for any float64 forward pass `logits`. */
export function occlusionOf(logits: (x: number[]) => number[], x: number[], target: number, [h, w, c]: number[], patch: number, stride: number): number[] {
  const f = logits(x)[target];
  const total = new Array(h * w).fill(0);
  const count = new Array(h * w).fill(0);
  const ph = Math.min(patch, h);
  const pw = Math.min(patch, w);
  for (let top = 0; top + ph <= h; top += stride) {
    for (let left = 0; left + pw <= w; left += stride) {
      const occluded = x.slice();
      for (let y = top; y < top + ph; y++) for (let xx = left; xx < left + pw; xx++) for (let ch = 0; ch < c; ch++) occluded[(y * w + xx) * c + ch] = 0;
      const drop = f - logits(occluded)[target];
      for (let y = top; y < top + ph; y++) {
        for (let xx = left; xx < left + pw; xx++) {
          total[y * w + xx] += drop;
          count[y * w + xx] += 1;
        }
      }
    }
  }
  return total.map((v, p) => (count[p] ? v / count[p] : 0));
}

/** Sum over channels of an HWC array: the heatmap. */
export function channelSumRef(v: number[], channels: number): number[] {
  const out = new Array(v.length / channels).fill(0);
  v.forEach((value, i) => (out[Math.floor(i / channels)] += value));
  return out;
}

/** Asserts |actual − expected| ≤ tolerance · max(1, max|expected|) elementwise. */
export function assertClose(actual: ArrayLike<number>, expected: number[], tolerance: number, label: string): void {
  if (actual.length !== expected.length) throw new Error(`${label}: length ${actual.length} ≠ ${expected.length}`);
  const scale = Math.max(1, ...expected.map(Math.abs));
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i] - expected[i]);
    if (!(diff <= tolerance * scale)) {
      throw new Error(
        `${label}: element ${i} is ${actual[i]}, expected ${expected[i]} (|diff| ${diff.toExponential(2)} > ${tolerance} × ${scale.toPrecision(3)})\n` +
          `actual   ${Array.from(actual).map((v) => v.toFixed(6)).join(' ')}\nexpected ${expected.map((v) => v.toFixed(6)).join(' ')}`,
      );
    }
  }
}
