// Constants as the translators read them: a bias vector (one value per output), and a constant broadcast
// against an activation that is one value or one per channel (Mul/Add/Sub/Div by a constant, PRelu's slope).
import { UserError } from '../../../errors';
import { floatConstant, type Value } from '../onnxGraph';

/** A constant of M values (or one, broadcast) as a bias: shapes [M], [1, M], [M, 1, 1], [1], []. */
export function biasVector(v: Value, m: number, what: string, file: string): Float32Array {
  const c = floatConstant(v, what, file);
  const n = c.data.length;
  if (n === m && c.dims.filter((d) => d !== 1).length <= 1) return Float32Array.from(c.data);
  if (n === 1) return new Float32Array(m).fill(c.data[0]);
  throw new UserError(`${what} has shape [${c.dims}]; ${m} values (one per output) are needed`, file);
}

/**
 * A constant broadcast against [N, ...dims]: one value, or one per channel (ONNX axis 1 of an image) or
 * per feature (the last axis). Anything that varies along another axis is refused.
 */
export function perChannel(c: { dims: number[]; data: Float32Array }, dims: number[], what: string, file: string): { values: number[]; axis: 'none' | 'channel' | 'last' } {
  const rank = dims.length + 1;
  if (c.dims.length > rank) throw new UserError(`${what} has a constant of shape [${c.dims}] for a tensor of shape [N, ${dims}]`, file);
  const padded = [...new Array<number>(rank - c.dims.length).fill(1), ...c.dims];
  const varying = padded.flatMap((d, i) => (d !== 1 ? [i] : []));
  const fits = padded.every((d, i) => d === 1 || (i > 0 && d === dims[i - 1]));
  if (!fits || varying.length > 1 || varying.includes(0)) {
    throw new UserError(`${what} has a constant of shape [${c.dims}]; only a scalar or one value per channel is supported`, file);
  }
  const values = Array.from(c.data);
  if (varying.length === 0) return { values: [values[0]], axis: 'none' };
  const axis = varying[0] - 1;
  if (dims.length === 3 && axis === 0) return { values, axis: 'channel' };
  if (axis === dims.length - 1) return { values, axis: 'last' };
  throw new UserError(`${what} has a constant of shape [${c.dims}]; only a scalar or one value per channel is supported`, file);
}
