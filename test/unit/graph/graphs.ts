// The small graphs the graph tests share, as plain arrays (graphReference.ts). Node 0 is the input and
// `nodes[k]` is node k + 1, so `input: 2` reads the second node written below.
import { random, randomArray } from '../methods/reference';
import type { RefGraph, RefNode } from './graphReference';
import type { Pads } from '../../../src/engine/graph/nodes';

export function convNode(
  rand: () => number,
  input: number,
  [kh, kw]: [number, number],
  inC: number,
  outC: number,
  options: { strides?: [number, number]; pads?: Pads; dilations?: [number, number]; groups?: number; bias?: boolean } = {},
): RefNode {
  const groups = options.groups ?? 1;
  const scale = Math.sqrt(3 / ((kh * kw * inC) / groups));
  return {
    kind: 'conv2d',
    input,
    kh,
    kw,
    outC,
    groups,
    w: randomArray(rand, (kh * kw * inC * outC) / groups, -scale, scale),
    b: options.bias === false ? new Array(outC).fill(0) : randomArray(rand, outC, -0.2, 0.2),
    strides: options.strides ?? [1, 1],
    pads: options.pads ?? [0, 0, 0, 0],
    dilations: options.dilations ?? [1, 1],
  };
}

export function denseNode(rand: () => number, input: number, inputs: number, outputs: number, bias = true): RefNode {
  const scale = Math.sqrt(3 / inputs);
  return {
    kind: 'dense',
    input,
    outputs,
    w: randomArray(rand, inputs * outputs, -scale, scale),
    b: bias ? randomArray(rand, outputs, -0.2, 0.2) : new Array(outputs).fill(0),
  };
}

export function batchNormNode(rand: () => number, input: number, channels: number): RefNode {
  return {
    kind: 'batchNorm',
    input,
    mean: randomArray(rand, channels, -0.3, 0.3),
    variance: randomArray(rand, channels, 0.5, 2),
    gamma: randomArray(rand, channels, 0.5, 1.5),
    beta: randomArray(rand, channels, -0.2, 0.2),
    epsilon: 1e-3,
  };
}

/**
 * [7, 6, 4] → conv 3×3 stride 2, pads (1, 0, 2, 1) → ReLU, read by two branches: a depthwise 3×3 (channel
 * multiplier 2, pad 1) → ReLU, and a 1×1 conv in 2 groups; concatenated on channels → max pool 2×2 stride 1
 * with pads (0, 0, 1, 1) → avg pool 3×3 stride 2 pad 1 counting the padding → flatten → dense 64 → 5.
 */
export function branchyGraph(seed: number): RefGraph {
  const rand = random(seed);
  return {
    inputShape: [7, 6, 4],
    nodes: [
      convNode(rand, 0, [3, 3], 4, 6, { strides: [2, 2], pads: [1, 0, 2, 1] }),
      { kind: 'relu', input: 1 },
      convNode(rand, 2, [3, 3], 6, 12, { pads: [1, 1, 1, 1], groups: 6 }),
      { kind: 'relu', input: 3 },
      convNode(rand, 2, [1, 1], 6, 4, { groups: 2 }),
      { kind: 'concat', inputs: [4, 5], axis: -1 },
      { kind: 'maxPool', input: 6, pool: [2, 2], strides: [1, 1], pads: [0, 0, 1, 1] },
      { kind: 'avgPool', input: 7, pool: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], countIncludePad: true },
      { kind: 'flatten', input: 8 },
      denseNode(rand, 9, 64, 5),
    ],
  };
}

/**
 * [6, 6, 3] → per-channel normalisation (affine) → conv 3×3 pad 1 → BN (folded) → ReLU → conv 3×3
 * dilation 2 pad 2 → BN (folded) → add with the ReLU (identity residual) → ReLU → BN (affine: after an add)
 * → zero pad (1, 0, 0, 1) → conv 2×2 stride 2 in 2 groups → global max pool → dense 6 → 4.
 */
export function residualBnGraph(seed: number): RefGraph {
  const rand = random(seed);
  const std = [0.25, 0.5, 0.3];
  const mean = [0.4, 0.5, 0.45];
  return {
    inputShape: [6, 6, 3],
    nodes: [
      { kind: 'affine', input: 0, scale: std.map((s) => Math.fround(1 / s)), offset: mean.map((m, c) => Math.fround(-m / std[c])) },
      convNode(rand, 1, [3, 3], 3, 4, { pads: [1, 1, 1, 1] }),
      batchNormNode(rand, 2, 4),
      { kind: 'relu', input: 3 },
      convNode(rand, 4, [3, 3], 4, 4, { pads: [2, 2, 2, 2], dilations: [2, 2] }),
      batchNormNode(rand, 5, 4),
      { kind: 'add', inputs: [6, 4] },
      { kind: 'relu', input: 7 },
      batchNormNode(rand, 8, 4),
      { kind: 'pad', input: 9, pads: [1, 0, 0, 1] },
      convNode(rand, 10, [2, 2], 4, 6, { strides: [2, 2], groups: 2 }),
      { kind: 'globalMaxPool', input: 11 },
      denseNode(rand, 12, 6, 4),
    ],
  };
}

/**
 * [3, 4, 2] → conv 1×1 → ReLU, read twice by one concat along the rows → avg pool 2×2 stride 2 with pads
 * (0, 1, 0, 1), padding not counted → transpose to C, H, W → flatten → dense 27 → 4.
 */
export function spatialConcatGraph(seed: number): RefGraph {
  const rand = random(seed);
  return {
    inputShape: [3, 4, 2],
    nodes: [
      convNode(rand, 0, [1, 1], 2, 3),
      { kind: 'relu', input: 1 },
      { kind: 'concat', inputs: [2, 2], axis: 0 },
      { kind: 'avgPool', input: 3, pool: [2, 2], strides: [2, 2], pads: [0, 1, 0, 1], countIncludePad: false },
      { kind: 'transpose', input: 4, perm: [2, 0, 1] },
      { kind: 'flatten', input: 5 },
      denseNode(rand, 6, 27, 4),
    ],
  };
}
