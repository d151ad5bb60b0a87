// The weight tensors of a network's nodes, and copies of a network with other weights (weight
// randomisation checks re-draw the Dense/Conv weights from the logits down).
import type * as tf from '@tensorflow/tfjs';
import { makeNetwork } from './network';
import { isLinear, type GraphNode, type Network } from './nodes';

/** A node's weight tensors by name: `kernel` and `bias` for Dense/Conv, nothing for other kinds. */
export function nodeWeights(node: GraphNode): Record<string, tf.Tensor> {
  return isLinear(node) ? { kernel: node.kernel, bias: node.bias } : {};
}

/**
 * A copy of `network` in which the nodes listed in `replacements` (by index) use the given tensors instead
 * of theirs (same shapes; names as `nodeWeights` gives them). Every other tensor is shared with `network`;
 * the copy's `dispose` frees only the replacement tensors, so dispose the copy before the original or not
 * at all.
 */
export function withWeights(network: Network, replacements: Map<number, Record<string, tf.Tensor>>): Network {
  const given: tf.Tensor[] = [];
  const nodes = network.nodes.map((node, index) => {
    const weights = replacements.get(index);
    if (!weights) return node;
    const current = nodeWeights(node);
    for (const [key, t] of Object.entries(weights)) {
      const old = current[key];
      if (!old) throw new Error(`node "${node.name}" (${node.kind}) has no weight "${key}"`);
      if (old.shape.join() !== t.shape.join()) throw new Error(`weight "${key}" of node "${node.name}" is [${old.shape}], not [${t.shape}]`);
      given.push(t);
    }
    return { ...node, ...weights } as GraphNode;
  });
  return makeNetwork(nodes, network.endsWithSoftmax, given);
}
