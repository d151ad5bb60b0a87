// Keras / tfjs smooth activations, saved as model.save writes them and loaded by the engine: the activation
// strings sigmoid, tanh, swish, elu, softplus, gelu (erf), gelu_new (tanh) and hard_sigmoid (tfjs / Keras 2:
// 0.2·x + 0.5) on Dense/Conv2D and Activation layers, the ELU layer (alpha) and PReLU (shared_axes [1, 2],
// one slope per channel), logits against tfjs predict; Keras 3's hard_swish / silu (edited JSON) against
// the float64 formula; a PReLU whose slopes vary over space refused in one line.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../../src/engine/backend';
import { UserError } from '../../../../src/engine/errors';
import { loadModel } from '../../../../src/engine/model/loadModel';
import { logitsOf } from '../../../../src/engine/network/forward';
import { smoothActivation } from '../../graph/graphReference';
import { random, randomArray } from '../../methods/reference';
import { maxAbsDiff, readJson, saveModel, tempModelDir, topologyLayers, writeJson } from '../../model/savedModels';

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

const init = (seed: number) => tf.initializers.randomUniform({ minval: -2, maxval: 2, seed });
const INPUTS = randomArray(random(9), 3 * 9, -1, 1);

async function saveEditLoad(model: tf.LayersModel, dirName: string, edit?: (layers: any[]) => void) {
  const file = await saveModel(model, tempModelDir(dirName));
  if (edit) {
    const json = readJson(file);
    edit(topologyLayers(json));
    writeJson(file, json);
  }
  return { file, load: () => loadModel(file) };
}

describe('smooth activation strings and layers against tfjs predict', () => {
  test('sigmoid, tanh, swish, elu, softplus, gelu, gelu_new, hard_sigmoid on Dense and Activation layers; the ELU layer', async () => {
    const input = tf.input({ shape: [9] });
    let h: tf.SymbolicTensor = input;
    const acts = ['sigmoid', 'tanh', 'swish', 'elu', 'softplus', 'gelu', 'gelu_new', 'hardSigmoid'] as const;
    acts.forEach((activation, i) => {
      h = tf.layers.dense({ units: 6, kernelInitializer: init(i + 1), activation: i % 2 === 0 ? activation : undefined }).apply(h) as tf.SymbolicTensor;
      if (i % 2 === 1) h = tf.layers.activation({ activation }).apply(h) as tf.SymbolicTensor;
    });
    h = tf.layers.dense({ units: 6, kernelInitializer: init(20) }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.elu({ name: 'elu_layer' }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.dense({ units: 3, kernelInitializer: init(21) }).apply(h) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: h });
    const { load } = await saveEditLoad(model, 'smooth-strings');
    const { network } = await load();
    try {
      const fns = network.nodes.flatMap((n) => (n.kind === 'activation' ? [n.fn + (n.fn === 'elu' || n.fn === 'hardSigmoid' ? `(${n.alpha})` : '')] : []));
      assert.deepEqual(fns, ['sigmoid', 'tanh', 'silu', 'elu(1)', 'softplus', 'gelu', 'geluTanh', 'hardSigmoid(0.2)', 'elu(1)']);
      const x = tf.tensor2d(INPUTS, [3, 9]);
      const ours = logitsOf(network, x).dataSync();
      const theirs = (model.predict(x) as tf.Tensor).dataSync();
      assert.ok(maxAbsDiff(ours, theirs) < 1e-5, `max |ours − predict| = ${maxAbsDiff(ours, theirs)}`);
      x.dispose();
    } finally {
      network.dispose();
    }
    // tfjs' ELU layer runs α = 1 only; Keras' ELU(alpha) reads its alpha (edited into the JSON).
    const edited = await saveEditLoad(model, 'smooth-elu-alpha', (layers) => {
      for (const l of layers) if (l.config.name === 'elu_layer') l.config.alpha = 0.6;
    });
    const { network: withAlpha } = await edited.load();
    try {
      const elu = withAlpha.nodes.filter((n) => n.kind === 'activation' && n.fn === 'elu').map((n) => (n.kind === 'activation' ? n.alpha : 0));
      assert.deepEqual(elu, [1, 0.6]);
    } finally {
      withAlpha.dispose();
      model.dispose();
    }
  });

  test('PReLU after a Conv2D (shared_axes [1, 2]: one slope per channel) and on a dense vector', async () => {
    const input = tf.input({ shape: [5, 5, 2] });
    let h = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: init(3) }).apply(input) as tf.SymbolicTensor;
    h = tf.layers.prelu({ sharedAxes: [1, 2], alphaInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 4 }) }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
    h = tf.layers.dense({ units: 6, kernelInitializer: init(5) }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.prelu({ alphaInitializer: tf.initializers.constant({ value: 0.3 }) }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.dense({ units: 3, kernelInitializer: init(6) }).apply(h) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: h });
    const { load } = await saveEditLoad(model, 'prelu');
    const { network } = await load();
    try {
      assert.deepEqual(network.nodes.filter((n) => n.kind === 'prelu').map((n) => (n.kind === 'prelu' ? n.slope.length : 0)), [4, 6]);
      const x = tf.tensor4d(randomArray(random(10), 2 * 50, -1, 1), [2, 5, 5, 2]);
      const ours = logitsOf(network, x).dataSync();
      const theirs = (model.predict(x) as tf.Tensor).dataSync();
      assert.ok(maxAbsDiff(ours, theirs) < 1e-5, `max |ours − predict| = ${maxAbsDiff(ours, theirs)}`);
      x.dispose();
    } finally {
      network.dispose();
      model.dispose();
    }
  });

  test('Keras 3 hard_swish and silu (edited JSON) against the float64 formula', async () => {
    const input = tf.input({ shape: [9] });
    const h1 = tf.layers.dense({ units: 6, kernelInitializer: init(7), name: 'a', activation: 'relu' }).apply(input) as tf.SymbolicTensor;
    const h2 = tf.layers.dense({ units: 6, kernelInitializer: init(8), name: 'b', activation: 'relu' }).apply(h1) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3, kernelInitializer: init(9), name: 'c' }).apply(h2) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
    const { load } = await saveEditLoad(model, 'keras3-hard-swish', (layers) => {
      for (const l of layers) {
        if (l.config.name === 'a') l.config.activation = 'hard_swish';
        if (l.config.name === 'b') l.config.activation = 'silu';
      }
    });
    const { network } = await load();
    try {
      const x = INPUTS.slice(0, 9);
      const dense = (v: number[], w: number[], b: number[], f: (z: number) => number) => b.map((bj, j) => f(v.reduce((s, vi, i) => s + vi * w[i * b.length + j], bj)));
      const hs = dense(x, weights[0], weights[1], smoothActivation('hardSwish').f);
      const si = dense(hs, weights[2], weights[3], smoothActivation('silu').f);
      const expected = dense(si, weights[4], weights[5], (z) => z);
      const ours = logitsOf(network, tf.tensor2d(x, [1, 9])).dataSync();
      assert.ok(maxAbsDiff(ours, Float32Array.from(expected)) < 1e-5, `max diff ${maxAbsDiff(ours, Float32Array.from(expected))}`);
      assert.ok(hs.some((v) => v < 0) && hs.some((v) => v > 3), 'hard swish sees both kinks');
    } finally {
      network.dispose();
      model.dispose();
    }
  });

  test('a PReLU with slopes that vary over height/width is refused in one line naming the layer', async () => {
    const input = tf.input({ shape: [3, 3, 2] });
    let h = tf.layers.prelu({ name: 'spatial', alphaInitializer: tf.initializers.randomUniform({ minval: 0, maxval: 0.5, seed: 2 }) }).apply(input) as tf.SymbolicTensor;
    h = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
    h = tf.layers.dense({ units: 2 }).apply(h) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: h });
    const { file, load } = await saveEditLoad(model, 'prelu-spatial');
    await assert.rejects(load(), (e: unknown) => e instanceof UserError && /layer "spatial" \(PReLU\) has slopes that vary over height or width/.test(e.message) && e.message.includes(file) && !e.message.includes('\n'));
    model.dispose();
  });
});
