// x − c, c − x, x · c, x / c and x + c with a constant c that is a scalar or one value per channel (per
// feature for vectors): an affine node y = scale ⊙ x + offset (an input map in front of the first
// Dense/Conv, LRP-0 with its offset elsewhere). Add is ops/add.ts (a bias, a residual sum, or this). A
// constant of any other shape that broadcasts to one image's tensor (a ViT's position embedding [1, T, E],
// Swin's relative position bias [1, h, t, t] and attention mask) is held in full, one value per element.
import { isUserError, UserError } from '../../../errors';
import { expand } from '../constants';
import { act, isConstant, same } from '../nodeArgs';
import { floatConstant, type Activation, type OnnxWalk, type Value } from '../onnxGraph';
import { perChannel } from './constantArgs';
import type { Translator } from './translator';

export type AffineOp = 'Add' | 'Sub' | 'Mul' | 'Div';

export const affineByConstant: Translator = {
  ops: ['Sub', 'Mul', 'Div'],
  batchInside: true,
  translate: (w, node, inputs, what, name) => [affineOp(w, node.opType as AffineOp, inputs, what, name)],
};

export function affineOp(w: OnnxWalk, op: AffineOp, inputs: Array<Value | undefined>, what: string, name: string): Activation {
  const [a, b] = inputs;
  const constantFirst = isConstant(a);
  if (constantFirst === isConstant(b)) {
    throw new UserError(`${what} combines two activations; only ${op === 'Sub' ? 'subtracting' : op === 'Mul' ? 'multiplying by' : 'dividing by'} a constant is supported`, w.file);
  }
  if (op === 'Div' && constantFirst) throw new UserError(`${what} divides a constant by the activation; not supported`, w.file);
  const xIn = act(w, constantFirst ? b : a, what);
  const c = floatConstant(constantFirst ? a : b, `${what}: its constant`, w.file);
  const { values, axis } = constantAlong(w, c, xIn, what);
  const x = axis === 'channel' ? w.asChannelsFirst(xIn, what) : axis === 'last' || axis === 'full' ? w.asPlain(xIn) : xIn;
  const n = values.length;
  const ones = new Array<number>(n).fill(1);
  const zeros = new Array<number>(n).fill(0);
  let scale: number[];
  let offset: number[];
  switch (op) {
    case 'Add':
      [scale, offset] = [ones, values];
      break;
    case 'Sub':
      [scale, offset] = constantFirst ? [ones.map(() => -1), values] : [ones, values.map((v) => -v)];
      break;
    case 'Mul':
      [scale, offset] = [values, zeros];
      break;
    case 'Div':
      if (values.some((v) => v === 0)) throw new UserError(`${what} divides by zero`, w.file);
      [scale, offset] = [values.map((v) => 1 / v), zeros];
      break;
  }
  const spec = { kind: 'affine' as const, scale: n === 1 ? scale[0] : scale, offset: n === 1 ? offset[0] : offset };
  return same(x, w.add(name, spec, [x.node]));
}

/** The constant as a scalar, one value per channel (or last axis), or broadcast to every element of `x`. */
function constantAlong(w: OnnxWalk, c: { dims: number[]; data: Float32Array }, x: Activation, what: string): { values: number[]; axis: 'none' | 'channel' | 'last' | 'full' } {
  const full = w.fullDims(x);
  if (c.data.length === 1) return { values: [c.data[0]], axis: 'none' };
  const padded = [...new Array<number>(Math.max(0, full.length - c.dims.length)).fill(1), ...c.dims];
  const lastOnly = padded.every((d, i) => d === 1 || i === full.length - 1) && padded[full.length - 1] === full[full.length - 1];
  if (lastOnly) return { values: Array.from(c.data), axis: 'last' };
  if (!x.batchInside) {
    try {
      return perChannel(c, x.dims, what, w.file);
    } catch (e) {
      if (!isUserError(e)) throw e;
      return { values: broadcastTo(w, c, full, what), axis: 'full' };
    }
  }
  return { values: broadcastTo(w, c, full, what), axis: 'full' };
}

/** A constant broadcast to `dims` (numpy's rules; ONNX Expand), row-major. */
function broadcastTo(w: OnnxWalk, c: { dims: number[]; data: Float32Array }, dims: number[], what: string): number[] {
  const out = expand({ type: 'float', dims: c.dims, data: c.data }, dims, w.ctx, what);
  if (out.dims.length !== dims.length || out.dims.some((d, i) => d !== dims[i])) {
    throw new UserError(`${what} has a constant of shape [${c.dims}] that does not broadcast to one image's tensor [${dims}]`, w.file);
  }
  return Array.from(out.data as Float32Array);
}
