// Keras / tfjs activation layers beyond ReLU, saved as model.save writes them and loaded by the engine:
// ReLU(max_value) (ReLU6), ReLU(negative_slope, max_value) (edited into the JSON: tfjs' ReLU lacks it),
// LeakyReLU (tfjs/Keras 2 `alpha`, Keras 3 `negative_slope`), the `relu6` and Keras 3 `leaky_relu`
// activation strings on Dense/Conv2D. Logits against tfjs's predict or the float64 graph reference (for
// what tfjs cannot run); a MobileNetV2-style model's maps against the graph reference; refusals.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../../src/engine/backend';
import { UserError } from '../../../../src/engine/errors';
import { explain } from '../../../../src/engine/methods/explain';
import { parseMethodSpec } from '../../../../src/engine/methods/methodRegistry';
import { loadModel } from '../../../../src/engine/model/loadModel';
import { logitsOf } from '../../../../src/engine/network/forward';
import { graphReferenceMap, logitsOfGraph, worstCancellation, type RefGraph } from '../../graph/graphReference';
import { denseNode, mobileNetStyleGraph } from '../../graph/graphs';
import { randomImages } from '../../methods/nets';
import { argMax, assertClose, random, randomArray } from '../../methods/reference';
import { maxAbsDiff, readJson, saveModel, tempModelDir, topologyLayers, writeJson } from '../../model/savedModels';
import { tfjsFromGraph } from './tfjsFromGraph';

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

/** x [9] (a 3×3 image, flat) → dense 9→6 (weights ×3, so values pass every bound) → relu → dense 6→4, as a RefGraph. */
function mlp(seed: number): RefGraph {
  const rand = random(seed);
  const first = denseNode(rand, 0, 9, 6) as Extract<RefGraph['nodes'][number], { kind: 'dense' }>;
  return { inputShape: [9], nodes: [{ ...first, w: first.w.map((v) => 3 * v) }, { kind: 'relu', input: 1 }, denseNode(rand, 2, 6, 4)] };
}

/** Saves the model, edits layer `name`'s JSON with `edit`, loads it with the engine. */
async function saveEditLoad(model: tf.LayersModel, dirName: string, edit?: (layers: any[]) => void) {
  const file = await saveModel(model, tempModelDir(dirName));
  if (edit) {
    const json = readJson(file);
    edit(topologyLayers(json));
    writeJson(file, json);
  }
  return { file, load: () => loadModel(file) };
}

const INPUTS = randomArray(random(9), 3 * 9, -1, 1);

describe('activation layers', () => {
  test('ReLU(max_value=6) is a clip [0, 6]; LeakyReLU(alpha) a leaky ReLU; logits equal tfjs predict', async () => {
    const input = tf.input({ shape: [9] });
    let h = tf.layers.dense({ units: 6, kernelInitializer: tf.initializers.randomUniform({ minval: -2, maxval: 2, seed: 1 }) }).apply(input) as tf.SymbolicTensor;
    h = tf.layers.reLU({ maxValue: 6, name: 'relu6' }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.dense({ units: 5, activation: 'relu6' }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.leakyReLU({ alpha: 0.2, name: 'leaky' }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.dense({ units: 3 }).apply(h) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: h });
    const { load } = await saveEditLoad(model, 'relu6-leaky');
    const { network } = await load();
    try {
      assert.deepEqual(network.nodes.map((n) => n.kind), ['input', 'dense', 'clip', 'dense', 'clip', 'leakyRelu', 'dense']);
      const x = tf.tensor2d(INPUTS, [3, 9]);
      const ours = logitsOf(network, x).dataSync();
      const theirs = (model.predict(x) as tf.Tensor).dataSync();
      assert.ok(maxAbsDiff(ours, theirs) < 1e-5, `max |ours − predict| = ${maxAbsDiff(ours, theirs)}`);
      x.dispose();
    } finally {
      network.dispose();
      model.dispose();
    }
  });

  const edits: Array<[string, Record<string, unknown>, RefGraph['nodes'][number][], string[]]> = [
    ['ReLU(negative_slope=0.1, max_value=6)', { max_value: 6, negative_slope: 0.1, threshold: 0 }, [{ kind: 'leakyRelu', input: 1, alpha: 0.1 }, { kind: 'clip', input: 2, min: -Infinity, max: 6 }], ['leakyRelu', 'clip']],
    ['ReLU(negative_slope=0.3)', { max_value: null, negative_slope: 0.3, threshold: 0 }, [{ kind: 'leakyRelu', input: 1, alpha: 0.3 }], ['leakyRelu']],
    ['ReLU(max_value=2.5) (Keras spells none as null)', { max_value: 2.5, negative_slope: 0, threshold: 0 }, [{ kind: 'clip', input: 1, min: 0, max: 2.5 }], ['clip']],
  ];
  for (const [name, config, nodes, kinds] of edits) {
    test(`Keras ${name}: its nodes and logits equal the float64 formula`, async () => {
      const g = mlp(21);
      const model = tfjsFromGraph(g, false);
      const { load } = await saveEditLoad(model, `relu-${kinds.join('-')}`, (layers) => Object.assign(layers.find((l) => l.class_name === 'ReLU').config, config));
      model.dispose();
      const { network } = await load();
      try {
        assert.deepEqual(network.nodes.map((n) => n.kind), ['input', 'dense', ...kinds, 'dense']);
        const reference: RefGraph = { inputShape: [9], nodes: [g.nodes[0], ...nodes, { ...g.nodes[2], input: nodes.length + 1 } as RefGraph['nodes'][number]] };
        const ours = logitsOf(network, tf.tensor2d(INPUTS, [3, 9])).dataSync();
        const expected = [0, 1, 2].flatMap((i) => logitsOfGraph(reference, INPUTS.slice(9 * i, 9 * i + 9)));
        assert.ok(maxAbsDiff(ours, expected) < 1e-5, `max |ours − reference| = ${maxAbsDiff(ours, expected)}`);
        // The edit matters: the same numbers through a plain ReLU give other logits.
        assert.ok(maxAbsDiff(ours, [0, 1, 2].flatMap((i) => logitsOfGraph(g, INPUTS.slice(9 * i, 9 * i + 9)))) > 1e-3);
      } finally {
        network.dispose();
      }
    });
  }

  test('Keras 3 LeakyReLU(negative_slope) and the leaky_relu activation (slope 0.2) on a Dense', async () => {
    const g = mlp(22);
    const model = tfjsFromGraph(g, false);
    const { load } = await saveEditLoad(model, 'keras3-leaky', (layers) => {
      const relu = layers.find((l) => l.class_name === 'ReLU');
      relu.class_name = 'LeakyReLU';
      relu.config = { name: relu.config.name, negative_slope: 0.05 };
      layers.find((l) => l.config.name === 'dense3').config.activation = { module: 'keras.activations', class_name: 'function', config: 'leaky_relu', registered_name: 'function' };
    });
    model.dispose();
    const { network } = await load();
    try {
      assert.deepEqual(network.nodes.map((n) => [n.kind, 'alpha' in n ? n.alpha : null]), [['input', null], ['dense', null], ['leakyRelu', 0.05], ['dense', null], ['leakyRelu', 0.2]]);
      const reference: RefGraph = { inputShape: [9], nodes: [g.nodes[0], { kind: 'leakyRelu', input: 1, alpha: 0.05 }, g.nodes[2], { kind: 'leakyRelu', input: 3, alpha: 0.2 }] };
      const ours = logitsOf(network, tf.tensor2d(INPUTS, [3, 9])).dataSync();
      const expected = [0, 1, 2].flatMap((i) => logitsOfGraph(reference, INPUTS.slice(9 * i, 9 * i + 9)));
      assert.ok(maxAbsDiff(ours, expected) < 1e-5, `max |ours − reference| = ${maxAbsDiff(ours, expected)}`);
    } finally {
      network.dispose();
    }
  });

  test('ReLU(threshold=0.5) and a negative slope are refused in one line naming the layer and the file', async () => {
    for (const [config, message] of [
      [{ threshold: 0.5 }, /layer "relu2" \(ReLU\) has threshold 0\.5; only threshold 0 is supported/],
      [{ negative_slope: -1 }, /layer "relu2" \(ReLU\) has negative_slope -1; a number ≥ 0 is needed/],
    ] as const) {
      const model = tfjsFromGraph(mlp(23), false);
      const { file, load } = await saveEditLoad(model, 'relu-refused', (layers) => Object.assign(layers.find((l) => l.class_name === 'ReLU').config, config));
      model.dispose();
      await assert.rejects(load(), (e: unknown) => e instanceof UserError && message.test(e.message) && e.message.includes(file) && !e.message.includes('\n'));
    }
  });

  test('a MobileNetV2-style tfjs model (ReLU6, LeakyReLU, depthwise, Add): logits equal predict, maps the graph reference', async () => {
    const graph = mobileNetStyleGraph(53, [0, 1]);
    const model = tfjsFromGraph(graph);
    const { load } = await saveEditLoad(model, 'mobile-tfjs');
    const { network } = await load();
    try {
      assert.equal(network.nodes.filter((n) => n.kind === 'clip').length, 4);
      const images = randomImages(63, 150, 108).filter((x) => worstCancellation(graph, x) >= 1e-3).slice(0, 2);
      assert.equal(images.length, 2);
      const x = tf.tensor(images.flat(), [2, 6, 6, 3]);
      const ours = tf.softmax(logitsOf(network, x)).dataSync();
      const theirs = (model.predict(x) as tf.Tensor).dataSync();
      assert.ok(maxAbsDiff(ours, theirs) < 1e-5, `max |ours − predict| = ${maxAbsDiff(ours, theirs)}`);
      x.dispose();
      const specs = ['sensitivity', 'guided-backprop', 'deconvnet', 'deep-taylor', 'lrp-epsilon', 'epsilon-plus-flat'];
      const results = explain(network, [6, 6, 3], { images: images.map((v) => Float32Array.from(v)), methods: specs.map(parseMethodSpec), bounds: [0, 1] });
      for (const r of results) {
        const label = `${r.method}, image ${r.image}`;
        assert.equal(r.predicted, argMax(logitsOfGraph(graph, images[r.image])), label);
        assertClose(r.relevance, graphReferenceMap(graph, images[r.image], r.target, parseMethodSpec(r.method), [6, 6, 3], [0, 1]), 1e-5, label);
      }
    } finally {
      network.dispose();
      model.dispose();
    }
  });
});
