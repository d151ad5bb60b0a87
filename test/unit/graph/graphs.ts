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
  options: { strides?: [number, number]; pads?: Pads; dilations?: [number, number]; groups?: number; bias?: boolean; gain?: number } = {},
): RefNode {
  const groups = options.groups ?? 1;
  // `gain` scales the weights up, for activations that should reach a clip's upper bound (ReLU6 at 6).
  const scale = (options.gain ?? 1) * Math.sqrt(3 / ((kh * kw * inC) / groups));
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

/**
 * An identity residual block: [6, 6, 2] → conv 3×3 pad 1 → ReLU (x₁) → conv 3×3 pad 1 → ReLU → conv 3×3
 * pad 1 → add x₁ → ReLU → global avg pool → dense 4 → 3. `bias: false` gives the conservative variant.
 */
export function identityResidualGraph(seed: number, bias = true): RefGraph {
  const rand = random(seed);
  const pad1: Pads = [1, 1, 1, 1];
  return {
    inputShape: [6, 6, 2],
    nodes: [
      convNode(rand, 0, [3, 3], 2, 4, { pads: pad1, bias }),
      { kind: 'relu', input: 1 },
      convNode(rand, 2, [3, 3], 4, 4, { pads: pad1, bias }),
      { kind: 'relu', input: 3 },
      convNode(rand, 4, [3, 3], 4, 4, { pads: pad1, bias }),
      { kind: 'add', inputs: [5, 2] },
      { kind: 'relu', input: 6 },
      { kind: 'globalAvgPool', input: 7 },
      denseNode(rand, 8, 4, 3, bias),
    ],
  };
}

/**
 * A residual block with a projection: [6, 6, 3] → conv 3×3 pad 1 → ReLU (x₁); main path conv 3×3 stride 2
 * with TF 'same' pads (0, 0, 1, 1) → ReLU → conv 3×3 pad 1; shortcut conv 1×1 stride 2; add → ReLU →
 * flatten → dense 54 → 3.
 */
export function projectionResidualGraph(seed: number, bias = true): RefGraph {
  const rand = random(seed);
  return {
    inputShape: [6, 6, 3],
    nodes: [
      convNode(rand, 0, [3, 3], 3, 4, { pads: [1, 1, 1, 1], bias }),
      { kind: 'relu', input: 1 },
      convNode(rand, 2, [3, 3], 4, 6, { strides: [2, 2], pads: [0, 0, 1, 1], bias }),
      { kind: 'relu', input: 3 },
      convNode(rand, 4, [3, 3], 6, 6, { pads: [1, 1, 1, 1], bias }),
      convNode(rand, 2, [1, 1], 4, 6, { strides: [2, 2], bias }),
      { kind: 'add', inputs: [5, 6] },
      { kind: 'relu', input: 7 },
      { kind: 'flatten', input: 8 },
      denseNode(rand, 9, 54, 3, bias),
    ],
  };
}

/**
 * Two branches concatenated: [5, 5, 2] → conv 3×3 → ReLU, read by a 1×1 conv → ReLU and by a max pool 2×2
 * stride 1 with pads (0, 0, 1, 1); concatenated on channels → flatten → dense 45 → 4.
 */
export function concatBranchesGraph(seed: number, bias = true): RefGraph {
  const rand = random(seed);
  return {
    inputShape: [5, 5, 2],
    nodes: [
      convNode(rand, 0, [3, 3], 2, 3, { bias }),
      { kind: 'relu', input: 1 },
      convNode(rand, 2, [1, 1], 3, 2, { bias }),
      { kind: 'relu', input: 3 },
      { kind: 'maxPool', input: 2, pool: [2, 2], strides: [1, 1], pads: [0, 0, 1, 1] },
      { kind: 'concat', inputs: [4, 5], axis: -1 },
      { kind: 'flatten', input: 6 },
      denseNode(rand, 7, 45, 4, bias),
    ],
  };
}

/** One tensor read by two branches that meet again: [8] → dense → ReLU (x) → two dense → ReLU each → add → dense 5 → 3. */
export function sharedTensorGraph(seed: number, bias = true): RefGraph {
  const rand = random(seed);
  return {
    inputShape: [8],
    nodes: [
      denseNode(rand, 0, 8, 6, bias),
      { kind: 'relu', input: 1 },
      denseNode(rand, 2, 6, 5, bias),
      { kind: 'relu', input: 3 },
      denseNode(rand, 2, 6, 5, bias),
      { kind: 'relu', input: 5 },
      { kind: 'add', inputs: [4, 6] },
      denseNode(rand, 7, 5, 3, bias),
    ],
  };
}

/**
 * Depthwise and grouped convolutions with asymmetric pads: [6, 5, 4] → depthwise 3×3 (multiplier 2) pads
 * (1, 0, 1, 2) → ReLU → conv 3×3 in 2 groups (8 → 6) pads (0, 1, 2, 0) → ReLU → max pool 3×3 stride 2 pads
 * (1, 1, 0, 0) → flatten → dense → 3.
 */
export function groupedGraph(seed: number): RefGraph {
  const rand = random(seed);
  // depthwise: out [6, 5 + 0 + 2 − 2 = 5, 8]; grouped: [6 + 0 + 2 − 2 = 6, 5 + 1 − 2 = 4, 6];
  // pool: [(6 + 1 − 3) / 2 + 1 = 3, (4 + 1 − 3) / 2 + 1 = 2, 6].
  return {
    inputShape: [6, 5, 4],
    nodes: [
      convNode(rand, 0, [3, 3], 4, 8, { pads: [1, 0, 1, 2], groups: 4 }),
      { kind: 'relu', input: 1 },
      convNode(rand, 2, [3, 3], 8, 6, { pads: [0, 1, 2, 0], groups: 2 }),
      { kind: 'relu', input: 3 },
      { kind: 'maxPool', input: 4, pool: [3, 3], strides: [2, 2], pads: [1, 1, 0, 0] },
      { kind: 'flatten', input: 5 },
      denseNode(rand, 6, 36, 3),
    ],
  };
}

/**
 * Normalisation in the graph, and BatchNorms folded and not: [5, 5, 3] → affine per channel (an input
 * map) → zero pad (1, 1, 0, 0) → conv 3×3 (the first layer, z^B's box mapped and padded) → BN (folded)
 * → ReLU → BN (affine: after a ReLU) → conv 3×3 stride 2 → ReLU → flatten → dense → 3.
 */
export function normalisedBnGraph(seed: number): RefGraph {
  const rand = random(seed);
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  return {
    inputShape: [5, 5, 3],
    nodes: [
      { kind: 'affine', input: 0, scale: std.map((s) => Math.fround(1 / s)), offset: mean.map((m, c) => Math.fround(-m / std[c])) },
      { kind: 'pad', input: 1, pads: [1, 1, 0, 0] },
      convNode(rand, 2, [3, 3], 3, 4),
      batchNormNode(rand, 3, 4),
      { kind: 'relu', input: 4 },
      batchNormNode(rand, 5, 4),
      convNode(rand, 6, [3, 3], 4, 5, { strides: [2, 2] }),
      { kind: 'relu', input: 7 },
      { kind: 'flatten', input: 8 },
      denseNode(rand, 9, 5, 3),
    ],
  };
}

/**
 * A random residual / concatenating network: a stem conv (random kernel and asymmetric pads) → ReLU, then
 * three blocks drawn from {identity residual, residual with a 1×1 stride-2 projection, concatenation of a
 * 1×1 and a 3×3 branch, depthwise conv}, then global average pooling or flatten → dense. Sizes, pads and
 * channel counts are drawn too, so that many shapes and paddings meet the same code.
 */
export function randomGraph(seed: number, bias = true): { graph: RefGraph; blocks: string[] } {
  const rand = random(seed);
  const pick = (n: number) => Math.floor(rand() * n);
  const h0 = 5 + pick(4);
  const w0 = 5 + pick(4);
  const c0 = 1 + pick(3);
  const nodes: RefNode[] = [];
  let shape = [h0, w0, c0];
  const push = (node: RefNode, out: number[]) => {
    nodes.push(node);
    shape = out;
    return nodes.length;
  };
  const conv = (input: number, k: number, outC: number, pads: Pads, strides: [number, number] = [1, 1], groups = 1) => {
    const [h, w, c] = shape;
    const out = [Math.floor((h + pads[0] + pads[2] - k) / strides[0]) + 1, Math.floor((w + pads[1] + pads[3] - k) / strides[1]) + 1, outC];
    return push(convNode(rand, input, [k, k], c, outC, { pads, strides, groups, bias }), out);
  };
  const relu = (input: number) => push({ kind: 'relu', input }, shape);
  const k0 = 1 + pick(3);
  let x = relu(conv(0, k0, 2 + pick(3), [pick(2), pick(2), pick(2), pick(2)]));
  const blocks: string[] = [];
  for (let b = 0; b < 3; b++) {
    const [h, w, c] = shape;
    const choice = pick(4);
    if (choice === 0) {
      blocks.push('identity residual');
      const a = relu(conv(x, 3, c, [1, 1, 1, 1]));
      const y = conv(a, 3, c, [1, 1, 1, 1]);
      x = relu(push({ kind: 'add', inputs: [y, x] }, shape));
    } else if (choice === 1 && h >= 4 && w >= 4) {
      blocks.push('projection residual');
      const outC = c + 1 + pick(2);
      const start = shape;
      const a = relu(conv(x, 3, outC, [1, 1, 1, 1], [2, 2]));
      const y = conv(a, 3, outC, [1, 1, 1, 1]);
      const mainShape = shape;
      shape = start;
      const s = conv(x, 1, outC, [0, 0, 0, 0], [2, 2]);
      if (shape.join() !== mainShape.join()) throw new Error('projection shapes differ');
      x = relu(push({ kind: 'add', inputs: [y, s] }, shape));
    } else if (choice === 2) {
      blocks.push('concatenation');
      const start = shape;
      const a = relu(conv(x, 1, 1 + pick(3), [0, 0, 0, 0]));
      const ca = shape[2];
      shape = start;
      const d = relu(conv(x, 3, 1 + pick(3), [1, 1, 1, 1]));
      x = push({ kind: 'concat', inputs: [a, d], axis: -1 }, [start[0], start[1], ca + shape[2]]);
    } else {
      blocks.push('depthwise');
      x = relu(conv(x, 3, 2 * c, [1, 0, 1, 2].map((p) => Math.min(p, 1)) as Pads, [1, 1], c));
    }
  }
  if (pick(2) === 0) {
    x = push({ kind: 'globalAvgPool', input: x }, [shape[2]]);
  } else {
    x = push({ kind: 'flatten', input: x }, [shape.reduce((a, b) => a * b, 1)]);
  }
  nodes.push(denseNode(rand, x, shape[0], 3 + pick(3), bias));
  return { graph: { inputShape: [h0, w0, c0], nodes }, blocks };
}

/**
 * The same graph with a ReLU after every Dense/Conv but the last that is read by anything other than a
 * ReLU (so that an Add or a concatenation only sees ReLU outputs). Under z⁺ a column with no positive
 * contribution passes nothing (as Zennit's ZPlus); with ReLUs there, such a column outputs ≤ 0, its ReLU
 * gives 0 and no relevance is sent to it, so on a bias-free network z⁺ and deep Taylor conserve exactly.
 */
export function reluAfterEveryLinear(g: RefGraph): RefGraph {
  const nodes: RefNode[] = [];
  const renumber = new Map<number, number>([[0, 0]]);
  const readers = (k: number) => g.nodes.filter((n) => ('inputs' in n ? n.inputs : [n.input]).includes(k));
  g.nodes.forEach((node, index) => {
    const k = index + 1;
    const mapped = 'inputs' in node ? { ...node, inputs: node.inputs.map((i) => renumber.get(i)!) } : { ...node, input: renumber.get(node.input)! };
    nodes.push(mapped as RefNode);
    renumber.set(k, nodes.length);
    const linear = node.kind === 'dense' || node.kind === 'conv2d';
    const last = k === g.nodes.length;
    if (linear && !last && readers(k).some((r) => r.kind !== 'relu')) {
      nodes.push({ kind: 'relu', input: nodes.length });
      renumber.set(k, nodes.length);
    }
  });
  return { inputShape: g.inputShape, nodes };
}

/**
 * The model: RGB [10, 10, 3] → conv 3×3 same → BN → ReLU (x₁); identity residual block (conv → BN →
 * ReLU → conv → BN, + x₁, ReLU); residual block with a projection (conv 3×3 stride 2 same → BN → ReLU →
 * conv → BN, shortcut conv 1×1 stride 2 → BN, add, ReLU); a concatenation of a 1×1 conv → ReLU and a 3×3
 * stride-1 same max pool; BN (affine: after a concat) → global avg pool → dense 18 → 5. Every pad is TF's
 * 'same' so that tfjs can build it (tfjsFromGraph.ts).
 */
export function residualConcatGraph(seed: number): RefGraph {
  const rand = random(seed);
  const same: Pads = [1, 1, 1, 1];
  return {
    inputShape: [10, 10, 3],
    nodes: [
      convNode(rand, 0, [3, 3], 3, 8, { pads: same }), // 1
      batchNormNode(rand, 1, 8),
      { kind: 'relu', input: 2 }, // 3: x₁
      convNode(rand, 3, [3, 3], 8, 8, { pads: same }),
      batchNormNode(rand, 4, 8),
      { kind: 'relu', input: 5 },
      convNode(rand, 6, [3, 3], 8, 8, { pads: same }),
      batchNormNode(rand, 7, 8), // 8
      { kind: 'add', inputs: [8, 3] },
      { kind: 'relu', input: 9 }, // 10
      convNode(rand, 10, [3, 3], 8, 12, { strides: [2, 2], pads: [0, 0, 1, 1] }),
      batchNormNode(rand, 11, 12),
      { kind: 'relu', input: 12 },
      convNode(rand, 13, [3, 3], 12, 12, { pads: same }),
      batchNormNode(rand, 14, 12), // 15
      convNode(rand, 10, [1, 1], 8, 12, { strides: [2, 2] }),
      batchNormNode(rand, 16, 12), // 17
      { kind: 'add', inputs: [15, 17] },
      { kind: 'relu', input: 18 }, // 19
      convNode(rand, 19, [1, 1], 12, 6),
      { kind: 'relu', input: 20 }, // 21
      { kind: 'maxPool', input: 19, pool: [3, 3], strides: [1, 1], pads: same }, // 22
      { kind: 'concat', inputs: [21, 22], axis: -1 },
      batchNormNode(rand, 23, 18),
      { kind: 'globalAvgPool', input: 24 },
      denseNode(rand, 25, 18, 5),
    ],
  };
}

/**
 * MobileNetV2-style: [6, 6, 3] → conv 3×3 stride 2 (TF 'same' pads) → BN (folded) → ReLU6 (x₁); an
 * inverted residual block (1×1 expand → ReLU6 → depthwise 3×3 → BN (folded) → ReLU6 → 1×1 project, linear,
 * + x₁); a second block (1×1 expand → leaky ReLU 0.1 → depthwise 3×3 stride 2 → `lastClip` (HardTanh
 * [−1, 1] by default) → 1×1 → leaky ReLU 0.2) → global avg pool → dense 5. The gains put a fair share of
 * every clip at both its bounds (graphActivations.test.ts checks it); every pad is TF's 'same' so that tfjs
 * can build it when `lastClip` starts at 0 (tfjs' ReLU layer has max_value only).
 */
export function mobileNetStyleGraph(seed: number, lastClip: [number, number] = [-1, 1]): RefGraph {
  const rand = random(seed);
  const same: Pads = [1, 1, 1, 1];
  return {
    inputShape: [6, 6, 3],
    nodes: [
      convNode(rand, 0, [3, 3], 3, 6, { strides: [2, 2], pads: [0, 0, 1, 1], gain: 12 }), // 1
      batchNormNode(rand, 1, 6),
      { kind: 'clip', input: 2, min: 0, max: 6 }, // 3: x₁
      convNode(rand, 3, [1, 1], 6, 12, { gain: 2 }),
      { kind: 'clip', input: 4, min: 0, max: 6 }, // 5
      convNode(rand, 5, [3, 3], 12, 12, { pads: same, groups: 12, gain: 2 }),
      batchNormNode(rand, 6, 12),
      { kind: 'clip', input: 7, min: 0, max: 6 }, // 8
      convNode(rand, 8, [1, 1], 12, 6, { gain: 0.5 }), // 9: project, linear
      { kind: 'add', inputs: [9, 3] }, // 10
      convNode(rand, 10, [1, 1], 6, 12, { gain: 0.5 }),
      { kind: 'leakyRelu', input: 11, alpha: 0.1 }, // 12
      convNode(rand, 12, [3, 3], 12, 12, { strides: [2, 2], pads: same, groups: 12, gain: 4 }),
      { kind: 'clip', input: 13, min: lastClip[0], max: lastClip[1] }, // 14
      convNode(rand, 14, [1, 1], 12, 8),
      { kind: 'leakyRelu', input: 15, alpha: 0.2 }, // 16
      { kind: 'globalAvgPool', input: 16 },
      denseNode(rand, 17, 8, 5),
    ],
  };
}
