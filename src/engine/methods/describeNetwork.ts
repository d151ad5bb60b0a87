// The network as a list of nodes for the UI and the CLI (`model-info`): name, kind, one-line description,
// output shape, inputs, and for a given method what it does at each node (the rule of its composite on a
// Dense/Conv, the fixed treatment elsewhere).
import { graphFacts } from '../graph/analysis';
import { isLinear, type Network, type NodeKind } from '../graph/nodes';
import { LAYERS } from '../layers/index';
import type { FixedKind } from '../layers/layerKind';
import { linearOpsOf } from '../network/prepared';
import type { MethodSpec } from '../types';
import type { NodeInfo } from '../../protocol/model';
import { attentionRuleOf, compositeFor } from './composites';
import { methodRecord } from './methodTable';

/**
 * One entry per node, input first. With `method`, each entry says what that method does there; `bounded`
 * is whether the model's input is bounded (z^B on the first layers, else w²).
 */
export function describeNetwork(network: Network, options: { method?: MethodSpec; bounded?: boolean } = {}): NodeInfo[] {
  const { method, bounded = true } = options;
  const { beforeFirstLinear, firstLinear, attentionWeightsInput } = graphFacts(network);
  const runs = method && methodRecord(method.id).runs;
  const composite = runs?.family === 'lrp' ? compositeFor(method!, bounded) : null;
  const attention = runs?.family === 'lrp' ? attentionRuleOf(method!) : 'attnlrp';
  // Attributors that backpropagate their copies of the input take exact gradients.
  const mode = runs?.family === 'gradient' ? runs.relu : runs?.family === 'attributor' && runs.backward === 'gradient' ? 'gradient' : null;
  return network.nodes.map((node, i) => {
    const kind = LAYERS[node.kind] as unknown as FixedKind<NodeKind>;
    const info: NodeInfo = {
      name: node.name,
      kind: node.kind,
      description: kind.describe(node as never),
      shape: [...node.shape],
      inputs: node.inputs.map((j) => network.nodes[j].name),
    };
    if (!method) return info;
    if (composite) {
      info.rule = isLinear(node)
        ? composite(node, { first: firstLinear[i], convolution: linearOpsOf(node).isConvolution }).title + (firstLinear[i] ? ' (first layer)' : '')
        : kind.lrpTreatment(node as never, beforeFirstLinear[i], { rule: attention, attentionWeightsInput: attentionWeightsInput[i] });
    } else if (mode) {
      info.rule = isLinear(node) ? 'exact gradient' : (kind.gradientTreatment?.(node as never, [mode]) ?? 'exact gradient');
    } else {
      info.rule = 'forward only (occluded copies of the image)';
    }
    return info;
  });
}
