// Floating-point operations per heatmap, counted from the layer shapes.
//
// How: only Dense, Conv2D and matrix-product (attention) layers are counted, at 2 FLOPs per multiply-add (MAC). A dense layer is
// in·out MACs per image; a convolution is outH·outW·kh·kw·inC·outC (its output size from a real forward
// pass of one image). ReLU, pooling, reshapes, divisions and the stabiliser are left out: they are O(size of
// the activations), a few percent of the total here, and memory-bound rather than arithmetic.
//
// Forward: the network's forward pass, one MAC count per linear layer (shared by every method).
// Backward, the rule as METHODS.md writes it and as the engine evaluates it (one method per call): each term
// z_k of a rule is one forward of the layer with modified weights (m MACs) plus one vector-Jacobian product
// (m MACs):
// - gradient family (sensitivity, guided backprop, simple Taylor): one VJP per linear layer, m;
// - z⁺ (deep Taylor above the first layer): one term a⁺·W⁺, 2m;
// - z^B (deep Taylor's first layer, bounded inputs): the a·W term (m) and two VJPs, of W⁺ and W⁻ (2m; the
//   a·W VJP is their sum, see rules.ts); the l·W⁺ and h·W⁻ terms do not depend on the image and are cached;
// - w² (deep Taylor's first layer, unbounded inputs): one VJP, m (its forward is a constant row);
// - LRP-αβ with β > 0: four terms (a⁺W⁺, a⁻W⁻, a⁺W⁻, a⁻W⁺), 8m, or two when the layer's input is known to be
//   ≥ 0 (after a ReLU, or pixels in [0, 1]), 4m.
import { graphFacts } from '../../src/engine/graph/analysis';
import type { Network } from '../../src/engine/types';
import { GRADIENT_METHODS, type SeedMethod } from './zennit';

export interface LayerCost {
  /** Multiply-adds per image. */
  macs: number;
  /** The layer's input is ≥ 0 for every image (after a ReLU, or pixels with a non-negative low bound). */
  nonNegativeInput: boolean;
  first: boolean;
}

/** MACs of every Dense/Conv node of `network`, in order. `bounds` is the model's input box or null. */
export function layerCosts(network: Network, bounds: [number[], number[]] | null): LayerCost[] {
  const { firstLinear } = graphFacts(network);
  const nonNegative: boolean[] = [];
  const costs: LayerCost[] = [];
  network.nodes.forEach((node, i) => {
    const inputNonNegative = node.inputs.every((j) => nonNegative[j]);
    if (node.kind === 'input') nonNegative[i] = bounds !== null && bounds[0].every((low) => low >= 0);
    else if (node.kind === 'relu') nonNegative[i] = true;
    else if (node.kind === 'dense' || node.kind === 'conv2d') {
      // Kernels are [in, out] and [kh, kw, in / groups, out]: their size is the MACs per output position.
      // A Dense per position (tokens, channels-last maps) runs once per position.
      const positions = node.kind === 'conv2d' ? node.shape[0] * node.shape[1] : node.shape.slice(0, -1).reduce((p, d) => p * d, 1);
      costs.push({ macs: positions * node.kernel.size, nonNegativeInput: inputNonNegative, first: firstLinear[i] });
      nonNegative[i] = false;
    } else if (node.kind === 'matmul') {
      // Attention's Q·Kᵀ and A·V: output size × inner size MACs, costed backward like a linear layer.
      const inner = network.nodes[node.inputs[0]].shape[node.shape.length - (node.transposeA ? 2 : 1)];
      costs.push({ macs: node.shape.reduce((p, d) => p * d, 1) * inner, nonNegativeInput: false, first: false });
      nonNegative[i] = false;
    } else if (node.kind === 'affine') nonNegative[i] = inputNonNegative && node.scale.every((s) => s >= 0) && node.offset.every((t) => t >= 0);
    else nonNegative[i] = inputNonNegative;
  });
  return costs;
}

export function forwardFlops(costs: LayerCost[]): number {
  return costs.reduce((total, layer) => total + 2 * layer.macs, 0);
}

/** FLOPs of one method's backward pass per heatmap (see the header for what is counted). */
export function backwardFlops(costs: LayerCost[], method: SeedMethod, bounded: boolean): number {
  const macs = costs.reduce((total, layer) => total + layer.macs * backwardPasses(layer, method, bounded), 0);
  return 2 * macs;
}

/** How many m-MAC passes (term forwards + VJPs) the method's rule costs on one layer. */
function backwardPasses(layer: LayerCost, method: SeedMethod, bounded: boolean): number {
  if (GRADIENT_METHODS.has(method)) return 1;
  if (method === 'deep-taylor') {
    if (layer.first) return bounded ? 3 : 1;
    return 2;
  }
  return layer.nonNegativeInput ? 4 : 8;
}
