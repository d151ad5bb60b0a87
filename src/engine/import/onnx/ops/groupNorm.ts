// Pattern: GroupNorm as torch writes it (no GroupNormalization op before opset 18, and torch 1.13 stops at
// 17), rooted at the Reshape back to the input's shape:
//   Reshape(x, [N, G, −1]) → InstanceNormalization(γ = 1, β = 0) → Reshape(·, shape of x)
// one layerNorm node over G groups of channels at every position; its γ and β follow as a Mul and an Add of
// constants per channel, which the builder folds into it (graph/canonise.ts).
import { float } from '../nodeArgs';
import type { Translator } from './translator';

export const groupNorm: Translator = {
  ops: ['Reshape'],
  pattern: 'GroupNorm (Reshape, InstanceNormalization, Reshape)',
  translate(w, node, _inputs, what, name) {
    const instance = w.producer(node.input?.[0], 'InstanceNormalization');
    const grouping = w.producer(instance?.input?.[0], 'Reshape');
    if (!instance || !grouping) return null;
    const x = w.peek(grouping.input?.[0] ?? '');
    const grouped = w.peek(grouping.output?.[0] ?? '');
    if (x?.kind !== 'activation' || x.dims.length !== 3 || !grouped || grouped.kind === 'constant' || grouped.kind === 'unavailable') return null;
    const [groups] = grouped.dims;
    const trivial = (tensor: string | undefined, value: number) => {
      const v = tensor ? w.peek(tensor) : undefined;
      return v?.kind === 'constant' && v.value.data.every((d) => d === value);
    };
    if (grouped.dims.length !== 2 || x.dims[0] % groups !== 0 || !trivial(instance.input?.[1], 1) || !trivial(instance.input?.[2], 0)) return null;
    // The second Reshape must restore x's shape: [N, C, H, W] from the input's Shape, or written out.
    const target = w.peek(node.input?.[1] ?? '');
    if (target?.kind !== 'constant' || target.value.data.length !== 4) return null;
    // (0 copies the grouped tensor's dimension; one −1 takes what is left.)
    const dims: number[] = Array.from(target.value.data.slice(1), (d, i) => (d === 0 ? (grouped.dims[i] ?? 0) : (d ?? 0)));
    const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    const total = x.dims.reduce((a, b) => a * b, 1);
    const resolved = dims.map((d) => (d === -1 ? total / known : d));
    if (!resolved.every((d, i) => d === x.dims[i])) return null;
    const image = w.asChannelsFirst(x, what);
    return [{ ...image, node: w.add(name, { kind: 'layerNorm', epsilon: float(instance, 'epsilon', 1e-5), groups }, [image.node]) }];
  },
};

