// x − c, c − x, x · c, x / c and x + c with a constant c that is a scalar or one value per channel (per
// feature for vectors): an affine node y = scale ⊙ x + offset (an input map in front of the first
// Dense/Conv, LRP-0 with its offset elsewhere). Add is ops/add.ts (a bias, a residual sum, or this).
import { UserError } from '../../../errors';
import { act, isConstant, same } from '../nodeArgs';
import { floatConstant, type Activation, type OnnxWalk, type Value } from '../onnxGraph';
import { perChannel } from './constantArgs';
import type { Translator } from './translator';

export type AffineOp = 'Add' | 'Sub' | 'Mul' | 'Div';

export const affineByConstant: Translator = {
  ops: ['Sub', 'Mul', 'Div'],
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
  const { values, axis } = perChannel(c, xIn.dims, what, w.file);
  const x = axis === 'channel' ? w.asChannelsFirst(xIn, what) : axis === 'last' ? w.asPlain(xIn) : xIn;
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
