// Layer-wise relevance propagation: the one walker (backwardWalk.ts) from the logits down to the input,
// for several LRP methods at once (Zennit's composites and hooks). The methods' relevances travel as one
// stack of blocks; on each Dense/Conv node the methods whose rules belong together are evaluated as one
// group (the αβ family shares its forward terms, methods with the same rule share everything but R); every
// other node kind propagates as its layer module says (layers/<kind>.ts `relevance`).
import * as tf from '@tensorflow/tfjs';
import { graphFacts } from '../graph/analysis';
import { isLinear } from '../graph/nodes';
import { joinBlocks, takeBlocks } from '../layers/signals';
import { LAYERS } from '../layers/index';
import type { FixedKind } from '../layers/layerKind';
import { linearOpsOf, preparedNode } from '../network/prepared';
import { alphaBetaGroup } from './alphaBeta';
import type { Composite } from './composites';
import type { InputBox } from './inputBox';
import type { RuleContext } from './ruleContext';
import type { Rule } from './rules';
import { walkBackward } from './backwardWalk';
import type { Trace } from './trace';

/**
 * Propagates the logit relevance `start` ([N, classes], one row per trace row) to the network input for
 * every composite. Returns the input relevances stacked: block m ([m·N, (m+1)·N)) for `composites[m]`.
 * `boxes` holds the z^B box of each first Dense/Conv node's input (null: unbounded input).
 */
export function lrpRelevance(trace: Trace, composites: Composite[], start: tf.Tensor, boxes: Map<number, InputBox> | null): tf.Tensor {
  const blocks = composites.length;
  const stacked = blocks === 1 ? start : tf.concat(new Array<tf.Tensor>(blocks).fill(start), 0);
  try {
    return walkBackward(trace, stacked, lrpStep(trace, composites, boxes));
  } finally {
    if (stacked !== start) stacked.dispose();
  }
}

/**
 * The walker's step for LRP: node i's relevance for each of its inputs, block m of the stacked signal
 * propagated with `composites[m]`. Walks over part of the graph (concepts, concepts/conditionalRelevance.ts)
 * use it as it is.
 */
export function lrpStep(trace: Trace, composites: Composite[], boxes: Map<number, InputBox> | null): (i: number, r: tf.Tensor) => Array<tf.Tensor | null> {
  const { network } = trace;
  const { firstLinear } = graphFacts(network);
  const blocks = composites.length;
  return (i, r) => {
    const node = network.nodes[i];
    if (!isLinear(node)) return (LAYERS[node.kind] as FixedKind<typeof node.kind>).relevance(trace.nodeTrace(i, blocks, []) as never, r);
    const ops = linearOpsOf(node);
    const rules = composites.map((composite) => composite(node, { first: firstLinear[i], convolution: ops.isConvolution }));
    const a = trace.output(node.inputs[0]);
    const context = (groupBlocks: number): RuleContext => ({
      node,
      ops,
      prepared: preparedNode(network, i),
      a,
      nonNegative: trace.nonNegative(node.inputs[0]),
      box: boxes?.get(i) ?? null,
      blocks: groupBlocks,
    });
    return [propagateLayer(rules, context, r)];
  };
}

/** One Dense/Conv node: the methods grouped by rule, each group evaluated once on its blocks. */
function propagateLayer(rules: Rule[], context: (blocks: number) => RuleContext, r: tf.Tensor): tf.Tensor {
  const groups = new Map<string, number[]>();
  rules.forEach((rule, m) => {
    const key = rule.alphaBeta ? 'αβ' : rule.name;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  });
  const members = [...groups.values()];
  // Each group in its own tidy: its temporaries (the size of the layer's output, times its blocks) are
  // freed before the next group runs, not when the node is done.
  const parts = members.map((group) =>
    tf.tidy(() => {
      const rGroup = takeBlocks(r, group, rules.length);
      const c = context(group.length);
      const family = rules[group[0]].alphaBeta;
      return family ? alphaBetaGroup(c, rGroup, group.map((m) => rules[m].alphaBeta!)) : rules[group[0]].propagate(c, rGroup);
    }),
  );
  return joinBlocks(parts, members, rules.length);
}
