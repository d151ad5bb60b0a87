// Shape of an activation: known at load but for the batch size, which folded shape arithmetic carries as
// `null` (constants.ts BATCH), so `x.view(x.size(0), -1)` becomes a Reshape to [N, -1]. Shape of a
// constant is folded like any constant op.
import { UserError } from '../../../errors';
import { BATCH, foldNode } from '../constants';
import type { Translator } from './translator';

export const shape: Translator = {
  ops: ['Shape'],
  batchInside: true,
  translate(w, node, inputs, what) {
    const x = inputs[0];
    if (!x || x.kind === 'constant' || x.kind === 'unavailable') throw new UserError(`${what} lacks its data input`, w.file);
    // A unit-batch walk (onnxGraph.ts) computes the model at batch size 1.
    const dims: Array<number | null> = w.unitBatch ? w.fullDims(x) : [BATCH, ...x.dims];
    return foldNode(node, [{ type: 'int', dims: [dims.length], data: dims }], w.ctx, what).map((value) => ({ kind: 'constant' as const, value }));
  },
};
