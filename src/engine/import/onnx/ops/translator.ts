// What one ONNX translator states (onnx2torch's node_converters; the table is ops/index.ts): the op types it
// handles, optionally the opset range, and a function from one node to engine values.
//
//   export const conv: Translator = {
//     ops: ['Conv'],
//     translate(w, node, inputs, what, name) { ... return [value]; },
//   };
//
// - `w` is the walk (onnxGraph.ts): it adds engine nodes (`w.add`), converts representations
//   (`w.asChannelsFirst`, `w.asPlain`, `w.asVector`), counts readers and finds producers of tensors.
// - `inputs[i]` is the value of the node's input i (undefined for an omitted optional input): a constant, an
//   activation (an engine node with its ONNX dims and representation) or a pending Dense/Conv; `act(w, v,
//   what)` (nodeArgs.ts) makes any of them an activation.
// - `what` names the node in errors (`node "Conv_3" (Conv)`); throw a UserError naming it and `w.file` when
//   the node cannot be translated. `name` is the engine node name to use (unique after `w.add`).
// - The result holds one value per ONNX output (undefined for an output it does not produce; the walk fails
//   only if something reads it).
//
// A *pattern* (`pattern: 'SiLU'`) spans several nodes and is registered for the op of its last node, the
// root: it is tried before the op's plain translator and returns null when the node is not the root of its
// pattern. It reads the nodes before the root through `w.producer(tensor)` and takes the values of the
// pattern's inputs with `w.lookup`; the nodes inside the pattern need no translation of their own.
//
// Constant inputs only: the walk evaluates a node at load (constants.ts) before asking the table when every
// input is a constant and the op is foldable.
import type { onnx } from 'onnx-proto';
import type { OnnxWalk, Value } from '../onnxGraph';

export type Translate = (w: OnnxWalk, node: onnx.INodeProto, inputs: Array<Value | undefined>, what: string, name: string) => Array<Value | undefined> | null;

export interface Translator {
  /** The op types (default domain) it handles. */
  ops: readonly string[];
  /** The opsets it handles, both ends included (default: every opset the reader accepts, onnxFile.ts). */
  opsets?: { from?: number; to?: number };
  /**
   * Reads activations whose batch is not their first axis (a unit-batch walk's `batchInside`, onnxGraph.ts);
   * a translator without it never sees one.
   */
  batchInside?: boolean;
  /** Set for a translator of several nodes (the name says which, for messages): tried first, may decline. */
  pattern?: string;
  /** The node's output values; null only from a pattern that does not match here. */
  translate: Translate;
}
