// Elementwise sum of n inputs of one shape (a residual connection). The gradient family copies the signal
// to every input; every LRP method splits relevance in proportion to each input,
// R_k = x_k / (Σ_k' x_k' + ε₀·sign) ⊙ R (Zennit's Norm rule on its Sum layer), which conserves it.
import * as tf from '@tensorflow/tfjs';
import type { FixedKind } from './layerKind';
import { perImage, stabilise } from './signals';

export const add: FixedKind<'add'> = {
  kind: 'add',
  create(_spec, c) {
    const shapes = c.inputShapes;
    if (shapes.length < 2) c.fail(`has ${shapes.length} input(s); at least two are needed`);
    const first = shapes[0];
    const other = shapes.find((s) => s.length !== first.length || s.some((d, i) => d !== first[i]));
    if (other) c.fail(`adds inputs of shapes ${shapes.map((s) => `[${s}]`).join(', ')}; they must be equal (no broadcasting)`);
    return { kind: 'add', shape: first };
  },
  forward: (_node, inputs) => (inputs.length === 2 ? tf.add(inputs[0], inputs[1]) : tf.addN(inputs)),
  describe: (node) => `add (${node.inputs.length} inputs)`,
  vjp: (c, g) => c.node.inputs.map(() => g),
  relevance(c, r) {
    const s = perImage(tf.div, r, stabilise(c.output()), c.blocks);
    return c.node.inputs.map((_, k) => perImage(tf.mul, s, c.input(k), c.blocks));
  },
  lrpTreatment: () => 'split in proportion to each input',
  gradientTreatment: () => 'copied to every input',
};
