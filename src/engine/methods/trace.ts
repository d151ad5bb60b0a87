// One explain call's forward pass and what its backward passes derive from it once and share: ReLU masks,
// max-pool winners, the sign of layer inputs. Backward passes of several methods run as one batch of
// "stacked" rows: `blocks` copies of the call's N rows, method-major ([block 0: rows 0..N-1][block 1: ...]).
import * as tf from '@tensorflow/tfjs';
import { forwardActivations } from '../network/forward';
import type { NetLayer, Network } from '../types';
import { maxPoolWinners, valuesOf, type PoolLayer } from './layerOps';

export class Trace {
  /** Rows of the forward pass (images, or (image, target) pairs). */
  readonly rows: number;
  private readonly masks = new Map<number, tf.Tensor>();
  private readonly winners = new Map<number, Int32Array>();
  private readonly signs = new Map<number, boolean>();
  private readonly owned: tf.Tensor[] = [];

  /**
   * `inputs[i]` is the input of layer i (null for a ReLU fused into the layer before it), `logits` the
   * output. The trace owns them (except `inputs[0]` when `ownsInput` is false) and frees them in `dispose`.
   */
  constructor(
    readonly network: Network,
    readonly inputs: Array<tf.Tensor | null>,
    readonly logits: tf.Tensor,
    ownsInput: boolean,
  ) {
    this.rows = logits.shape[0];
    for (const t of inputs.slice(ownsInput ? 0 : 1)) if (t) this.owned.push(t);
    this.owned.push(logits);
  }

  /** The shared forward pass of `x` (not owned by the trace). */
  static of(network: Network, x: tf.Tensor): Trace {
    const { inputs, logits } = forwardActivations(network, x);
    return new Trace(network, inputs, logits, false);
  }

  get layers(): NetLayer[] {
    return this.network.layers;
  }

  /** The input of layer i; every layer but a fused ReLU has one. */
  input(i: number): tf.Tensor {
    const t = this.inputs[i];
    if (!t) throw new Error(`layer ${i} (${this.layers[i].kind}) has no materialised input`);
    return t;
  }

  /** The output of layer i, or null for a Dense/Conv2D whose ReLU was fused into it. */
  output(i: number): tf.Tensor | null {
    return i + 1 < this.layers.length ? this.inputs[i + 1] : this.logits;
  }

  /** [z > 0] of ReLU layer i as 0/1 floats, from its output (relu(z) > 0 exactly where z > 0). */
  reluMask(i: number): tf.Tensor {
    let mask = this.masks.get(i);
    if (!mask) {
      mask = this.keep(tf.tidy(() => tf.step(this.output(i)!)));
      this.masks.set(i, mask);
    }
    return mask;
  }

  /** For max-pool layer i, the flat input index each output element takes its value from (-1: none). */
  poolWinners(i: number): Int32Array {
    let found = this.winners.get(i);
    if (!found) {
      found = maxPoolWinners(this.layers[i] as PoolLayer, this.input(i), this.output(i)!.shape);
      this.winners.set(i, found);
    }
    return found;
  }

  /** Whether every value entering layer i is ≥ 0 (known from the layers before it, else looked at once). */
  nonNegativeInput(i: number): boolean {
    let known = this.signs.get(i);
    if (known === undefined) {
      known = afterRelu(this.layers, i) || minOf(this.input(i)) >= 0;
      this.signs.set(i, known);
    }
    return known;
  }

  /** Keeps a tensor made inside some tidy until the trace is disposed. */
  keep<T extends tf.Tensor>(t: T): T {
    this.owned.push(tf.keep(t));
    return t;
  }

  dispose(): void {
    for (const t of this.owned.splice(0)) t.dispose();
  }
}

/** Layer i's input comes out of a ReLU, through layers that keep the sign (pooling, reshape, a rescale
 *  with non-negative scale and offset). */
function afterRelu(layers: NetLayer[], index: number): boolean {
  for (let i = index - 1; i >= 0; i--) {
    const layer = layers[i];
    switch (layer.kind) {
      case 'relu':
        return true;
      case 'maxPool':
      case 'avgPool':
      case 'globalAvgPool':
      case 'reshape':
        continue;
      case 'rescale':
        if (layer.scale >= 0 && layer.offset >= 0) continue;
        return false;
      default:
        return false;
    }
  }
  return false;
}

function minOf(t: tf.Tensor): number {
  const values = valuesOf(t);
  let min = Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] < min) min = values[i];
  return min;
}

// ---- stacked rows ------------------------------------------------------------------------------------
// A stack holds `blocks` × N rows; a per-image tensor holds N rows (or one row, a constant for every image).
// Elementwise ops between them broadcast by viewing the stack as [blocks, N·size] and the per-image tensor
// as [1, N·size]: two reshapes (free) and one op, where tf.tile would copy (and is slow on wasm).

/** `op(stack, perImage)` for every block. */
export function perImage(op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, stack: tf.Tensor, image: tf.Tensor, blocks: number): tf.Tensor {
  if (blocks === 1 || image.shape[0] === 1) return op(stack, image);
  return tf.reshape(op(tf.reshape(stack, [blocks, -1]), tf.reshape(image, [1, -1])), stack.shape);
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
