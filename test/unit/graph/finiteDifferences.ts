// The engine's input gradient against central finite differences of the float64 reference forward pass:
// one check for every graph test that needs it.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { gradientAt } from '../../../src/engine/methods/attributors';
import type { Network } from '../../../src/engine/types';
import { logitsOfGraph, type RefGraph } from './graphReference';

/** ∂f_target/∂x by central differences of the float64 forward pass. */
export function finiteDifference(g: RefGraph, x: number[], target: number, h = 1e-6): number[] {
  return x.map((_, i) => {
    const plus = x.slice();
    const minus = x.slice();
    plus[i] += h;
    minus[i] -= h;
    return (logitsOfGraph(g, plus)[target] - logitsOfGraph(g, minus)[target]) / (2 * h);
  });
}

/** Asserts the engine's gradient of logit `target` at `x` equals the finite differences (1e-4 absolute or
 *  1e-3 relative), and that they are not all below `nonTrivial` (a zero gradient would pass anything). */
export function assertGradientMatchesFiniteDifferences(network: Network, graph: RefGraph, x: number[], target: number, nonTrivial: number, label = ''): void {
  const fd = finiteDifference(graph, x, target);
  const classes = logitsOfGraph(graph, x).length;
  const gradient = tf.tidy(() => gradientAt(network, tf.tensor(x, [1, ...graph.inputShape]), tf.oneHot([target], classes).toFloat(), 'gradient'));
  const engine = gradient.dataSync();
  gradient.dispose();
  assert.ok(fd.some((v) => Math.abs(v) > nonTrivial), `${label}the gradient is not trivially zero`);
  fd.forEach((expected, i) => {
    const diff = Math.abs(engine[i] - expected);
    assert.ok(diff <= 1e-4 || diff <= 1e-3 * Math.abs(expected), `${label}∂f_${target}/∂x_${i} = ${engine[i]}, finite difference ${expected}`);
  });
}
