// A rule's modified kernel (W⁺, W⁻, w², γ, ones) of a large dense layer, not made: a placeholder naming the
// node's kernel and the modifier, which the dense layer applies block by block inside its products
// (dense.ts). Made whole, each variant of AlexNet's 9216×4096 layer is 151 MB, plus as much again for
// XNNPACK's packed copy when it is a product's right operand; the αβ rule holds W⁺ and W⁻ at once, and
// wasm memory keeps its largest size for good (a worker grew to 1.45 GB). Block by block, a product holds
// one block of about MODIFIED_BLOCK.bytes at a time.
import * as tf from '@tensorflow/tfjs';

export interface ModifiedKernel {
  /** The node's own kernel. */
  source: tf.Tensor;
  /** The modifier, applied to any block of `source` (elementwise or not: `ones` takes only the shape). */
  modify(block: tf.Tensor): tf.Tensor;
}

/** Bytes of one block of a modified kernel. An object so that tests can make blocks small. */
export const MODIFIED_BLOCK = { bytes: 16 * 1024 * 1024 };

const placeholders = new WeakMap<tf.Tensor, ModifiedKernel>();

/** A scalar standing for `modify(source)`: any op that takes it for a kernel by mistake fails on its shape. */
export function modifiedKernel(source: tf.Tensor, modify: (block: tf.Tensor) => tf.Tensor): tf.Tensor {
  const placeholder = tf.scalar(0);
  placeholders.set(placeholder, { source, modify });
  return placeholder;
}

/** What `kernel` stands for, when it is such a placeholder. */
export function modifiedKernelOf(kernel: tf.Tensor): ModifiedKernel | undefined {
  return placeholders.get(kernel);
}
