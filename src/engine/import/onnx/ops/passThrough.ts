// Dropout (inference) and Identity pass their input on; nothing is added to the graph.
import { UserError } from '../../../errors';
import type { Translator } from './translator';

export const passThrough: Translator = {
  ops: ['Dropout', 'Identity'],
  batchInside: true,
  translate(w, _node, inputs, what) {
    const v = inputs[0];
    if (!v) throw new UserError(`${what} lacks its input`, w.file);
    return [v];
  },
};
