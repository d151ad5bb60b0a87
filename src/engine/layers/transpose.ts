// Transpose of the batch-free axes (output axis k is input axis perm[k]), e.g. [2, 0, 1] for an NHWC map
// read in PyTorch's C, H, W order. Signals go back through the inverse permutation.
import * as tf from '@tensorflow/tfjs';
import type { FixedKind } from './layerKind';

export const transpose: FixedKind<'transpose'> = {
  kind: 'transpose',
  create(spec, c) {
    const [input] = c.inputShapes;
    const perm = spec.perm;
    const isPermutation =
      Array.isArray(perm) && perm.length === input.length && [...perm].sort((a, b) => a - b).every((p, k) => p === k);
    if (!isPermutation) c.fail(`has perm ${JSON.stringify(perm)}; a permutation of 0…${input.length - 1} (batch-free axes) is needed`);
    return { kind: 'transpose', perm: [...perm], shape: perm.map((p) => input[p]) };
  },
  forward: (node, [x]) => tf.transpose(x, withBatch(node.perm)),
  describe: (node) => `transpose (${node.perm.join(', ')})`,
  vjp: (c, g) => [tf.transpose(g, withBatch(inverse(c.node.perm)))],
  relevance: (c, r) => [tf.transpose(r, withBatch(inverse(c.node.perm)))],
  lrpTreatment: () => 'permuted back',
  gradientTreatment: () => 'permuted back',
};

function withBatch(perm: number[]): number[] {
  return [0, ...perm.map((p) => p + 1)];
}

function inverse(perm: number[]): number[] {
  const out = new Array<number>(perm.length);
  perm.forEach((p, k) => (out[p] = k));
  return out;
}
