// Concat of activations along a non-batch axis (channels, height, width, features), in one representation.
import { UserError } from '../../../errors';
import { normaliseAxis } from '../constants';
import { act, int, isConstant } from '../nodeArgs';
import { engineToOnnx, type Value } from '../onnxGraph';
import type { Translator } from './translator';

export const concat: Translator = {
  ops: ['Concat'],
  translate(w, node, inputs, what, name) {
    if (inputs.some(isConstant)) throw new UserError(`${what} joins constants with activations; not supported`, w.file);
    const xs = inputs.filter((v): v is Value => v !== undefined).map((v) => act(w, v, what));
    const rank = xs[0].dims.length;
    const axis = normaliseAxis(int(node, 'axis', 1), rank + 1) - 1;
    if (axis < 0) throw new UserError(`${what} concatenates along the batch axis; not supported`, w.file);
    if (xs.length === 1) return [xs[0]];
    const rep = rank === 3 ? 'channelsFirst' : 'plain';
    const aligned = xs.map((x) => (rep === 'channelsFirst' ? w.asChannelsFirst(x, what) : w.asPlain(x)));
    const engineAxis = engineToOnnx(rep, rank).indexOf(axis);
    const ref = w.add(name, { kind: 'concat', axis: engineAxis }, aligned.map((x) => x.node));
    const dims = [...xs[0].dims];
    dims[axis] = xs.reduce((s, x) => s + x.dims[axis], 0);
    return [{ kind: 'activation', node: ref, dims, rep }];
  },
};
