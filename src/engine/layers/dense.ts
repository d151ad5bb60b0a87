// Dense: z = x·W + b on a vector, kernel [in, out]. Its rules are the composite's (methods/composites.ts).
import * as tf from '@tensorflow/tfjs';
import type { DenseNode } from '../graph/nodes';
import type { LinearKind } from './layerKind';

export const dense: LinearKind<'dense'> = {
  kind: 'dense',
  create(spec, c) {
    const [input] = c.inputShapes;
    if (input.length !== 1) c.fail(`gets an input of shape [${input}] but needs a flat input (add a Flatten before it)`);
    if (spec.kernel.rank !== 2) c.fail(`kernel has shape [${spec.kernel.shape}]; [in, out] is needed`);
    const [inputs, units] = spec.kernel.shape;
    if (inputs !== input[0]) c.fail(`kernel [${spec.kernel.shape}] takes ${inputs} inputs but its input has ${input[0]}`);
    if (spec.bias && (spec.bias.rank !== 1 || spec.bias.shape[0] !== units)) {
      c.fail(`bias has shape [${spec.bias.shape}]; [${units}] is needed`);
    }
    // A zero bias stands in for none, so that every Dense has one (and a BatchNorm can fold into it).
    return { kind: 'dense', kernel: spec.kernel, bias: spec.bias ?? tf.zeros([units]), shape: [units] };
  },
  forward: (node, [x]) => dense.linear.apply(node, node.kernel, node.bias, x),
  describe: (node) => `dense ${node.kernel.shape[0]}→${node.kernel.shape[1]}`,
  linear: {
    isConvolution: false,
    kernel: (node) => node.kernel,
    bias: (node) => node.bias,
    forwardKernel: (_node, w) => w,
    // FACTS.md: a transposed matMul runs ~10× slower than a plain one on wasm (tfjs's naive loop), so the VJP
    // s·Wᵀ is a plain product either way: s·(Wᵀ) with Wᵀ kept (small layers), or (W·sᵀ)ᵀ with W itself
    // as the left operand (large layers). XNNPACK keeps a packed copy of a product's right operand, so the
    // first costs two more copies of the weights (Wᵀ and its packed copy, and again for each rule variant),
    // the second none: sᵀ, the signal, is what gets packed, per call. Measured: AlexNet's dense layers held
    // ~1 GB of transposes and their packed copies per worker.
    backwardKernel: (node, w) => (keepsTranspose(node) ? tf.transpose(w) : w),
    apply(_node, kernel, bias, x, relu = false) {
      if (!bias && !relu) return tf.matMul(x as tf.Tensor2D, kernel as tf.Tensor2D);
      return tf.fused.matMul({ a: x as tf.Tensor2D, b: kernel as tf.Tensor2D, bias: bias ?? undefined, activation: relu ? 'relu' : 'linear' });
    },
    vjp: (node, kernel, s) =>
      keepsTranspose(node) ? tf.matMul(s as tf.Tensor2D, kernel as tf.Tensor2D) : tf.transpose(tf.matMul(kernel as tf.Tensor2D, tf.transpose(s) as tf.Tensor2D)),
  },
};

/** Dense kernels of at least this many bytes take their VJP without a kept transpose (see backwardKernel). At
 *  MNIST size (784×400: 1.25 MB) the transpose is cheap to keep, and packing a batch of 256 signals per
 *  call would cost more than the product. A setting object so that tests can lower it. */
export const DENSE_TRANSPOSE = { maxKernelBytes: 4 * 1024 * 1024 };

function keepsTranspose(node: DenseNode): boolean {
  return node.kernel.size * 4 < DENSE_TRANSPOSE.maxKernelBytes;
}
