// Pattern: Mul(x, Sigmoid(x)) in either order, as torch exports nn.SiLU (opset ≤ 17 has no SiLU op): one
// SiLU node on x. The Sigmoid node stays behind unread (the builder drops it) unless something else reads it.
import { act, same } from '../nodeArgs';
import type { Translator } from './translator';

export const silu: Translator = {
  ops: ['Mul'],
  pattern: 'SiLU',
  translate(w, node, inputs, what, name) {
    const [a, b] = node.input ?? [];
    const sigmoidOf = (t: string | undefined) => {
      const p = t ? w.producer(t) : undefined;
      return p?.opType === 'Sigmoid' ? p.input?.[0] : undefined;
    };
    const k = sigmoidOf(b) === a ? 0 : sigmoidOf(a) === b ? 1 : -1;
    if (k < 0 || inputs[k]?.kind !== 'activation') return null;
    const x = act(w, inputs[k], what);
    return [same(x, w.add(name, { kind: 'activation', fn: 'silu' }, [x.node]))];
  },
};
