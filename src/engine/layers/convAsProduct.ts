// Convolutions whose weights outweigh their activations (ResNet's 3×3 convs on 14×14 and 7×7 maps, VGG's
// last blocks) evaluated as matrix products with the kernel as the LEFT operand, for the LRP rules'
// modified kernels (W⁺, W⁻, w², γ) and for every VJP.
//
// Why: XNNPACK packs a convolution's filter (and a product's right operand) into its own layout when the
// operator is made, and tfjs-wasm keeps that operator per filter tensor. A rule's modified kernel of a large
// network is made per call (network/prepared.ts: kept, every variant and its packed copy cost ResNet-18
// 1.1 GB of wasm memory per worker), so each call packed W⁺ and W⁻ twice (forward and flipped layouts):
// measured on a 3×3×512×512 kernel at 7×7, 28 ms for one convolution with a new filter against 4.5 ms with a
// packed one. A product's left operand is read as it is, unpacked; what gets packed is the right operand,
// here the activations or the signal, which at these sizes are 10–50× smaller than the kernel:
//   forward  zᵀ [out, N]   = W'ᵀ [out, K] · colsᵀ [K, N]   (cols: the input's windows, im2col),
//   VJP      gᵀ [K, N]     = W'  [K, out] · sᵀ [out, N]    (then summed back onto the input grid, col2im),
// with K = kh·kw·in and N = rows·outH·outW, W' the kernel [kh, kw, in, out] viewed as [K, out] (its own
// memory) or transposed to [out, K] (`productKernel`, made once and kept: transposing per call cost 7 ms per
// 9 MB kernel), the modifier applied block by block (as for large dense layers, modifiedKernels.ts). The
// flipped backward layout and its packed copy are not kept for these nodes at all; the forward pass with
// the node's own kernel stays a convolution (its packed operator is made once, and a batch of predictions
// runs at the convolution's speed).
import * as tf from '@tensorflow/tfjs';
import type { Conv2dNode } from '../graph/nodes';
import { MODIFIED_BLOCK, type ModifiedKernel } from './modifiedKernels';
import { filledTensor, matrixBlock, valuesOf } from './tensorMemory';

/** Convolutions with a kernel of at least this many bytes, and at least as many output channels as output
 *  pixels, are evaluated as products (see the header). ResNet-18: the 3×3 convs of its last two stages. A
 *  setting object so that tests can lower it. */
export const CONV_AS_PRODUCT = { minKernelBytes: 2 * 1024 * 1024 };

/** Whether `node` is evaluated as products: one group, weights outweighing each row's output. */
export function isConvAsProduct(node: Conv2dNode): boolean {
  const [outH, outW, out] = node.shape;
  return node.groups === 1 && node.kernel.size * 4 >= CONV_AS_PRODUCT.minKernelBytes && out >= outH * outW;
}

/** The kernel [kh, kw, in, out] as the forward products' left operand W'ᵀ: [out, kh·kw·in]. */
export function productKernel(w: tf.Tensor): tf.Tensor {
  const [kh, kw, cin, cout] = w.shape;
  return tf.transpose(tf.reshape(w, [kh * kw * cin, cout]));
}

/** z = x ⊛ modify(W) (no bias) for x [rows, h, w, in]: [rows, outH, outW, out]; `source` is productKernel(W). */
export function productForward(node: Conv2dNode, { source, modify }: ModifiedKernel, x: tf.Tensor): tf.Tensor {
  const [cout, k] = source.shape;
  const [outH, outW] = node.shape;
  return byRowChunks(node, x, (rows) => {
    const colsT = tf.transpose(im2col(node, rows)) as tf.Tensor2D;
    // Blocks of output channels (contiguous rows of W'ᵀ): each gives the same rows of zᵀ as the whole product.
    const step = Math.max(1, Math.floor(MODIFIED_BLOCK.bytes / (4 * k)));
    const parts: tf.Tensor[] = [];
    for (let o0 = 0; o0 < cout; o0 += step) {
      const n = Math.min(step, cout - o0);
      parts.push(tf.tidy(() => tf.matMul(modify(n === cout ? source : matrixBlock(source, [o0, 0], [n, k])) as tf.Tensor2D, colsT)));
    }
    const zT = parts.length === 1 ? parts[0] : tf.concat(parts, 0);
    return tf.reshape(tf.transpose(zT), [rows.shape[0], outH, outW, cout]);
  });
}

/** sᵀ ∂z/∂x for s [rows, outH, outW, out] and the kernel `source` modified by `modify` (none: as it is). */
export function productVjp(node: Conv2dNode, source: tf.Tensor, modify: ((block: tf.Tensor) => tf.Tensor) | null, s: tf.Tensor, inputShape: number[]): tf.Tensor {
  const [kh, kw, cin, cout] = source.shape;
  const k = kh * kw * cin;
  return byRowChunks(node, s, (rows) => {
    const sT = tf.transpose(tf.reshape(rows, [-1, cout])) as tf.Tensor2D;
    const kernel = tf.reshape(source, [k, cout]);
    // Blocks of kernel rows (contiguous): each gives the same rows of gᵀ as the whole product would.
    const step = modify ? Math.max(1, Math.floor(MODIFIED_BLOCK.bytes / (4 * cout))) : k;
    const parts: tf.Tensor[] = [];
    for (let r0 = 0; r0 < k; r0 += step) {
      const n = Math.min(step, k - r0);
      parts.push(
        tf.tidy(() => {
          const block = n === k ? kernel : matrixBlock(kernel, [r0, 0], [n, cout]);
          return tf.matMul((modify ? modify(block) : block) as tf.Tensor2D, sT);
        }),
      );
    }
    const gT = parts.length === 1 ? parts[0] : tf.concat(parts, 0);
    return col2im(node, tf.transpose(gT), [rows.shape[0], ...inputShape.slice(1)]);
  });
}

/**
 * `f` of `t`'s rows in chunks whose windows (rows·outH·outW × kh·kw·in floats, the im2col matrix or its
 * adjoint) take at most about MODIFIED_BLOCK.bytes, the results concatenated: at batch 1 one chunk, at a
 * batch of 64 ResNet-18's 7×7 stage would otherwise hold 58 MB of windows and as much again packed. Rows
 * are independent, so chunks give the same numbers as one product.
 */
function byRowChunks(node: Conv2dNode, t: tf.Tensor, f: (rows: tf.Tensor) => tf.Tensor): tf.Tensor {
  const [kh, kw, cin] = node.kernel.shape;
  const [outH, outW] = node.shape;
  const total = t.shape[0];
  const chunk = Math.max(1, Math.floor(MODIFIED_BLOCK.bytes / (4 * kh * kw * cin * outH * outW)));
  return tf.tidy(() => {
    if (total <= chunk) return f(t);
    const parts: tf.Tensor[] = [];
    for (let r0 = 0; r0 < total; r0 += chunk) parts.push(tf.tidy(() => f(tf.slice(t, r0, Math.min(chunk, total - r0)))));
    return tf.concat(parts, 0);
  });
}

/**
 * Every (output pixel, kernel tap) whose input pixel lies inside x [rows, h, w, in] (padding is skipped):
 * `visit(window, input)` with the offsets of its run of `in` channels in the windows matrix
 * [rows·outH·outW, kh·kw·in] (row (r, y, x), columns (i, j, ·)) and in x (pixel (r, y·sh + i·dh − top,
 * x·sw + j·dw − left)). im2col and its adjoint walk the same runs.
 */
function forEachTap(node: Conv2dNode, [rows, h, w, cin]: number[], visit: (window: number, input: number) => void): void {
  const [kh, kw] = node.kernel.shape;
  const [sh, sw] = node.strides;
  const [dh, dw] = node.dilations;
  const [top, left] = node.pads;
  const [outH, outW] = node.shape;
  const k = kh * kw * cin;
  let at = 0;
  for (let r = 0; r < rows; r++) {
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < outW; x++, at += k) {
        for (let i = 0; i < kh; i++) {
          const yy = y * sh + i * dh - top;
          if (yy < 0 || yy >= h) continue;
          for (let j = 0; j < kw; j++) {
            const xx = x * sw + j * dw - left;
            if (xx >= 0 && xx < w) visit(at + (i * kw + j) * cin, ((r * h + yy) * w + xx) * cin);
          }
        }
      }
    }
  }
}

/** The windows of x [rows, h, w, in] as a matrix [rows·outH·outW, kh·kw·in], 0 in the padding; written in
 *  place in wasm memory, one run of `in` channels at a time. */
function im2col(node: Conv2dNode, x: tf.Tensor): tf.Tensor {
  const [rows, , , cin] = x.shape;
  const [kh, kw] = node.kernel.shape;
  const [outH, outW] = node.shape;
  return filledTensor([rows * outH * outW, kh * kw * cin], (cols) => {
    const input = valuesOf(x);
    forEachTap(node, x.shape, (window, from) => cols.set(input.subarray(from, from + cin), window));
  });
}

/** The adjoint of im2col: each window's values [rows·outH·outW, kh·kw·in] summed back onto [rows, h, w, in]. */
function col2im(node: Conv2dNode, cols: tf.Tensor, shape: number[]): tf.Tensor {
  const cin = shape[3];
  return filledTensor(shape, (out) => {
    const windows = valuesOf(cols);
    forEachTap(node, shape, (window, to) => {
      for (let c = 0; c < cin; c++) out[to + c] += windows[window + c];
    });
  });
}
