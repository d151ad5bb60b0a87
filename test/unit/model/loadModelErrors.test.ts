// Every problem a user can fix in a model folder gives one documented line, naming the file and the cause.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import { before, test } from 'node:test';
import * as path from 'path';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { isUserError } from '../../../src/engine/errors';
import { loadModel } from '../../../src/engine/model/loadModel';
import { logitsOf } from '../../../src/engine/network/forward';
import { readJson, saveModel, SHARD, tempModelDir, topologyLayers, writeJson } from './savedModels';

/** The supported list as an error states it within its 300 characters: the first layers, the count left, where to read them all. */
const SUPPORTED = 'InputLayer, Dense, Conv2D, DepthwiseConv2D, SeparableConv2D, MaxPooling2D, AveragePooling2D, … and \\d+ more; the README\'s Models section lists them all';

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

/** Loading `file` fails with a one-line UserError whose message is `expected` (or matches it) and leaks no tensor. */
async function assertLoadFails(file: string, expected: string | RegExp, overrides = {}) {
  const tensorsBefore = tf.memory().numTensors;
  await assert.rejects(loadModel(file, overrides), (e: unknown) => {
    assert.ok(isUserError(e), `not a UserError: ${e}`);
    const message = (e as Error).message;
    assert.ok(!message.includes('\n'), `message spans lines: ${message}`);
    if (typeof expected === 'string') assert.equal(message, expected);
    else assert.match(message, expected);
    return true;
  });
  assert.equal(tf.memory().numTensors, tensorsBefore, 'a failed load leaked tensors');
}

async function saved(layers: tf.layers.Layer[], name = 'm'): Promise<string> {
  return saveModel(tf.sequential({ layers }), tempModelDir(name));
}

function mlp(): tf.layers.Layer[] {
  return [
    tf.layers.dense({ units: 4, inputShape: [9], activation: 'relu', name: 'hidden' }),
    tf.layers.dense({ units: 2, name: 'logits' }),
  ];
}

test('missing model.json', async () => {
  const file = path.join(tempModelDir('none'), 'model.json');
  await assertLoadFails(file, `${file}: the model file cannot be read: file not found`);
});

test('malformed JSON', async () => {
  const file = path.join(tempModelDir('bad'), 'model.json');
  fs.writeFileSync(file, '{"modelTopology": {');
  await assertLoadFails(file, new RegExp(`^${escape(file)}: the model file is not valid JSON \\(.+\\); fix the file or save it again$`));
});

test('JSON that is not a model, and a graph model', async () => {
  const file = path.join(tempModelDir('card'), 'model.json');
  writeJson(file, { labels: ['a', 'b'] });
  await assertLoadFails(file, `${file}: is not a tfjs model.json: it has no "modelTopology"`);

  writeJson(file, { format: 'graph-model', modelTopology: { node: [], versions: { producer: 1 } }, weightsManifest: [] });
  await assertLoadFails(
    file,
    `${file}: holds a TensorFlow graph model, not a Keras Layers model; convert the model with --output_format=tfjs_layers_model`,
  );
});

test('missing weight shard is named', async () => {
  const file = await saved(mlp());
  fs.unlinkSync(path.join(path.dirname(file), SHARD));
  await assertLoadFails(file, `${file}: weight shard "${SHARD}" cannot be read: file not found`);
});

test('weight data of the wrong size gives expected and actual bytes', async () => {
  const file = await saved(mlp());
  const shard = path.join(path.dirname(file), SHARD);
  const bytes = fs.readFileSync(shard);
  const expected = (9 * 4 + 4 + 4 * 2 + 2) * 4;
  assert.equal(bytes.length, expected);
  fs.writeFileSync(shard, bytes.subarray(0, expected - 8));
  await assertLoadFails(
    file,
    `${file}: weight data of group 1 ("${SHARD}") has ${expected - 8} bytes but its weights need ${expected} bytes; the shards and model.json do not belong together`,
  );
});

test('missing weights for a layer', async () => {
  const file = await saved(mlp());
  const json = readJson(file);
  const spec = json.weightsManifest[0].weights.find((w: { name: string }) => w.name === 'hidden/bias');
  spec.name = 'elsewhere/bias';
  writeJson(file, json);
  await assertLoadFails(file, `${file}: layer "hidden" (Dense) has no weight "bias" in the weightsManifest (found: kernel)`);
});

test('unsupported layer names the layer, its class and the supported list', async () => {
  const file = await saved([tf.layers.lstm({ units: 3, inputShape: [4, 2], name: 'lstm_1' }), tf.layers.dense({ units: 2 })]);
  await assertLoadFails(file, new RegExp(`^${escape(file)}: layer "lstm_1" \\(LSTM\\) is not supported; supported: ${SUPPORTED}$`));
});

test('unsupported activation is named', async () => {
  const file = await saved([tf.layers.dense({ units: 3, inputShape: [4], activation: 'selu', name: 'hidden' })]);
  await assertLoadFails(
    file,
    `${file}: layer "hidden" (Dense) has activation "selu", which is not supported; supported: relu, relu6, leaky_relu, sigmoid, tanh, swish, silu, hard_sigmoid, hard_swish, hard_silu, elu, softplus, gelu, gelu_new, linear, softmax (final layer only)`,
  );
  const file2 = await saved([tf.layers.dense({ units: 3, inputShape: [4] }), tf.layers.activation({ activation: 'softsign', name: 'squash' })]);
  await assertLoadFails(
    file2,
    `${file2}: layer "squash" (Activation) has activation "softsign", which is not supported; supported: relu, relu6, leaky_relu, sigmoid, tanh, swish, silu, hard_sigmoid, hard_swish, hard_silu, elu, softplus, gelu, gelu_new, linear, softmax (final layer only)`,
  );
});

test('ReLU settings that are not supported (ReLU6 and leaky slopes are: import/tfjs/activationLayers.test.ts)', async () => {
  const file = await saved([tf.layers.dense({ units: 3, inputShape: [4] }), tf.layers.reLU({ maxValue: 6, name: 'relu6' })]);
  const json = readJson(file);
  const relu = topologyLayers(json)[1].config;
  relu.max_value = -1;
  writeJson(file, json);
  await assertLoadFails(file, `${file}: layer "relu6" (ReLU) has max_value -1; a positive number (or none) is needed`);
  relu.max_value = null;
  relu.negative_slope = -0.1;
  writeJson(file, json);
  await assertLoadFails(file, `${file}: layer "relu6" (ReLU) has negative_slope -0.1; a number ≥ 0 is needed`);
  relu.negative_slope = 0;
  relu.threshold = 0.5;
  writeJson(file, json);
  await assertLoadFails(file, `${file}: layer "relu6" (ReLU) has threshold 0.5; only threshold 0 is supported`);
});

test('softmax before the final layer', async () => {
  const file = await saved([
    tf.layers.dense({ units: 3, inputShape: [4], activation: 'softmax', name: 'probs' }),
    tf.layers.dense({ units: 2 }),
  ]);
  await assertLoadFails(file, `${file}: node "probs/softmax" (softmax) is not the final node; softmax is only supported at the output`);
});

test('a merge layer that is not supported, and a layer with two outputs read', async () => {
  const input = tf.input({ shape: [4], name: 'pixels' });
  const a = tf.layers.dense({ units: 3, name: 'a' }).apply(input) as tf.SymbolicTensor;
  const b = tf.layers.dense({ units: 3, name: 'b' }).apply(input) as tf.SymbolicTensor;
  const largest = tf.layers.maximum({ name: 'largest' }).apply([a, b]) as tf.SymbolicTensor;
  const file = await saveModel(tf.model({ inputs: input, outputs: largest }), tempModelDir('maximum'));
  await assertLoadFails(file, new RegExp(`^${escape(file)}: layer "largest" \\(Maximum\\) is not supported; supported: ${SUPPORTED}$`));

  const json = readJson(file);
  const config = json.modelTopology.config;
  config.output_layers = [['a', 0, 0], ['b', 0, 0]];
  writeJson(file, json);
  await assertLoadFails(file, `${file}: the model has 2 outputs; only one output (the logits) is supported`);
  config.output_layers = [['a', 0, 0]];
  config.layers.find((l: { name: string }) => l.name === 'a').inbound_nodes = [[['pixels', 0, 0, {}], ['b', 0, 0, {}]]];
  writeJson(file, json);
  await assertLoadFails(file, `${file}: layer "a" (Dense) is called with 2 inputs; it takes one`);
});

test('output that is not a vector of logits', async () => {
  const file = await saved([tf.layers.conv2d({ filters: 2, kernelSize: 3, inputShape: [5, 5, 1] })]);
  await assertLoadFails(file, `${file}: the model's output has shape [3,3,2]; a vector of logits is needed`);
});

test('a Dense on an image input applies to its last axis, as Keras does; its output is then no vector of logits', async () => {
  const file = await saved([tf.layers.dense({ units: 2, inputShape: [3, 3, 2], name: 'd' })]);
  const json = readJson(file);
  assert.equal(topologyLayers(json)[0].class_name, 'Dense');
  await assertLoadFails(file, `${file}: the model's output has shape [3,3,2]; a vector of logits is needed`);
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [3, 3, 2], name: 'per_position' }), tf.layers.flatten(), tf.layers.dense({ units: 3 })] });
  const withHead = await saveModel(model, tempModelDir('dense-per-position'));
  const { network } = await loadModel(withHead);
  try {
    const x = tf.randomUniform([2, 3, 3, 2], -1, 1, 'float32', 5);
    const expected = (model.predict(x) as tf.Tensor).dataSync();
    const actual = logitsOf(network, x).dataSync();
    expected.forEach((v, i) => assert.ok(Math.abs(actual[i] - v) < 1e-5, `logit ${i}: ${actual[i]} vs ${v}`));
  } finally {
    network.dispose();
  }
});

test('a flat input that is not a square image needs a card', async () => {
  const file = await saved([tf.layers.dense({ units: 2, inputShape: [10] })]);
  await assertLoadFails(
    file,
    `${file}: the model's input shape [10] is not a square image; add a card.json beside it with "inputShape": [height, width, channels]`,
  );
  // With the card's shape it loads.
  const { network, card } = await loadModel(file, { inputShape: [2, 5, 1] });
  assert.deepEqual(card.inputShape, [2, 5, 1]);
  network.dispose();
});

test('a conv model whose first layer declares no input shape takes it from the card, else asks for it', async () => {
  const file = await saved([
    tf.layers.conv2d({ filters: 2, kernelSize: 3, inputShape: [5, 5, 1] }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 2 }),
  ]);
  const json = readJson(file);
  delete topologyLayers(json)[0].config.batch_input_shape;
  writeJson(file, json);
  await assertLoadFails(
    file,
    `${file}: declares no input shape (no batch_input_shape on its first layer); add a card.json beside it with "inputShape": [height, width, channels]`,
  );
  writeJson(path.join(path.dirname(file), 'card.json'), { inputShape: [5, 5, 1] });
  const { network } = await loadModel(file);
  assert.deepEqual(network.inputShape, [5, 5, 1]);
  network.dispose();
});

test('bad card.json: field named, and labels that do not match the logits', async () => {
  const file = await saved(mlp());
  const card = path.join(path.dirname(file), 'card.json');
  writeJson(card, { inputRange: [1, 0] });
  await assertLoadFails(file, `${card}: field "inputRange" must be null or [low, high] with low < high, not [1,0]`);
  fs.writeFileSync(card, '{"labels": ');
  await assertLoadFails(file, new RegExp(`^${escape(card)}: the card is not valid JSON \\(.+\\); fix the file or save it again$`));
  writeJson(card, { labels: ['a', 'b', 'c'] });
  await assertLoadFails(file, `${card}: field "labels" has 3 labels but the model has 2 logits`);
  await assertLoadFails(file, 'card override "labels" has 1 labels but the model has 2 logits', { labels: ['x'] });
  await assertLoadFails(file, 'card override "std" must be a positive number or a list of them, not 0', { std: 0 });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
