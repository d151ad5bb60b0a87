// Small graphs of the modern CNN kinds (gates, normalisations, slices, resizes, transposed convolutions, dense
// layers per position), as plain arrays for the float64 graph reference (graphReference.ts). Node 0 is the
// input and `nodes[k]` is node k + 1.
import { random, randomArray } from '../methods/reference';
import type { RefGraph, RefNode } from './graphReference';
import { convNode, denseNode } from './graphs';

const same: [number, number, number, number] = [1, 1, 1, 1];

/** A dense layer over the last axis of a map (torch's nn.Linear after a permute). */
export function perPositionDense(rand: () => number, input: number, inputs: number, outputs: number, bias = true): RefNode {
  return { ...(denseNode(rand, input, inputs, outputs, bias) as Extract<RefNode, { kind: 'dense' }>), perPosition: true };
}

/**
 * EfficientNet-style MBConv block with squeeze-excite: conv → SiLU → depthwise → SiLU (x) → GAP → [1, 1, C]
 * → 1×1 → ReLU → 1×1 → sigmoid (the gate) → x ⊙ gate → 1×1 projection → + the block input → GAP → dense.
 * `hardSigmoid`: MobileNetV3's gate (torch's hard sigmoid) instead of the sigmoid.
 */
export function squeezeExciteGraph(seed: number, hardSigmoid = false, bias = true): RefGraph {
  const rand = random(seed);
  return {
    inputShape: [5, 5, 3],
    nodes: [
      convNode(rand, 0, [3, 3], 3, 4, { pads: same, gain: 2, bias }), // 1
      { kind: 'activation', input: 1, fn: 'silu' }, // 2
      convNode(rand, 2, [3, 3], 4, 4, { pads: same, groups: 4, gain: 2, bias }), // 3
      { kind: 'activation', input: 3, fn: 'silu' }, // 4: x
      { kind: 'globalAvgPool', input: 4 }, // 5
      { kind: 'reshape', input: 5, shape: [1, 1, 4] }, // 6
      convNode(rand, 6, [1, 1], 4, 2, { gain: 2, bias }), // 7
      { kind: 'relu', input: 7 }, // 8
      convNode(rand, 8, [1, 1], 2, 4, { gain: 4, bias }), // 9
      hardSigmoid ? { kind: 'activation', input: 9, fn: 'hardSigmoid', alpha: 1 / 6, beta: 0.5 } : { kind: 'activation', input: 9, fn: 'sigmoid' }, // 10: gate
      { kind: 'product', inputs: [4, 10] }, // 11
      convNode(rand, 11, [1, 1], 4, 4, { gain: 2, bias }), // 12
      { kind: 'add', inputs: [12, 1] }, // 13
      { kind: 'globalAvgPool', input: 13 }, // 14
      denseNode(rand, 14, 4, 3, bias),
    ],
  };
}

/**
 * Products without a gate: x ⊙ relu(conv(x)) (two signals: halves), and the gate first: σ(conv(GAP)) ⊙ x.
 */
export function plainProductGraph(seed: number, bias = true): RefGraph {
  const rand = random(seed);
  return {
    inputShape: [4, 4, 2],
    nodes: [
      convNode(rand, 0, [3, 3], 2, 3, { pads: same, gain: 2, bias }), // 1
      { kind: 'relu', input: 1 }, // 2: x
      convNode(rand, 2, [3, 3], 3, 3, { pads: same, gain: 2, bias }), // 3
      { kind: 'relu', input: 3 }, // 4
      { kind: 'product', inputs: [2, 4] }, // 5: no gate
      { kind: 'globalAvgPool', input: 5 }, // 6
      { kind: 'reshape', input: 6, shape: [1, 1, 3] }, // 7
      convNode(rand, 7, [1, 1], 3, 3, { gain: 3, bias }), // 8
      { kind: 'activation', input: 8, fn: 'sigmoid' }, // 9: gate
      { kind: 'product', inputs: [9, 5] }, // 10: gate first
      { kind: 'flatten', input: 10 }, // 11
      denseNode(rand, 11, 48, 3, bias),
    ],
  };
}

/**
 * ConvNeXt-style: 2×2 stride-2 patchify conv → LayerNorm over channels → depthwise 3×3 → LayerNorm (γ, β) →
 * dense per position C → 2C → GELU → dense per position 2C → C → layer scale (affine per channel) → + →
 * GroupNorm (2 groups) → GAP → RMSNorm → dense.
 */
export function layerNormGraph(seed: number, bias = true): RefGraph {
  const rand = random(seed);
  const C = 4;
  const offsets = (n: number) => (bias ? randomArray(rand, n, -0.3, 0.3) : [0]);
  return {
    inputShape: [6, 6, 3],
    nodes: [
      convNode(rand, 0, [2, 2], 3, C, { strides: [2, 2], gain: 2, bias }), // 1
      { kind: 'layerNorm', input: 1, epsilon: 1e-6, scale: [1], offset: [0], groups: null }, // 2
      convNode(rand, 2, [3, 3], C, C, { pads: same, groups: C, gain: 2, bias }), // 3
      { kind: 'layerNorm', input: 3, epsilon: 1e-6, scale: randomArray(rand, C, 0.5, 1.5), offset: offsets(C), groups: null }, // 4
      perPositionDense(rand, 4, C, 2 * C, bias), // 5
      { kind: 'activation', input: 5, fn: 'gelu' }, // 6
      perPositionDense(rand, 6, 2 * C, C, bias), // 7
      { kind: 'affine', input: 7, scale: randomArray(rand, C, 0.3, 1.2), offset: [0] }, // 8: layer scale
      { kind: 'add', inputs: [8, 2] }, // 9
      { kind: 'layerNorm', input: 9, epsilon: 1e-5, scale: randomArray(rand, C, 0.5, 1.5), offset: offsets(C), groups: 2 }, // 10
      { kind: 'globalAvgPool', input: 10 }, // 11
      { kind: 'layerNorm', input: 11, epsilon: 1e-6, scale: randomArray(rand, C, 0.5, 1.5), offset: [0], groups: null, rms: true }, // 12
      denseNode(rand, 12, C, 3, bias),
    ],
  };
}

/**
 * ShuffleNetV2-style: conv → ReLU → the channels split in halves (gathers) → the second half through 1×1 →
 * depthwise → 1×1 → ReLU → concatenated with the first half → channel shuffle (a permutation) → a slice of
 * the rows (stride 2 picks) → GAP → dense.
 */
export function shuffleGraph(seed: number, bias = true): RefGraph {
  const rand = random(seed);
  return {
    inputShape: [5, 4, 2],
    nodes: [
      convNode(rand, 0, [3, 3], 2, 4, { pads: same, gain: 2, bias }), // 1
      { kind: 'relu', input: 1 }, // 2
      { kind: 'gather', input: 2, axis: 2, indices: [0, 1] }, // 3
      { kind: 'gather', input: 2, axis: 2, indices: [2, 3] }, // 4
      convNode(rand, 4, [1, 1], 2, 2, { gain: 2, bias }), // 5
      convNode(rand, 5, [3, 3], 2, 2, { pads: same, groups: 2, gain: 2, bias }), // 6
      { kind: 'relu', input: 6 }, // 7
      { kind: 'concat', inputs: [3, 7], axis: 2 }, // 8
      { kind: 'gather', input: 8, axis: 2, indices: [0, 2, 1, 3] }, // 9: shuffle of 2 groups
      { kind: 'gather', input: 9, axis: 0, indices: [4, 2, 0] }, // 10: rows 4, 2, 0
      { kind: 'flatten', input: 10 }, // 11
      denseNode(rand, 11, 48, 3, bias),
    ],
  };
}

/**
 * A decoder-style head: conv → ReLU → nearest ×2 (asymmetric, floor: nn.Upsample) → conv → ReLU → transposed
 * conv 3×3 stride 2 (pads 1, output padding 1) → ReLU → bilinear resize to 5×7 (half pixel) → transposed
 * conv 2×2 in 2 groups → GAP → dense.
 */
export function resizeGraph(seed: number, bias = true): RefGraph {
  const rand = random(seed);
  const transposed = (input: number, k: number, inC: number, outC: number, o: Partial<Extract<RefNode, { kind: 'convTranspose' }>>): RefNode => {
    const groups = o.groups ?? 1;
    const scale = Math.sqrt(3 / ((k * k * inC) / groups));
    return {
      kind: 'convTranspose',
      input,
      kh: k,
      kw: k,
      outC,
      groups,
      w: randomArray(rand, (k * k * inC * outC) / groups, -scale, scale),
      b: bias ? randomArray(rand, outC, -0.2, 0.2) : new Array(outC).fill(0),
      strides: o.strides ?? [1, 1],
      pads: o.pads ?? [0, 0, 0, 0],
      dilations: o.dilations ?? [1, 1],
      outputPadding: o.outputPadding ?? [0, 0],
    };
  };
  return {
    inputShape: [3, 4, 2],
    nodes: [
      convNode(rand, 0, [3, 3], 2, 3, { pads: same, gain: 2, bias }), // 1
      { kind: 'relu', input: 1 }, // 2
      { kind: 'resize', input: 2, size: [6, 8], mode: 'nearest', coordinates: 'asymmetric', nearest: 'floor' }, // 3
      convNode(rand, 3, [3, 3], 3, 4, { pads: same, gain: 2, bias }), // 4
      { kind: 'relu', input: 4 }, // 5
      transposed(5, 3, 4, 4, { strides: [2, 2], pads: [1, 1, 1, 1], outputPadding: [1, 1] }), // 6: 12×16
      { kind: 'relu', input: 6 }, // 7
      { kind: 'resize', input: 7, size: [5, 7], mode: 'linear', coordinates: 'half_pixel', nearest: 'round_prefer_floor' }, // 8
      transposed(8, 2, 4, 4, { groups: 2 }), // 9: 6×8
      { kind: 'relu', input: 9 }, // 10
      { kind: 'globalAvgPool', input: 10 }, // 11
      denseNode(rand, 11, 4, 3, bias),
    ],
  };
}
