// Softmax inside the network, s = softmax(z) over one axis (attention weights). A softmax at the output never
// becomes a node: canonisation drops it (graph/canonise.ts), explanations start from the logits.
// Gradient family: the exact Jacobian, g_z = s ⊙ (g − Σ_axis s ⊙ g).
// LRP (METHODS.md, "Gates, normalisation layers and attention"):
// - AttnLRP (Achtibat et al. 2024, Prop. 3.1): the first-order Taylor decomposition of s at z with its bias
//   term left out, R_z = z ⊙ (R_s − s ⊙ Σ_axis R_s). It does not conserve: the bias term
//   Σ_j (1 − z_j + Σ_i s_i z_i)·R_s_j is what the softmax absorbs.
// - CP-LRP (Ali et al. 2022): the attention weights are held constant, nothing flows back through them.
import * as tf from '@tensorflow/tfjs';
import { byAttentionRule } from './attentionRules';
import type { FixedKind } from './layerKind';
import { perImage } from './signals';

export const softmax: FixedKind<'softmax'> = {
  kind: 'softmax',
  create(spec, c) {
    const [input] = c.inputShapes;
    const given = spec.axis ?? -1;
    const axis = given < 0 ? given + input.length : given;
    if (!Number.isInteger(axis) || axis < 0 || axis >= input.length) c.fail(`has axis ${given}; its input has ${input.length} axes (batch not counted)`);
    return { kind: 'softmax', axis, shape: input };
  },
  forward: (node, [z]) => softmaxOf(z, node.axis + 1),
  describe: (node) => `softmax over axis ${node.axis} (${node.shape[node.axis]})`,
  vjp(c, g) {
    const s = c.output();
    const sg = perImage(tf.mul, g, s, c.blocks);
    return [perImage(tf.mul, tf.sub(g, tf.sum(sg, c.node.axis + 1, true)), s, c.blocks)];
  },
  relevance: (c, r) =>
    byAttentionRule(c, r, (rule, rBlocks, blocks) => {
      if (rule === 'cp-lrp') return [null];
      // Σ_axis R_s spread back along the axis, so that the per-image product with s lines up element by element.
      const total = tf.broadcastTo(tf.sum(rBlocks, c.node.axis + 1, true), rBlocks.shape);
      return [perImage(tf.mul, tf.sub(rBlocks, perImage(tf.mul, total, c.output(), blocks)), c.input(0), blocks)];
    }),
  lrpTreatment: (_node, _before, { rule }) =>
    rule === 'cp-lrp' ? 'CP-LRP: attention weights held constant (no relevance)' : 'AttnLRP: R_z = z ⊙ (R_s − s·ΣR_s) (Taylor at z, bias term dropped)',
  gradientTreatment: () => 'exact gradient: s ⊙ (g − Σ s⊙g)',
};

/** Softmax of `z` (batch included) along `axis`; tfjs' kernel takes the last axis only. */
function softmaxOf(z: tf.Tensor, axis: number): tf.Tensor {
  if (axis === z.rank - 1) return tf.softmax(z);
  const e = tf.exp(tf.sub(z, tf.max(z, axis, true)));
  return tf.div(e, tf.sum(e, axis, true));
}
