// Dense: z = x·W + b over the last axis, kernel [in, out]: on a vector, or per position of a map [..., in]
// (torch's nn.Linear on tokens, or after ConvNeXt's permute to channels last). Either way one Dense layer,
// as Zennit sees nn.Linear: its rules are the composite's dense ones (methods/composites.ts).
import * as tf from '@tensorflow/tfjs';
import type { LinearKind } from './layerKind';

export const dense: LinearKind<'dense'> = {
  kind: 'dense',
  create(spec, c) {
    const [input] = c.inputShapes;
    if (spec.kernel.rank !== 2) c.fail(`kernel has shape [${spec.kernel.shape}]; [in, out] is needed`);
    const [inputs, units] = spec.kernel.shape;
    const features = input[input.length - 1];
    if (inputs !== features) {
      c.fail(`kernel [${spec.kernel.shape}] takes ${inputs} inputs but its input [${input}] has ${features} along its last axis${input.length > 1 ? ' (add a Flatten before it to read all its values)' : ''}`);
    }
    if (spec.bias && (spec.bias.rank !== 1 || spec.bias.shape[0] !== units)) {
      c.fail(`bias has shape [${spec.bias.shape}]; [${units}] is needed`);
    }
    // A zero bias stands in for none, so that every Dense has one (and a BatchNorm can fold into it).
    return { kind: 'dense', kernel: spec.kernel, bias: spec.bias ?? tf.zeros([units]), shape: [...input.slice(0, -1), units] };
  },
  forward: (node, [x]) => dense.linear.apply(node, node.kernel, node.bias, x),
  describe: (node) => `dense ${node.kernel.shape[0]}→${node.kernel.shape[1]}${node.shape.length > 1 ? ' per position' : ''}`,
  linear: {
    isConvolution: false,
    kernel: (node) => node.kernel,
    bias: (node) => node.bias,
    forwardKernel: (_node, w) => w,
    // FACTS.md: a transposed matMul runs ~10× slower than a plain one on wasm, so the VJP multiplies by a
    // cached Wᵀ.
    backwardKernel: (_node, w) => tf.transpose(w),
    apply(_node, kernel, bias, x, relu = false) {
      return perPosition(x, (rows) => {
        if (!bias && !relu) return tf.matMul(rows, kernel as tf.Tensor2D);
        return tf.fused.matMul({ a: rows, b: kernel as tf.Tensor2D, bias: bias ?? undefined, activation: relu ? 'relu' : 'linear' });
      });
    },
    vjp: (_node, kernelT, s) => perPosition(s, (rows) => tf.matMul(rows, kernelT as tf.Tensor2D)),
  },
};

/** `f` of the rows of `x` [n, ..., features] as one matrix [n·positions, features], reshaped back. */
function perPosition(x: tf.Tensor, f: (rows: tf.Tensor2D) => tf.Tensor): tf.Tensor {
  if (x.rank === 2) return f(x as tf.Tensor2D);
  const y = f(tf.reshape(x, [-1, x.shape[x.rank - 1]]) as tf.Tensor2D);
  return tf.reshape(y, [...x.shape.slice(0, -1), y.shape[1] as number]);
}
