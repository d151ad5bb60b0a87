// The VJP of a strided convolution (one group, no dilation) as ONE forward convolution at forward speed.
//
// Why: tfjs's conv2dTranspose (Conv2DBackpropInput) runs ~10× below a forward convolution on wasm; on
// ResNet-18 at 224 it was 60 % of a seven-method call (the 7×7 stride-2 stem alone 67 ms of a 410 ms
// sensitivity map, against 7 ms for its forward). Spreading the signal over the stride-1 grid (zeros
// between) and correlating would do s² times the multiply-adds.
//
// How (polyphase decomposition): per axis, with stride s, kernel size K and leading pad p, the gradient at
// input position x = s·q + r (phase r ∈ [0, s)) is
//   dx[s·q + r] = Σ_t dy[q − t] · w[s·t + r + p]      (t over the taps with 0 ≤ s·t + r + p < K).
// Every phase is a stride-1 correlation of dy on the coarse grid q, all with t ∈ [tMin, tMax], so the s²
// phases of both axes become the output channels of one correlation with a kernel of T = tMax − tMin + 1
// taps per axis, [Th, Tw, out, sh·sw·in] (zero where a phase has no tap), followed by a depth-to-space
// interleave of the phases and a crop to the input size. The zeros cost (T·s / K)² more multiply-adds
// (3×3 stride 2: 16 for 9; 7×7 stride 2: 64 for 49; 1×1 stride 2: 4 for 1), still several times faster.
import * as tf from '@tensorflow/tfjs';
import type { Conv2dNode, Pads } from '../graph/nodes';
import { cropNegative, isUnit, isZeroPads, tfPads } from './geometry';

/** Whether `polyphaseVjp` applies: strided, undilated, one group. */
export function usesPolyphaseVjp(node: Conv2dNode): boolean {
  return node.groups === 1 && !isUnit(node.strides) && isUnit(node.dilations);
}

interface AxisPhases {
  stride: number;
  /** The coarse-grid offsets t run over [tMin, tMax]. */
  tMin: number;
  tMax: number;
  /** Kernel tap of (correlation tap j, phase r), or −1 where that phase has none. */
  tap: (j: number, r: number) => number;
}

function axisPhases(kernel: number, stride: number, leadingPad: number): AxisPhases {
  const tMin = Math.ceil((-(stride - 1) - leadingPad) / stride);
  const tMax = Math.floor((kernel - 1 - leadingPad) / stride);
  return {
    stride,
    tMin,
    tMax,
    tap(j, r) {
      const k = stride * (tMax - j) + r + leadingPad;
      return k >= 0 && k < kernel ? k : -1;
    },
  };
}

function phasesOf(node: Conv2dNode): [AxisPhases, AxisPhases] {
  const [kh, kw] = node.kernel.shape;
  const [top, left] = node.pads;
  return [axisPhases(kh, node.strides[0], top), axisPhases(kw, node.strides[1], left)];
}

/**
 * The polyphase correlation kernel of `w` ([kh, kw, in, out], the node's layout, any modifier applied):
 * [Th, Tw, out, sh·sw·in], output channel (rh·sw + rw)·in + c (depth-to-space order).
 */
export function polyphaseKernel(node: Conv2dNode, w: tf.Tensor): tf.Tensor {
  const [, kw, cin, cout] = w.shape;
  const [ph, pw] = phasesOf(node);
  const th = ph.tMax - ph.tMin + 1;
  const tw = pw.tMax - pw.tMin + 1;
  const phases = ph.stride * pw.stride;
  const source = w.dataSync();
  const out = new Float32Array(th * tw * cout * phases * cin);
  for (let jh = 0; jh < th; jh++) {
    for (let jw = 0; jw < tw; jw++) {
      for (let rh = 0; rh < ph.stride; rh++) {
        const y = ph.tap(jh, rh);
        if (y < 0) continue;
        for (let rw = 0; rw < pw.stride; rw++) {
          const x = pw.tap(jw, rw);
          if (x < 0) continue;
          const phase = rh * pw.stride + rw;
          for (let c = 0; c < cin; c++) {
            const from = ((y * kw + x) * cin + c) * cout;
            for (let o = 0; o < cout; o++) out[(((jh * tw + jw) * cout + o) * phases + phase) * cin + c] = source[from + o];
          }
        }
      }
    }
  }
  return tf.tensor4d(out, [th, tw, cout, phases * cin]);
}

/** The VJP of `node` for the signal `s` ([n, oh, ow, out]) with its `polyphaseKernel`; inputShape [n, h, w, in]. */
export function polyphaseVjp(node: Conv2dNode, kernel: tf.Tensor, s: tf.Tensor, inputShape: number[]): tf.Tensor {
  const [ph, pw] = phasesOf(node);
  const [n, h, w, cin] = inputShape;
  const [, oh, ow] = s.shape;
  const qh = Math.ceil(h / ph.stride);
  const qw = Math.ceil(w / pw.stride);
  // Coarse output q reads dy[q + j − tMax]: pad tMax before and what the last q needs after (crop if < 0).
  const pads: Pads = [ph.tMax, pw.tMax, qh - ph.tMin - oh, qw - pw.tMin - ow];
  const signal = cropNegative(s, pads);
  const positive = pads.map((p) => Math.max(p, 0)) as Pads;
  const phases = tf.conv2d(signal as tf.Tensor4D, kernel as tf.Tensor4D, 1, isZeroPads(positive) ? 'valid' : tfPads(positive));
  // Depth to space as a transpose: the wasm DepthToSpace kernel moves ~40 M floats/s, Transpose ~20× more.
  const interleaved = tf.reshape(
    tf.transpose(tf.reshape(phases, [n * qh, qw, ph.stride, pw.stride * cin]), [0, 2, 1, 3]),
    [n, qh * ph.stride, qw * pw.stride, cin],
  );
  return qh * ph.stride === h && qw * pw.stride === w ? interleaved : tf.slice(interleaved, [0, 0, 0, 0], [n, h, w, cin]);
}
