// Product of two activations y = a ⊙ b with broadcasting: every batch-free axis equal, or 1 in one factor
// (squeeze-excite: a map [H, W, C] times its channel scale [1, 1, C]). METHODS.md, "Gates, normalisation
// layers and attention":
// - the gradient family differentiates exactly: g ⊙ b back to a, g ⊙ a back to b, each summed over the axes
//   its factor was broadcast along;
// - LRP shares R between the factors (`productShares`): when one factor is a gate (decided at load,
//   graph/gates.ts: a sigmoid, hard sigmoid or softmax whose input does not depend elementwise on the other
//   factor) it gets nothing and the other factor all (Pahde et al. 2023's SignalOnlyGate, CP-LRP's constant
//   gate); otherwise each gets half (AttnLRP's uniform rule). Shares sum to 1: the product conserves.
import * as tf from '@tensorflow/tfjs';
import type { ProductNode } from '../graph/nodes';
import type { FixedKind, NodeTrace } from './layerKind';
import { perImageBroadcast, scaleBlocks, sumToShape } from './signals';

/**
 * The share of R each factor gets at a product. The one place that decides it: a method that wants another
 * treatment (issue 22: CP-LRP holding attention constant per stacked method block) chooses here, per block.
 */
export function productShares(node: ProductNode): [number, number] {
  if (node.gate === 1) return [1, 0];
  if (node.gate === 0) return [0, 1];
  return [0.5, 0.5];
}

export const product: FixedKind<'product'> = {
  kind: 'product',
  create(_spec, c) {
    const shapes = c.inputShapes;
    if (shapes.length !== 2) c.fail(`has ${shapes.length} input(s); a product takes two`);
    const [a, b] = shapes;
    const fits = a.length === b.length && a.every((d, i) => d === b[i] || d === 1 || b[i] === 1);
    if (!fits) c.fail(`multiplies inputs of shapes [${a}] and [${b}]; each axis must agree or be 1 in one of them`);
    return { kind: 'product', gate: null, shape: a.map((d, i) => Math.max(d, b[i])) };
  },
  forward: (_node, [a, b]) => tf.mul(a, b),
  describe: (node) => (node.gate === null ? 'product of two activations' : `product gated by input ${node.gate + 1} (squeeze-excite)`),
  vjp: (c, g) => [0, 1].map((k) => sumToShape(perImageBroadcast(tf.mul, g, c.input(1 - k), c.blocks), c.inputShape(k, g.shape[0]))),
  relevance(c, r) {
    const shares = productShares(c.node);
    return shares.map((share, k) => (share === 0 ? null : sumToShape(sharePerBlock(c, r, share), c.inputShape(k, r.shape[0]))));
  },
  lrpTreatment: (node) =>
    node.gate === null ? 'halves to each factor (AttnLRP uniform rule)' : `all to input ${2 - node.gate}, none to the gate (SignalOnlyGate)`,
  gradientTreatment: () => 'exact: g ⊙ the other factor',
  // The box of a product of two boxes: the extremes of the four corner products.
  box(_node, [a, b]) {
    return tf.tidy(() => {
      const corners = [tf.mul(a.low, b.low), tf.mul(a.low, b.high), tf.mul(a.high, b.low), tf.mul(a.high, b.high)];
      return { low: corners.reduce((m, t) => tf.minimum(m, t)), high: corners.reduce((m, t) => tf.maximum(m, t)) };
    });
  },
};

/** share · R, the same share in every block (a per-block choice would give `scaleBlocks` one per block). */
function sharePerBlock(c: NodeTrace<ProductNode>, r: tf.Tensor, share: number): tf.Tensor {
  return share === 1 ? r : scaleBlocks(r, new Array<number>(c.blocks).fill(share));
}
