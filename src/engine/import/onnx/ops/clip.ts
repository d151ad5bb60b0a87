// Clip with constant bounds (inputs from opset 11, attributes before): min 0 without max is a ReLU
// (`torch.clamp(x, min=0)`), ReLU6 and Hardtanh export as Clip(0, 6) and Clip(−1, 1).
import { UserError } from '../../../errors';
import { clipSpec } from '../../../layers/clip';
import { elementwise, float } from '../nodeArgs';
import { floatConstant } from '../onnxGraph';
import type { Translator } from './translator';

export const clip: Translator = {
  ops: ['Clip'],
  batchInside: true,
  translate(w, node, inputs, what, name) {
    const bound = (i: number, attr: string, fallback: number): number => {
      if (w.ctx.opset < 11) return float(node, attr, fallback);
      const v = inputs[i];
      return v ? (floatConstant(v, `${what}: its ${attr}`, w.file).data[0] ?? fallback) : fallback;
    };
    const min = bound(1, 'min', -Infinity);
    // Before opset 11 an absent max is FLT_MAX.
    const max = bound(2, 'max', Infinity);
    // FLT_MAX (the old default, or torch's clamp without a bound written out) is no bound.
    const unbounded = (v: number) => (Math.abs(v) >= 3.4e38 ? Math.sign(v) * Infinity : v);
    const [lo, hi] = [unbounded(min), unbounded(max)];
    if (!(lo < hi)) throw new UserError(`${what} clips to [${min}, ${max}]; the lower bound must be below the upper one`, w.file);
    return [elementwise(w, inputs, what, name, clipSpec(lo, hi))];
  },
};
