// The forward pass of a network graph, node by node in topological order, keeping what the backward passes
// need (or, for logits only, freeing each activation as soon as its last reader has run).
import * as tf from '@tensorflow/tfjs';
import { graphFacts } from '../graph/analysis';
import { isLinear, type GraphNode, type LinearNode, type Network, type NodeKind } from '../graph/nodes';
import { checkCancelled } from '../jobs/cancellation';
import { LAYERS } from '../layers/index';
import type { FixedKind } from '../layers/layerKind';
import { asIs, linearOpsOf, preparedNode } from './prepared';

/** One node's output for a batch, outside any cache (a Dense/Conv without its ReLU). */
export function forwardNode(node: GraphNode, inputs: tf.Tensor[]): tf.Tensor {
  return tf.tidy(() => (LAYERS[node.kind] as FixedKind<NodeKind>).forward(node as never, inputs));
}

/** Dense/Conv node i, optionally with the ReLU after it fused into the same op; kernels from the cache. */
function linearNode(network: Network, i: number, x: tf.Tensor, relu: boolean): tf.Tensor {
  const node = network.nodes[i] as LinearNode;
  const prepared = preparedNode(network, i);
  return tf.tidy(() => linearOpsOf(node).apply(node, prepared.forward(asIs), prepared.bias(asIs), x, relu));
}

/**
 * The forward pass the explanations share: the output of every node, values[0] = x itself (not a copy).
 * A Dense/Conv whose only reader is a ReLU runs fused with it (one XNNPACK op with bias and clamp instead of
 * three), so its own output, the pre-activation, is never materialised: values[i] is null for it. The
 * backward passes only need the ReLU's output (z > 0 exactly where relu(z) > 0). The caller owns every
 * returned tensor except values[0].
 */
export function forwardNodes(network: Network, x: tf.Tensor): Array<tf.Tensor | null> {
  return runNodes(network, x, false);
}

/** Logits only, each intermediate freed as soon as its last reader has run. */
export function logitsOf(network: Network, x: tf.Tensor): tf.Tensor2D {
  const values = runNodes(network, x, true);
  return values[values.length - 1] as tf.Tensor2D;
}

function runNodes(network: Network, x: tf.Tensor, freeEarly: boolean): Array<tf.Tensor | null> {
  const { nodes } = network;
  const { fusedRelu, readers } = graphFacts(network);
  const values = new Array<tf.Tensor | null>(nodes.length).fill(null);
  const done = new Array<boolean>(nodes.length).fill(false);
  const pending = freeEarly ? readers.map((r) => r.length) : [];
  values[0] = x;
  done[0] = true;
  const consumed = (j: number) => {
    if (freeEarly && j !== 0 && --pending[j] === 0) values[j]?.dispose();
  };
  for (let i = 1; i < nodes.length; i++) {
    if (done[i]) continue;
    checkCancelled();
    const node = nodes[i];
    const relu = fusedRelu.get(i);
    if (relu !== undefined) {
      values[relu] = linearNode(network, i, values[node.inputs[0]]!, true);
      done[relu] = true;
      consumed(node.inputs[0]);
      continue;
    }
    values[i] = isLinear(node) ? linearNode(network, i, values[node.inputs[0]]!, false) : forwardNode(node, node.inputs.map((j) => values[j]!));
    node.inputs.forEach(consumed);
  }
  return values;
}
