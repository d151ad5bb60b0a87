// Graphs that move the batch axis as torch's attention does (onnxGraph.ts's unit-batch walk), written node by
// node: tokens [N, T, E] transposed to [T, N, E], a ReLU and a token-wise MatMul there, heads merged with the
// batch by Reshape(−1) into [N·h, T, d], Q·Kᵀ with Kᵀ as a Transpose, a Softmax, A·V, the heads merged back
// and the batch returned first; against onnxruntime-web at a batch of 3 (dynamic) so that images never mix.
// An op that cannot read a tensor whose batch is inside is one line naming the node.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../../src/engine/backend';
import { isUserError } from '../../../../src/engine/errors';
import { loadOnnxNetwork } from '../../../../src/engine/import/onnx/loadOnnx';
import { randomImages } from '../../methods/nets';
import { tempModelDir } from '../../model/savedModels';
import { engineLogits, nchwToNhwc, ortOutputs, relativeError } from './onnxReference';
import { int, ints, OnnxModelWriter } from './onnxWriter';

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

const [C, H, W, E, HEADS] = [3, 4, 4, 8, 2];
const T = (H / 2) * (W / 2);

/** Values in [−1, 1) from a seed. */
function weights(seed: number, n: number): number[] {
  return randomImages(seed, 1, n)[0].map((v) => 2 * v - 1);
}

/** Patch conv → tokens [N, T, E] → [T, N, E] → ReLU → MatMul → heads [N·h, T, d] → attention → back; `tail` ends it. */
function attentionModel(tail: (w: OnnxModelWriter, tokens: string) => string): OnnxModelWriter {
  const w = new OnnxModelWriter(13);
  const x = w.input('x', [null, C, H, W]);
  const conv = w.node('Conv', [x, w.weight('pw', [E, C, 2, 2], weights(1, E * C * 4)), w.weight('pb', [E], weights(2, E))], { strides: ints([2, 2]), kernel_shape: ints([2, 2]) });
  const tokens = w.node('Transpose', [w.node('Reshape', [conv, w.ints('s1', [0, E, T])])], { perm: ints([0, 2, 1]) });
  const tne = w.node('Relu', [w.node('Transpose', [tokens], { perm: ints([1, 0, 2]) })]);
  const qkv = w.node('Add', [w.weight('b3', [3 * E], weights(3, 3 * E)), w.node('MatMul', [tne, w.weight('w3', [E, 3 * E], weights(4, 3 * E * E))])]);
  const d = E / HEADS;
  const heads = (k: number, perm: number[]) =>
    w.node('Transpose', [w.node('Reshape', [w.node('Slice', [qkv, w.ints(`st${k}`, [k * E]), w.ints(`en${k}`, [(k + 1) * E]), w.ints(`ax${k}`, [-1])]), w.ints(`hs${k}`, [T, -1, d])])], { perm: ints(perm) });
  const q = w.node('Div', [heads(0, [1, 0, 2]), w.weight('scale', [], [Math.sqrt(d)])]);
  const kT = heads(1, [1, 2, 0]);
  const v = heads(2, [1, 0, 2]);
  const a = w.node('Softmax', [w.node('MatMul', [q, kT])], { axis: int(-1) });
  const merged = w.node('Reshape', [w.node('Transpose', [w.node('MatMul', [a, v])], { perm: ints([1, 0, 2]) }), w.ints('m', [-1, E])]);
  const out = w.node('Gemm', [merged, w.weight('ow', [E, E], weights(5, E * E)), w.weight('ob', [E], weights(6, E))], { transB: int(1) });
  const nte = w.node('Transpose', [w.node('Reshape', [out, w.ints('back', [T, -1, E])])], { perm: ints([1, 0, 2]) });
  w.output(tail(w, w.node('Add', [nte, tokens])));
  return w;
}

test('attention with the batch moved and merged with heads gives onnxruntime\'s logits for a batch of 3', async () => {
  const w = attentionModel((w, t) => w.node('Gemm', [w.node('Flatten', [t]), w.weight('hw', [T * E, 3], weights(7, T * E * 3))], {}, ['logits']));
  const file = w.save(path.join(tempModelDir('batch-moves'), 'attention.onnx'));
  const input = Float32Array.from(randomImages(8, 3, C * H * W).flat());
  const expected = await ortOutputs(w.encode(), input, [3, C, H, W]);
  const { network } = loadOnnxNetwork(file);
  try {
    assert.ok(network.nodes.some((n) => n.kind === 'matmul') && network.nodes.some((n) => n.kind === 'softmax'), 'attention read as matmul and softmax');
    const logits = engineLogits(network, nchwToNhwc(input, [3, C, H, W]), 3);
    assert.ok(relativeError(logits, expected) < 1e-5, `relative error ${relativeError(logits, expected)}`);
  } finally {
    network.dispose();
  }
});

test('an op that cannot read a tensor whose batch is inside is one line naming the node', () => {
  const w = new OnnxModelWriter(13);
  const x = w.input('x', [null, C, H, W]);
  const moved = w.node('Transpose', [x], { perm: ints([1, 0, 2, 3]) });
  w.node('Gemm', [w.node('Flatten', [w.node('MaxPool', [moved], { kernel_shape: ints([2, 2]) }, ['pooled'], 'pool')]), w.weight('hw', [8, 2], weights(9, 16))], {}, ['logits']);
  w.output('logits');
  const file = w.save(path.join(tempModelDir('batch-moves'), 'pool.onnx'));
  assert.throws(
    () => loadOnnxNetwork(file),
    (e: unknown) =>
      isUserError(e) &&
      !(e as Error).message.includes('\n') &&
      /node "pool" \(MaxPool\) reads a tensor of shape \[3,1,4,4\] whose first axis is not the batch/.test((e as Error).message),
  );
});
