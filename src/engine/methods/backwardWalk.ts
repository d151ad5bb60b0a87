// The one backward walker, for the gradient family and the LRP family alike: from the logits to the input,
// visiting the nodes in reverse topological order. A node's signal is complete when the walk reaches it
// (every reader comes later in the order), and a tensor read by several nodes receives the sum of what each
// reader sends back (METHODS.md, "Graphs"). Signals are freed as soon as the walk has passed them.
import * as tf from '@tensorflow/tfjs';
import { checkCancelled } from '../jobs/cancellation';
import { passedNode } from '../network/prepared';
import type { Trace } from './trace';

/** A part of the walk (concepts, CRP: the walk down to one node's output, and from there on with masks). */
export interface WalkRange {
  /** The node whose output `start` is the signal at; default the output node (the logits). */
  from?: number;
  /** The node whose output signal the walk returns without visiting it; default the input node. Signals
   *  that have not passed through this node by then (bypassing it) are dropped. */
  until?: number;
}

/**
 * `visit(i, signal)` gives node i's signal for each of its inputs (null: nothing flows to that input); it may
 * return `signal` itself, or one tensor for several inputs. `start` is the signal at the output node (owned
 * by the caller), or at node `range.from`. Returns the signal arriving at the input node (or at node
 * `range.until`; zeros of `start`'s rows when none does), owned by the caller.
 */
export function walkBackward(
  trace: Trace,
  start: tf.Tensor,
  visit: (index: number, signal: tf.Tensor) => Array<tf.Tensor | null>,
  range: WalkRange = {},
): tf.Tensor {
  const { nodes } = trace.network;
  const from = range.from ?? nodes.length - 1;
  const until = range.until ?? 0;
  const pending = new Array<tf.Tensor | null>(nodes.length).fill(null);
  // How many places (pending slots) hold each signal tensor the walk made; freed when none does.
  const holders = new Map<tf.Tensor, number>();
  const hold = (t: tf.Tensor) => holders.set(t, (holders.get(t) ?? 0) + 1);
  const release = (t: tf.Tensor) => {
    const n = (holders.get(t) ?? 0) - 1;
    if (n > 0) holders.set(t, n);
    else if (holders.delete(t) && t !== start) t.dispose();
  };
  pending[from] = start;
  hold(start);
  for (let i = from; i > until; i--) {
    const signal = pending[i];
    if (!signal) continue;
    checkCancelled();
    pending[i] = null;
    // (tidy's typings leave out the nulls it accepts.)
    const out = tf.tidy(() => visit(i, signal) as tf.Tensor[]) as Array<tf.Tensor | null>;
    out.forEach((t) => t && hold(t));
    release(signal);
    // No later node reads this node's kernel variants (a large network frees them now: prepared.ts).
    passedNode(trace.network, i);
    nodes[i].inputs.forEach((j, k) => {
      const t = out[k];
      if (!t) return;
      const before = pending[j];
      if (!before) {
        pending[j] = t;
        return;
      }
      const sum = tf.add(before, t);
      hold(sum);
      release(before);
      release(t);
      pending[j] = sum;
    });
  }
  const result = pending[until];
  for (let j = 0; j < until; j++) if (pending[j]) release(pending[j]!);
  if (!result) return tf.zeros([start.shape[0], ...nodes[until].shape]);
  // The caller owns the result, not the walk (and `start` already).
  holders.delete(result);
  return result === start ? tf.clone(start) : result;
}
