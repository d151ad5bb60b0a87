// The LRP walk of several methods at once (methods/propagateRelevance.ts) may hold blocks of methods with
// different attention rules (AttnLRP for most, CP-LRP for `cp-lrp`): the attention kinds (softmax, matmul)
// evaluate each rule once on its blocks and put the results back in block order, as the ReLU does for the
// gradient family's variants (relu.ts).
import * as tf from '@tensorflow/tfjs';
import type { AttentionRule, NodeTrace } from './layerKind';
import { joinBlocks, takeBlocks } from './signals';

/** What one rule sends to each input for its blocks of `r` (`blocks` of them); null: nothing. */
export type RuleRelevance = (rule: AttentionRule, r: tf.Tensor, blocks: number) => Array<tf.Tensor | null>;

/** The relevance for each input of node `c`, every block by its own attention rule (AttnLRP when the walk
 *  names none). An input no block sends anything to gets null. */
export function byAttentionRule(c: NodeTrace, r: tf.Tensor, relevance: RuleRelevance): Array<tf.Tensor | null> {
  const rules: AttentionRule[] = c.attentionRules.length === c.blocks ? c.attentionRules : new Array<AttentionRule>(c.blocks).fill('attnlrp');
  const names = [...new Set(rules)];
  if (names.length === 1) return relevance(names[0], r, c.blocks);
  const groups = names.map((name) => rules.flatMap((rule, b) => (rule === name ? [b] : [])));
  const parts = groups.map((group, g) => relevance(names[g], takeBlocks(r, group, c.blocks), group.length));
  const rowsPerBlock = r.shape[0] / c.blocks;
  return c.node.inputs.map((_, k) => {
    if (parts.every((part) => !part[k])) return null;
    const filled = parts.map((part, g) => part[k] ?? tf.zeros(c.inputShape(k, groups[g].length * rowsPerBlock)));
    return joinBlocks(filled, groups, c.blocks);
  });
}
