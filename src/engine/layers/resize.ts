// Resizing an [h, w, c] map to [oh, ow] by nearest-neighbour or bilinear interpolation (ONNX Resize and
// Upsample, torch's nn.Upsample / F.interpolate), with ONNX's coordinate transformations. Both are linear
// maps, separable per axis: y = M_h · x · M_wᵀ per channel, each M a row per output with the weights of the
// inputs it interpolates (made once in `create`). METHODS.md: the gradient family differentiates it
// (g ↦ M_hᵀ · g · M_w), LRP applies the z-rule R_x = x ⊙ VJP(R / (y + ε₀·sign y)) (no bias; it conserves).
import * as tf from '@tensorflow/tfjs';
import type { ResizeCoordinates, ResizeNearest, ResizeNode } from '../graph/nodes';
import type { FixedKind } from './layerKind';
import { perImage, stabilise } from './signals';

export const resize: FixedKind<'resize'> = {
  kind: 'resize',
  create(spec, c) {
    const [input] = c.inputShapes;
    if (input.length !== 3) c.fail(`gets an input of shape [${input}] but needs an image [height, width, channels]`);
    const [oh, ow] = spec.size;
    if (![oh, ow].every((d) => Number.isInteger(d) && d > 0)) c.fail(`has size [${spec.size}]; two positive integers are needed`);
    c.checkOutputShape([oh, ow, input[2]]);
    const scales = spec.scales ?? [oh / input[0], ow / input[1]];
    if (!scales.every((s) => Number.isFinite(s) && s > 0)) c.fail(`has scales [${scales}]; positive numbers are needed`);
    const coordinates = spec.coordinates ?? 'half_pixel';
    const nearest = spec.nearest ?? 'round_prefer_floor';
    const rows = (n: number, out: number, scale: number) => interpolation(spec.mode, coordinates, nearest, n, out, scale);
    return {
      kind: 'resize',
      mode: spec.mode,
      coordinates,
      nearest,
      scales: [scales[0], scales[1]],
      rowsH: rows(input[0], oh, scales[0]),
      rowsW: rows(input[1], ow, scales[1]),
      shape: [oh, ow, input[2]],
    };
  },
  forward: (node, [x]) => tf.tidy(() => twoAxes(x, matrix(node.rowsH, node.shape[0], true), matrix(node.rowsW, node.shape[1], true))),
  describe: (node) => `${node.mode} resize to ${node.shape[0]}×${node.shape[1]} (${node.coordinates}${node.mode === 'nearest' ? `, ${node.nearest}` : ''})`,
  vjp: (c, g) => [backward(c.node, g)],
  relevance(c, r) {
    const s = perImage(tf.div, r, stabilise(c.output()), c.blocks);
    return [perImage(tf.mul, backward(c.node, s), c.input(0), c.blocks)];
  },
  lrpTreatment: () => 'z-rule (interpolation weights)',
  gradientTreatment: () => 'exact: Mᵀ per axis',
};

/** M_hᵀ · g · M_w: the adjoint of the forward map. */
function backward(node: ResizeNode, g: tf.Tensor): tf.Tensor {
  return tf.tidy(() => twoAxes(g, matrix(node.rowsH, node.shape[0], false), matrix(node.rowsW, node.shape[1], false)));
}

/**
 * An interpolation matrix from its rows ([out, in]), as the right factor of a matMul: Mᵀ [in, out] for the
 * forward map, M itself for the adjoint (FACTS.md: a matMul with a transposed operand is ~10× slower on wasm).
 */
function matrix(rows: Float32Array, out: number, forward: boolean): tf.Tensor2D {
  const n = rows.length / out;
  if (!forward) return tf.tensor2d(rows, [out, n]);
  const t = new Float32Array(rows.length);
  for (let o = 0; o < out; o++) for (let i = 0; i < n; i++) t[i * out + o] = rows[o * n + i];
  return tf.tensor2d(t, [n, out]);
}

/** [n, h, w, c] ↦ [n, a.cols, b.cols, c] with out[y, x] = Σ a[i, y] · b[j, x] · in[i, j] per channel. */
function twoAxes(t: tf.Tensor, a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor {
  const [n, h, w, c] = t.shape;
  const [oh, ow] = [a.shape[1], b.shape[1]];
  // Height: [n, h, w, c] → [n·w·c, h] · a → [n, w, c, oh].
  const byRows = tf.reshape(tf.matMul(tf.reshape(tf.transpose(t, [0, 2, 3, 1]), [n * w * c, h]), a), [n, w, c, oh]);
  // Width: [n, w, c, oh] → [n, oh, c, w] → [n·oh·c, w] · b → [n, oh, c, ow] → [n, oh, ow, c].
  const byCols = tf.matMul(tf.reshape(tf.transpose(byRows, [0, 3, 2, 1]), [n * oh * c, w]), b);
  return tf.transpose(tf.reshape(byCols, [n, oh, c, ow]), [0, 1, 3, 2]);
}

/**
 * The interpolation weights along one axis, [out, n] row-major: where output o lies in input coordinates
 * (ONNX's coordinate_transformation_mode), then the nearest input (nearest_mode) or the two neighbours
 * weighted linearly, clamped at the edges (as onnxruntime and torch's bilinear).
 */
export function interpolation(mode: ResizeNode['mode'], coordinates: ResizeCoordinates, nearest: ResizeNearest, n: number, out: number, scale: number): Float32Array {
  const m = new Float32Array(out * n);
  for (let o = 0; o < out; o++) {
    const x = sourceCoordinate(coordinates, o, n, out, scale);
    if (mode === 'nearest') {
      const i = Math.min(Math.max(roundNearest(nearest, x), 0), n - 1);
      m[o * n + i] = 1;
    } else {
      const clamped = Math.min(Math.max(x, 0), n - 1);
      const i0 = Math.floor(clamped);
      const i1 = Math.min(i0 + 1, n - 1);
      const t = clamped - i0;
      m[o * n + i0] += 1 - t;
      m[o * n + i1] += t;
    }
  }
  return m;
}

function sourceCoordinate(coordinates: ResizeCoordinates, o: number, n: number, out: number, scale: number): number {
  switch (coordinates) {
    case 'half_pixel':
      return (o + 0.5) / scale - 0.5;
    case 'pytorch_half_pixel':
      return out > 1 ? (o + 0.5) / scale - 0.5 : 0;
    case 'align_corners':
      return out === 1 ? 0 : (o * (n - 1)) / (out - 1);
    case 'asymmetric':
      return o / scale;
    case 'tf_half_pixel_for_nn':
      return (o + 0.5) / scale;
  }
}

function roundNearest(nearest: ResizeNearest, x: number): number {
  switch (nearest) {
    case 'round_prefer_floor':
      return x === Math.floor(x) + 0.5 ? Math.floor(x) : Math.round(x);
    case 'round_prefer_ceil':
      return Math.round(x);
    case 'floor':
      return Math.floor(x);
    case 'ceil':
      return Math.ceil(x);
  }
}
