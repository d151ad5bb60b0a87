// Attribution methods that run the network on modified copies of the input (Zennit's `attribution.py`):
// integrated gradients, SmoothGrad and occlusion. Each processes its copies in chunks so that a large
// batch × steps never holds more activations than `chunkEvaluations` rows at once.
import * as tf from '@tensorflow/tfjs';
import { logitsOf } from '../network/forward';
import type { Network } from '../types';
import type { ImageShape } from '../../protocol/model';
import { gradientStack, type ReluMode } from './gradientPass';
import { normalStream } from '../seededRandom';
import type { AttributorId } from './methodTable';
import { Trace } from './trace';

/** The rows to explain, as the attributors need them. */
export interface AttributionBatch {
  network: Network;
  imageShape: ImageShape;
  /** Network inputs, [rows, ...network.inputShape]. */
  x: tf.Tensor;
  /** The logits of x, [rows, classes]. */
  logits: tf.Tensor;
  /** One-hot of each row's target class, [rows, classes]. */
  targets: tf.Tensor;
  /** How many network evaluations one chunk may batch together. */
  chunkEvaluations: number;
  /** Told after each chunk: network evaluations done of the total (rows × steps or samples). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Rows per chunk and path points (IG steps, SmoothGrad samples) per chunk within those rows: whole rows
 * while they fit in `chunkEvaluations`, else one row at a time in slices of its points, so that a single
 * image with many samples still reports progress between chunks.
 */
function chunkShape(batch: AttributionBatch, points: number): { rowChunk: number; pointChunk: number } {
  const rowChunk = Math.max(1, Math.floor(batch.chunkEvaluations / points));
  return { rowChunk, pointChunk: Math.min(points, Math.max(1, batch.chunkEvaluations)) };
}

/**
 * Σ_k of `gradientsOf(start, n, k0, k)` ([n, size], the sum over points k0..k0+k−1) over the point slices
 * of rows start..start+n−1, with progress after each slice. One slice is returned as it is.
 */
function sumOverPoints(
  batch: AttributionBatch,
  points: number,
  pointChunk: number,
  start: number,
  n: number,
  gradientSum: (k0: number, k: number) => tf.Tensor,
): tf.Tensor {
  const rows = batch.x.shape[0];
  let total: tf.Tensor | undefined;
  for (let k0 = 0; k0 < points; k0 += pointChunk) {
    const k = Math.min(pointChunk, points - k0);
    const part = tf.tidy(() => gradientSum(k0, k));
    if (total) {
      const next = tf.add(total, part);
      total.dispose();
      part.dispose();
      total = next;
    } else {
      total = part;
    }
    batch.onProgress?.(start * points + n * (k0 + k), rows * points);
  }
  return total!;
}

/** [rows, ...inputShape] (any layout of h·w·c values per row) summed over channels: [rows, h, w]. */
export function channelSum(t: tf.Tensor, [h, w, c]: ImageShape): tf.Tensor {
  const rows = t.shape[0];
  return c === 1 ? tf.reshape(t, [rows, h, w]) : tf.sum(tf.reshape(t, [rows, h, w, c]), 3);
}

/** ∇ₓ f_c at every row of x: one forward and one backward pass. `seed` is the one-hot of the targets. */
export function gradientAt(network: Network, x: tf.Tensor, seed: tf.Tensor, mode: ReluMode): tf.Tensor {
  return tf.tidy(() => {
    const trace = Trace.of(network, x);
    try {
      return gradientStack(trace, seed, [mode]);
    } finally {
      trace.dispose();
    }
  });
}

/**
 * Integrated gradients (Sundararajan et al. 2017) from the baseline x̄ = 0 with the midpoint rule:
 * R = x ⊙ (1/m) Σ_k ∇f_c((k − ½)/m · x). Returns the map and f_c(x̄) per row, for the completeness error.
 */
export function integratedGradients(batch: AttributionBatch, steps: number): { map: tf.Tensor; baselineLogit: tf.Tensor } {
  const { network, x, targets } = batch;
  const rows = x.shape[0];
  const size = x.size / rows;
  const classes = targets.shape[1]!;
  const alphas = Array.from({ length: steps }, (_, k) => (k + 0.5) / steps);
  const { rowChunk, pointChunk } = chunkShape(batch, steps);
  const attribution = inChunks(rows, rowChunk, (start, n) => {
    const xRows = tf.reshape(tf.slice(x, start, n), [n, 1, size]);
    const gradientSum = sumOverPoints(batch, steps, pointChunk, start, n, (k0, k) => {
      const path = tf.mul(xRows, tf.tensor3d(alphas.slice(k0, k0 + k), [1, k, 1]));
      const seed = tf.tile(tf.reshape(tf.slice(targets, start, n), [n, 1, classes]), [1, k, 1]);
      const gradients = gradientAt(network, tf.reshape(path, [n * k, ...network.inputShape]), tf.reshape(seed, [n * k, classes]), 'gradient');
      return tf.sum(tf.reshape(gradients, [n, k, size]), 1);
    });
    return tf.mul(tf.div(gradientSum, steps), tf.reshape(xRows, [n, size]));
  });
  const baseline = logitsOf(network, tf.zeros([1, ...network.inputShape]));
  return {
    map: channelSum(attribution, batch.imageShape),
    baselineLogit: tf.sum(tf.mul(targets, baseline), 1),
  };
}

/**
 * The standard-normal noise SmoothGrad adds (before scaling by σ): [samples, size], fixed by `seed`.
 * Every row gets the same noise pattern, so an image's map does not depend on its place in the batch.
 * Generated here rather than by tf.randomNormal, which ignores a seed of 0 and so is not reproducible.
 */
export function smoothGradNoise(samples: number, size: number, seed: number): tf.Tensor2D {
  const normal = normalStream(seed);
  return tf.tensor2d(Float32Array.from({ length: samples * size }, normal), [samples, size]);
}

/**
 * SmoothGrad (Smilkov et al. 2017): the gradient averaged over x + σ·noise_k, k = 1..samples, summed over
 * channels. σ = sigma × (h_c − l_c) per channel c with the request's bounds (per channel: `bounds` are the
 * checked [lows, highs]), or sigma × (max x − min x) per image without.
 */
export function smoothGrad(
  batch: AttributionBatch,
  samples: number,
  sigma: number,
  seed: number,
  bounds: [number[], number[]] | null,
): tf.Tensor {
  const { network, x, targets } = batch;
  const rows = x.shape[0];
  const size = x.size / rows;
  const classes = targets.shape[1]!;
  const channels = batch.imageShape[2];
  const flat = tf.reshape(x, [rows, size]);
  // σ per row ([rows, 1, 1]) from the image's range, or per element ([1, 1, size]) from the channel's box.
  const sigmas = bounds
    ? tf.tensor3d(Float32Array.from({ length: size }, (_, i) => sigma * (bounds[1][i % channels] - bounds[0][i % channels])), [1, 1, size])
    : tf.reshape(tf.mul(tf.sub(tf.max(flat, 1), tf.min(flat, 1)), sigma), [rows, 1, 1]);
  const unitNoise = tf.reshape(smoothGradNoise(samples, size, seed), [1, samples, size]);
  const { rowChunk, pointChunk } = chunkShape(batch, samples);
  const mean = inChunks(rows, rowChunk, (start, n) => {
    const xRows = tf.reshape(tf.slice(flat, start, n), [n, 1, size]);
    const scale = bounds ? sigmas : tf.slice(sigmas, start, n);
    const gradientSum = sumOverPoints(batch, samples, pointChunk, start, n, (k0, k) => {
      const noisy = tf.add(xRows, tf.mul(scale, tf.slice(unitNoise, [0, k0, 0], [1, k, size])));
      const seedRows = tf.tile(tf.reshape(tf.slice(targets, start, n), [n, 1, classes]), [1, k, 1]);
      const gradients = gradientAt(network, tf.reshape(noisy, [n * k, ...network.inputShape]), tf.reshape(seedRows, [n * k, classes]), 'gradient');
      return tf.sum(tf.reshape(gradients, [n, k, size]), 1);
    });
    return tf.div(gradientSum, samples);
  });
  return channelSum(mean, batch.imageShape);
}

/** Top-left corners of the occlusion patches: every `stride` pixels while the patch fits in the image. */
export function occlusionPatches(h: number, w: number, patch: number, stride: number): {
  corners: Array<[number, number]>;
  height: number;
  width: number;
} {
  const height = Math.min(patch, h);
  const width = Math.min(patch, w);
  const corners: Array<[number, number]> = [];
  for (let top = 0; top + height <= h; top += stride) {
    for (let left = 0; left + width <= w; left += stride) corners.push([top, left]);
  }
  return { corners, height, width };
}

/**
 * Occlusion (Zeiler & Fergus 2014): for each patch, d = f_c(x) − f_c(x with the patch set to 0, all channels);
 * each pixel gets the mean d of the patches covering it, 0 if no patch covers it.
 */
export function occlusion(batch: AttributionBatch, patch: number, stride: number): tf.Tensor {
  const { network, x, logits, targets } = batch;
  const [h, w, c] = batch.imageShape;
  const rows = x.shape[0];
  const { corners, height, width } = occlusionPatches(h, w, patch, stride);
  const count = corners.length;
  const cover = new Float32Array(count * h * w);
  corners.forEach(([top, left], p) => {
    for (let i = top; i < top + height; i++) cover.fill(1, p * h * w + i * w + left, p * h * w + i * w + left + width);
  });
  const coverage = tf.tensor2d(cover, [count, h * w]);
  const keep = tf.reshape(tf.sub(1, coverage), [1, count, h, w, 1]);
  const timesCovered = tf.sum(coverage, 0);
  const perCover = tf.where(tf.greater(timesCovered, 0), tf.reciprocal(tf.maximum(timesCovered, 1)), tf.zerosLike(timesCovered));
  const classes = targets.shape[1]!;
  const targetLogit = tf.sum(tf.mul(logits, targets), 1, true);
  const occludedLogit = inChunks(rows, Math.max(1, Math.floor(batch.chunkEvaluations / count)), (start, n) => {
    const images = tf.reshape(tf.slice(x, start, n), [n, 1, h, w, c]);
    const occluded = tf.reshape(tf.mul(images, keep), [n * count, ...network.inputShape]);
    const out = tf.reshape(logitsOf(network, occluded), [n, count, classes]);
    return tf.sum(tf.mul(out, tf.reshape(tf.slice(targets, start, n), [n, 1, classes])), 2);
  });
  const drop = tf.sub(targetLogit, occludedLogit);
  return tf.reshape(tf.mul(tf.matMul(drop, coverage), perCover), [rows, h, w]);
}

/** Runs `part(start, n)` over row ranges of at most `chunk` rows, each in its own tidy, and concatenates. */
function inChunks(rows: number, chunk: number, part: (start: number, n: number) => tf.Tensor): tf.Tensor {
  const parts: tf.Tensor[] = [];
  for (let start = 0; start < rows; start += chunk) {
    const n = Math.min(chunk, rows - start);
    parts.push(tf.tidy(() => part(start, n)));
  }
  return parts.length === 1 ? parts[0] : tf.concat(parts, 0);
}

/**
 * Each attributor method of the table (methodTable.ts) with its function: the map [rows, h, w] and, for
 * integrated gradients, f_c of the baseline per row. `bounds` are the request's checked per-channel bounds.
 */
export const ATTRIBUTORS: Record<AttributorId, (batch: AttributionBatch, params: Record<string, number>, bounds: [number[], number[]] | null) => [tf.Tensor, tf.Tensor?]> = {
  'integrated-gradients': (batch, p) => {
    const { map, baselineLogit } = integratedGradients(batch, p.steps);
    return [map, baselineLogit];
  },
  smoothgrad: (batch, p, bounds) => [smoothGrad(batch, p.samples, p.sigma, p.seed, bounds)],
  occlusion: (batch, p) => [occlusion(batch, p.patch, p.stride)],
};
