// Picks `indices` (distinct, in any order) along one batch-free axis: ONNX Slice, Split and Gather of constant
// indices on activations (ShuffleNet's channel split), and channel permutations (its channel shuffle). A
// signal goes back to the picked positions, zeros elsewhere, in every method: LRP routes each output's
// relevance to the element it copies (it conserves what the pick keeps).
import * as tf from '@tensorflow/tfjs';
import type { GatherNode } from '../graph/nodes';
import type { FixedKind } from './layerKind';

export const gather: FixedKind<'gather'> = {
  kind: 'gather',
  create(spec, c) {
    const [input] = c.inputShapes;
    const axis = spec.axis < 0 ? spec.axis + input.length : spec.axis;
    if (!Number.isInteger(axis) || axis < 0 || axis >= input.length) c.fail(`has axis ${spec.axis}; its input has ${input.length} axes (batch not counted)`);
    const n = input[axis];
    const indices = spec.indices;
    if (!Array.isArray(indices) || indices.length === 0 || !indices.every((i) => Number.isInteger(i) && i >= 0 && i < n)) {
      c.fail(`picks ${JSON.stringify(indices)} along an axis of ${n}; indices 0…${n - 1} are needed`);
    }
    if (new Set(indices).size !== indices.length) c.fail(`picks some index of ${JSON.stringify(indices)} twice; each at most once is supported`);
    const shape = [...input];
    shape[axis] = indices.length;
    return { kind: 'gather', axis, indices: [...indices], shape };
  },
  forward(node, [x]) {
    const run = contiguous(node);
    if (run !== null) return tf.slice(x, begin(x.rank, node.axis, run), size(x.shape, node.axis, node.indices.length));
    return tf.tidy(() => tf.gather(x, tf.tensor1d(node.indices, 'int32'), node.axis + 1));
  },
  describe(node) {
    const run = contiguous(node);
    const list = node.indices.length > 6 ? `${node.indices.slice(0, 6).join(', ')}, …` : node.indices.join(', ');
    return run !== null ? `slice ${run}…${run + node.indices.length - 1} of axis ${node.axis}` : `pick [${list}] along axis ${node.axis}`;
  },
  vjp: (c, g) => [scatterBack(c.node, g, c.inputShape(0, g.shape[0]))],
  relevance: (c, r) => [scatterBack(c.node, r, c.inputShape(0, r.shape[0]))],
  lrpTreatment: () => 'each picked element gets its relevance back',
  gradientTreatment: () => 'each picked element gets its gradient back',
};

/** The start of the indices when they are start, start + 1, …; else null. */
function contiguous(node: GatherNode): number | null {
  const first = node.indices[0];
  return node.indices.every((v, k) => v === first + k) ? first : null;
}

function begin(rank: number, axis: number, start: number): number[] {
  const b = new Array<number>(rank).fill(0);
  b[axis + 1] = start;
  return b;
}

function size(shape: number[], axis: number, count: number): number[] {
  const s = shape.map(() => -1);
  s[axis + 1] = count;
  return s;
}

/** A signal of the output's shape put back at the picked positions of `inputShape` ([rows, ...]), zeros elsewhere. */
function scatterBack(node: GatherNode, s: tf.Tensor, inputShape: number[]): tf.Tensor {
  const a = node.axis + 1;
  const n = inputShape[a];
  const run = contiguous(node);
  if (run !== null) {
    const pads = inputShape.map((): [number, number] => [0, 0]);
    pads[a] = [run, n - run - node.indices.length];
    return tf.pad(s, pads);
  }
  // Input position i reads output position k where indices[k] = i, or the zero slice appended at the end.
  const from = new Array<number>(n).fill(node.indices.length);
  node.indices.forEach((i, k) => (from[i] = k));
  const zeroShape = [...s.shape];
  zeroShape[a] = 1;
  return tf.gather(tf.concat([s, tf.zeros(zeroShape)], a), tf.tensor1d(from, 'int32'), a);
}
