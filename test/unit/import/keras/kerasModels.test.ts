// Keras files (test/fixtures/keras, written to Keras' documented layouts by scripts/fixtures/keras_fixtures.py)
// loaded by the engine give the logits of the same network built with tfjs' own layers from the plain
// weights in weights.json: .keras (Keras 3, weights addressed by class and counter), Keras 2 .h5 and
// Keras 3 legacy .h5.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nodeModulesWasmDir } from '../../../../src/engine/backend';
import { loadAnyModel } from '../../../../src/engine/import/loadAnyModel';
import { predict } from '../../../../src/engine/methods/explain';
import { random, randomArray } from '../../methods/reference';
import { relativeError } from '../relativeError';

const DIR = path.resolve(__dirname, '../../../fixtures/keras');

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

type WeightsJson = Record<string, Record<string, { shape: number[]; data: number[] }>>;

function weights(file: string): WeightsJson {
  return JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as WeightsJson;
}

function tensorOf(w: { shape: number[]; data: number[] }): tf.Tensor {
  return tf.tensor(w.data, w.shape);
}

/** The Sequential CNN of the fixtures with tfjs layers, its last layer linear (the engine explains logits). */
function sequentialCnnInTfjs(): tf.Sequential {
  const w = weights('sequential-cnn.weights.json');
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, activation: 'relu', name: 'features_conv' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'mixing_conv' }),
      tf.layers.batchNormalization({ epsilon: 1e-3, name: 'mixing_bn' }),
      tf.layers.reLU(),
      tf.layers.flatten(),
      tf.layers.dense({ units: 16, activation: 'relu', name: 'hidden' }),
      tf.layers.dropout({ rate: 0.3 }),
      tf.layers.dense({ units: 10, name: 'head' }),
    ],
  });
  model.getLayer('features_conv').setWeights([tensorOf(w.features_conv.kernel), tensorOf(w.features_conv.bias)]);
  model.getLayer('mixing_conv').setWeights([tensorOf(w.mixing_conv.kernel)]);
  const bn = w.mixing_bn;
  model.getLayer('mixing_bn').setWeights([tensorOf(bn.gamma), tensorOf(bn.beta), tensorOf(bn.moving_mean), tensorOf(bn.moving_variance)]);
  model.getLayer('hidden').setWeights([tensorOf(w.hidden.kernel), tensorOf(w.hidden.bias)]);
  model.getLayer('head').setWeights([tensorOf(w.head.kernel), tensorOf(w.head.bias)]);
  return model;
}

for (const file of ['sequential-cnn.keras', 'sequential-cnn-keras2.h5', 'sequential-cnn-keras3.h5']) {
  test(`${file}: logits equal the same Sequential CNN built in tfjs`, async () => {
    const reference = sequentialCnnInTfjs();
    const loaded = await loadAnyModel(path.join(DIR, file));
    try {
      assert.deepEqual(loaded.card.inputShape, [28, 28, 1]);
      assert.equal(loaded.card.id, file.replace(/\.[^.]+$/, ''));
      assert.ok(loaded.notes.some((n) => /mixing_bn.*folded/.test(n)), loaded.notes.join('; '));
      assert.ok(loaded.notes.some((n) => /softmax.*dropped/.test(n)), loaded.notes.join('; '));
      const images = Float32Array.from(randomArray(random(5), 3 * 784, 0, 1));
      const expected = tf.tidy(() => (reference.predict(tf.tensor(images, [3, 28, 28, 1])) as tf.Tensor).dataSync());
      const { logits } = predict(loaded.network, images, 3);
      assert.ok(relativeError(logits, expected) <= 1e-5, `relative error ${relativeError(logits, expected)}`);
    } finally {
      loaded.network.dispose();
      reference.dispose();
    }
  });
}

test('functional-rgb.keras (Keras 3 Functional: Rescaling, residual Add, Concatenate): logits equal the same graph in tfjs', async () => {
  const w = weights('functional-rgb.weights.json');
  const input = tf.input({ shape: [12, 12, 3] });
  const scaled = tf.layers.rescaling({ scale: 1 / 127.5, offset: -1 }).apply(input) as tf.SymbolicTensor;
  const stem = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'stem' }).apply(scaled) as tf.SymbolicTensor;
  const body = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'body' }).apply(stem) as tf.SymbolicTensor;
  const residual = tf.layers.reLU().apply(tf.layers.add().apply([body, stem])) as tf.SymbolicTensor;
  const a = tf.layers.conv2d({ filters: 3, kernelSize: 1, activation: 'relu', name: 'branch_a' }).apply(residual) as tf.SymbolicTensor;
  const b = tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', activation: 'relu', name: 'branch_b' }).apply(residual) as tf.SymbolicTensor;
  const joined = tf.layers.concatenate({ axis: -1 }).apply([a, b]) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(joined) as tf.SymbolicTensor;
  const logitsLayer = tf.layers.dense({ units: 6, name: 'logits' });
  const reference = tf.model({ inputs: input, outputs: logitsLayer.apply(pooled) as tf.SymbolicTensor });
  for (const name of ['stem', 'body', 'branch_a', 'branch_b', 'logits']) {
    reference.getLayer(name).setWeights([tensorOf(w[name].kernel), tensorOf(w[name].bias)]);
  }
  const loaded = await loadAnyModel(path.join(DIR, 'functional-rgb.keras'));
  try {
    assert.deepEqual(loaded.card.inputShape, [12, 12, 3]);
    const kinds = loaded.network.nodes.map((n) => n.kind);
    assert.ok(kinds.includes('add') && kinds.includes('concat') && kinds.includes('affine'), kinds.join(' '));
    const images = Float32Array.from(randomArray(random(6), 2 * 12 * 12 * 3, 0, 255));
    const expected = tf.tidy(() => (reference.predict(tf.tensor(images, [2, 12, 12, 3])) as tf.Tensor).dataSync());
    const { logits } = predict(loaded.network, images, 2);
    assert.ok(relativeError(logits, expected) <= 1e-5, `relative error ${relativeError(logits, expected)}`);
  } finally {
    loaded.network.dispose();
    reference.dispose();
  }
});

test('zoo.keras (Normalization, ZeroPadding2D, DepthwiseConv2D, BatchNormalization without beta, SeparableConv2D): logits equal tfjs', async () => {
  const w = weights('zoo.weights.json');
  // Keras' Normalization has no tfjs layer: the reference applies (x − mean) / √variance itself.
  const mean = w.norm.mean.data;
  const std = w.norm.variance.data.map((v) => Math.sqrt(v));
  const reference = tf.sequential({
    layers: [
      tf.layers.zeroPadding2d({ inputShape: [10, 10, 3], padding: [[1, 0], [2, 1]] }),
      tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, name: 'depthwise' }),
      tf.layers.batchNormalization({ epsilon: 1e-3, center: false, name: 'bn' }),
      tf.layers.reLU(),
      tf.layers.separableConv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'separable' }),
      tf.layers.globalMaxPooling2d({}),
      tf.layers.dense({ units: 3, name: 'out' }),
    ],
  });
  reference.getLayer('depthwise').setWeights([tensorOf(w.depthwise.depthwise_kernel), tensorOf(w.depthwise.bias)]);
  reference.getLayer('bn').setWeights([tensorOf(w.bn.gamma), tensorOf(w.bn.moving_mean), tensorOf(w.bn.moving_variance)]);
  reference.getLayer('separable').setWeights([tensorOf(w.separable.depthwise_kernel), tensorOf(w.separable.pointwise_kernel), tensorOf(w.separable.bias)]);
  reference.getLayer('out').setWeights([tensorOf(w.out.kernel), tensorOf(w.out.bias)]);
  const loaded = await loadAnyModel(path.join(DIR, 'zoo.keras'));
  try {
    const images = Float32Array.from(randomArray(random(8), 2 * 10 * 10 * 3, 0, 1));
    const normalised = images.map((v, i) => (v - mean[i % 3]) / std[i % 3]);
    const expected = tf.tidy(() => (reference.predict(tf.tensor(normalised, [2, 10, 10, 3])) as tf.Tensor).dataSync());
    const { logits } = predict(loaded.network, images, 2);
    assert.ok(relativeError(logits, expected) <= 1e-5, `relative error ${relativeError(logits, expected)}`);
  } finally {
    loaded.network.dispose();
    reference.dispose();
  }
});
