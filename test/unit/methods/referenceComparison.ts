// One map against the float64 reference, as the graph tests compare them: the gradient family (products of
// derivatives and weights, no division) to 1e-5 of the map; the LRP rules, which divide by sums that can
// cancel, to 10× what the wasm and CPU backends disagree by on the same call (their other kernels and
// summation orders measure the float32 rounding; graphSmoothActivations.test.ts), itself below 1e-4 of the
// map, and never tighter than 1e-5. `illConditionedFloor`: a looser floor for the rules without ε (LRP-0,
// LRP-γ, LRP-αβ, epsilon-gamma-box) where the caller measured columns that cancel on every image.
import assert from 'node:assert/strict';
import { parseMethodSpec } from '../../../src/engine/methods/methodRegistry';
import { ILL_CONDITIONED } from './backendRounding';
import { assertClose } from './reference';

export const GRADIENT_FAMILY = new Set(['sensitivity', 'gradient', 'simple-taylor', 'guided-backprop', 'deconvnet', 'integrated-gradients', 'smoothgrad', 'occlusion']);

export function assertMapMatchesReference(method: string, relevance: ArrayLike<number>, onCpu: ArrayLike<number>, reference: number[], label: string, illConditionedFloor = 0): void {
  const id = parseMethodSpec(method).id;
  if (GRADIENT_FAMILY.has(id)) {
    assertClose(relevance, reference, 1e-5, label);
    return;
  }
  const rounding = Math.max(...Array.from(relevance, (v, i) => Math.abs(v - onCpu[i])));
  const scale = Math.max(1, ...reference.map(Math.abs));
  const illConditioned = illConditionedFloor > 0 && ILL_CONDITIONED.has(id);
  if (!illConditioned) assert.ok(rounding / scale < 1e-4, `${label}: the backends differ by ${rounding / scale} of the map`);
  assertClose(relevance, reference, Math.max(1e-5, (10 * rounding) / scale, illConditioned ? illConditionedFloor : 0), label);
}
