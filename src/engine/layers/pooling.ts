// The backward maps of pooling, shared by maxPool / globalMaxPool (winner-take-all) and avgPool (the
// gradient of an average). Every map takes a signal of `blocks` × N rows while the activations it depends
// on have N rows.
import * as tf from '@tensorflow/tfjs';
import type { GlobalMaxPoolNode, MaxPoolNode, Pads } from '../graph/nodes';
import { tfPads, windowCounts } from './geometry';
import { filledTensor, valuesOf } from './tensorMemory';

/** A pooling window: size, strides and explicit pads. */
export interface PoolWindow {
  poolSize: [number, number];
  strides: [number, number];
  pads: Pads;
}

/**
 * Winner-take-all max pooling: for every output element, the flat index of the input it takes its value
 * from, the first maximum in row-major order on ties (TF's convention, and the gradient of max pooling);
 * −1 for a window of NaNs. Padded positions never win (they are not looked at). Computed once per call and
 * used by every method's backward pass.
 *
 * Not the MaxPoolGrad kernel: on wasm it starts each window's search at FLT_MIN (the smallest positive
 * float) and keeps the last maximum, so a window whose values are all ≤ 0 (dead ReLUs, or a pool before its
 * ReLU) loses its signal, and ties go to the last position where the CPU backend picks the first. Nor
 * strided slices compared with the output: wasm's StridedSlice is ~50× slower than this loop. One pass over
 * the input in plain JS, exact on every backend.
 */
export function maxPoolWinners(window: PoolWindow, input: tf.Tensor, [outH, outW]: number[]): Int32Array {
  const [batch, h, w, c] = input.shape;
  const [ph, pw] = window.poolSize;
  const [sh, sw] = window.strides;
  const [top, left] = window.pads;
  const x = valuesOf(input);
  const winners = new Int32Array(batch * outH * outW * c);
  const starts = new Int32Array(ph * pw);
  let out = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const y0 = Math.max(oy * sh - top, 0);
      const y1 = Math.min(oy * sh - top + ph, h);
      for (let ox = 0; ox < outW; ox++) {
        const x0 = Math.max(ox * sw - left, 0);
        const x1 = Math.min(ox * sw - left + pw, w);
        // Where each input pixel of the window starts, in row-major order.
        let n = 0;
        for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) starts[n++] = ((b * h + yy) * w + xx) * c;
        if (n === 4) {
          // The common 2×2 window, unrolled (a third faster at batch 256).
          const [p0, p1, p2, p3] = [starts[0], starts[1], starts[2], starts[3]];
          for (let k = 0; k < c; k++, out++) {
            let best = -Infinity;
            let winner = -1;
            if (x[p0 + k] > best) (best = x[p0 + k]), (winner = p0 + k);
            if (x[p1 + k] > best) (best = x[p1 + k]), (winner = p1 + k);
            if (x[p2 + k] > best) (best = x[p2 + k]), (winner = p2 + k);
            if (x[p3 + k] > best) winner = p3 + k;
            winners[out] = winner;
          }
          continue;
        }
        for (let k = 0; k < c; k++, out++) {
          let best = -Infinity;
          let winner = -1;
          for (let p = 0; p < n; p++) {
            // Strictly greater: the first maximum in row-major order keeps the window.
            const v = x[starts[p] + k];
            if (v > best) {
              best = v;
              winner = starts[p] + k;
            }
          }
          winners[out] = winner;
        }
      }
    }
  }
  return winners;
}

/** Max pooling's backward map: each output's signal to its winner. `dy` may hold several stacked blocks. */
export function scatterToWinners(winners: Int32Array, inputShape: number[], dy: tf.Tensor): tf.Tensor {
  const inputSize = inputShape.reduce((a, b) => a * b, 1);
  const blocks = dy.size / winners.length;
  return filledTensor([blocks * inputShape[0], ...inputShape.slice(1)], (dx) => {
    const g = valuesOf(dy);
    for (let block = 0; block < blocks; block++) {
      const into = block * inputSize;
      const from = block * winners.length;
      for (let o = 0; o < winners.length; o++) {
        const winner = winners[o];
        if (winner >= 0) dx[into + winner] += g[from + o];
      }
    }
  });
}

/**
 * The gradient of average pooling: each window's signal spread evenly over the inputs it averaged.
 * `inputShape` is the pooled input's shape for dy's rows. tfjs's AvgPoolGrad (wasm and cpu) divides every
 * window by its full size, as if padded zeros counted; when they do not (`countIncludePad` false, TF's
 * and ONNX's default) the forward pass divides a border window by its count of real inputs, and scaling
 * dy by (window size / count) first makes the two agree.
 */
export function avgPoolGradient(window: PoolWindow, countIncludePad: boolean, inputShape: number[], dy: tf.Tensor): tf.Tensor {
  const [, h, w] = inputShape;
  const [, outH, outW] = dy.shape;
  const [ph, pw] = window.poolSize;
  const [sh, sw] = window.strides;
  const [top, left] = window.pads;
  let scaled = dy;
  if (!countIncludePad) {
    const rows = windowCounts(h, outH, ph, sh, top);
    const cols = windowCounts(w, outW, pw, sw, left);
    if (rows.some((n) => n < ph) || cols.some((n) => n < pw)) {
      scaled = tf.mul(dy, tf.tensor4d(rows.flatMap((r) => cols.map((c) => (ph * pw) / (r * c))), [1, outH, outW, 1]));
    }
  }
  // The kernel reads only the shape of `input`.
  const shapeOnly = tf.zeros(inputShape);
  const attrs = { filterSize: window.poolSize, strides: window.strides, pad: tfPads(window.pads) };
  return tf.engine().runKernel('AvgPoolGrad', { dy: scaled, input: shapeOnly }, attrs as unknown as tf.NamedAttrMap);
}

/** The window whose winners a max-pooling node's backward maps use (global max pooling: the whole map). */
export function winnerWindow(node: MaxPoolNode | GlobalMaxPoolNode, inputShape: number[]): { window: PoolWindow; output: [number, number] } {
  if (node.kind === 'maxPool') return { window: node, output: [node.shape[0], node.shape[1]] };
  const [h, w] = inputShape;
  return { window: { poolSize: [h, w], strides: [1, 1], pads: [0, 0, 0, 0] }, output: [1, 1] };
}
