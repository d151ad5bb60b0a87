// Concat of activations along a non-batch axis (channels, height, width, features), in one representation.
// A constant among them (a ViT's class token, expanded to the batch) becomes 0·x + token on a slice of an
// activation of its shape: a constant the rules give nothing, as METHODS.md asks of a constant's share.
import { UserError } from '../../../errors';
import { normaliseAxis } from '../constants';
import { act, int, isConstant } from '../nodeArgs';
import { engineToOnnx, floatConstant, type Activation, type OnnxWalk, type Value } from '../onnxGraph';
import type { Translator } from './translator';

export const concat: Translator = {
  ops: ['Concat'],
  batchInside: true,
  translate(w, node, inputs, what, name) {
    const given = inputs.filter((v): v is Value => v !== undefined);
    const template = given.find((v) => !isConstant(v));
    if (!template) throw new UserError(`${what} joins constants only`, w.file);
    const t = act(w, template, what);
    const first = t.batchInside ? 0 : 1;
    const axis = normaliseAxis(int(node, 'axis', 1), t.dims.length + first) - first;
    if (axis < 0) throw new UserError(`${what} concatenates along the batch axis; not supported`, w.file);
    const xs = given.map((v, k) => (isConstant(v) ? constantSlice(w, v, t, axis, what, `${name}/constant-${k}`) : act(w, v, what)));
    if (xs.some((x) => x.batchInside !== t.batchInside)) throw new UserError(`${what} joins tensors whose batch axes sit in different places; not supported`, w.file);
    if (xs.length === 1) return [xs[0]];
    const rank = xs[0].dims.length;
    const rep = rank === 3 && !t.batchInside ? 'channelsFirst' : 'plain';
    const aligned = xs.map((x) => (rep === 'channelsFirst' ? w.asChannelsFirst(x, what) : w.asPlain(x)));
    const engineAxis = engineToOnnx(rep, rank).indexOf(axis);
    const ref = w.add(name, { kind: 'concat', axis: engineAxis }, aligned.map((x) => x.node));
    const dims = [...xs[0].dims];
    dims[axis] = xs.reduce((s, x) => s + x.dims[axis], 0);
    return [{ kind: 'activation', node: ref, dims, rep, batchInside: t.batchInside }];
  },
};

/** The constant `c` as an activation: the first rows of `x` along `axis` times 0, plus `c`. */
function constantSlice(w: OnnxWalk, v: Value, x: Activation, axis: number, what: string, name: string): Activation {
  const c = floatConstant(v, `${what}: its constant input`, w.file);
  const full = w.fullDims(x);
  const first = x.batchInside ? 0 : 1;
  const want = [...full];
  want[axis + first] = c.dims[axis + first] ?? -1;
  if (c.dims.length !== full.length || c.dims.some((d, i) => d !== want[i])) {
    throw new UserError(`${what} joins a constant of shape [${c.dims}] to a tensor of shape [${full}] (at batch size 1); only a constant of the tensor's shape but along the axis is supported`, w.file);
  }
  const rows = c.dims[axis + first];
  if (rows > x.dims[axis]) throw new UserError(`${what} joins a constant longer than the tensor along axis ${axis + first}; not supported`, w.file);
  const plain = w.asPlain(x);
  const dims = [...x.dims];
  dims[axis] = rows;
  const picked = w.add(`${name}/rows`, { kind: 'gather', axis, indices: Array.from({ length: rows }, (_, i) => i) }, [plain.node]);
  const node = w.add(name, { kind: 'affine', scale: 0, offset: Array.from(c.data) }, [picked]);
  return { kind: 'activation', node, dims, rep: 'plain', batchInside: x.batchInside };
}
