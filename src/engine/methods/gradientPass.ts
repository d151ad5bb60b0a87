// The gradient family's backward pass: the one walker (backwardWalk.ts) with each node's VJP, written out
// instead of tf.grad so that the ReLU can be swapped (plain gradient, guided backprop, deconvnet) and the
// weights come pre-transposed from the per-network cache (FACTS.md: transposed matMul / conv2dTranspose
// are ~10× slower on wasm). Several ReLU variants run as one stack of blocks: the weights are the same,
// only the ReLUs differ.
import * as tf from '@tensorflow/tfjs';
import { isLinear } from '../graph/nodes';
import { LAYERS } from '../layers/index';
import type { FixedKind, ReluMode } from '../layers/layerKind';
import { asIs, linearOpsOf, preparedNode } from '../network/prepared';
import { walkBackward } from './backwardWalk';
import type { Trace } from './trace';

export type { ReluMode } from '../layers/layerKind';

/**
 * Backpropagates `seed` ([N, classes], e.g. one-hot on the targets) to the network input once per mode.
 * Returns the signals stacked: block k ([k·N, (k+1)·N)) for `modes[k]`.
 */
export function gradientStack(trace: Trace, seed: tf.Tensor, modes: ReluMode[]): tf.Tensor {
  const { network } = trace;
  const blocks = modes.length;
  const start = blocks === 1 ? seed : tf.concat(new Array<tf.Tensor>(blocks).fill(seed), 0);
  try {
    return walkBackward(trace, start, (i, g) => {
      const node = network.nodes[i];
      if (isLinear(node)) {
        const inputShape = [g.shape[0], ...network.nodes[node.inputs[0]].shape];
        return [linearOpsOf(node).vjp(node, preparedNode(network, i).backward(asIs), g, inputShape)];
      }
      return (LAYERS[node.kind] as FixedKind<typeof node.kind>).vjp(trace.nodeTrace(i, blocks, modes) as never, g);
    });
  } finally {
    if (start !== seed) start.dispose();
  }
}
