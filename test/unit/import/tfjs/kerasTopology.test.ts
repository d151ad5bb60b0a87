// The other spellings of a Layers model.json: the Python converter's `model_config` wrapper, Keras 2's bare
// Sequential layer list, Keras 3's `batch_shape`, {args, kwargs} inbound nodes, serialised activations
// and scoped weight names. Each is made by rewriting a tfjs-saved model, so tfjs still gives the reference.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../../src/engine/backend';
import { readKerasGraph } from '../../../../src/engine/import/tfjs/kerasTopology';
import { loadModel } from '../../../../src/engine/model/loadModel';
import { logitsOf } from '../../../../src/engine/network/forward';
import { maxAbsDiff, readJson, saveModel, seedWeights, tempModelDir, writeJson } from '../../model/savedModels';

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

async function assertSameLogits(model: tf.LayersModel, file: string, inputShape: number[]) {
  const { network } = await loadModel(file);
  const x = tf.randomUniform([4, ...inputShape], 0, 1, 'float32', 21);
  const diff = maxAbsDiff(logitsOf(network, x).dataSync(), (model.predict(x) as tf.Tensor).dataSync());
  assert.ok(diff <= 1e-5, `max diff ${diff}`);
  network.dispose();
}

test("converter style: Keras 2 Sequential as a bare layer list under model_config, ':0' weight names, Reshape with -1", async () => {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 8, inputShape: [12], activation: 'relu', name: 'd1' }),
      tf.layers.reshape({ targetShape: [2, 2, 2], name: 'r' }),
      tf.layers.flatten({ name: 'f' }),
      tf.layers.dense({ units: 3, name: 'd2' }),
    ],
  });
  seedWeights(model, 31);
  const file = await saveModel(model, tempModelDir('keras2'));
  const json = readJson(file);
  const { class_name, config } = json.modelTopology;
  config.layers[1].config.target_shape = [2, -1, 2];
  json.modelTopology = { keras_version: '2.15.0', backend: 'tensorflow', model_config: { class_name, config: config.layers } };
  for (const w of json.weightsManifest[0].weights) w.name = `${w.name}:0`;
  writeJson(file, json);
  await assertSameLogits(model, file, [12]);
});

test('Keras 3 style: Functional, batch_shape, {args, kwargs} inbound nodes, object activations, model-scoped weights', async () => {
  const input = tf.input({ shape: [6, 6, 1], name: 'image' });
  let h = tf.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu', name: 'conv' }).apply(input);
  h = tf.layers.flatten({ name: 'flat' }).apply(h);
  const out = tf.layers.dense({ units: 2, name: 'head' }).apply(h) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out, name: 'net' });
  seedWeights(model, 41);
  const file = await saveModel(model, tempModelDir('keras3'));
  const json = readJson(file);
  const config = json.modelTopology.config;
  for (const layer of config.layers) {
    if (layer.config.batch_input_shape) {
      layer.config.batch_shape = layer.config.batch_input_shape;
      delete layer.config.batch_input_shape;
    }
    if (layer.config.activation === 'relu') {
      layer.config.activation = { module: 'keras.activations', class_name: 'function', config: 'relu', registered_name: 'function' };
    }
    layer.inbound_nodes = layer.inbound_nodes.map((node: Array<[string, number, number]>) => ({
      args: node.map(([name, n, t]) => ({ class_name: '__keras_tensor__', config: { dtype: 'float32', keras_history: [name, n, t] } })),
      kwargs: {},
    }));
  }
  config.output_layers = config.output_layers[0];
  json.modelTopology = { model_config: { class_name: 'Functional', config } };
  for (const w of json.weightsManifest[0].weights) w.name = `net/${w.name}`;
  writeJson(file, json);
  await assertSameLogits(model, file, [6, 6, 1]);
});

test('readKerasGraph: data-flow order, input shape and refusals', () => {
  const dense = (name: string, extra = {}) => ({ class_name: 'Dense', config: { name, units: 2, ...extra } });
  const chain = readKerasGraph(
    { modelTopology: { class_name: 'Sequential', config: { layers: [dense('a', { batch_input_shape: [null, 3] }), dense('b')] } } },
    'model.json',
  );
  assert.deepEqual(chain.calls.map((c) => c.name), ['a', 'b']);
  assert.deepEqual(chain.calls.map((c) => c.inputs), [['input'], ['a']]);
  assert.deepEqual(chain.input, { name: 'input', shape: [3] });
  assert.equal(chain.output, 'b');

  // Functional layers listed out of order are put in data-flow order.
  const functional = readKerasGraph(
    {
      modelTopology: {
        class_name: 'Model',
        config: {
          layers: [
            { name: 'second', class_name: 'Dense', config: { name: 'second' }, inbound_nodes: [[['first', 0, 0, {}]]] },
            { name: 'in', class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, null, 4] }, inbound_nodes: [] },
            { name: 'first', class_name: 'Dense', config: { name: 'first' }, inbound_nodes: [[['in', 0, 0, {}]]] },
          ],
          input_layers: [['in', 0, 0]],
          output_layers: [['second', 0, 0]],
        },
      },
    },
    'model.json',
  );
  assert.deepEqual(functional.calls.map((c) => c.name), ['first', 'second']);
  assert.deepEqual(functional.input, { name: 'in', shape: null }, 'a shape with an unknown dimension is not declared');

  assert.throws(
    () => readKerasGraph({ modelTopology: { class_name: 'Dense', config: {} } }, 'model.json'),
    { message: 'model.json: is not a Keras Layers model: its model class is "Dense"' },
  );
  assert.throws(() => readKerasGraph({ modelTopology: { foo: 1 } }, 'model.json'), {
    message: 'model.json: is not a Keras Layers model: "modelTopology" has no {class_name, config}',
  });
});
