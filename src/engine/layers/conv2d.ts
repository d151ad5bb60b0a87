// 2-D convolution on [h, w, c] maps: strides, explicit (also asymmetric) pads, dilations, groups. Kernel
// [kh, kw, in / groups, out]; its rules are the composite's, applied per group (a grouped kernel has no
// weights between groups, so every rule's sums stay inside a group).
//
// Grouped and depthwise convolutions run as one depthwise convolution plus a sum: tfjs has no grouped
// convolution, but depthwiseConv2d with the kernel laid out [kh, kw, in, out / groups] gives, for every input
// channel c of group g and every output o of that group, the partial sum over c's window; adding the
// partial sums of the in / groups channels of each group is the grouped convolution, with the same
// multiply-adds (depthwise: in / groups = 1, no sum).
import * as tf from '@tensorflow/tfjs';
import type { Conv2dNode, Pads } from '../graph/nodes';
import {
  checkPads,
  cropNegative,
  padArgument,
  padOrCrop,
  type PadArgument,
  effectiveSize,
  formatPads,
  formatPair,
  isUnit,
  isZeroPads,
  positivePair,
  resolvePads,
  tfPads,
  windowOutput,
} from './geometry';
import { isConvAsProduct, productForward, productKernel, productVjp } from './convAsProduct';
import type { LinearKind } from './layerKind';
import { modifiedKernelOf } from './modifiedKernels';
import { polyphaseKernels, polyphaseVjp, usesPolyphaseVjp } from './stridedVjp';

export const conv2d: LinearKind<'conv2d'> = {
  kind: 'conv2d',
  create(spec, c) {
    const [input] = c.inputShapes;
    if (input.length !== 3) c.fail(`gets an input of shape [${input}] but needs an image [height, width, channels]`);
    if (spec.kernel.rank !== 4) c.fail(`kernel has shape [${spec.kernel.shape}]; [kh, kw, in / groups, out] is needed`);
    const [kh, kw, perGroup, filters] = spec.kernel.shape;
    const groups = spec.groups ?? 1;
    if (!Number.isInteger(groups) || groups < 1) c.fail(`has groups ${JSON.stringify(groups)}; a positive integer is needed`);
    if (perGroup * groups !== input[2]) {
      c.fail(`kernel [${spec.kernel.shape}] with ${groups} group(s) takes ${perGroup * groups} input channels but its input has ${input[2]}`);
    }
    if (filters % groups !== 0) c.fail(`has ${filters} output channels, not a multiple of its ${groups} groups`);
    const strides = positivePair(spec.strides ?? [1, 1], 'strides', c.fail);
    const dilations = positivePair(spec.dilations ?? [1, 1], 'dilations', c.fail);
    const window = { kernel: [kh, kw] as [number, number], strides, dilations };
    const pads = checkPads(resolvePads(spec.padding ?? 'valid', input, window), c.fail);
    const [outH, outW] = windowOutput(input, window, pads);
    if (outH < 1 || outW < 1) c.fail(`gets an input of ${input[0]}×${input[1]}, smaller than its ${kh}×${kw} window`);
    if (spec.bias && (spec.bias.rank !== 1 || spec.bias.shape[0] !== filters)) c.fail(`bias has shape [${spec.bias.shape}]; [${filters}] is needed`);
    // A zero bias stands in for none, so that every Conv has one (and a BatchNorm can fold into it).
    const bias = spec.bias ?? tf.zeros([filters]);
    return { kind: 'conv2d', kernel: spec.kernel, bias, strides, pads, dilations, groups, shape: [outH, outW, filters] };
  },
  forward: (node, [x]) => conv2d.linear.apply(node, conv2d.linear.forwardKernel(node, node.kernel), node.bias, x),
  describe(node) {
    const [kh, kw, perGroup, out] = node.kernel.shape;
    const parts = [`conv ${kh}×${kw}, ${perGroup * node.groups}→${out}`];
    if (!isUnit(node.strides)) parts.push(`stride ${formatPair(node.strides)}`);
    parts.push(formatPads(node.pads));
    if (!isUnit(node.dilations)) parts.push(`dilation ${formatPair(node.dilations)}`);
    if (node.groups > 1) parts.push(perGroup === 1 ? `depthwise (×${out / node.groups})` : `${node.groups} groups`);
    return parts.join(', ');
  },
  linear: {
    isConvolution: true,
    kernel: (node) => node.kernel,
    bias: (node) => node.bias,
    forwardKernel(node, w) {
      if (node.groups === 1) return w;
      // [kh, kw, in/g, out] → [kh, kw, g, in/g, out/g] → [kh, kw, in, out/g]: depthwise filter of input channel
      // g·(in/g) + i, multiplier o, is w[·, ·, i, g·(out/g) + o].
      const [kh, kw, perGroup, out] = w.shape;
      const g = node.groups;
      return tf.reshape(tf.transpose(tf.reshape(w, [kh, kw, perGroup, g, out / g]), [0, 1, 3, 2, 4]), [kh, kw, g * perGroup, out / g]);
    },
    // Weight-heavy convolutions take their rules' modified kernels as placeholders and every VJP as a
    // product with the node's own layout (convAsProduct.ts): no flipped copy, no packed copy per variant.
    modifiesInProduct: (node) => isConvAsProduct(node),
    productKernel: (_node, w) => productKernel(w),
    backwardKernel(node, w) {
      if (isConvAsProduct(node)) return w;
      if (usesPolyphaseVjp(node)) return polyphaseKernels(node, w);
      // Flip spatially and swap in/out channels: [kh, kw, in/g, out] → [kh, kw, out, in/g]. For one group a
      // conv2d filter; for several a depthwise filter over the signal's out channels, multiplier in/g.
      return tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]);
    },
    apply(node, kernel, bias, x, relu = false) {
      const modified = modifiedKernelOf(kernel as tf.Tensor);
      if (modified) {
        const z = productForward(node, modified, x);
        const biased = bias ? tf.add(z, bias) : z;
        return relu ? tf.relu(biased) : biased;
      }
      // TF needs strides or dilations to be 1: with both, convolve at stride 1 and keep every stride-th output.
      const both = !isUnit(node.strides) && !isUnit(node.dilations);
      const strides: [number, number] = both ? [1, 1] : node.strides;
      const pad = padArgument(node.pads);
      const activation = relu ? 'relu' : 'linear';
      const perGroup = node.kernel.shape[2];
      let z: tf.Tensor;
      if (node.groups === 1) {
        z =
          bias || relu
            ? tf.fused.conv2d({ x: x as tf.Tensor4D, filter: kernel as tf.Tensor4D, strides, pad, dilations: node.dilations, bias: bias ?? undefined, activation })
            : tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, strides, pad, 'NHWC', node.dilations);
      } else if (perGroup === 1) {
        // Its typings omit explicit pads, which the op itself takes (as conv2d's does).
        const args = { x: x as tf.Tensor4D, filter: kernel as tf.Tensor4D, strides, pad: pad as 'valid', dilations: node.dilations };
        z = tf.fused.depthwiseConv2d({ ...args, bias: bias ?? undefined, activation });
      } else {
        z = groupedCorrelation(x, kernel as tf.Tensor, node.groups, strides, pad, node.dilations);
        if (bias) z = tf.add(z, bias);
        if (relu) z = tf.relu(z);
      }
      return both ? subsample(z, node.strides) : z;
    },
    /**
     * FACTS.md: on wasm conv2dTranspose runs ~10× slower than a forward convolution, so the VJP of a stride-1
     * convolution is a forward correlation of the signal with the flipped, in/out-swapped kernel and the
     * complementary pads. When that correlation has one or two output channels (the first layer of a grey
     * model), XNNPACK still computes a tile of eight and runs ~8× below its peak; a depthwise correlation and
     * a channel sum do the same multiply-adds ~2.5× faster (measured at batch 256). Strided convolutions of one
     * group take one correlation per phase (stridedVjp.ts); strided grouped or dilated ones spread the signal
     * over the stride-1 output grid (zeros between) and take the stride-1 path.
     */
    vjp(node, kernel, s, inputShape) {
      if (isConvAsProduct(node)) {
        const modified = modifiedKernelOf(kernel as tf.Tensor);
        return productVjp(node, modified?.source ?? (kernel as tf.Tensor), modified?.modify ?? null, s, inputShape);
      }
      if (usesPolyphaseVjp(node)) return polyphaseVjp(node, kernel as tf.Tensor[], s, inputShape);
      const { extent, back, pads } = backwardGeometry(node);
      let signal = s;
      if (!isUnit(node.strides)) {
        const [top, left, bottom, right] = node.pads;
        const h1 = inputShape[1] + top + bottom - extent[0] + 1;
        const w1 = inputShape[2] + left + right - extent[1] + 1;
        signal = spreadStrided(s, node.strides, [h1, w1]);
      }
      signal = cropNegative(signal, back);
      const inputChannels = inputShape[3];
      if (node.groups === 1 && inputChannels > 2) return tf.conv2d(signal as tf.Tensor4D, kernel as tf.Tensor4D, 1, pads, 'NHWC', node.dilations);
      return groupedCorrelation(signal, kernel as tf.Tensor, node.groups, [1, 1], pads, node.dilations);
    },
  },
};

/**
 * The full correlation that undoes a stride-1 convolution: the signal padded by (extent − 1 − pad) on each
 * side (`back`; a pad wider than the kernel means the outermost outputs saw only padding, and they are
 * cropped instead: the negative entries), as tfjs pads (`pads`, the positive parts). Once per node.
 */
const backwardGeometries = new WeakMap<Conv2dNode, { extent: [number, number]; back: Pads; pads: ReturnType<typeof tfPads> }>();
function backwardGeometry(node: Conv2dNode) {
  let found = backwardGeometries.get(node);
  if (!found) {
    const [kh, kw] = node.kernel.shape;
    const extent: [number, number] = [effectiveSize(kh, node.dilations[0]), effectiveSize(kw, node.dilations[1])];
    const [top, left, bottom, right] = node.pads;
    const back: Pads = [extent[0] - 1 - top, extent[1] - 1 - left, extent[0] - 1 - bottom, extent[1] - 1 - right];
    found = { extent, back, pads: tfPads(back.map((p) => Math.max(p, 0)) as Pads) };
    backwardGeometries.set(node, found);
  }
  return found;
}




/**
 * Σ over the `perGroup` input channels of each group of depthwise(x, filter): `filter` is [kh, kw, C, m] for
 * the C channels of x; the result has groups·m channels.
 */
function groupedCorrelation(
  x: tf.Tensor,
  filter: tf.Tensor,
  groups: number,
  strides: [number, number],
  pad: PadArgument,
  dilations: [number, number],
): tf.Tensor {
  const [channels, multiplier] = filter.shape.slice(2) as [number, number];
  const y = tf.depthwiseConv2d(x as tf.Tensor4D, filter as tf.Tensor4D, strides, pad, 'NHWC', dilations);
  const perGroup = channels / groups;
  if (perGroup === 1) return y;
  const [n, h, w] = y.shape;
  return tf.reshape(tf.sum(tf.reshape(y, [n * h, w, groups, perGroup, multiplier]), 3), [n, h, w, groups * multiplier]);
}

/** Every stride-th output of a stride-1 result. */
function subsample(z: tf.Tensor, [sh, sw]: [number, number]): tf.Tensor {
  const [n, h, w, c] = z.shape;
  return tf.stridedSlice(z, [0, 0, 0, 0], [n, h, w, c], [1, sh, sw, 1]);
}

/** The signal of a strided output placed on the stride-1 output grid [h1, w1], zeros in between. */
function spreadStrided(s: tf.Tensor, [sh, sw]: [number, number], [h1, w1]: [number, number]): tf.Tensor {
  const [n, oh, ow, c] = s.shape;
  const spread = tf.reshape(
    tf.pad(tf.reshape(s, [n, oh, 1, ow, 1, c]), [
      [0, 0],
      [0, 0],
      [0, sh - 1],
      [0, 0],
      [0, sw - 1],
      [0, 0],
    ]),
    [n, oh * sh, ow * sw, c],
  );
  return padOrCrop(spread, [0, 0, h1 - oh * sh, w1 - ow * sw]);
}
