// loadModel against tfjs itself: a model built and saved with tfjs, loaded from disk and canonised, must
// give the logits tfjs predicts (its softmax, when the model ends with one), and free all its tensors.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { loadModel } from '../../../src/engine/model/loadModel';
import { logitsOf } from '../../../src/engine/network/forward';
import { maxAbsDiff, saveModel, seedWeights, tempModelDir } from './savedModels';

const TOLERANCE = 1e-5;

before(async () => {
  const backend = await initBackend(nodeModulesWasmDir());
  assert.match(backend.name, /^wasm/);
});

/** Saves and loads `model`, checks the network against `model.predict` on a seeded batch, returns it. */
async function loadAndCompare(model: tf.LayersModel, name: string, seed: number) {
  seedWeights(model, seed);
  const file = await saveModel(model, tempModelDir(name));
  const loaded = await loadModel(file);
  const inputShape = model.inputs[0].shape.slice(1) as number[];
  assert.deepEqual(loaded.network.inputShape, inputShape);

  const x = tf.randomUniform([5, ...inputShape], -1, 1, 'float32', seed + 100);
  const predicted = model.predict(x) as tf.Tensor;
  const logits = logitsOf(loaded.network, x);
  const ours = loaded.network.endsWithSoftmax ? tf.softmax(logits) : logits;
  assert.deepEqual(ours.shape, predicted.shape);
  const diff = maxAbsDiff(ours.dataSync(), predicted.dataSync());
  assert.ok(diff <= TOLERANCE, `${name}: max |ours − predict| = ${diff}`);
  const logitValues = logits.arraySync() as number[][];
  tf.dispose([x, predicted, logits, ours]);
  return { loaded, logitValues, diff };
}

test('a softmax before the final layer stays a node (attention-like weights) and matches predict', async () => {
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 3, inputShape: [4], activation: 'softmax', name: 'probs' }), tf.layers.dense({ units: 2, name: 'out' })],
  });
  const { loaded } = await loadAndCompare(model, 'inner-softmax', 7);
  try {
    assert.deepEqual(loaded.network.nodes.slice(1).map((n) => n.kind), ['dense', 'softmax', 'dense']);
    assert.equal(loaded.network.endsWithSoftmax, false);
  } finally {
    loaded.network.dispose();
  }
});

test('MLP (Dense relu, Dense softmax): logits match a hand computation, softmax matches predict', async () => {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 12, activation: 'relu', inputShape: [16] }),
      tf.layers.dense({ units: 5, activation: 'softmax' }),
    ],
  });
  const { loaded, logitValues } = await loadAndCompare(model, 'mlp', 1);
  const { network, card, notes } = loaded;
  assert.deepEqual(network.nodes.slice(1).map((n) => n.kind), ['dense', 'relu', 'dense']);
  assert.equal(network.endsWithSoftmax, true);
  assert.equal(network.outputSize, 5);
  assert.ok(notes.some((n) => n.includes('softmax') && n.includes('dropped')), notes.join('; '));
  assert.deepEqual(card.inputShape, [4, 4, 1]);

  // Independent reference: the same batch through plain loops over the tfjs model's own weights.
  const [w1, b1, w2, b2] = model.getWeights().map((w) => w.arraySync()) as [number[][], number[], number[][], number[]];
  const x = tf.randomUniform([5, 16], -1, 1, 'float32', 101).arraySync() as number[][];
  x.forEach((xi, n) => {
    const hidden = b1.map((b, j) => Math.max(0, xi.reduce((s, v, i) => s + v * w1[i][j], b)));
    const logits = b2.map((b, k) => hidden.reduce((s, h, j) => s + h * w2[j][k], b));
    assert.ok(maxAbsDiff(logits, logitValues[n]) <= TOLERANCE, `image ${n}: ${logits} vs ${logitValues[n]}`);
  });
  network.dispose();
});

test('CNN with Rescaling, Conv2D same/valid, strides 2, Activation, MaxPooling2D, Flatten, Dropout', async () => {
  const model = tf.sequential({
    layers: [
      tf.layers.rescaling({ scale: 0.5, offset: -0.25, inputShape: [9, 9, 1] }),
      tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'valid' }),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.dense({ units: 3 }),
    ],
  });
  const { loaded } = await loadAndCompare(model, 'cnn', 2);
  const { network } = loaded;
  assert.deepEqual(
    network.nodes.slice(1).map((n) => n.kind),
    ['affine', 'conv2d', 'relu', 'conv2d', 'relu', 'maxPool', 'reshape', 'dense'],
  );
  assert.equal(network.endsWithSoftmax, false);
  network.dispose();
});

test('CNN with ReLU layer, AveragePooling2D, same-padded strided MaxPooling2D, GlobalAveragePooling2D, Reshape, linear Activation', async () => {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', inputShape: [10, 10, 2] }),
      tf.layers.reLU(),
      tf.layers.averagePooling2d({ poolSize: 2, strides: 1 }),
      tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
      tf.layers.conv2d({ filters: 8, kernelSize: 1, activation: 'linear' }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.reshape({ targetShape: [2, 2, 2] }),
      tf.layers.activation({ activation: 'linear' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3 }),
    ],
  });
  const { loaded } = await loadAndCompare(model, 'cnn2', 3);
  assert.deepEqual(
    loaded.network.nodes.slice(1).map((n) => n.kind),
    ['conv2d', 'relu', 'avgPool', 'maxPool', 'conv2d', 'globalAvgPool', 'reshape', 'reshape', 'dense'],
  );
  const reshape = loaded.network.nodes[7];
  assert.deepEqual(reshape.kind === 'reshape' && reshape.shape, [2, 2, 2]);
  loaded.network.dispose();
});

test('Reshape of a flat input into an image, then Conv2D', async () => {
  const model = tf.sequential({
    layers: [
      tf.layers.reshape({ targetShape: [6, 6, 1], inputShape: [36] }),
      tf.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 4, activation: 'softmax' }),
    ],
  });
  const { loaded } = await loadAndCompare(model, 'reshape', 4);
  assert.deepEqual(loaded.card.inputShape, [6, 6, 1]);
  loaded.network.dispose();
});

test('functional single-chain model', async () => {
  const input = tf.input({ shape: [8, 8, 3] });
  let h = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input);
  h = tf.layers.maxPooling2d({ poolSize: 2 }).apply(h);
  h = tf.layers.flatten().apply(h);
  h = tf.layers.dense({ units: 6, activation: 'relu' }).apply(h);
  const output = tf.layers.dense({ units: 2 }).apply(h) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  const { loaded } = await loadAndCompare(model, 'functional', 5);
  assert.deepEqual(loaded.network.nodes.slice(1).map((n) => n.kind), ['conv2d', 'relu', 'maxPool', 'reshape', 'dense', 'relu', 'dense']);
  loaded.network.dispose();
});

test('a Sequential nested in a Sequential is flattened', async () => {
  const inner = tf.sequential({
    layers: [tf.layers.dense({ units: 7, activation: 'relu', inputShape: [9] }), tf.layers.dense({ units: 5 })],
  });
  const model = tf.sequential({ layers: [inner, tf.layers.reLU(), tf.layers.dense({ units: 3 })] });
  const { loaded } = await loadAndCompare(model, 'nested', 6);
  assert.deepEqual(loaded.network.nodes.slice(1).map((n) => n.kind), ['dense', 'relu', 'dense', 'relu', 'dense']);
  assert.ok(loaded.notes.some((n) => n.includes('flattened')), loaded.notes.join('; '));
  loaded.network.dispose();
});

test('network.dispose() frees every tensor loading created, and loading frees what it does not keep', async () => {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 3, kernelSize: 3, useBias: false, inputShape: [6, 6, 1] }),
      tf.layers.batchNormalization({}),
      tf.layers.flatten(),
      tf.layers.dense({ units: 2 }),
    ],
  });
  seedWeights(model, 7);
  const file = await saveModel(model, tempModelDir('dispose'));
  const before = tf.memory().numTensors;
  const { network } = await loadModel(file);
  // Kept: conv kernel + folded bias, dense kernel + bias. Freed: BN's four weights, the zero bias, the unfolded kernel.
  assert.equal(tf.memory().numTensors - before, 4);
  network.dispose();
  assert.equal(tf.memory().numTensors, before);
  network.dispose(); // a second dispose is harmless
  assert.equal(tf.memory().numTensors, before);
});
