// How to spread the methods of a job with fewer images than workers (one image × the seven seed methods:
// the explain panel's comparison, the compare figure) over the workers so that one call uses every core.
//
// Each part runs its own forward pass, and the methods inside a part share their backward work as
// explain.ts does (one gradient walk with a block per ReLU variant; one LRP walk in which the αβ family
// shares its forward terms z⁺ and z⁻). So the cost of a part is not the sum of its methods: it is counted
// here in "passes", one pass being one forward or one VJP of the whole network for one row block:
//   forward                      1 per part
//   gradient family              1 per distinct ReLU variant (sensitivity, gradient and simple Taylor share one)
//   αβ family (deep Taylor's z⁺, LRP-αβ)   z⁺ once (1), z⁻ once if any member has β > 0 (1),
//                                then per member one VJP of W⁺, and one of W⁻ if its β > 0
//   other LRP methods            2 each (a modified forward and a VJP)
//   IG / SmoothGrad              2 per step or sample; occlusion a guess of 64 forwards
// Measured on ResNet-18 at 224 (one wasm thread): forward 120 ms, each pass 115–125 ms, so the model is
// good to ~10 %; on small models every split is fast anyway. The best assignment is found by trying them all
// (at most WORKERS^METHODS ≤ 4,096 of them; beyond that, largest first onto the least loaded part).
import { parseMethodSpec } from '../methods/methodRegistry';
import type { MethodSpec } from '../types';

/** The ReLU variant of each gradient-family method: methods with the same variant share one backward block. */
const RELU_VARIANT: Record<string, string> = {
  sensitivity: 'gradient',
  gradient: 'gradient',
  'simple-taylor': 'gradient',
  'guided-backprop': 'guided',
  deconvnet: 'deconvnet',
};

const EXHAUSTIVE_LIMIT = 4096;

/** Estimated cost, in passes, of one explain call of `specs` on one image (see the header). */
export function callCost(specs: MethodSpec[]): number {
  const variants = new Set<string>();
  let alphaBeta = 0;
  let anyBeta = false;
  let anyAlphaBeta = false;
  let other = 0;
  for (const spec of specs) {
    const variant = RELU_VARIANT[spec.id];
    if (variant) variants.add(variant);
    else if (spec.id === 'deep-taylor' || spec.id === 'lrp-ab') {
      const beta = spec.id === 'lrp-ab' ? spec.params.beta : 0;
      anyAlphaBeta = true;
      anyBeta ||= beta > 0;
      alphaBeta += beta > 0 ? 2 : 1;
    } else if (spec.id === 'integrated-gradients') other += 2 * spec.params.steps;
    else if (spec.id === 'smoothgrad') other += 2 * spec.params.samples;
    else if (spec.id === 'occlusion') other += 64;
    else other += 2;
  }
  const forwardTerms = anyAlphaBeta ? (anyBeta ? 2 : 1) : 0;
  return 1 + variants.size + forwardTerms + alphaBeta + other;
}

/**
 * The methods (job strings, as given) in at most `workers` parts, each a list of indices into `methods`,
 * so that the costliest part is as cheap as it can be. One part when splitting would not pay: a single
 * method, a single worker, or when no split beats one call.
 */
export function splitMethods(methods: string[], workers: number): number[][] {
  const all = methods.map((_, k) => k);
  if (workers < 2 || methods.length < 2) return [all];
  const specs = methods.map(parseMethodSpec);
  const parts = Math.min(workers, methods.length);
  const cost = (indices: number[]) => callCost(indices.map((k) => specs[k]));
  let best = [all];
  let bestCost = cost(all);
  const consider = (assignment: number[][]) => {
    const used = assignment.filter((p) => p.length > 0);
    const worst = Math.max(...used.map(cost));
    if (worst < bestCost - 1e-9) {
      best = used.map((p) => [...p]);
      bestCost = worst;
    }
  };
  if (parts ** methods.length <= EXHAUSTIVE_LIMIT) {
    // Method 0 goes to part 0 (parts are interchangeable), then every assignment of the rest.
    const assignment: number[][] = Array.from({ length: parts }, () => []);
    const place = (k: number) => {
      if (k === methods.length) return consider(assignment);
      for (let p = 0; p < (k === 0 ? 1 : parts); p++) {
        assignment[p].push(k);
        place(k + 1);
        assignment[p].pop();
      }
    };
    place(0);
  } else {
    const assignment: number[][] = Array.from({ length: parts }, () => []);
    const order = [...all].sort((a, b) => cost([b]) - cost([a]));
    for (const k of order) {
      let target = 0;
      for (let p = 1; p < parts; p++) if (cost([...assignment[p], k]) < cost([...assignment[target], k])) target = p;
      assignment[target].push(k);
    }
    consider(assignment);
  }
  return best.map((p) => p.sort((a, b) => a - b));
}
