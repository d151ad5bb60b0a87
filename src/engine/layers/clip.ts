// Clip y = min(max(z, min), max): ReLU6 (0, 6), HardTanh (−1, 1), ONNX Clip, Keras ReLU(max_value). LRP
// passes relevance unchanged, as it does through a ReLU (Zennit's Pass rule on activations). Every gradient
// method (plain gradient, guided backprop, deconvnet) takes the true derivative g·[min < z < max]: guided
// backprop and deconvnet are defined on ReLUs, and Zennit's composites for them hook torch.nn.ReLU only,
// leaving ReLU6 / Hardtanh to autograd's derivative; doing the same keeps the two comparable.
import * as tf from '@tensorflow/tfjs';
import type { NodeSpec } from '../graph/nodes';
import type { FixedKind } from './layerKind';
import { perImage } from './signals';

export const clip: FixedKind<'clip'> = {
  kind: 'clip',
  create(spec, c) {
    const { min, max } = spec;
    if (Number.isNaN(min) || Number.isNaN(max) || !(min < max) || min === Infinity || max === -Infinity) {
      c.fail(`clips to [${min}, ${max}]; the lower bound must be below the upper one`);
    }
    if (min === -Infinity && max === Infinity) c.fail('clips to [−∞, ∞]; that is no clip (the front end should drop it)');
    return { kind: 'clip', min, max, shape: c.inputShapes[0] };
  },
  forward: (node, [x]) => tf.clipByValue(x, node.min, node.max),
  describe: (node) => clipName(node.min, node.max),
  vjp: (c, g) => [perImage(tf.mul, g, c.derivative((y) => insideMask(y, c.node.min, c.node.max)), c.blocks)],
  relevance: (_c, r) => [r],
  lrpTreatment: () => 'relevance passes unchanged',
  gradientTreatment: (node) => `g·[${fmt(node.min)} < z < ${fmt(node.max)}] (every gradient method: guided/deconvnet change ReLUs only)`,
};

/**
 * [min < z < max] as 0/1 floats from the output y = clip(z): y is strictly inside exactly where z is
 * (PyTorch's hardtanh backward, which ReLU6 uses, is 0 at both bounds too). tf.step(v) is 1 for v > 0.
 */
function insideMask(y: tf.Tensor, min: number, max: number): tf.Tensor {
  const above = min === -Infinity ? null : tf.step(min === 0 ? y : tf.sub(y, min));
  const below = max === Infinity ? null : tf.step(tf.sub(max, y));
  return above && below ? tf.mul(above, below) : (above ?? below)!;
}

function fmt(v: number): string {
  return v === Infinity ? '∞' : v === -Infinity ? '−∞' : String(v);
}

function clipName(min: number, max: number): string {
  if (min === 0 && max === 6) return 'ReLU6';
  if (min === -1 && max === 1) return 'HardTanh';
  return `clip to [${fmt(min)}, ${fmt(max)}]`;
}

/**
 * The node for a clip to [min, max] as a front end reads it: a ReLU for [0, ∞) (so it stays fused with
 * the Dense/Conv before it), nothing (null: the identity) for (−∞, ∞), else a clip node.
 */
export function clipSpec(min: number, max: number): NodeSpec | null {
  if (min === 0 && max === Infinity) return { kind: 'relu' };
  if (min === -Infinity && max === Infinity) return null;
  return { kind: 'clip', min, max };
}
