// Leaky ReLU y = z for z > 0, α·z otherwise (α ≥ 0). LRP passes relevance unchanged, as through a ReLU
// (Zennit's Pass rule on activations). Every gradient method takes the true derivative g·(z > 0 ? 1 : α):
// guided backprop and deconvnet are defined on ReLUs, and Zennit's composites for them hook torch.nn.ReLU
// only, leaving LeakyReLU to autograd's derivative (clip.ts says the same of ReLU6).
import * as tf from '@tensorflow/tfjs';
import type { NodeSpec } from '../graph/nodes';
import type { FixedKind } from './layerKind';
import { perImage } from './signals';

export const leakyRelu: FixedKind<'leakyRelu'> = {
  kind: 'leakyRelu',
  create(spec, c) {
    if (!Number.isFinite(spec.alpha) || spec.alpha < 0) c.fail(`has slope ${spec.alpha} for negative inputs; a finite number ≥ 0 is needed`);
    return { kind: 'leakyRelu', alpha: spec.alpha, shape: c.inputShapes[0] };
  },
  forward: (node, [x]) => tf.leakyRelu(x, node.alpha),
  describe: (node) => `leaky ReLU (slope ${node.alpha})`,
  // y > 0 exactly where z > 0 (α ≥ 0); tf.step(y, α) is 1 there and α elsewhere, z = 0 included (PyTorch's
  // leaky_relu backward: z > 0 ? g : α·g).
  vjp: (c, g) => [perImage(tf.mul, g, c.derivative((y) => tf.step(y, c.node.alpha)), c.blocks)],
  relevance: (_c, r) => [r],
  lrpTreatment: () => 'relevance passes unchanged',
  gradientTreatment: (node) => `g·(z > 0 ? 1 : ${node.alpha}) (every gradient method: guided/deconvnet change ReLUs only)`,
};

/** The node for a leaky ReLU of slope α as a front end reads it: a ReLU for α = 0, nothing (the identity) for 1. */
export function leakyReluSpec(alpha: number): NodeSpec | null {
  if (alpha === 0) return { kind: 'relu' };
  if (alpha === 1) return null;
  return { kind: 'leakyRelu', alpha };
}
