// Pattern: a channel shuffle, Reshape → Transpose → Reshape back to the input's shape (ShuffleNet's
// x.view(n, g, c/g, h, w).transpose(1, 2).reshape(n, -1, h, w)), rooted at the second Reshape. The chain is
// run on the element indices of one sample (constants.ts folds it); when the result moves elements along
// one axis only, it is a permutation of that axis: one gather node (layers/gather.ts) instead of two
// reshapes, a 4-D transpose and the representation changes around them.
import type { onnx } from 'onnx-proto';
import { foldNode, size, type Constant } from '../constants';
import type { Activation, OnnxWalk } from '../onnxGraph';
import { engineToOnnx } from '../onnxGraph';
import type { Translator } from './translator';

export const channelShuffle: Translator = {
  ops: ['Reshape'],
  pattern: 'channel shuffle (Reshape, Transpose, Reshape)',
  translate(w, node, _inputs, what, name) {
    const transpose = w.producer(node.input?.[0], 'Transpose');
    const first = w.producer(transpose?.input?.[0], 'Reshape');
    if (!transpose || !first) return null;
    const source = w.peek(first.input?.[0] ?? '');
    if (source?.kind === 'unavailable') return [source];
    if (source?.kind !== 'activation') return null;
    const permutation = indexChain(w, source, [first, transpose, node], what);
    if (!permutation) return null;
    const { axis, indices } = permutation;
    if (indices.every((v, i) => v === i)) return [source];
    const engineAxis = engineToOnnx(source.rep, source.dims.length).indexOf(axis);
    return [{ ...source, node: w.add(name, { kind: 'gather', axis: engineAxis, indices }, [source.node]) }];
  },
};


/**
 * The chain applied to the indices of one sample (batch 1): when its output has the input's shape and
 * moves elements along one batch-free axis only, that axis and the source index of each output position.
 */
function indexChain(w: OnnxWalk, x: Activation, chain: onnx.INodeProto[], what: string): { axis: number; indices: number[] } | null {
  const dims = [1, ...x.dims];
  let t: Constant = { type: 'int', dims, data: Array.from({ length: size(dims) }, (_, i) => i) };
  for (const n of chain) {
    const rest = (n.input ?? []).slice(1).map((name) => {
      const v = name ? w.peek(name) : undefined;
      if (v?.kind !== 'constant') return null;
      // The batch (null) is 1 here.
      return { ...v.value, data: v.value.data.map((d) => d ?? 1) } as Constant;
    });
    if (rest.some((r) => r === null)) return null;
    try {
      t = foldNode(n, [t, ...(rest as Constant[])], w.ctx, what)[0];
    } catch {
      return null;
    }
  }
  if (t.dims.length !== dims.length || !t.dims.every((d, i) => d === dims[i])) return null;
  const strides = x.dims.map((_, a) => size(x.dims.slice(a + 1)));
  const coordinates = (flat: number) => x.dims.map((d, a) => Math.floor(flat / strides[a]) % d);
  const moved = new Set<number>();
  t.data.forEach((from, to) => {
    const [a, b] = [coordinates(from as number), coordinates(to)];
    a.forEach((v, k) => v !== b[k] && moved.add(k));
  });
  if (moved.size > 1) return null;
  const axis = moved.size ? [...moved][0] : 0;
  // Along `axis`, output position j reads input position indices[j] (the same for every other coordinate).
  const indices = Array.from({ length: x.dims[axis] }, (_, j) => coordinates(t.data[j * strides[axis]] as number)[axis]);
  return { axis, indices };
}
