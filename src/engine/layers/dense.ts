// Dense: z = x·W + b over the last axis, kernel [in, out]: on a vector, or per position of a map [..., in]
// (torch's nn.Linear on tokens, or after ConvNeXt's permute to channels last). Either way one Dense layer,
// as Zennit sees nn.Linear: its rules are the composite's dense ones (methods/composites.ts).
import * as tf from '@tensorflow/tfjs';
import type { DenseNode } from '../graph/nodes';
import type { LinearKind } from './layerKind';
import { MODIFIED_BLOCK, modifiedKernelOf, type ModifiedKernel } from './modifiedKernels';
import { matrixBlock } from './tensorMemory';

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
    // FACTS.md: a transposed matMul runs ~10× slower than a plain one on wasm (tfjs's naive loop), so the VJP
    // s·Wᵀ is a plain product either way: s·(Wᵀ) with Wᵀ kept (small layers), or (W·sᵀ)ᵀ with W itself
    // as the left operand (large layers). XNNPACK keeps a packed copy of a product's right operand, so the
    // first costs two more copies of the weights (Wᵀ and its packed copy, and again for each rule variant),
    // the second none: sᵀ, the signal, is what gets packed, per call. Measured: AlexNet's dense layers held
    // ~1 GB of transposes and their packed copies per worker.
    backwardKernel: (node, w) => (isLargeDense(node) ? w : tf.transpose(w)),
    modifiesInProduct: (node) => isLargeDense(node),
    apply(_node, kernel, bias, x, relu = false) {
      const modified = modifiedKernelOf(kernel as tf.Tensor);
      return perPosition(x, (rows) => {
        if (modified) return modifiedProduct(rows, modified, bias, relu);
        if (!bias && !relu) return tf.matMul(rows, kernel as tf.Tensor2D);
        return tf.fused.matMul({ a: rows, b: kernel as tf.Tensor2D, bias: bias ?? undefined, activation: relu ? 'relu' : 'linear' });
      });
    },
    vjp(node, kernel, s) {
      const modified = modifiedKernelOf(kernel as tf.Tensor);
      return perPosition(s, (rows) => {
        if (modified) return modifiedVjp(modified, rows);
        if (!isLargeDense(node)) return tf.matMul(rows, kernel as tf.Tensor2D);
        return tf.transpose(tf.matMul(kernel as tf.Tensor2D, tf.transpose(rows) as tf.Tensor2D));
      });
    },
  },
};

/** Dense kernels of at least this many bytes keep no transpose (see backwardKernel) and take their rules'
 *  modified kernels block by block (modifiedKernels.ts). At MNIST size (784×400: 1.25 MB) the transpose is
 *  cheap to keep and cached variants pay off; packing a batch of 256 signals per call would cost more than
 *  the product. A setting object so that tests can lower it. */
export const LARGE_DENSE = { minKernelBytes: 8 * 1024 * 1024 };

function isLargeDense(node: DenseNode): boolean {
  return node.kernel.size * 4 >= LARGE_DENSE.minKernelBytes;
}

/**
 * x · modify(W) (+ bias, ReLU) over column blocks of W: each block gathered, modified, multiplied (XNNPACK
 * packs it) and freed before the next. Every output column is summed as in one product (blocks split the
 * columns, not the sum), so the result is the same as with the whole modified kernel.
 */
function modifiedProduct(x: tf.Tensor2D, { source, modify }: ModifiedKernel, bias: tf.Tensor | null, relu: boolean): tf.Tensor {
  const [inputs, units] = source.shape;
  const columns = Math.max(1, Math.floor(MODIFIED_BLOCK.bytes / (4 * inputs)));
  const parts: tf.Tensor[] = [];
  for (let c0 = 0; c0 < units; c0 += columns) {
    const n = Math.min(columns, units - c0);
    parts.push(
      tf.tidy(() => {
        const block = modify(matrixBlock(source, [0, c0], [inputs, n])) as tf.Tensor2D;
        const b = bias ? tf.slice(bias, c0, n) : undefined;
        return b || relu ? tf.fused.matMul({ a: x, b: block, bias: b, activation: relu ? 'relu' : 'linear' }) : tf.matMul(x, block);
      }),
    );
  }
  return parts.length === 1 ? parts[0] : tf.concat(parts, 1);
}

/** (modify(W) · sᵀ)ᵀ over row blocks of W (contiguous): each output row is one block row's product, as in the
 *  whole product; sᵀ is packed once for all blocks. */
function modifiedVjp({ source, modify }: ModifiedKernel, s: tf.Tensor2D): tf.Tensor {
  const [inputs, units] = source.shape;
  const rows = Math.max(1, Math.floor(MODIFIED_BLOCK.bytes / (4 * units)));
  const sT = tf.transpose(s) as tf.Tensor2D;
  const parts: tf.Tensor[] = [];
  for (let r0 = 0; r0 < inputs; r0 += rows) {
    const n = Math.min(rows, inputs - r0);
    parts.push(tf.tidy(() => tf.matMul(modify(matrixBlock(source, [r0, 0], [n, units])) as tf.Tensor2D, sT)));
  }
  return tf.transpose(parts.length === 1 ? parts[0] : tf.concat(parts, 0));
}

/** `f` of the rows of `x` [n, ..., features] as one matrix [n·positions, features], reshaped back. */
function perPosition(x: tf.Tensor, f: (rows: tf.Tensor2D) => tf.Tensor): tf.Tensor {
  if (x.rank === 2) return f(x as tf.Tensor2D);
  const y = f(tf.reshape(x, [-1, x.shape[x.rank - 1]]) as tf.Tensor2D);
  return tf.reshape(y, [...x.shape.slice(0, -1), y.shape[1] as number]);
}
