// Gemm: Y = alpha · A' · B' + beta · C with A the activation [N, K] (flattened first) and B, C constants: a
// Dense layer, B transposed into the engine's [in, out] kernel when transB, alpha and beta applied.
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../../../errors';
import { act, float, int } from '../nodeArgs';
import { floatConstant } from '../onnxGraph';
import { biasVector } from './constantArgs';
import { linearResult } from './linearResult';
import type { Translator } from './translator';

export const gemm: Translator = {
  ops: ['Gemm'],
  batchInside: true,
  translate(w, node, inputs, what, name) {
    if (int(node, 'transA', 0) !== 0) {
      throw new UserError(`${what} has transA = 1; only Gemm with the activation as A (transA = 0) and constant B is supported`, w.file);
    }
    // A matrix holding the batch inside ([T·N, E] in torch's attention) is a Dense per row.
    const a = act(w, inputs[0], what);
    const x = a.batchInside ? a : w.asVector(a, name);
    const features = x.dims[x.dims.length - 1];
    const b = floatConstant(inputs[1], `${what}: its B input`, w.file);
    if (b.dims.length !== 2) throw new UserError(`${what} has a B of shape [${b.dims}]; a matrix is needed`, w.file);
    const transB = int(node, 'transB', 0) === 1;
    const alpha = float(node, 'alpha', 1);
    const beta = float(node, 'beta', 1);
    const [k, m] = transB ? [b.dims[1], b.dims[0]] : b.dims;
    if (k !== features) throw new UserError(`${what} multiplies ${features} features by a B of shape [${b.dims}]${transB ? ' (transB)' : ''}`, w.file);
    const kernelData = transB ? transposeMatrix(b.data, b.dims[0], b.dims[1]) : Float32Array.from(b.data);
    if (alpha !== 1) for (let i = 0; i < kernelData.length; i++) kernelData[i] *= alpha;
    let bias: Float32Array | undefined;
    if (inputs[2]) {
      bias = biasVector(inputs[2], m, `${what}: its C input`, w.file);
      if (beta !== 1) for (let i = 0; i < m; i++) bias[i] *= beta;
    }
    const spec = { kind: 'dense' as const, kernel: tf.tensor2d(kernelData, [k, m]), bias: bias ? tf.tensor1d(bias) : undefined };
    return [{ ...linearResult(w, node, name, spec, x, [...x.dims.slice(0, -1), m], 'plain', bias === undefined), batchInside: x.batchInside }];
  },
};

/** A row-major [rows, cols] matrix transposed, in tiles so that both sides stay in cache (VGG's 25088 × 4096). */
export function transposeMatrix(m: Float32Array, rows: number, cols: number): Float32Array {
  const result = new Float32Array(m.length);
  const TILE = 64;
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    const r1 = Math.min(rows, r0 + TILE);
    for (let c0 = 0; c0 < cols; c0 += TILE) {
      const c1 = Math.min(cols, c0 + TILE);
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) result[c * rows + r] = m[r * cols + c];
    }
  }
  return result;
}
