// Pad with constant 0 on the two spatial axes (opset < 11: attributes; later: inputs, opset 18: axes).
import { UserError } from '../../../errors';
import type { Pads } from '../../../graph/nodes';
import { normaliseAxis } from '../constants';
import { act, float, ints, isConstant, text } from '../nodeArgs';
import { floatConstant } from '../onnxGraph';
import type { Translator } from './translator';

export const pad: Translator = {
  ops: ['Pad'],
  translate(w, node, inputs, what, name) {
    const mode = text(node, 'mode', 'constant');
    if (mode !== 'constant') throw new UserError(`${what} has mode "${mode}"; only constant (zero) padding is supported`, w.file);
    const x = w.asChannelsFirst(act(w, inputs[0], what), what);
    let pads: number[];
    let value = 0;
    let axes = [0, 1, 2, 3];
    if (w.ctx.opset < 11) {
      pads = ints(node, 'pads') ?? [];
      value = float(node, 'value', 0);
    } else {
      const p = inputs[1];
      if (!isConstant(p)) throw new UserError(`${what} has pads computed by the graph; only constant pads are supported`, w.file);
      pads = p.value.data as number[];
      if (inputs[2]) value = floatConstant(inputs[2], `${what}: its constant_value`, w.file).data[0] ?? 0;
      if (inputs[3]) {
        const a = inputs[3];
        if (!isConstant(a)) throw new UserError(`${what} has axes computed by the graph`, w.file);
        axes = (a.value.data as number[]).map((v) => normaliseAxis(v, 4));
      }
    }
    if (value !== 0) throw new UserError(`${what} pads with the value ${value}; only zero padding is supported`, w.file);
    if (pads.length !== 2 * axes.length) throw new UserError(`${what} has ${pads.length} pads for ${axes.length} axes`, w.file);
    const before = [0, 0, 0, 0];
    const after = [0, 0, 0, 0];
    axes.forEach((a, i) => {
      before[a] = pads[i];
      after[a] = pads[i + axes.length];
    });
    if (before[0] || after[0] || before[1] || after[1]) throw new UserError(`${what} pads the batch or channel axis ([${pads}]); only height and width can be padded`, w.file);
    if ([...before, ...after].some((v) => v < 0)) throw new UserError(`${what} has negative pads [${pads}] (cropping); not supported`, w.file);
    const enginePads: Pads = [before[2], before[3], after[2], after[3]];
    if (enginePads.every((v) => v === 0)) return [x];
    const ref = w.add(name, { kind: 'pad', pads: enginePads }, [x.node]);
    const [c, h, wd] = x.dims;
    return [{ kind: 'activation', node: ref, dims: [c, h + enginePads[0] + enginePads[2], wd + enginePads[1] + enginePads[3]], rep: 'channelsFirst' }];
  },
};
