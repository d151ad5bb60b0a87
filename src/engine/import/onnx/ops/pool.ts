// MaxPool and AveragePool: pads, strides, ceil_mode and count_include_pad as ONNX and PyTorch define them.
import { UserError } from '../../../errors';
import type { Pads } from '../../../graph/nodes';
import { act, int, ints } from '../nodeArgs';
import type { Activation, OnnxWalk, Value } from '../onnxGraph';
import type { Translator } from './translator';
import { explicitPads, pair } from './windowArgs';
import type { onnx } from 'onnx-proto';

export const maxPool: Translator = {
  ops: ['MaxPool'],
  translate: (w, node, inputs, what, name) => [pool(w, node, inputs, what, name, 'max')],
};

export const averagePool: Translator = {
  ops: ['AveragePool'],
  translate: (w, node, inputs, what, name) => [pool(w, node, inputs, what, name, 'avg')],
};

function pool(w: OnnxWalk, node: onnx.INodeProto, inputs: Array<Value | undefined>, what: string, name: string, type: 'max' | 'avg'): Activation {
  if ((node.output ?? []).length > 1 && w.readerCount(node.output![1]) > 0) {
    throw new UserError(`${what}: its Indices output is used, which is not supported`, w.file);
  }
  const x = w.asChannelsFirst(act(w, inputs[0], what), what);
  const [c, h, wd] = x.dims;
  const kernel = pair(node, 'kernel_shape', 0, what, w.file);
  if (!ints(node, 'kernel_shape')) throw new UserError(`${what} has no kernel_shape`, w.file);
  const strides = pair(node, 'strides', 1, what, w.file);
  const dilations = pair(node, 'dilations', 1, what, w.file);
  if (dilations[0] !== 1 || dilations[1] !== 1) throw new UserError(`${what} has dilations [${dilations}]; only 1 is supported for pooling`, w.file);
  const pads = explicitPads(node, [h, wd], kernel, strides, dilations, what, w.file);
  const ceil = int(node, 'ceil_mode', 0) === 1;
  // ceil_mode: extra padding at the end, so that a last window hanging over the edge is computed; a
  // window that would start in the end padding is left out (ONNX and PyTorch).
  const extra = (n: number, k: number, s: number, before: number, after: number): number => {
    if (!ceil) return 0;
    let out = Math.ceil((n + before + after - k) / s) + 1;
    if ((out - 1) * s >= n + before) out -= 1;
    return Math.max(0, (out - 1) * s + k - (n + before + after));
  };
  const extraBottom = extra(h, kernel[0], strides[0], pads[0], pads[2]);
  const extraRight = extra(wd, kernel[1], strides[1], pads[1], pads[3]);
  let source = x.node;
  let poolPads: Pads = [pads[0], pads[1], pads[2] + extraBottom, pads[3] + extraRight];
  let countIncludePad = false;
  if (type === 'avg' && int(node, 'count_include_pad', 0) === 1 && pads.some((p) => p > 0)) {
    // The explicit pads count in every window's divisor, the ceil_mode overhang does not: pad explicitly,
    // then pool over the padded map with only the overhang as (uncounted) padding.
    source = w.add(`${name}/pad`, { kind: 'pad', pads }, [x.node]);
    poolPads = [0, 0, extraBottom, extraRight];
    countIncludePad = false;
  }
  const spec =
    type === 'max'
      ? { kind: 'maxPool' as const, poolSize: kernel, strides, padding: poolPads }
      : { kind: 'avgPool' as const, poolSize: kernel, strides, padding: poolPads, countIncludePad };
  const ref = w.add(name, spec, [source]);
  const [oh, ow, oc] = ref.shape;
  return { kind: 'activation', node: ref, dims: [oc ?? c, oh, ow], rep: 'channelsFirst' };
}
