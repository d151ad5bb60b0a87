// Mul of two activations: a product node (layers/product.ts), broadcasting as ONNX does along axes of size 1
// (squeeze-excite: x [N, C, H, W] times its scale [N, C, 1, 1]). Whether a factor is a gate is decided when
// the graph is built (graph/gates.ts). Mul by a constant is affine.ts.
import { UserError } from '../../../errors';
import { act, isConstant } from '../nodeArgs';
import type { Activation } from '../onnxGraph';
import type { Translator } from './translator';

export const product: Translator = {
  ops: ['Mul'],
  translate(w, _node, inputs, what, name) {
    const [a, b] = inputs;
    if (!a || !b || isConstant(a) || isConstant(b)) return null;
    const xs = [act(w, a, what), act(w, b, what)];
    const [da, db] = xs.map((x) => x.dims);
    if (da.length !== db.length || !da.every((d, i) => d === db[i] || d === 1 || db[i] === 1)) {
      throw new UserError(`${what} multiplies tensors of shapes [N, ${da}] and [N, ${db}]; each axis must agree or be 1 in one of them`, w.file);
    }
    // One representation for both: theirs when they share it, else channels first for images.
    const rep: Activation['rep'] = xs[0].rep === xs[1].rep ? xs[0].rep : da.length === 3 ? 'channelsFirst' : 'plain';
    const [ea, eb] = xs.map((x) => (rep === 'channelsFirst' ? w.asChannelsFirst(x, what) : w.asPlain(x)));
    const dims = da.map((d, i) => Math.max(d, db[i]));
    return [{ kind: 'activation', node: w.add(name, { kind: 'product' }, [ea.node, eb.node]), dims, rep }];
  },
};
