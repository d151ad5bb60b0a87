// Conv: 2-D convolution, grouped and depthwise included; ONNX's OIHW kernel becomes the engine's
// [kh, kw, in/groups, out]. Without a bias, a following Add of a constant supplies it (linearResult.ts).
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../../../errors';
import { act, int, ints } from '../nodeArgs';
import { floatConstant } from '../onnxGraph';
import { biasVector } from './constantArgs';
import { linearResult } from './linearResult';
import type { Translator } from './translator';
import { explicitPads, outputHW, pair } from './windowArgs';

export const conv: Translator = {
  ops: ['Conv'],
  translate(w, node, inputs, what, name) {
    const x = w.asChannelsFirst(act(w, inputs[0], what), what);
    const weight = floatConstant(inputs[1], `${what}: its weight`, w.file);
    if (weight.dims.length !== 4) {
      throw new UserError(`${what} has a weight of shape [${weight.dims}]; only 2-D convolutions (weights [out, in, kh, kw]) are supported`, w.file);
    }
    const [out, inPerGroup, kh, kw] = weight.dims;
    const groups = int(node, 'group', 1);
    const [c, h, wd] = x.dims;
    if (groups < 1 || c % groups !== 0 || out % groups !== 0 || inPerGroup * groups !== c) {
      throw new UserError(`${what} has group ${groups} and a weight [${weight.dims}] that do not fit its ${c} input channels`, w.file);
    }
    const declared = ints(node, 'kernel_shape');
    if (declared && (declared[0] !== kh || declared[1] !== kw)) throw new UserError(`${what} has kernel_shape [${declared}] but a weight of shape [${weight.dims}]`, w.file);
    const strides = pair(node, 'strides', 1, what, w.file);
    const dilations = pair(node, 'dilations', 1, what, w.file);
    const pads = explicitPads(node, [h, wd], [kh, kw], strides, dilations, what, w.file);
    // The bias is checked before the kernel's tensor is made: a damaged bias leaves no tensor behind.
    const bias = inputs[2] ? biasVector(inputs[2], out, `${what}: its bias`, w.file) : undefined;
    const kernel = tf.tensor4d(oihwToHwio(weight.data, out, inPerGroup, kh, kw), [kh, kw, inPerGroup, out]);
    const spec = { kind: 'conv2d' as const, kernel, bias: bias ? tf.tensor1d(bias) : undefined, strides, padding: pads, dilations, groups };
    const outDims = [out, ...outputHW([h, wd], [kh, kw], strides, dilations, pads)];
    return [linearResult(w, node, name, spec, x, outDims, 'channelsFirst', bias === undefined)];
  },
};

/** ONNX's [out, in/groups, kh, kw] kernel as the engine's [kh, kw, in/groups, out]. */
export function oihwToHwio(w: Float32Array, out: number, inPerGroup: number, kh: number, kw: number): Float32Array {
  const result = new Float32Array(w.length);
  const taps = kh * kw;
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inPerGroup; i++) {
      const from = (o * inPerGroup + i) * taps;
      for (let t = 0; t < taps; t++) result[(t * inPerGroup + i) * out + o] = w[from + t];
    }
  }
  return result;
}
