// Small attention graphs for the tests of the softmax and matmul kinds, as plain arrays (graphReference.ts).
// Token-wise linear maps are 1×1 convolutions on tokens laid out as [T, 1, d] (an image of T rows, one
// column, d channels): the same numbers as a Linear on [T, d].
import { random } from '../methods/reference';
import type { RefGraph, RefNode } from './graphReference';
import { convNode, denseNode } from './graphs';

/**
 * A ViT-style block on a 4×4×3 image: patch embedding (2×2 conv, stride 2) → 4 tokens of 8 → Q, K, V (1×1
 * convs) → 2 heads of 4 ([T, h, d] → [h, T, d]) → Q·Kᵀ/√4 → softmax over keys → ·V → heads merged → output
 * projection → residual add → MLP (8→16 GELU →8) → residual add → mean over tokens → dense 5.
 * `bias: false` leaves every bias out (the conservation tests).
 */
export function vitBlockGraph(seed: number, { bias = true, gain = 1.5 }: { bias?: boolean; gain?: number } = {}): RefGraph {
  const rand = random(seed);
  const linear = (input: number, inC: number, outC: number): RefNode => convNode(rand, input, [1, 1], inC, outC, { bias, gain });
  const heads = (input: number): RefNode[] => [
    { kind: 'reshape', input, shape: [4, 2, 4] },
    { kind: 'transpose', input: input + 1, perm: [1, 0, 2] },
  ];
  return {
    inputShape: [4, 4, 3],
    nodes: [
      convNode(rand, 0, [2, 2], 3, 8, { strides: [2, 2], bias, gain: 2 }), // 1: [2, 2, 8]
      { kind: 'reshape', input: 1, shape: [4, 1, 8] }, // 2: tokens
      linear(2, 8, 8), // 3: Q
      ...heads(3), // 4, 5: [2, 4, 4]
      linear(2, 8, 8), // 6: K
      ...heads(6), // 7, 8
      linear(2, 8, 8), // 9: V
      ...heads(9), // 10, 11
      { kind: 'matmul', inputs: [5, 8], transposeB: true }, // 12: scores [2, 4, 4]
      { kind: 'affine', input: 12, scale: [0.5], offset: [0] }, // 13: / √d
      { kind: 'softmax', input: 13, axis: 2 }, // 14: attention weights
      { kind: 'matmul', inputs: [14, 11] }, // 15: [2, 4, 4]
      { kind: 'transpose', input: 15, perm: [1, 0, 2] }, // 16: [4, 2, 4]
      { kind: 'reshape', input: 16, shape: [4, 1, 8] }, // 17
      linear(17, 8, 8), // 18: output projection
      { kind: 'add', inputs: [18, 2] }, // 19: residual
      linear(19, 8, 16), // 20
      { kind: 'activation', input: 20, fn: 'gelu' }, // 21
      linear(21, 16, 8), // 22
      { kind: 'add', inputs: [22, 19] }, // 23: residual
      { kind: 'globalAvgPool', input: 23 }, // 24: mean over tokens
      denseNode(rand, 24, 8, 5, bias), // 25: logits
    ],
  };
}

/**
 * The other forms: Aᵀ·B of two activations with no softmax (a bilinear map), a softmax over the first axis,
 * its weights read through a transpose, and B·Wᵀ with the weights as the second operand; tokens [4, 1, 6].
 */
export function bilinearGraph(seed: number): RefGraph {
  const rand = random(seed);
  return {
    inputShape: [4, 1, 6],
    nodes: [
      convNode(rand, 0, [1, 1], 6, 6, { gain: 1.5 }), // 1: a
      convNode(rand, 0, [1, 1], 6, 6, { gain: 1.5 }), // 2: b
      { kind: 'reshape', input: 1, shape: [4, 6] }, // 3
      { kind: 'reshape', input: 2, shape: [4, 6] }, // 4
      { kind: 'matmul', inputs: [3, 4], transposeA: true }, // 5: aᵀ·b [6, 6]
      { kind: 'softmax', input: 5, axis: 0 }, // 6: over the first axis
      { kind: 'transpose', input: 6, perm: [1, 0] }, // 7
      { kind: 'matmul', inputs: [4, 7], transposeB: true }, // 8: b·(Sᵀ)ᵀ = b·S [4, 6]
      { kind: 'add', inputs: [8, 3] }, // 9
      { kind: 'flatten', input: 9 }, // 10
      denseNode(rand, 10, 24, 4), // 11
    ],
  };
}
