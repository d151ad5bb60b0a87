// GlobalAveragePool and GlobalMaxPool, and ReduceMean / ReduceMax over height and width (PyTorch's
// `x.mean((2, 3))`, `x.amax((2, 3))`): the engine's global pools, keeping ONNX's [C, 1, 1] where ONNX does.
import { UserError } from '../../../errors';
import { normaliseAxis } from '../constants';
import { act, int, ints, isConstant } from '../nodeArgs';
import type { Activation, OnnxWalk, Value } from '../onnxGraph';
import type { Translator } from './translator';

type PoolKind = 'globalAvgPool' | 'globalMaxPool';

export const globalAveragePool: Translator = {
  ops: ['GlobalAveragePool'],
  translate: (w, _node, inputs, what, name) => [globalPool(w, inputs, what, name, 'globalAvgPool')],
};

export const globalMaxPool: Translator = {
  ops: ['GlobalMaxPool'],
  translate: (w, _node, inputs, what, name) => [globalPool(w, inputs, what, name, 'globalMaxPool')],
};

/** Other axes than height and width are not an image classifier's. */
export const spatialReduce: Translator = {
  ops: ['ReduceMean', 'ReduceMax'],
  translate(w, node, inputs, what, name) {
    const kind: PoolKind = node.opType === 'ReduceMax' ? 'globalMaxPool' : 'globalAvgPool';
    const axesInput = inputs[1];
    const given = w.ctx.opset >= 18 ? (isConstant(axesInput) ? (axesInput.value.data as number[]) : undefined) : ints(node, 'axes');
    const x = act(w, inputs[0], what);
    const axes = (given ?? []).map((a) => normaliseAxis(a, x.dims.length + 1)).sort();
    if (x.dims.length !== 3 || axes.length !== 2 || axes[0] !== 2 || axes[1] !== 3) {
      throw new UserError(`${what} reduces axes [${given ?? 'all'}] of a tensor [N, ${x.dims}]; only the mean or max over height and width (axes 2, 3) is supported`, w.file);
    }
    const pooled = globalPool(w, [x], what, name, kind);
    return [int(node, 'keepdims', 1) === 1 ? pooled : w.asVector(pooled, name)];
  },
};

/** Global pooling keeps ONNX's [C, 1, 1]: the engine's [c] node, reshaped to the 1×1 map [1, 1, c]. */
function globalPool(w: OnnxWalk, inputs: Array<Value | undefined>, what: string, name: string, kind: PoolKind): Activation {
  const x = w.asChannelsFirst(act(w, inputs[0], what), what);
  const c = x.dims[0];
  const pooled = w.add(name, { kind }, [x.node]);
  const node = w.add(`${name}/keepdims`, { kind: 'reshape', shape: [1, 1, c] }, [pooled]);
  return { kind: 'activation', node, dims: [c, 1, 1], rep: 'channelsFirst' };
}
