// A job stopped half-way (cancelled between two nodes, or failed) leaves the tensors of the pass under way
// behind: the forward pass's activations, the backward walk's pending signals. Run inside one tf scope, they
// are freed when it unwinds; what is meant to outlive a call (a model's weights, the cached kernel
// variants of network/prepared.ts) is kept with tf.keep and stays.
import * as tf from '@tensorflow/tfjs';

/** `call()` (synchronous, returning no tensors) in a tf scope that frees every tensor it leaves behind. */
export function freeOnThrow<T>(call: () => T): T {
  let result!: T;
  // The result stays outside tidy's return value: tidy would walk its typed arrays element by element.
  tf.tidy(() => {
    result = call();
  });
  return result;
}
