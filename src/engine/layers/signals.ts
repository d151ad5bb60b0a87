// Helpers for backward signals (gradients, relevances). A signal holds `blocks` stacked copies of the
// call's N rows, method-major ([block 0: rows 0..N-1][block 1: ...]), so that several methods share one
// backward walk; activations hold the N rows once (or one row, a constant for every image). Elementwise ops
// between the two broadcast by viewing the stack as [blocks, N·size] and the per-image tensor as [1, N·size]:
// two reshapes (free) and one op, where tf.tile would copy (and is slow on wasm).
import * as tf from '@tensorflow/tfjs';

/** The stabiliser ε₀ every LRP denominator gets, with the denominator's sign (sign(0) = +1). */
export const EPSILON_0 = 1e-9;

/** `op(stack, perImage)` for every block. */
export function perImage(op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, stack: tf.Tensor, image: tf.Tensor, blocks: number): tf.Tensor {
  if (blocks === 1 || image.shape[0] === 1) return op(stack, image);
  return tf.reshape(op(tf.reshape(stack, [blocks, -1]), tf.reshape(image, [1, -1])), stack.shape);
}

/**
 * d + (ε + ε₀)·sign(d) with sign(0) = +1: the ε-rule's denominator and the universal stabiliser in one.
 * sign(d) is −step(−d) with step's value −1 at and below 0 (four cheap ops; a boolean comparison and a
 * cast cost several times more on wasm).
 */
export function stabilise(d: tf.Tensor, epsilon = 0): tf.Tensor {
  const e = epsilon + EPSILON_0;
  return tf.sub(d, tf.mul(tf.step(tf.neg(d), -1), e));
}

/** Multiplies block k of `stack` by `factors[k]`. */
export function scaleBlocks(stack: tf.Tensor, factors: number[]): tf.Tensor {
  if (factors.every((f) => f === factors[0])) return factors[0] === 1 ? stack : tf.mul(stack, factors[0]);
  const column = tf.tensor2d(factors, [factors.length, 1]);
  return tf.reshape(tf.mul(tf.reshape(stack, [factors.length, -1]), column), stack.shape);
}

/** Blocks `indices` of a stack of `blocks` blocks, in that order, as one stack. */
export function takeBlocks(stack: tf.Tensor, indices: number[], blocks: number): tf.Tensor {
  const rows = stack.shape[0] / blocks;
  const runs: Array<[number, number]> = [];
  for (const b of indices) {
    const last = runs[runs.length - 1];
    if (last && last[1] === b) last[1] = b + 1;
    else runs.push([b, b + 1]);
  }
  if (runs.length === 1 && runs[0][0] === 0 && runs[0][1] === blocks) return stack;
  const parts = runs.map(([start, end]) => tf.slice(stack, start * rows, (end - start) * rows));
  return parts.length === 1 ? parts[0] : tf.concat(parts, 0);
}

/** The inverse of taking groups of blocks: `parts[g]` holds the blocks `groups[g]`; returns them in block order. */
export function joinBlocks(parts: tf.Tensor[], groups: number[][], blocks: number): tf.Tensor {
  if (parts.length === 1) return parts[0];
  const order = groups.flat();
  const stacked = tf.concat(parts, 0);
  if (order.every((b, k) => b === k)) return stacked;
  const position = new Array<number>(blocks);
  order.forEach((b, k) => (position[b] = k));
  return takeBlocks(stacked, position, blocks);
}

/** A stack of `blocks` blocks holding `part`'s blocks at `indices` (in order) and zeros elsewhere. */
export function placeBlocks(part: tf.Tensor, indices: number[], blocks: number): tf.Tensor {
  if (indices.length === blocks) return part;
  const rows = part.shape[0] / indices.length;
  const pieces: tf.Tensor[] = [];
  let next = 0;
  let zeros = 0;
  const flushZeros = () => {
    if (zeros) pieces.push(tf.zeros([zeros * rows, ...part.shape.slice(1)]));
    zeros = 0;
  };
  for (let b = 0; b < blocks; b++) {
    if (indices[next] === b) {
      flushZeros();
      pieces.push(indices.length === 1 ? part : tf.slice(part, next * rows, rows));
      next++;
    } else zeros++;
  }
  flushZeros();
  return pieces.length === 1 ? pieces[0] : tf.concat(pieces, 0);
}

/**
 * `op(stack, perImage)` for every block when the two differ in shape (one broadcast against the other, as
 * a product's factors): the stack viewed as [blocks, N, ...] and the per-image tensor as [1, N, ...].
 */
export function perImageBroadcast(op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, stack: tf.Tensor, image: tf.Tensor, blocks: number): tf.Tensor {
  if (blocks === 1 || image.shape[0] === 1) return op(stack, image);
  const rows = image.shape[0];
  const out = op(tf.reshape(stack, [blocks, rows, ...stack.shape.slice(1)]), tf.expandDims(image, 0));
  return tf.reshape(out, [blocks * rows, ...out.shape.slice(2)]);
}

/** `t` ([rows, ...]) summed over the batch-free axes along which `shape` ([rows, ...], same rank) is 1. */
export function sumToShape(t: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = shape.flatMap((d, a) => (a > 0 && d === 1 && t.shape[a] !== 1 ? [a] : []));
  return axes.length ? tf.sum(t, axes, true) : t;
}
