// The ONNX front end's table of translators: one module per op or pattern in this folder (the interface is
// translator.ts), listed here once. The walk (onnxGraph.ts) hands every node to `translateNode`, which
// evaluates it at load when all its inputs are constants (constants.ts), else tries the patterns rooted at
// its op, then the op's translator. Adding an op is a module and a line in TRANSLATORS.
import { listCut, UserError } from '../../../errors';
import { FOLDABLE_OPS, foldNode, isFoldable, type Constant } from '../constants';
import { NEWEST_OPSET, OLDEST_OPSET } from '../onnxFile';
import type { OnnxWalk, Value } from '../onnxGraph';
import type { onnx } from 'onnx-proto';
import { elu, gelu, hardSigmoid, hardSwish, leakyRelu, relu, sigmoid, softmax, softplus, tanh } from './activations';
import { add, sumOp } from './add';
import { affineByConstant } from './affine';
import { batchNormalization } from './batchNorm';
import { channelShuffle } from './channelShuffle';
import { clip } from './clip';
import { concat } from './concat';
import { conv } from './conv';
import { convTranspose } from './convTranspose';
import { flatten } from './flatten';
import { gemm } from './gemm';
import { instanceNormalization, layerNormalization } from './layerNorm';
import { layerNormWrittenOut } from './layerNormWrittenOut';
import { globalAveragePool, globalMaxPool, spatialReduce } from './globalPool';
import { groupNorm } from './groupNorm';
import { matMul } from './matMul';
import { pad } from './pad';
import { passThrough } from './passThrough';
import { averagePool, maxPool } from './pool';
import { prelu } from './prelu';
import { product } from './product';
import { reshape, squeezeOrUnsqueeze } from './reshape';
import { resize } from './resize';
import { shape } from './shape';
import { gatherOp, slice, split } from './slice';
import { activationWrittenOut } from './activationWrittenOut';
import { transpose } from './transpose';
import type { Translator } from './translator';

export type { Translator } from './translator';

/** Every translator; patterns and plain ones alike (the order of the plain ones is the supported list's). */
export const TRANSLATORS: readonly Translator[] = [
  conv,
  gemm,
  matMul,
  relu,
  maxPool,
  averagePool,
  globalAveragePool,
  globalMaxPool,
  spatialReduce,
  flatten,
  reshape,
  squeezeOrUnsqueeze,
  transpose,
  pad,
  batchNormalization,
  add,
  sumOp,
  // Mul of two activations before Mul by a constant (each declines the other's case).
  product,
  affineByConstant,
  activationWrittenOut,
  layerNormWrittenOut,
  channelShuffle,
  groupNorm,
  concat,
  passThrough,
  clip,
  leakyRelu,
  sigmoid,
  tanh,
  softplus,
  hardSwish,
  hardSigmoid,
  elu,
  gelu,
  prelu,
  softmax,
  shape,
  layerNormalization,
  instanceNormalization,
  slice,
  split,
  gatherOp,
  resize,
  convTranspose,
];

/** The translators of `op` at `opset`: its patterns first, then the plain ones, in table order. */
export function translatorsFor(op: string, opset: number): Translator[] {
  const fits = (t: Translator) => t.ops.includes(op) && opset >= (t.opsets?.from ?? OLDEST_OPSET) && opset <= (t.opsets?.to ?? NEWEST_OPSET);
  const found = TRANSLATORS.filter(fits);
  return [...found.filter((t) => t.pattern), ...found.filter((t) => !t.pattern)];
}

/** Every op an ONNX model may use: the table's, and Constant (evaluated at load). */
export const SUPPORTED_OPS = [...new Set([...TRANSLATORS.filter((t) => !t.pattern).flatMap((t) => t.ops), 'Constant'])];
/** Every op an ONNX model may use, as unsupported.ts lists them: the table's, then those only folded at load. */
export const SUPPORTED_NAMES = [...SUPPORTED_OPS, ...FOLDABLE_OPS.filter((o) => !SUPPORTED_OPS.includes(o)).map((o) => `${o} (on constants)`)];

/** The values of one node's outputs (see translator.ts); null when no translator knows its op. */
export function translateNode(w: OnnxWalk, node: onnx.INodeProto, inputs: Array<Value | undefined>, what: string, name: string): Array<Value | undefined> | null {
  const op = node.opType ?? '';
  if (isFoldable(op) && inputs.every((v) => v === undefined || v.kind === 'constant')) {
    const constants = inputs.map((v) => (v?.kind === 'constant' ? v.value : undefined));
    return foldNode(node, constants, w.ctx, what).map((value: Constant) => ({ kind: 'constant', value }));
  }
  const translators = translatorsFor(op, w.ctx.opset);
  for (const t of translators) {
    const outputs = t.translate(w, node, inputs, what, name);
    if (outputs) return outputs;
  }
  if (translators.some((t) => !t.pattern)) throw new UserError(`${what} is not supported in this form`, w.file);
  return null;
}
