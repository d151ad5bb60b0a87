// z^B's box at each first Dense/Conv node (METHODS.md, "Inputs with normalisation"): the request's bounds
// per channel of the network input, mapped through every node between the input and the first Dense/Conv
// layers (affine input maps, zero padding, pooling, reshapes, ReLU, sums and concatenations). Each of those
// but the few activations that state their own box (SiLU, GELU, hard swish, PReLU with a negative slope) is
// monotone in every input element, so running it on the lows and on the highs and taking the elementwise
// minimum and maximum is a box of its output (interval arithmetic; an affine map with a negative scale swaps
// the two). Zero padding pads l and h with zeros, as METHODS.md asks. Made once per network and bounds.
import * as tf from '@tensorflow/tfjs';
import { graphFacts } from '../graph/analysis';
import { isLinear, type Network } from '../graph/nodes';
import { layerOf } from '../layers';
import { isLinearKind } from '../layers/layerKind';
import { forwardNode } from '../network/forward';
import { networkDerived } from '../network/prepared';
import type { InputBounds } from '../types';

/** The box of one node's input: `low` and `high` are one row, [1, ...input shape]. */
export interface InputBox {
  low: tf.Tensor;
  high: tf.Tensor;
  /** Says which bounds the box comes from (for caches of terms built on it). */
  key: string;
}

/**
 * For every first Dense/Conv node, the box of its input. `bounds` are per channel of the image (`channels`
 * of them; a network taking the image flat reads it in h, w, c order).
 */
export function firstLayerBoxes(network: Network, bounds: InputBounds, channels: number): Map<number, InputBox> {
  const [lows, highs] = bounds.map((end) => perChannel(end, channels));
  const key = `${lows.join(',')}|${highs.join(',')}`;
  const { beforeFirstLinear, firstLinear } = graphFacts(network);
  const size = network.inputShape.reduce((a, b) => a * b, 1);
  const boxes = new Map<number, InputBox>();
  // Box tensors are cached with the network, so each node's box is looked up (or made) on its own.
  const boxOf = (i: number): { low: tf.Tensor; high: tf.Tensor } => {
    const low = networkDerived(network, `box:${key}:${i}:low`, () => makeBox(i).low);
    const high = networkDerived(network, `box:${key}:${i}:high`, () => makeBox(i).high);
    return { low, high };
  };
  const makeBox = (i: number): { low: tf.Tensor; high: tf.Tensor } => {
    if (i === 0) {
      const fill = (values: number[]) => tf.tensor(Float32Array.from({ length: size }, (_, k) => values[k % channels]), [1, ...network.inputShape]);
      return { low: fill(lows), high: fill(highs) };
    }
    const node = network.nodes[i];
    const inputs = node.inputs.map(boxOf);
    const kind = layerOf(node.kind);
    if (!isLinearKind(kind) && kind.box) return kind.box(node as never, inputs);
    const a = forwardNode(node, inputs.map((b) => b.low));
    const b = forwardNode(node, inputs.map((b) => b.high));
    return { low: tf.minimum(a, b), high: tf.maximum(a, b) };
  };
  network.nodes.forEach((node, i) => {
    if (!firstLinear[i] || !isLinear(node)) return;
    const source = node.inputs[0];
    if (!beforeFirstLinear[source]) return;
    boxes.set(i, { ...boxOf(source), key });
  });
  return boxes;
}

function perChannel(end: number | number[], channels: number): number[] {
  return typeof end === 'number' ? new Array(channels).fill(end) : end.length === 1 ? new Array(channels).fill(end[0]) : end;
}
