// tfjs Layers functional models with branches, built with tfjs's own functional API and saved as
// model.save writes them: residual blocks (one with a projection), a concatenation and BatchNorms; a layer
// called twice; nested models; the Keras 3 spelling of the same topology; DepthwiseConv2D,
// SeparableConv2D, ZeroPadding2D, Permute, GlobalMaxPooling2D, BatchNorm anywhere. Logits against tfjs's
// predict; maps of every method against the float64 graph reference.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../../src/engine/backend';
import { describeNetwork } from '../../../../src/engine/methods/describeNetwork';
import { explain } from '../../../../src/engine/methods/explain';
import { parseMethodSpec } from '../../../../src/engine/methods/methodRegistry';
import { loadModel } from '../../../../src/engine/model/loadModel';
import { networkInputBounds } from '../../../../src/engine/model/modelCard';
import { logitsOf } from '../../../../src/engine/network/forward';
import type { Network } from '../../../../src/engine/types';
import { ALL_SPECS, graphReferenceMap, logitsOfGraph, toGraphNetwork, type RefGraph } from '../../graph/graphReference';
import { residualConcatGraph } from '../../graph/graphs';
import { argMax, assertClose, random } from '../../methods/reference';
import { maxAbsDiff, readJson, saveModel, seedWeights, tempModelDir, writeJson } from '../../model/savedModels';
import { tfjsFromGraph } from './tfjsFromGraph';
import { ILL_CONDITIONED, onCpuBackend } from '../../methods/backendRounding';

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

/** The engine's logits of `x` against tfjs's predict (softmax, when the model ends with one). */
function assertPredicts(network: Network, model: tf.LayersModel, x: tf.Tensor, label: string): void {
  const logits = logitsOf(network, x);
  const ours = network.endsWithSoftmax ? tf.softmax(logits) : logits;
  const predicted = model.predict(x) as tf.Tensor;
  const diff = maxAbsDiff(ours.dataSync(), predicted.dataSync());
  const scale = Math.max(1e-3, ...Array.from(predicted.dataSync(), Math.abs));
  tf.dispose([logits, ours, predicted]);
  assert.ok(diff <= 1e-5 * Math.max(1, scale), `${label}: max |ours − predict| = ${diff}`);
}

async function saveAndLoad(model: tf.LayersModel, name: string, card?: unknown) {
  const dir = tempModelDir(name);
  const file = await saveModel(model, dir);
  if (card) writeJson(path.join(dir, 'card.json'), card);
  return { file, loaded: await loadModel(file) };
}

/** The graph's network built on the active backend (for the CPU run). */
function loadedCopy(graph: RefGraph): Network {
  return toGraphNetwork(graph).network;
}

/** 8-bit RGB pixels → the network input of a card with mean/std, as the engine's jobs compute it. */
function toInput(pixels: number[], mean: number[], std: number[]): number[] {
  return pixels.map((v, i) => Math.fround((v / 255 - mean[i % 3]) / std[i % 3]));
}

describe('the issue model: two residual blocks (one with a projection), a concatenation, BatchNorms', () => {
  const graph: RefGraph = residualConcatGraph(81);
  const card = { inputShape: [10, 10, 3], inputRange: [0, 1], mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], labels: ['a', 'b', 'c', 'd', 'e'] };

  test('loads into the graph the rules need, predicts as tfjs and as the reference, explains every method as the reference', async () => {
    const model = tfjsFromGraph(graph);
    const { loaded } = await saveAndLoad(model, 'residual-concat', card);
    const { network, notes } = loaded;
    try {
      // BatchNorms after a linear conv fold (6 of them); the one after the concatenation becomes affine.
      const kinds = network.nodes.map((n) => n.kind);
      assert.equal(kinds.filter((k) => k === 'affine').length, 1, kinds.join(' '));
      assert.equal(notes.filter((n) => n.includes('folded into')).length, 6, notes.join('; '));
      assert.ok(notes.some((n) => n.includes('softmax') && n.includes('dropped')), notes.join('; '));
      assert.equal(kinds.filter((k) => k === 'add').length, 2);
      assert.equal(kinds.filter((k) => k === 'concat').length, 1);

      const rand = random(82);
      const images = [0, 1].map(() => toInput(Array.from({ length: 300 }, () => Math.floor(rand() * 256)), card.mean, card.std));
      const x = tf.tensor(images.flat(), [2, 10, 10, 3]);
      assertPredicts(network, model, x, 'issue model');
      x.dispose();

      const bounds = networkInputBounds({ ...loaded.card });
      assert.ok(bounds && bounds[0].length === 3 && bounds[0][0] !== bounds[0][1], 'per-channel bounds from the card');
      const request = { images: images.map((v) => Float32Array.from(v)), methods: ALL_SPECS.map(parseMethodSpec), bounds };
      const results = explain(network, [10, 10, 3], request);
      assert.equal(results.length, 2 * ALL_SPECS.length);
      const onCpu = await onCpuBackend(() => {
        const copy = loadedCopy(graph);
        try {
          return explain(copy, [10, 10, 3], request).map((r) => Array.from(r.relevance));
        } finally {
          copy.dispose();
        }
      });
      results.forEach((r, k) => {
        const ref = logitsOfGraph(graph, images[r.image]);
        const label = `issue model: ${r.method}, image ${r.image}`;
        assert.equal(r.predicted, argMax(ref), label);
        assert.ok(Math.abs(r.logit - ref[r.target]) <= 1e-5 * Math.max(1, Math.abs(ref[r.target])), label);
        const expected = graphReferenceMap(graph, images[r.image], r.target, parseMethodSpec(r.method), [10, 10, 3], bounds);
        // LRP-0, LRP-γ and αβ with β > 0 divide by sums that can cancel (no ε): on this model a column's terms
        // cancel to 1e-5 of their size for random images, and float32 then keeps 2–3 digits of it. Where the
        // two backends (different summation orders) disagree, that disagreement bounds the rounding.
        const rounding = Math.max(...Array.from(r.relevance, (v, i) => Math.abs(v - onCpu[k][i])));
        const scale = Math.max(1, ...expected.map(Math.abs));
        assertClose(r.relevance, expected, Math.max(1e-5, (10 * rounding) / scale), label);
        if (!ILL_CONDITIONED.has(parseMethodSpec(r.method).id) || r.method === 'lrp-a1b0') assertClose(r.relevance, expected, 1e-5, label);
      });
    } finally {
      network.dispose();
      model.dispose();
    }
  });

  test('model-info: every node with its kind, description, shape, inputs and the rule a method applies', async () => {
    const model = tfjsFromGraph(graph);
    const { loaded } = await saveAndLoad(model, 'residual-concat-info', card);
    model.dispose();
    try {
      const plain = describeNetwork(loaded.network);
      assert.equal(plain.length, loaded.network.nodes.length);
      assert.deepEqual(plain[0], { name: 'input', kind: 'input', description: 'input [10, 10, 3]', shape: [10, 10, 3], inputs: [] });
      const add = plain.find((n) => n.kind === 'add')!;
      assert.equal(add.inputs.length, 2);
      assert.equal(add.description, 'add (2 inputs)');
      const projection = plain.find((n) => n.name === 'conv2d16')!;
      assert.equal(projection.description, 'conv 1×1, 8→12, stride 2, no padding');
      assert.deepEqual(projection.shape, [5, 5, 12]);
      const strided = plain.find((n) => n.name === 'conv2d11')!;
      assert.equal(strided.description, 'conv 3×3, 8→12, stride 2, pads 0,0,1,1 (t,l,b,r)');

      const rule = (method: string, name: string) => describeNetwork(loaded.network, { method: parseMethodSpec(method) }).find((n) => n.name === name)!.rule;
      assert.equal(rule('deep-taylor', 'conv2d1'), 'z^B (input box) (first layer)');
      assert.equal(rule('deep-taylor', 'conv2d4'), 'z⁺');
      assert.equal(rule('lrp-a2b1', 'conv2d4'), 'LRP-α2β1');
      assert.equal(rule('epsilon-gamma-box', 'dense26'), 'LRP-ε (ε = 0.25)');
      assert.equal(rule('epsilon-gamma-box', 'conv2d7'), 'LRP-γ (γ = 0.25)');
      assert.equal(rule('lrp-z', add.name), 'split in proportion to each input');
      assert.equal(rule('lrp-z', 'batchNorm24'), 'LRP-0 with its offset');
      assert.equal(rule('guided-backprop', 'relu3'), 'guided: g·[z > 0]·[g > 0]');
      assert.equal(rule('gradient', 'maxPool22'), 'to the winner (first maximum)');
      assert.equal(rule('sensitivity', add.name), 'copied to every input');
      assert.equal(rule('occlusion', 'conv2d1'), 'forward only (occluded copies of the image)');
    } finally {
      loaded.network.dispose();
    }
  });
});

describe('functional topologies', () => {
  test('a layer called twice (shared weights), one tensor read by two branches', async () => {
    const input = tf.input({ shape: [7, 7, 2], name: 'image' });
    const stem = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 'stem' }).apply(input) as tf.SymbolicTensor;
    const shared = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'shared' });
    const a = shared.apply(stem) as tf.SymbolicTensor;
    const pooled = tf.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same', name: 'pool' }).apply(stem) as tf.SymbolicTensor;
    const b = shared.apply(pooled) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'sum' }).apply([a, b, stem]) as tf.SymbolicTensor;
    const flat = tf.layers.flatten({ name: 'flat' }).apply(tf.layers.reLU({ name: 'act' }).apply(sum)) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 4, name: 'head' }).apply(flat) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    seedWeights(model, 91);
    const { loaded } = await saveAndLoad(model, 'shared');
    try {
      const names = loaded.network.nodes.map((n) => n.name);
      assert.ok(names.includes('shared') && names.includes('shared@1'), names.join(' '));
      const [first, second] = ['shared', 'shared@1'].map((n) => loaded.network.nodes.find((m) => m.name === n)!);
      assert.ok(first.kind === 'conv2d' && second.kind === 'conv2d' && first.kernel === second.kernel, 'one kernel tensor for both calls');
      assert.equal(loaded.network.nodes.find((n) => n.kind === 'add')!.inputs.length, 3);
      const x = tf.randomUniform([3, 7, 7, 2], -1, 1, 'float32', 92);
      assertPredicts(loaded.network, model, x, 'shared layer');
      x.dispose();
    } finally {
      loaded.network.dispose();
    }
  });

  test('nested models: a functional block called twice and a Sequential inside a functional model', async () => {
    const blockIn = tf.input({ shape: [6, 6, 4] });
    const c = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(blockIn) as tf.SymbolicTensor;
    const bn = tf.layers.batchNormalization({}).apply(c) as tf.SymbolicTensor;
    const block = tf.model({ inputs: blockIn, outputs: tf.layers.add().apply([bn, blockIn]) as tf.SymbolicTensor, name: 'block' });
    const head = tf.sequential({ name: 'head', layers: [tf.layers.flatten({ inputShape: [6, 6, 4] }), tf.layers.dense({ units: 3 })] });
    const input = tf.input({ shape: [6, 6, 2] });
    const stem = tf.layers.conv2d({ filters: 4, kernelSize: 1, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
    const twice = block.apply(block.apply(stem)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: head.apply(twice) as tf.SymbolicTensor });
    seedWeights(model, 93);
    const { loaded } = await saveAndLoad(model, 'nested');
    try {
      assert.equal(loaded.notes.filter((n) => n.includes('flattened')).length, 3, loaded.notes.join('; '));
      assert.equal(loaded.network.nodes.filter((n) => n.kind === 'add').length, 2);
      // BatchNorm after a ReLU stays affine, in both calls of the block.
      assert.equal(loaded.network.nodes.filter((n) => n.kind === 'affine').length, 2);
      const x = tf.randomUniform([3, 6, 6, 2], -1, 1, 'float32', 94);
      assertPredicts(loaded.network, model, x, 'nested');
      x.dispose();
    } finally {
      loaded.network.dispose();
    }
  });

  test('the Keras 3 spelling of a branched model: {args, kwargs} inbound nodes, batch_shape, single-entry input/output lists', async () => {
    const model = tfjsFromGraph(residualConcatGraph(95));
    const dir = tempModelDir('keras3-branches');
    const file = await saveModel(model, dir);
    const json = readJson(file);
    const config = json.modelTopology.config;
    const tensor = ([name, n, t]: [string, number, number]) => ({ class_name: '__keras_tensor__', config: { shape: [null], dtype: 'float32', keras_history: [name, n, t] } });
    for (const layer of config.layers) {
      if (layer.config.batch_input_shape) {
        layer.config.batch_shape = layer.config.batch_input_shape;
        delete layer.config.batch_input_shape;
      }
      layer.inbound_nodes = layer.inbound_nodes.map((node: Array<[string, number, number]>) =>
        node.length === 1 ? { args: [tensor(node[0])], kwargs: {} } : { args: [node.map(tensor)], kwargs: {} },
      );
    }
    config.input_layers = config.input_layers[0];
    config.output_layers = config.output_layers[0];
    json.modelTopology = { model_config: { class_name: 'Functional', config } };
    writeJson(file, json);
    const loaded = await loadModel(file);
    try {
      const x = tf.randomUniform([2, 10, 10, 3], -1, 1, 'float32', 96);
      assertPredicts(loaded.network, model, x, 'keras 3 spelling');
      x.dispose();
    } finally {
      loaded.network.dispose();
      model.dispose();
    }
  });

  test('DepthwiseConv2D, SeparableConv2D, ZeroPadding2D, Permute + Flatten, GlobalMaxPooling2D, BatchNorm first and after Flatten', async () => {
    const input = tf.input({ shape: [8, 7, 3] });
    let h = tf.layers.batchNormalization({ name: 'bn_first' }).apply(input) as tf.SymbolicTensor;
    h = tf.layers.zeroPadding2d({ padding: [[1, 0], [2, 1]], name: 'zp' }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same', activation: 'relu', name: 'dw' }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.separableConv2d({ filters: 5, kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu', name: 'sep' }).apply(h) as tf.SymbolicTensor;
    const pooled = tf.layers.globalMaxPooling2d({ name: 'gmp' }).apply(h) as tf.SymbolicTensor;
    const permuted = tf.layers.flatten({ name: 'pflat' }).apply(tf.layers.permute({ dims: [3, 1, 2], name: 'perm' }).apply(h)) as tf.SymbolicTensor;
    const normed = tf.layers.batchNormalization({ name: 'bn_flat' }).apply(permuted) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate({ name: 'join' }).apply([pooled, normed]) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3, name: 'logits' }).apply(joined) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    seedWeights(model, 97);
    const { loaded } = await saveAndLoad(model, 'layer-zoo');
    try {
      const kinds = loaded.network.nodes.map((n) => n.kind);
      assert.ok(kinds.includes('pad') && kinds.includes('transpose') && kinds.includes('globalMaxPool'), kinds.join(' '));
      const dw = loaded.network.nodes.find((n) => n.name === 'dw')!;
      assert.ok(dw.kind === 'conv2d' && dw.groups === 3 && dw.kernel.shape.join() === '3,3,1,6');
      const x = tf.randomUniform([3, 8, 7, 3], -1, 1, 'float32', 98);
      assertPredicts(loaded.network, model, x, 'layer zoo');
      x.dispose();
    } finally {
      loaded.network.dispose();
    }
  });
});

describe('input maps', () => {
  test('Keras Normalization (mean/variance in its config or as weights) is the affine input map (x − μ) / √σ²', async () => {
    const plain = tf.sequential({
      layers: [tf.layers.conv2d({ inputShape: [5, 5, 3], filters: 2, kernelSize: 3, activation: 'relu', name: 'conv' }), tf.layers.flatten(), tf.layers.dense({ units: 3, name: 'head' })],
    });
    seedWeights(plain, 99);
    // The same network behind a Normalization layer: written into the saved topology (tfjs has no such layer).
    const withNorm = tf.sequential({
      layers: [tf.layers.rescaling({ inputShape: [5, 5, 3], scale: 1, name: 'norm' }), ...plain.layers.map((l) => l)],
    });
    const dir = tempModelDir('normalization');
    const file = await saveModel(withNorm, dir);
    const json = readJson(file);
    const mean = [0.5, 0.25, -0.5];
    const variance = [4, 0.25, 1];
    json.modelTopology.config.layers[0] = { class_name: 'Normalization', config: { name: 'norm', axis: -1, mean, variance, batch_input_shape: [null, 5, 5, 3] } };
    writeJson(file, json);
    const x = tf.randomUniform([4, 5, 5, 3], -1, 2, 'float32', 100);
    const normalised = tf.div(tf.sub(x, tf.tensor1d(mean)), tf.sqrt(tf.tensor1d(variance)));
    const expected = (plain.predict(normalised) as tf.Tensor).dataSync();
    const loaded = await loadModel(file);
    try {
      const affine = loaded.network.nodes[1];
      assert.ok(affine.kind === 'affine');
      assert.deepEqual(affine.scale.map((v) => +v.toFixed(6)), [0.5, 2, 1]);
      assert.deepEqual(affine.offset.map((v) => +v.toFixed(6)), [-0.25, -0.5, 0.5]);
      const logits = logitsOf(loaded.network, x);
      assert.ok(maxAbsDiff(logits.dataSync(), expected) <= 1e-5, 'logits of the normalised input');
      logits.dispose();
      // An input map: deep Taylor's first layer is the conv behind it, with the box mapped through it.
      const rules = describeNetwork(loaded.network, { method: parseMethodSpec('deep-taylor') });
      assert.equal(rules[1].rule, 'input map: relevance passes, z^B box mapped through');
      assert.equal(rules[2].rule, 'z^B (input box) (first layer)');
    } finally {
      loaded.network.dispose();
      tf.dispose([x, normalised]);
    }
  });
});
