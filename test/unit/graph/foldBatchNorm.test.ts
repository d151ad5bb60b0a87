// BatchNormalization folding: the formula against plain loops, and whole models with BN against tfjs.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { foldBatchNorm } from '../../../src/engine/graph/foldBatchNorm';
import { loadModel } from '../../../src/engine/model/loadModel';
import { logitsOf } from '../../../src/engine/network/forward';
import { maxAbsDiff, saveModel, seedWeights, tempModelDir } from '../model/savedModels';

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

test('foldBatchNorm scales each output column by γ/√(σ²+ε) and shifts the bias', () => {
  const W = [
    [1, -2, 0.5],
    [3, 0.25, -1],
  ];
  const b = [0.1, -0.2, 0.3];
  const mean = [0.5, -1, 2];
  const variance = [4, 0.25, 1];
  const gamma = [2, -1, 0.5];
  const beta = [1, 0, -3];
  const eps = 0.01;
  const folded = foldBatchNorm(tf.tensor2d(W), tf.tensor1d(b), {
    movingMean: tf.tensor1d(mean),
    movingVariance: tf.tensor1d(variance),
    gamma: tf.tensor1d(gamma),
    beta: tf.tensor1d(beta),
    epsilon: eps,
  });
  const s = gamma.map((g, j) => g / Math.sqrt(variance[j] + eps));
  const expectedW = W.flatMap((row) => row.map((w, j) => w * s[j]));
  const expectedB = b.map((bj, j) => (bj - mean[j]) * s[j] + beta[j]);
  assert.ok(maxAbsDiff(folded.kernel.dataSync(), expectedW) < 1e-6);
  assert.ok(maxAbsDiff(folded.bias.dataSync(), expectedB) < 1e-6);

  // scale: false and center: false mean γ = 1 and β = 0.
  const plain = foldBatchNorm(tf.tensor2d(W), tf.tensor1d(b), {
    movingMean: tf.tensor1d(mean),
    movingVariance: tf.tensor1d(variance),
    epsilon: eps,
  });
  const s1 = variance.map((v) => 1 / Math.sqrt(v + eps));
  assert.ok(maxAbsDiff(plain.bias.dataSync(), b.map((bj, j) => (bj - mean[j]) * s1[j])) < 1e-6);
  assert.ok(maxAbsDiff(plain.kernel.dataSync(), W.flatMap((row) => row.map((w, j) => w * s1[j]))) < 1e-6);
});

test('Conv2D→BN and Dense→BN models give tfjs logits after folding, with no BN left', async () => {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 4, kernelSize: 3, useBias: false, inputShape: [8, 8, 2] }),
      tf.layers.batchNormalization({ epsilon: 0.01 }),
      tf.layers.reLU(),
      tf.layers.conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same' }),
      tf.layers.batchNormalization({ center: false }),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 6 }),
      tf.layers.batchNormalization({ scale: false }),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.dense({ units: 3, useBias: false }),
      tf.layers.batchNormalization({}),
    ],
  });
  // Non-trivial γ, β, moving means and variances (the initial 1, 0, 0, 1 would fold to nothing).
  seedWeights(model, 11);
  const file = await saveModel(model, tempModelDir('bn'));
  const { network, notes } = await loadModel(file);

  assert.deepEqual(
    network.nodes.slice(1).map((n) => n.kind),
    ['conv2d', 'relu', 'conv2d', 'relu', 'reshape', 'dense', 'relu', 'dense'],
  );
  assert.equal(notes.filter((n) => n.startsWith('BatchNormalization')).length, 4);

  const x = tf.randomUniform([6, 8, 8, 2], 0, 1, 'float32', 12);
  const expected = (model.predict(x) as tf.Tensor).dataSync();
  const got = logitsOf(network, x).dataSync();
  const diff = maxAbsDiff(got, expected);
  assert.ok(diff <= 1e-5, `max |folded − tfjs BN| = ${diff}`);
  // Not vacuous: the logits are large next to the tolerance, and the first conv (use_bias: false) got
  // its bias from the BN fold.
  const spread = Math.max(...Array.from(expected, Math.abs));
  assert.ok(spread > 0.1, `logits too small to tell: ${spread}`);
  const first = network.nodes[1];
  assert.ok(first.kind === 'conv2d' && Array.from(first.bias.dataSync()).every((v) => Math.abs(v) > 1e-3));
  network.dispose();
});
