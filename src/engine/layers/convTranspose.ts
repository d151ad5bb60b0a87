// Transposed 2-D convolution (ONNX ConvTranspose, torch's nn.ConvTranspose2d): the adjoint of a convolution.
// It is stated through that convolution, the "adjoint conv" from the output's space to the input's, whose
// kernel the node keeps in the conv2d layout [kh, kw, out / groups, in] (ONNX's [in, out / groups, kh, kw]
// with in/out swapped): its forward map is that convolution's VJP, and its VJP is that convolution's forward
// map. So both run as forward convolutions (FACTS.md: conv2dTranspose is not threaded and ~10× slower on
// wasm), strided ones by conv2d's polyphase decomposition (stridedVjp.ts). It is a linear kind: the
// composite's convolution rule applies (METHODS.md, "Gates, normalisation layers and attention").
import * as tf from '@tensorflow/tfjs';
import type { Conv2dNode, ConvTransposeNode } from '../graph/nodes';
import { conv2d } from './conv2d';
import { checkPads, effectiveSize, formatPads, formatPair, isUnit, positivePair } from './geometry';
import type { LinearKind } from './layerKind';

export const convTranspose: LinearKind<'convTranspose'> = {
  kind: 'convTranspose',
  create(spec, c) {
    const [input] = c.inputShapes;
    if (input.length !== 3) c.fail(`gets an input of shape [${input}] but needs an image [height, width, channels]`);
    if (spec.kernel.rank !== 4) c.fail(`kernel has shape [${spec.kernel.shape}]; [kh, kw, out / groups, in] is needed`);
    const [kh, kw, outPerGroup, inChannels] = spec.kernel.shape;
    const groups = spec.groups ?? 1;
    if (!Number.isInteger(groups) || groups < 1 || inChannels % groups !== 0) c.fail(`has groups ${JSON.stringify(groups)} for ${inChannels} input channels`);
    if (inChannels !== input[2]) c.fail(`kernel [${spec.kernel.shape}] takes ${inChannels} input channels but its input has ${input[2]}`);
    const strides = positivePair(spec.strides ?? [1, 1], 'strides', c.fail);
    const dilations = positivePair(spec.dilations ?? [1, 1], 'dilations', c.fail);
    const pads = checkPads(spec.pads ?? [0, 0, 0, 0], c.fail);
    const outputPadding = spec.outputPadding ?? [0, 0];
    if (!outputPadding.every((p, i) => Number.isInteger(p) && p >= 0 && (p < strides[i] || p < dilations[i]))) {
      c.fail(`has output padding [${outputPadding}]; each must be below its stride or dilation`);
    }
    const axis = (n: number, k: number, s: number, d: number, before: number, after: number, extra: number) => s * (n - 1) + extra + effectiveSize(k, d) - before - after;
    const outH = axis(input[0], kh, strides[0], dilations[0], pads[0], pads[2], outputPadding[0]);
    const outW = axis(input[1], kw, strides[1], dilations[1], pads[1], pads[3], outputPadding[1]);
    if (outH < 1 || outW < 1) c.fail(`would output ${outH}×${outW}`);
    const out = outPerGroup * groups;
    if (spec.bias && (spec.bias.rank !== 1 || spec.bias.shape[0] !== out)) c.fail(`bias has shape [${spec.bias.shape}]; [${out}] is needed`);
    return { kind: 'convTranspose', kernel: spec.kernel, bias: spec.bias ?? tf.zeros([out]), strides, pads, dilations, groups, outputPadding, shape: [outH, outW, out] };
  },
  forward: (node, [x]) => convTranspose.linear.apply(node, convTranspose.linear.forwardKernel(node, node.kernel), node.bias, x),
  describe(node) {
    const [kh, kw, outPerGroup, inChannels] = node.kernel.shape;
    const parts = [`transposed conv ${kh}×${kw}, ${inChannels}→${outPerGroup * node.groups}`];
    if (!isUnit(node.strides)) parts.push(`stride ${formatPair(node.strides)}`);
    parts.push(formatPads(node.pads));
    if (!isUnit(node.dilations)) parts.push(`dilation ${formatPair(node.dilations)}`);
    if (node.groups > 1) parts.push(`${node.groups} groups`);
    return parts.join(', ');
  },
  linear: {
    isConvolution: true,
    kernel: (node) => node.kernel,
    bias: (node) => node.bias,
    forwardKernel: (node, w) => conv2d.linear.backwardKernel(adjoint(node), w),
    backwardKernel: (node, w) => conv2d.linear.forwardKernel(adjoint(node), w) as tf.Tensor,
    apply(node, kernel, bias, x, relu = false) {
      let z = conv2d.linear.vjp(adjoint(node), kernel, x, [x.shape[0], ...node.shape]);
      if (bias) z = tf.add(z, bias);
      return relu ? tf.relu(z) : z;
    },
    vjp: (node, kernel, s) => conv2d.linear.apply(adjoint(node), kernel, null, s),
  },
};

/** The convolution whose adjoint `node` is (made once per node: conv2d caches its geometry per node object). */
const adjoints = new WeakMap<ConvTransposeNode, Conv2dNode>();
function adjoint(node: ConvTransposeNode): Conv2dNode {
  let found = adjoints.get(node);
  if (!found) {
    const inputChannels = node.kernel.shape[3];
    found = {
      kind: 'conv2d',
      name: `${node.name} (adjoint)`,
      inputs: node.inputs,
      shape: [Math.floor((node.shape[0] + node.pads[0] + node.pads[2] - effectiveSize(node.kernel.shape[0], node.dilations[0])) / node.strides[0]) + 1, Math.floor((node.shape[1] + node.pads[1] + node.pads[3] - effectiveSize(node.kernel.shape[1], node.dilations[1])) / node.strides[1]) + 1, inputChannels],
      kernel: node.kernel,
      bias: node.bias,
      strides: node.strides,
      pads: node.pads,
      dilations: node.dilations,
      groups: node.groups,
    };
    adjoints.set(node, found);
  }
  return found;
}
