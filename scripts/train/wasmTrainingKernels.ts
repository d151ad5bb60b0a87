// Kernels that make training on the tfjs wasm backend possible and fast, by writing the backward passes as
// forward operations, which wasm runs through XNNPACK at 15-30 GFLOP/s:
// - Conv2DBackpropFilter: wasm has none at all (model.fit of a conv net fails). Measured here, batch 128,
//   3×3 conv 32→64 on 13×13: 32 ms as a forward conv2d, against 650 ms through the backend's
//   Conv3DBackpropFilterV2 kernel.
// - Conv2DBackpropInput: the backend's own runs at about 2 GFLOP/s (240 ms above); as a conv2d, 25 ms.
// - BatchMatMul with a transposed operand (the Dense gradients x^T·dy and dy·W^T): about 2 GFLOP/s, against
//   20 when the operand is transposed first (128×3136 by 128×128: 48 ms against 6 ms).
import * as tf from '@tensorflow/tfjs';

interface ConvGradAttrs {
  strides: number | [number, number];
  pad: Parameters<typeof tf.backend_util.computeConv2DInfo>[4];
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * dW[i, j, c, o] = Σ_{b, y, x} xPadded[b, y·s + i, x·s + j, c] · dy[b, y, x, o].
 * Swapping the roles of batch and channels makes this a forward convolution: the padded input with its
 * channels as the batch, [c, H, W, b], convolved with dy as the filter, [y, x, b, o], at dilation s
 * (the stride of the original convolution), gives [c, i, j, o].
 */
export function conv2dFilterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  attrs: ConvGradAttrs,
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
    const p = info.padInfo;
    const padded = tf.pad(x, [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]]);
    const channelsAsBatch = tf.transpose(padded, [3, 1, 2, 0]);
    const dyAsFilter = tf.transpose(dy, [1, 2, 0, 3]);
    const full = tf.conv2d(channelsAsBatch, dyAsFilter, 1, 'valid', 'NHWC', [info.strideHeight, info.strideWidth]);
    // With a stride the last rows and columns of the padded input may be touched by no output; they
    // make the result larger than the filter and are cut off.
    const cut = tf.slice(full, [0, 0, 0, 0], [-1, info.filterHeight, info.filterWidth, -1]);
    return tf.transpose(cut, [1, 2, 0, 3]);
  });
}

/**
 * For stride 1: dx = dy padded by (k − 1 − pad) on each side, convolved with the filter rotated by 180°
 * and with its in and out channels swapped. Returns null for strides > 1 or pads wider than the filter,
 * which the backend's own kernel handles.
 */
export function conv2dInputGradient(
  inputShape: [number, number, number, number],
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  attrs: ConvGradAttrs,
): tf.Tensor4D | null {
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  if (info.strideHeight !== 1 || info.strideWidth !== 1) return null;
  const p = info.padInfo;
  const kh = info.filterHeight;
  const kw = info.filterWidth;
  const pads = [kh - 1 - p.top, kh - 1 - p.bottom, kw - 1 - p.left, kw - 1 - p.right];
  if (pads.some((n) => n < 0)) return null;
  return tf.tidy(() => {
    const dyPadded = tf.pad(dy, [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]]);
    const rotated = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
    return tf.conv2d(dyPadded, rotated as tf.Tensor4D, 1, 'valid');
  });
}

/** `t` with its last two axes swapped. */
function swapLastAxes(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  perm.push(...perm.splice(-2).reverse());
  return tf.transpose(t, perm);
}

let registered = false;

/**
 * Registers the kernels for the wasm backend (once per process). Conv2D: NHWC, dilation 1, what Keras
 * Conv2D layers in tfjs use. Kernel inputs arrive as tensors, so the kernels are plain tf ops; the engine
 * does not record ops run inside a kernel on the gradient tape. Replaced kernels fall back on the
 * backend's own for the cases they do not cover.
 */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: tf.Conv2DBackpropFilter,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs }) => {
      const a = attrs as unknown as ConvGradAttrs & { filterShape: [number, number, number, number] };
      assertNhwc(a);
      return conv2dFilterGradient(inputs.x as tf.Tensor4D, inputs.dy as tf.Tensor4D, a.filterShape, a);
    },
  });

  replaceKernel(tf.Conv2DBackpropInput, (args, own) => {
    const a = args.attrs as unknown as ConvGradAttrs & { inputShape: [number, number, number, number] };
    assertNhwc(a);
    const dx = conv2dInputGradient(a.inputShape, args.inputs.dy as tf.Tensor4D, args.inputs.filter as tf.Tensor4D, a);
    return dx ?? own(args);
  });

  replaceKernel(tf.BatchMatMul, (args, own) => {
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    if (!transposeA && !transposeB) return own(args);
    // The nested matMul comes back here without transposes and goes to the backend's own kernel.
    return tf.tidy(() => {
      const a = transposeA ? swapLastAxes(args.inputs.a as tf.Tensor) : (args.inputs.a as tf.Tensor);
      const b = transposeB ? swapLastAxes(args.inputs.b as tf.Tensor) : (args.inputs.b as tf.Tensor);
      return tf.matMul(a, b);
    });
  });
}

type KernelArgs = Parameters<tf.KernelFunc>[0];
type KernelResult = ReturnType<tf.KernelFunc>;

/** Puts `kernelFunc` in place of the wasm backend's kernel, handing it the original to fall back on. */
function replaceKernel(name: string, kernelFunc: (args: KernelArgs, own: tf.KernelFunc) => KernelResult): void {
  const own = tf.getKernel(name, 'wasm');
  if (!own) throw new Error(`the wasm backend has no ${name} kernel to replace`);
  // registerKernel would only warn about the duplicate; unregistering first keeps the log clean.
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...own, kernelFunc: (args) => kernelFunc(args, own.kernelFunc) });
}

function assertNhwc(attrs: ConvGradAttrs): void {
  if (attrs.dataFormat !== 'NHWC') throw new Error(`conv2d gradients on wasm: only NHWC, got ${attrs.dataFormat}`);
}
