// PRelu: the slope is a constant broadcast against the input, one value or one per channel (torch's
// nn.PReLU(C) exports it as [C, 1, 1], a dense layer's as [C]), read as a Mul's constant is.
import { act, same } from '../nodeArgs';
import { floatConstant } from '../onnxGraph';
import { perChannel } from './constantArgs';
import type { Translator } from './translator';

export const prelu: Translator = {
  ops: ['PRelu'],
  translate(w, _node, inputs, what, name) {
    const xIn = act(w, inputs[0], what);
    const c = floatConstant(inputs[1], `${what}: its slope`, w.file);
    const { values, axis } = perChannel(c, xIn.dims, `${what}: its slope`, w.file);
    const x = axis === 'channel' ? w.asChannelsFirst(xIn, what) : axis === 'last' ? w.asPlain(xIn) : xIn;
    return [same(x, w.add(name, { kind: 'prelu', slope: values }, [x.node]))];
  },
};
