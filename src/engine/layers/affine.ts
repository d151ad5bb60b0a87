// Elementwise affine map y = s ⊙ x + t, s and t scalar, per channel (the last axis) or one per element (a
// transformer's position embedding, attention bias and mask; a class token as 0·x + t): an unfolded
// BatchNormalization, Keras Rescaling / Normalization, ONNX Sub/Mul/Div/Add by constants. The gradient is
// g ⊙ s. LRP: between the model input and the first Dense/Conv layers it is an input map, part of the
// input encoding (relevance passes, z^B's box is mapped through it); anywhere else LRP-0 with the offset in
// the denominator, R_x = s ⊙ x / (s ⊙ x + t + ε₀·sign) ⊙ R (METHODS.md, "Graphs").
import * as tf from '@tensorflow/tfjs';
import type { AffineNode } from '../graph/nodes';
import type { FixedKind } from './layerKind';
import { perImage, stabilise } from './signals';

export const affine: FixedKind<'affine'> = {
  kind: 'affine',
  create(spec, c) {
    const [input] = c.inputShapes;
    const channels = input[input.length - 1];
    const elements = input.reduce((a, b) => a * b, 1);
    const values = (v: number | number[], what: string): number[] => {
      const list = typeof v === 'number' ? [v] : v;
      if (!Array.isArray(list) || !list.every(Number.isFinite) || (list.length !== 1 && list.length !== channels && list.length !== elements)) {
        c.fail(`has ${what} ${JSON.stringify(v).slice(0, 80)}; one finite number, one per channel (${channels}) or one per element (${elements}) is needed`);
      }
      return [...list];
    };
    return { kind: 'affine', scale: values(spec.scale, 'scale'), offset: values(spec.offset, 'offset'), shape: input };
  },
  forward: (node, [x]) => applyAffine(node, x, true),
  describe(node) {
    const show = (v: number[]) => (v.length === 1 ? `${round(v[0])}` : `(${v.slice(0, 4).map(round).join(', ')}${v.length > 4 ? ', …' : ''})`);
    return `affine ×${show(node.scale)} + ${show(node.offset)}`;
  },
  vjp: (c, g) => [hasScale(c.node) ? tf.mul(g, constant(c.node.scale, c.node.shape)) : g],
  relevance(c, r) {
    if (c.beforeFirstLinear) return [r];
    const s = perImage(tf.div, r, stabilise(c.output()), c.blocks);
    return [perImage(tf.mul, s, applyAffine(c.node, c.input(0), false), c.blocks)];
  },
  lrpTreatment: (_node, beforeFirstLinear) => (beforeFirstLinear ? 'input map: relevance passes, z^B box mapped through' : 'LRP-0 with its offset'),
  gradientTreatment: () => 'g ⊙ scale',
};

/** s ⊙ x (+ t when `withOffset`), skipping the ops of s = 1 and t = 0. */
function applyAffine(node: AffineNode, x: tf.Tensor, withOffset: boolean): tf.Tensor {
  let y = hasScale(node) ? tf.mul(x, constant(node.scale, node.shape)) : x;
  if (withOffset && node.offset.some((t) => t !== 0)) y = tf.add(y, constant(node.offset, node.shape));
  return y === x ? tf.clone(x) : y;
}

function hasScale(node: AffineNode): boolean {
  return node.scale.some((s) => s !== 1);
}

/** A scalar, a per-channel vector broadcast along the last axis, or one image's tensor (broadcast over the batch). */
function constant(v: number[], shape: number[]): tf.Tensor | number {
  if (v.length === 1) return v[0];
  return v.length === shape[shape.length - 1] ? tf.tensor1d(v) : tf.tensor(v, shape);
}

function round(v: number): string {
  return Number(v.toPrecision(4)).toString();
}
