// Why an ONNX model cannot open, in one line: the first node that cannot be translated (its own message),
// every op type that fails with its count, the architecture feature behind them when it is a known one,
// and the ops the table supports. Nodes fail without stopping the walk (onnxGraph.ts keeps an
// `unavailable` value for their outputs), so one pass finds them all; only failures the graph's output
// depends on count (a pattern may use a node's inputs and never need the node itself: Erf inside GELU).
import { fittedRoom, listCut, UserError } from '../../errors';

/** A node that could not be translated. */
export interface NodeFailure {
  /** Position in the graph's node list. */
  index: number;
  op: string;
  error: UserError;
  /** The node's op has no translator at all (as opposed to one that refused this node's attributes). */
  unknownOp: boolean;
}

/** A translator's refusal that names an architecture feature ("attention (MatMul of two activations)"). */
export class UnsupportedFeature extends UserError {
  constructor(
    message: string,
    file: string,
    readonly feature: string,
  ) {
    super(`${message}: ${feature}`, file);
  }
}

const TRANSFORMERS = 'vision transformers are not supported yet';
const DETECTION = 'detection and segmentation models are not supported; image classifiers are';

/** Architecture features known by op type alone. */
const FEATURES: Record<string, string> = {
  Einsum: `attention (Einsum): ${TRANSFORMERS}`,
  Attention: `attention: ${TRANSFORMERS}`,
  MultiHeadAttention: `attention: ${TRANSFORMERS}`,
  NonMaxSuppression: `object detection (NonMaxSuppression): ${DETECTION}`,
  RoiAlign: `object detection (RoiAlign): ${DETECTION}`,
  TopK: `object detection (TopK): ${DETECTION}`,
  LSTM: 'recurrent layers (LSTM): sequence models are not supported',
  GRU: 'recurrent layers (GRU): sequence models are not supported',
  RNN: 'recurrent layers (RNN): sequence models are not supported',
  Loop: 'control flow (Loop): export the model without it (torch.onnx.export of a traced model)',
  If: 'control flow (If): export the model without it (torch.onnx.export of a traced model)',
  Scan: 'control flow (Scan): export the model without it',
  QuantizeLinear: 'a quantized model: export the float32 model',
  DequantizeLinear: 'a quantized model: export the float32 model',
  DynamicQuantizeLinear: 'a quantized model: export the float32 model',
  QLinearConv: 'a quantized model: export the float32 model',
  QLinearMatMul: 'a quantized model: export the float32 model',
  ConvInteger: 'a quantized model: export the float32 model',
  MatMulInteger: 'a quantized model: export the float32 model',
};

export function attentionFeature(what: string): string {
  return `attention (${what}): ${TRANSFORMERS}`;
}

/**
 * The error of a model whose output depends on `failures`: "<first node's problem>; unsupported: Einsum ×12,
 * NonMaxSuppression ×1; <features>; supported ops: …" (`supported` when an op has no translator): as many
 * of the supported ops as the message's 300 characters leave room for, and where they all are.
 */
export function cannotOpen(failures: NodeFailure[], file: string, supported: readonly string[]): UserError {
  const sorted = [...failures].sort((a, b) => a.index - b.index);
  const first = sorted[0];
  const counts = new Map<string, number>();
  for (const f of sorted) counts.set(f.op, (counts.get(f.op) ?? 0) + 1);
  const features = [...new Set(sorted.flatMap((f) => (f.error instanceof UnsupportedFeature ? [f.error.feature] : FEATURES[f.op] ? [FEATURES[f.op]] : [])))];
  const parts = [
    problemOf(first.error, file),
    `unsupported: ${[...counts].map(([op, n]) => `${op} ×${n}`).join(', ')}`,
    ...features.filter((f) => !problemOf(first.error, file).endsWith(f)),
  ];
  if (sorted.some((f) => f.unknownOp)) {
    const where = "; the README's ONNX table lists them all";
    const room = fittedRoom(file) - parts.join('; ').length - '; supported ops: '.length - where.length;
    const short = "supported ops: in the README's ONNX table";
    // The unsupported ops and the features behind them come first; the supported list only where room is left.
    if (room >= 30) parts.push(`supported ops: ${listCut(supported, room)}${where}`);
    else if (room + where.length + '; supported ops: '.length >= short.length + 2) parts.push(short);
  }
  return new UserError(parts.join('; '), file);
}

/** A UserError's message without the "<file>: " the constructor put in front. */
function problemOf(e: UserError, file: string): string {
  return e.message.startsWith(`${file}: `) ? e.message.slice(file.length + 2) : e.message;
}
