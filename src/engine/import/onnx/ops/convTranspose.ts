// ConvTranspose: a transposed convolution node (layers/convTranspose.ts). ONNX's weight [in, out/groups, kh,
// kw] becomes the adjoint convolution's kernel [kh, kw, out/groups, in]; output_shape and auto_pad are turned
// into explicit pads as the ONNX operator text says. Without a bias, a following Add of a constant supplies it.
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../../../errors';
import type { Pads } from '../../../graph/nodes';
import { act, int, ints, text } from '../nodeArgs';
import { floatConstant } from '../onnxGraph';
import { biasVector } from './constantArgs';
import { linearResult } from './linearResult';
import type { Translator } from './translator';
import { pair } from './windowArgs';

export const convTranspose: Translator = {
  ops: ['ConvTranspose'],
  translate(w, node, inputs, what, name) {
    const x = w.asChannelsFirst(act(w, inputs[0], what), what);
    const weight = floatConstant(inputs[1], `${what}: its weight`, w.file);
    if (weight.dims.length !== 4) throw new UserError(`${what} has a weight of shape [${weight.dims}]; only 2-D transposed convolutions are supported`, w.file);
    const [inChannels, outPerGroup, kh, kw] = weight.dims;
    const groups = int(node, 'group', 1);
    const [c, h, wd] = x.dims;
    if (inChannels !== c || c % groups !== 0) throw new UserError(`${what} has a weight [${weight.dims}] and group ${groups} that do not fit its ${c} input channels`, w.file);
    const strides = pair(node, 'strides', 1, what, w.file);
    const dilations = pair(node, 'dilations', 1, what, w.file);
    const outputPadding = (ints(node, 'output_padding') ?? [0, 0]) as [number, number];
    const extent = (k: number, d: number) => (k - 1) * d + 1;
    const full = [0, 1].map((i) => strides[i] * ([h, wd][i] - 1) + outputPadding[i] + extent([kh, kw][i], dilations[i]));
    const autoPad = text(node, 'auto_pad', 'NOTSET');
    const outputShape = ints(node, 'output_shape');
    let pads: Pads;
    if (outputShape || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      // total padding = the full output − the wanted one, split as the operator text says.
      const wanted = outputShape ? outputShape.slice(-2) : [h * strides[0], wd * strides[1]];
      const total = [0, 1].map((i) => full[i] - wanted[i]);
      if (total.some((t) => t < 0)) throw new UserError(`${what} asks for output ${wanted.join('×')}, larger than ${full.join('×')}`, w.file);
      const upper = autoPad === 'SAME_UPPER';
      const [begin, end] = [total.map((t) => (upper ? Math.floor(t / 2) : t - Math.floor(t / 2))), total.map((t) => (upper ? t - Math.floor(t / 2) : Math.floor(t / 2)))];
      pads = [begin[0], begin[1], end[0], end[1]];
    } else if (autoPad === 'VALID' || autoPad === 'NOTSET') {
      pads = (autoPad === 'VALID' ? [0, 0, 0, 0] : (ints(node, 'pads') ?? [0, 0, 0, 0])) as Pads;
    } else {
      throw new UserError(`${what} has auto_pad "${autoPad}"`, w.file);
    }
    // [in, out/g, kh, kw] → [kh, kw, out/g, in].
    const kernel = new Float32Array(weight.data.length);
    for (let i = 0; i < inChannels; i++) {
      for (let o = 0; o < outPerGroup; o++) {
        for (let t = 0; t < kh * kw; t++) kernel[(t * outPerGroup + o) * inChannels + i] = weight.data[(i * outPerGroup + o) * kh * kw + t];
      }
    }
    const out = outPerGroup * groups;
    const bias = inputs[2] ? biasVector(inputs[2], out, `${what}: its bias`, w.file) : undefined;
    const spec = {
      kind: 'convTranspose' as const,
      kernel: tf.tensor4d(kernel, [kh, kw, outPerGroup, inChannels]),
      bias: bias ? tf.tensor1d(bias) : undefined,
      strides,
      pads,
      dilations,
      groups,
      outputPadding,
    };
    const outDims = [out, full[0] - pads[0] - pads[2], full[1] - pads[1] - pads[3]];
    return [linearResult(w, node, name, spec, x, outDims, 'channelsFirst', bias === undefined)];
  },
};
