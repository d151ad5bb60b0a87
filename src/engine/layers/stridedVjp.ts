// The VJP of a strided convolution (one group, no dilation) as stride-1 forward correlations, one per phase.
//
// Why: tfjs's conv2dTranspose (Conv2DBackpropInput) runs ~10× below a forward convolution on wasm; on
// ResNet-18 at 224 it was 60 % of a seven-method call (the 7×7 stride-2 stem alone 67 ms of a 410 ms
// sensitivity map, against 7 ms for its forward). Spreading the signal over the stride-1 grid (zeros
// between) and correlating would do s² times the multiply-adds.
//
// How (polyphase decomposition): per axis, with stride s, kernel size K and leading pad p, the gradient at
// input position x = s·q + r (phase r ∈ [0, s)) is
//   dx[s·q + r] = Σ_t dy[q − t] · w[s·t + r + p]      (t over the taps with 0 ≤ s·t + r + p < K),
// a stride-1 correlation of dy on the coarse grid q with the phase's own sub-kernel (every s-th tap). The
// sh·sw phases together use each tap once: the same multiply-adds as the forward convolution, at forward
// speed. Their outputs are interleaved into the input grid; a phase with no tap (1×1 kernels: all but one)
// leaves zeros.
// Into few channels (the VJP of an RGB model's stem, 3 channels) one correlation per phase runs far below
// the peak (XNNPACK computes eight output channels at a time), so there the phases are the output channels
// of ONE correlation over the union of their offsets, zeros where a phase has no tap: (T·s / K)² more
// multiply-adds (7×7 stride 2: 64 for 49), measured 1.6× faster than four correlations into 3 channels.
import * as tf from '@tensorflow/tfjs';
import type { Conv2dNode, Pads } from '../graph/nodes';
import { cropNegative, isUnit, isZeroPads, tfPads } from './geometry';
import { filledTensor, valuesOf } from './tensorMemory';

/** Whether `polyphaseVjp` applies: strided, undilated, one group. */
export function usesPolyphaseVjp(node: Conv2dNode): boolean {
  return node.groups === 1 && !isUnit(node.strides) && isUnit(node.dilations);
}

/** The taps of phase r along one axis: coarse offsets t ∈ [tMin, tMax] (none when tMax < tMin). */
interface Phase {
  tMin: number;
  tMax: number;
  /** Kernel tap of correlation tap j (j = tMax − t). */
  tap(j: number): number;
}

function axisPhases(kernel: number, stride: number, leadingPad: number): Phase[] {
  return Array.from({ length: stride }, (_, r) => {
    const tMin = Math.ceil((-r - leadingPad) / stride);
    const tMax = Math.floor((kernel - 1 - r - leadingPad) / stride);
    return { tMin, tMax, tap: (j: number) => stride * (tMax - j) + r + leadingPad };
  });
}

function phasesOf(node: Conv2dNode): [Phase[], Phase[]] {
  const [kh, kw] = node.kernel.shape;
  const [top, left] = node.pads;
  return [axisPhases(kh, node.strides[0], top), axisPhases(kw, node.strides[1], left)];
}

const taps = (p: Phase) => p.tMax - p.tMin + 1;

/** Below this many input channels the phases share one correlation (see the header). */
const JOINT_BELOW_CHANNELS = 8;

function joint(node: Conv2dNode): boolean {
  return node.kernel.shape[2] < JOINT_BELOW_CHANNELS;
}

/** The union of the phases' offsets along one axis, as one phase whose taps may be missing (−1). */
function union(phases: Phase[]): Phase {
  return { tMin: Math.min(...phases.map((p) => p.tMin)), tMax: Math.max(...phases.map((p) => p.tMax)), tap: () => -1 };
}

/**
 * The correlation kernels of `w` ([kh, kw, in, out], the node's layout, any modifier applied), flipped and
 * in/out swapped: one per phase that has taps, [Th, Tw, out, in], in phase order (rows, then columns); or,
 * into few channels, one joint kernel [Th, Tw, out, sh·sw·in] with output channel (rh·sw + rw)·in + c.
 */
export function polyphaseKernels(node: Conv2dNode, w: tf.Tensor): tf.Tensor[] {
  const [, kw, cin, cout] = w.shape;
  const [rows, cols] = phasesOf(node);
  const source = w.dataSync();
  /** Writes phase (ph, pw)'s taps into `out` laid out [th, tw, out, channels], its `in` channels from `offset`. */
  const fill = (out: Float32Array, ph: Phase, pw: Phase, frame: [Phase, Phase], channels: number, offset: number) => {
    const tw = taps(frame[1]);
    for (let t = ph.tMin; t <= ph.tMax; t++) {
      for (let u = pw.tMin; u <= pw.tMax; u++) {
        const from = (ph.tap(ph.tMax - t) * kw + pw.tap(pw.tMax - u)) * cin * cout;
        const to = ((frame[0].tMax - t) * tw + (frame[1].tMax - u)) * cout * channels + offset;
        for (let c = 0; c < cin; c++) for (let o = 0; o < cout; o++) out[to + o * channels + c] = source[from + c * cout + o];
      }
    }
  };
  if (joint(node)) {
    const frame: [Phase, Phase] = [union(rows), union(cols)];
    const channels = rows.length * cols.length * cin;
    const out = new Float32Array(taps(frame[0]) * taps(frame[1]) * cout * channels);
    rows.forEach((ph, rh) => cols.forEach((pw, rw) => fill(out, ph, pw, frame, channels, (rh * cols.length + rw) * cin)));
    return [tf.tensor4d(out, [taps(frame[0]), taps(frame[1]), cout, channels])];
  }
  const kernels: tf.Tensor[] = [];
  for (const ph of rows) {
    for (const pw of cols) {
      if (taps(ph) < 1 || taps(pw) < 1) continue;
      const out = new Float32Array(taps(ph) * taps(pw) * cout * cin);
      fill(out, ph, pw, [ph, pw], cin, 0);
      kernels.push(tf.tensor4d(out, [taps(ph), taps(pw), cout, cin]));
    }
  }
  return kernels;
}

/** The VJP of `node` for the signal `s` ([n, oh, ow, out]) with its `polyphaseKernels`; inputShape [n, h, w, in]. */
export function polyphaseVjp(node: Conv2dNode, kernels: tf.Tensor[], s: tf.Tensor, inputShape: number[]): tf.Tensor {
  const [rows, cols] = phasesOf(node);
  const [sh, sw] = node.strides;
  const [n, h, w, cin] = inputShape;
  const [, oh, ow] = s.shape;
  const qh = Math.ceil(h / sh);
  const qw = Math.ceil(w / sw);
  /** The correlation for the offsets of (ph, pw): coarse output q reads dy[q + j − tMax], so pad tMax before
   *  and what the last q needs after (crop where that is negative). */
  const correlate = (ph: Phase, pw: Phase, kernel: tf.Tensor) => {
    const pads: Pads = [ph.tMax, pw.tMax, qh - ph.tMin - oh, qw - pw.tMin - ow];
    const positive = pads.map((p) => Math.max(p, 0)) as Pads;
    return tf.conv2d(cropNegative(s, pads) as tf.Tensor4D, kernel as tf.Tensor4D, 1, isZeroPads(positive) ? 'valid' : tfPads(positive));
  };
  // Phase (rh, rw) of coarse pixel (q, p) is input pixel (q·sh + rh, p·sw + rw).
  if (joint(node)) {
    // Channels (rh, rw, c) to space by a transpose (the wasm DepthToSpace kernel moves ~40 M floats/s).
    const phases = correlate(union(rows), union(cols), kernels[0]);
    const interleaved = tf.reshape(tf.transpose(tf.reshape(phases, [n * qh, qw, sh, sw * cin]), [0, 2, 1, 3]), [n, qh * sh, qw * sw, cin]);
    return qh * sh === h && qw * sw === w ? interleaved : tf.slice(interleaved, [0, 0, 0, 0], [n, h, w, cin]);
  }
  const outputs: Array<tf.Tensor | null> = [];
  let next = 0;
  for (const ph of rows) for (const pw of cols) outputs.push(taps(ph) < 1 || taps(pw) < 1 ? null : correlate(ph, pw, kernels[next++]));
  // Interleaved in one pass in JS: a Concat along channels copies per pixel in JS too (~1 ms for 130 k
  // floats), and a 5-D Transpose takes wasm's slow generic path (~8 ms).
  return filledTensor([n, h, w, cin], (dx) => {
    outputs.forEach((phase, k) => {
      if (!phase) return;
      const rh = Math.floor(k / sw);
      const rw = k % sw;
      const values = valuesOf(phase);
      for (let b = 0; b < n; b++) {
        for (let q = 0, y = rh; q < qh && y < h; q++, y += sh) {
          for (let p = 0, x = rw; p < qw && x < w; p++, x += sw) {
            const from = ((b * qh + q) * qw + p) * cin;
            const to = ((b * h + y) * w + x) * cin;
            for (let c = 0; c < cin; c++) dx[to + c] = values[from + c];
          }
        }
      }
    });
  });
}
