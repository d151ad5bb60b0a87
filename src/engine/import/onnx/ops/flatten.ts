// Flatten with axis 1: the sample as one vector in ONNX order (a channels-first map is read C, H, W).
import { UserError } from '../../../errors';
import { normaliseAxis } from '../constants';
import { act, int } from '../nodeArgs';
import type { Translator } from './translator';

export const flatten: Translator = {
  ops: ['Flatten'],
  translate(w, node, inputs, what, name) {
    const x = act(w, inputs[0], what);
    const axis = normaliseAxis(int(node, 'axis', 1), x.dims.length + 1, true);
    if (axis !== 1) throw new UserError(`${what} has axis ${int(node, 'axis', 1)}; only axis 1 (keep the batch, flatten the rest) is supported`, w.file);
    return [w.asVector(x, name)];
  },
};
