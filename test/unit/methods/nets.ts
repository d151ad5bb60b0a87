// The small networks the method tests share, described as plain arrays (see reference.ts).
import { conv, dense, random, randomArray, type RefNet } from './reference';

/**
 * 4-3-2 dense net with biases and negative weights, for the input x = [1, −0.5, 0.75, 0.25]:
 * layer 1 column 0 has only positive contributions a_i·w_ij (empty negative part), column 2 only negative
 * ones (empty positive part, kept alive by its bias), layer 2 column 0 has only positive weights.
 */
export const TINY_DENSE: RefNet = {
  inputShape: [4],
  layers: [
    {
      kind: 'dense',
      inputs: 4,
      outputs: 3,
      // rows are inputs: [x0→(0,1,2)], [x1→...], ...
      w: [0.5, -0.5, -0.25, -0.25, 0.75, 0.5, 0.25, 0.5, -0.75, 0.5, -1.0, -1.0],
      b: [0.1, 1.0, 1.5],
    },
    { kind: 'relu' },
    { kind: 'dense', inputs: 3, outputs: 2, w: [0.5, -0.5, 0.25, 1.0, 0.75, -0.25], b: [0.2, -0.1] },
  ],
};
export const TINY_DENSE_INPUTS = [
  [1.0, -0.5, 0.75, 0.25],
  [0.25, 0.5, -1.0, 0.75],
];

/** 5×5×1 → conv 2×2 valid (2 filters) → ReLU → max pool 2×2/2 → flatten → dense 8→3. */
export function tinyConvNet(seed = 1): RefNet {
  const rand = random(seed);
  return {
    inputShape: [5, 5, 1],
    layers: [
      conv(rand, 2, 1, 2, 1, 'valid'),
      { kind: 'relu' },
      { kind: 'maxPool', pool: 2, stride: 2, padding: 'valid' },
      { kind: 'reshape', shape: [8] },
      dense(rand, 8, 3),
    ],
  };
}

/**
 * 6×6×2 → rescale x·2 − 1 → conv 2×2 same (3) → ReLU → avg pool 3×3/2 same (partial border windows) → conv 3×3 same stride 2 (2) → ReLU
 * → global average pool → dense 2→3. Covers the asymmetric 'same' padding of an even kernel, the strided
 * (transposed) convolution, average pooling, a rescale before the first layer and several channels.
 */
export function mixedConvNet(seed = 2): RefNet {
  const rand = random(seed);
  return {
    inputShape: [6, 6, 2],
    layers: [
      { kind: 'rescale', scale: 2, offset: -1 },
      conv(rand, 2, 2, 3, 1, 'same'),
      { kind: 'relu' },
      { kind: 'avgPool', pool: 3, stride: 2, padding: 'same' },
      conv(rand, 3, 3, 2, 2, 'same'),
      { kind: 'relu' },
      { kind: 'globalAvgPool' },
      dense(rand, 2, 3),
    ],
  };
}

/** Inputs in [0, 1] for a net. */
export function randomImages(seed: number, count: number, size: number): number[][] {
  const rand = random(seed);
  return Array.from({ length: count }, () => randomArray(rand, size, 0, 1));
}
