// Sliding-window geometry shared by convolutions and pooling: padding resolved to explicit pads, output
// sizes, and the pads in the form tfjs ops take.
import * as tf from '@tensorflow/tfjs';
import type { Pads, PaddingSpec } from '../graph/nodes';

/** A window op along the two spatial axes. `kernel` is the window's extent before dilation. */
export interface Window {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
}

/** The extent of a dilated kernel along one axis. */
export function effectiveSize(k: number, dilation: number): number {
  return (k - 1) * dilation + 1;
}

/**
 * Explicit [top, left, bottom, right] pads for an [h, w] input. 'same' pads so that out = ceil(n / stride),
 * the odd pixel after (TF, ONNX SAME_UPPER); 'same-lower' puts it before (ONNX SAME_LOWER).
 */
export function resolvePads(padding: PaddingSpec, [h, w]: number[], win: Window): Pads {
  if (Array.isArray(padding)) return [...padding] as Pads;
  if (padding === 'valid') return [0, 0, 0, 0];
  const axis = (n: number, k: number, s: number, d: number): [number, number] => {
    const out = Math.ceil(n / s);
    const total = Math.max((out - 1) * s + effectiveSize(k, d) - n, 0);
    const small = Math.floor(total / 2);
    return padding === 'same' ? [small, total - small] : [total - small, small];
  };
  const [top, bottom] = axis(h, win.kernel[0], win.strides[0], win.dilations[0]);
  const [left, right] = axis(w, win.kernel[1], win.strides[1], win.dilations[1]);
  return [top, left, bottom, right];
}

/** Output [outH, outW] of a window op over an [h, w] input with explicit pads (0 or less: does not fit). */
export function windowOutput([h, w]: number[], win: Window, [top, left, bottom, right]: Pads): [number, number] {
  const axis = (n: number, k: number, s: number, d: number, before: number, after: number) =>
    Math.floor((n + before + after - effectiveSize(k, d)) / s) + 1;
  return [
    axis(h, win.kernel[0], win.strides[0], win.dilations[0], top, bottom),
    axis(w, win.kernel[1], win.strides[1], win.dilations[1], left, right),
  ];
}

/** Pads as tfjs ops take them for an NHWC tensor. */
export function tfPads([top, left, bottom, right]: Pads): [[number, number], [number, number], [number, number], [number, number]] {
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

export type PadArgument = 'valid' | ReturnType<typeof tfPads>;

/** tfjs's `pad` argument for a node's pads ('valid' for none), made once per pads array: every call of every
 *  window node asks for it. */
const padArguments = new WeakMap<Pads, PadArgument>();
export function padArgument(pads: Pads): PadArgument {
  let found = padArguments.get(pads);
  if (!found) {
    found = isZeroPads(pads) ? 'valid' : tfPads(pads);
    padArguments.set(pads, found);
  }
  return found;
}

export function isZeroPads(pads: Pads): boolean {
  return pads.every((p) => p === 0);
}

/** How many real (unpadded) inputs each window along one axis covers. */
export function windowCounts(size: number, out: number, k: number, stride: number, before: number): number[] {
  return Array.from({ length: out }, (_, o) => {
    const start = o * stride - before;
    return Math.min(start + k, size) - Math.max(start, 0);
  });
}

export function product(xs: readonly number[]): number {
  return xs.reduce((a, b) => a * b, 1);
}

export function formatPads(pads: Pads): string {
  if (isZeroPads(pads)) return 'no padding';
  const [t, l, b, r] = pads;
  if (t === b && l === r) return t === l ? `pad ${t}` : `pad ${t}×${l}`;
  return `pads ${t},${l},${b},${r} (t,l,b,r)`;
}

/** Checks a pair of positive integers (strides, dilations, pool size), failing with `what`'s name. */
export function positivePair(v: unknown, what: string, fail: (problem: string) => never): [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || !v.every((d) => Number.isInteger(d) && d > 0)) {
    fail(`has ${what} ${JSON.stringify(v)}; two positive integers are needed`);
  }
  return [v[0], v[1]];
}

/** Checks explicit pads: four non-negative integers. */
export function checkPads(pads: Pads, fail: (problem: string) => never): Pads {
  if (!Array.isArray(pads) || pads.length !== 4 || !pads.every((p) => Number.isInteger(p) && p >= 0)) {
    fail(`has pads ${JSON.stringify(pads)}; four non-negative integers [top, left, bottom, right] are needed`);
  }
  return pads;
}

export function isUnit(pair: [number, number]): boolean {
  return pair[0] === 1 && pair[1] === 1;
}

/** "2" for [2, 2], "2×1" otherwise. */
export function formatPair([a, b]: [number, number]): string {
  return a === b ? `${a}` : `${a}×${b}`;
}

/** Pads (positive) or crops (negative) the spatial axes. */
export function padOrCrop(t: tf.Tensor, pads: Pads): tf.Tensor {
  const cropped = cropNegative(t, pads);
  const positive = pads.map((p) => Math.max(p, 0)) as Pads;
  return isZeroPads(positive) ? cropped : tf.pad(cropped, tfPads(positive));
}

/** Removes −p rows/columns for each negative entry of `pads`. */
export function cropNegative(t: tf.Tensor, [top, left, bottom, right]: Pads): tf.Tensor {
  if (top >= 0 && left >= 0 && bottom >= 0 && right >= 0) return t;
  const [n, h, w, c] = t.shape;
  const [t0, l0, b0, r0] = [top, left, bottom, right].map((p) => Math.max(-p, 0));
  return tf.slice(t, [0, t0, l0, 0], [n, h - t0 - b0, w - l0 - r0, c]);
}
