// Layer-wise relevance propagation: the walk from the logits down to the input, for several LRP methods at
// once (Zennit's composites and hooks). The methods' relevances travel as one stack of blocks (trace.ts);
// on each Dense/Conv2D layer the methods whose rules belong together are evaluated as one group: the
// αβ family shares its forward terms, and methods with the same rule share everything but R.
import * as tf from '@tensorflow/tfjs';
import type { NetLayer } from '../types';
import { alphaBetaGroup } from './alphaBeta';
import type { Composite } from './composites';
import { avgPoolBackward, globalAvgPoolBackward, isLinear, maxPoolBackward } from './layerOps';
import { preparedLayer } from './preparedNetwork';
import type { RuleContext } from './ruleContext';
import { stabilise, type Rule } from './rules';
import { joinBlocks, perImage, takeBlocks, type Trace } from './trace';

/**
 * Propagates the logit relevance `start` ([N, classes], one row per trace row) to the network input for
 * every composite. Returns the input relevances stacked: block m ([m·N, (m+1)·N)) for `composites[m]`.
 * `bounds` is the [l, h] box of the network input (or null) for the z^B rule.
 */
export function lrpRelevance(trace: Trace, composites: Composite[], start: tf.Tensor, bounds: [number, number] | null): tf.Tensor {
  const { layers } = trace;
  const blocks = composites.length;
  const first = layers.findIndex(isLinear);
  const firstBounds = bounds && boundsBefore(layers, first, bounds);
  let r = blocks === 1 ? start : tf.concat(new Array<tf.Tensor>(blocks).fill(start), 0);
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i];
    if (layer.kind === 'relu' || layer.kind === 'rescale') {
      // ReLU passes relevance unchanged (its output is its relevant input); a rescale is a bijection that
      // LRP treats as part of the input encoding.
      continue;
    }
    const rOut = r;
    r = tf.tidy(() => {
      const a = trace.input(i);
      const shape = [rOut.shape[0], ...a.shape.slice(1)];
      switch (layer.kind) {
        case 'dense':
        case 'conv2d': {
          const rules = composites.map((composite) => composite(layer, { first: i === first }));
          const context = (groupBlocks: number): RuleContext => ({
            layer,
            prepared: preparedLayer(trace.network, i),
            a,
            nonNegative: trace.nonNegativeInput(i),
            bounds: i === first ? firstBounds : null,
            blocks: groupBlocks,
          });
          return propagateLayer(rules, context, rOut);
        }
        case 'maxPool':
          return maxPoolBackward(trace.poolWinners(i), a.shape, rOut);
        case 'avgPool': {
          // The z-rule with equal weights: R_i = a_i · Σ_j (1/n) R_j / z_j.
          const s = perImage(tf.div, rOut, stabilise(trace.output(i)!), blocks);
          return perImage(tf.mul, avgPoolBackward(layer, shape, s), a, blocks);
        }
        case 'globalAvgPool': {
          const s = perImage(tf.div, rOut, stabilise(trace.output(i)!), blocks);
          return perImage(tf.mul, globalAvgPoolBackward(shape, s), a, blocks);
        }
        case 'reshape':
          return tf.reshape(rOut, shape);
      }
    });
    if (rOut !== start) rOut.dispose();
  }
  return r;
}

/** One Dense/Conv2D layer: the methods grouped by rule, each group evaluated once on its blocks. */
function propagateLayer(rules: Rule[], context: (blocks: number) => RuleContext, r: tf.Tensor): tf.Tensor {
  const groups = new Map<string, number[]>();
  rules.forEach((rule, m) => {
    const key = rule.alphaBeta ? 'αβ' : rule.name;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  });
  const members = [...groups.values()];
  const parts = members.map((group) => {
    const rGroup = takeBlocks(r, group, rules.length);
    const c = context(group.length);
    const family = rules[group[0]].alphaBeta;
    return family ? alphaBetaGroup(c, rGroup, group.map((m) => rules[m].alphaBeta!)) : rules[group[0]].propagate(c, rGroup);
  });
  return joinBlocks(parts, members, rules.length);
}

/** Maps the network-input box [l, h] through the layers before layer `index` (rescales, ReLUs, pooling). */
function boundsBefore(layers: NetLayer[], index: number, bounds: [number, number]): [number, number] {
  let [low, high] = bounds;
  for (const layer of layers.slice(0, Math.max(index, 0))) {
    if (layer.kind === 'rescale') {
      const a = low * layer.scale + layer.offset;
      const b = high * layer.scale + layer.offset;
      [low, high] = [Math.min(a, b), Math.max(a, b)];
    } else if (layer.kind === 'relu') {
      [low, high] = [Math.max(low, 0), Math.max(high, 0)];
    }
  }
  return [low, high];
}
