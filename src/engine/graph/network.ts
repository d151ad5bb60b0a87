// A Network from canonised nodes: the shape facts the rest of the engine reads, and a dispose that frees
// every tensor the nodes hold (once each: a shared layer's nodes share their tensors), or only `owned`.
import type * as tf from '@tensorflow/tfjs';
import type { GraphNode, Network } from './nodes';
import { nodeWeights } from './weights';

export function makeNetwork(nodes: GraphNode[], endsWithSoftmax: boolean, owned?: Iterable<tf.Tensor>): Network {
  let disposed = false;
  const output = nodes[nodes.length - 1];
  return {
    nodes,
    inputShape: nodes[0].shape,
    outputSize: output.shape[0],
    endsWithSoftmax,
    dispose() {
      if (disposed) return;
      disposed = true;
      const tensors = owned ? new Set(owned) : new Set(nodes.flatMap((n) => Object.values(nodeWeights(n))));
      for (const t of tensors) t.dispose();
    },
  };
}
