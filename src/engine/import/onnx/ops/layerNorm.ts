// LayerNormalization (opset 17) and InstanceNormalization as layerNorm nodes (layers/layerNorm.ts).
// LayerNormalization normalises the axes from `axis` to the last: the last axis alone (γ, β one per
// feature), or every axis but the batch (one group; γ, β then one per channel). InstanceNormalization
// normalises each channel over the rest: for an image, GroupNorm with one group per channel; for the
// [N, G, M] tensor torch's GroupNorm export makes, a norm over the last axis.
import { UserError } from '../../../errors';
import { normaliseAxis } from '../constants';
import { act, float, int } from '../nodeArgs';
import { floatConstant, type Activation, type OnnxWalk, type Value } from '../onnxGraph';
import type { Translator } from './translator';

export const layerNormalization: Translator = {
  ops: ['LayerNormalization'],
  translate(w, node, inputs, what, name) {
    if ((node.output ?? []).slice(1).some((o) => o && w.readerCount(o) > 0)) throw new UserError(`${what}: its Mean or InvStdDev output is used, which is not supported`, w.file);
    const x = act(w, inputs[0], what);
    const rank = x.dims.length + 1;
    const axis = normaliseAxis(int(node, 'axis', -1), rank);
    const epsilon = float(node, 'epsilon', 1e-5);
    if (axis === rank - 1) return [normLastAxis(w, x, inputs[1], inputs[2], epsilon, what, name)];
    if (axis === 1) return [normAll(w, x, inputs[1], inputs[2], epsilon, what, name)];
    throw new UserError(`${what} normalises axes ${axis}…${rank - 1} of [N, ${x.dims}]; the last axis or every axis but the batch is supported`, w.file);
  },
};

export const instanceNormalization: Translator = {
  ops: ['InstanceNormalization'],
  translate(w, node, inputs, what, name) {
    const x = act(w, inputs[0], what);
    const epsilon = float(node, 'epsilon', 1e-5);
    const channels = x.dims[0];
    const scale = perChannelValues(inputs[1], channels, `${what}: its scale`, w.file, 1);
    const offset = perChannelValues(inputs[2], channels, `${what}: its B`, w.file, 0);
    if (x.dims.length === 3) {
      const image = w.asChannelsFirst(x, what);
      return [{ ...image, node: w.add(name, { kind: 'layerNorm', epsilon, scale, offset, groups: channels }, [image.node]) }];
    }
    if (x.dims.length === 2) {
      // [G, M]: each row over its M values; the engine's rows are its positions, so γ and β must be trivial.
      if (!scale.every((v) => v === 1) || !offset.every((v) => v === 0)) throw new UserError(`${what} has a scale or bias on a [N, G, M] tensor; only 1 and 0 are supported there (torch's GroupNorm export)`, w.file);
      const rows = w.asPlain(x);
      return [{ ...rows, node: w.add(name, { kind: 'layerNorm', epsilon }, [rows.node]) }];
    }
    throw new UserError(`${what} normalises a tensor of shape [N, ${x.dims}]; images [N, C, H, W] or [N, G, M] are supported`, w.file);
  },
};

/** LayerNorm over the last ONNX axis: x held plain, γ and β one per feature of that axis (or one). */
export function normLastAxis(w: OnnxWalk, xIn: Activation, gamma: Value | undefined, beta: Value | undefined, epsilon: number, what: string, name: string, rms = false): Activation {
  const x = w.asPlain(xIn);
  const n = x.dims[x.dims.length - 1];
  const scale = perChannelValues(gamma, n, `${what}: its scale`, w.file, 1);
  const offset = perChannelValues(beta, n, `${what}: its bias`, w.file, 0);
  return { ...x, node: w.add(name, { kind: 'layerNorm', epsilon, scale, offset, rms }, [x.node]) };
}

/** A norm over every axis but the batch (one group); γ and β may vary per channel only. */
export function normAll(w: OnnxWalk, x: Activation, gamma: Value | undefined, beta: Value | undefined, epsilon: number, what: string, name: string): Activation {
  const held = x.dims.length === 3 ? w.asChannelsFirst(x, what) : w.asPlain(x);
  const channels = x.dims.length === 3 ? x.dims[0] : x.dims[x.dims.length - 1];
  const perChannel = (v: Value | undefined, label: string) => (v ? uniformPerChannel(v, held, channels, `${what}: its ${label}`, w.file) : undefined);
  return { ...held, node: w.add(name, { kind: 'layerNorm', epsilon, scale: perChannel(gamma, 'scale'), offset: perChannel(beta, 'bias'), groups: 1 }, [held.node]) };
}

/** A constant of n values (or one) as a list; `fallback` when the input is omitted. */
function perChannelValues(v: Value | undefined, n: number, what: string, file: string, fallback: number): number[] {
  if (!v) return [fallback];
  const c = floatConstant(v, what, file);
  if (c.data.length === 1) return [c.data[0]];
  if (c.data.length !== n) throw new UserError(`${what} has ${c.data.length} values for ${n} features`, file);
  return Array.from(c.data);
}

/** A γ or β over [C, H, W] (or a vector) that is constant along all but the channel axis, per channel. */
function uniformPerChannel(v: Value, x: Activation, channels: number, what: string, file: string): number[] {
  const c = floatConstant(v, what, file);
  if (c.data.length === 1) return [c.data[0]];
  const n = x.dims.reduce((a, b) => a * b, 1);
  if (c.data.length !== n) throw new UserError(`${what} has shape [${c.dims}] for a tensor of shape [N, ${x.dims}]`, file);
  const perChannel = x.dims.length === 3 ? (i: number) => Math.floor(i / (n / channels)) : (i: number) => i % channels;
  const values = new Array<number>(channels);
  for (let i = 0; i < n; i++) {
    const ch = perChannel(i);
    if (values[ch] === undefined) values[ch] = c.data[i];
    else if (values[ch] !== c.data[i]) throw new UserError(`${what} varies within a channel; a norm over every axis supports one value per channel`, file);
  }
  return values;
}
