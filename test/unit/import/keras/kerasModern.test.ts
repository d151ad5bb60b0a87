// Keras' modern layers (test/fixtures/keras/modern.keras, written to Keras 3's layout by
// scripts/fixtures/keras_fixtures.py): EfficientNet's and MobileNetV3's squeeze-excite blocks (Reshape or
// keepdims, Multiply, sigmoid / Keras 3 hard_sigmoid), hard_swish, a ConvNeXt block (LayerNormalization, Dense
// per position, gelu, LayerScale), GroupNormalization, UpSampling2D (bilinear) and Conv2DTranspose ('same',
// stride 2). The engine's logits and every method's maps against the float64 graph reference of the same
// weights (graph/graphReference.ts), built here from weights.json.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { before, test } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../../src/engine/backend';
import { loadAnyModel } from '../../../../src/engine/import/loadAnyModel';
import { explain, predict } from '../../../../src/engine/methods/explain';
import { parseMethodSpec } from '../../../../src/engine/methods/methodRegistry';
import { ALL_SPECS, graphReferenceMap, logitsOfGraph, type RefGraph, type RefNode } from '../../graph/graphReference';
import { onCpuBackend } from '../../methods/backendRounding';
import { argMax, random, randomArray } from '../../methods/reference';
import { assertMapMatchesReference } from '../../methods/referenceComparison';
import { relativeError } from '../relativeError';

const DIR = path.resolve(__dirname, '../../../fixtures/keras');

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

type WeightsJson = Record<string, Record<string, { shape: number[]; data: number[] }>>;

/** The model of modern.keras as a reference graph (node k + 1 is `nodes[k]`). */
function modernGraph(): RefGraph {
  const w = JSON.parse(fs.readFileSync(path.join(DIR, 'modern.weights.json'), 'utf8')) as WeightsJson;
  const same: [number, number, number, number] = [1, 1, 1, 1];
  const conv = (input: number, layer: string, kernel = 'kernel', groups = 1): RefNode => {
    const k = w[layer][kernel];
    const [kh, kw] = k.shape;
    const outC = groups === 1 ? k.shape[3] : k.shape[2] * k.shape[3];
    return { kind: 'conv2d', input, kh, kw, outC, groups, w: k.data, b: w[layer].bias.data, strides: [1, 1], pads: kh === 3 ? same : [0, 0, 0, 0], dilations: [1, 1] };
  };
  const bn = (input: number, layer: string): RefNode => ({
    kind: 'batchNorm',
    input,
    gamma: w[layer].gamma.data,
    beta: w[layer].beta.data,
    mean: w[layer].moving_mean.data,
    variance: w[layer].moving_variance.data,
    epsilon: 1e-3,
  });
  const dense = (input: number, layer: string, perPosition: boolean): RefNode => ({ kind: 'dense', input, outputs: w[layer].kernel.shape[1], w: w[layer].kernel.data, b: w[layer].bias.data, perPosition });
  const act = (input: number, fn: Extract<RefNode, { kind: 'activation' }>['fn'], extra: Partial<Extract<RefNode, { kind: 'activation' }>> = {}): RefNode => ({ kind: 'activation', input, fn, ...extra });
  return {
    inputShape: [10, 10, 3],
    nodes: [
      { kind: 'affine', input: 0, scale: [1 / 255], offset: [0] }, // 1
      conv(1, 'stem'), // 2
      bn(2, 'stem_bn'), // 3
      act(3, 'silu'), // 4
      conv(4, 'dw', 'depthwise_kernel', 8), // 5
      bn(5, 'dw_bn'), // 6
      act(6, 'silu'), // 7
      { kind: 'globalAvgPool', input: 7 }, // 8
      { kind: 'reshape', input: 8, shape: [1, 1, 8] }, // 9
      conv(9, 'se_reduce'), // 10
      act(10, 'silu'), // 11
      conv(11, 'se_expand'), // 12
      act(12, 'sigmoid'), // 13
      { kind: 'product', inputs: [7, 13] }, // 14
      conv(14, 'project'), // 15
      { kind: 'add', inputs: [15, 4] }, // 16
      act(16, 'hardSwish'), // 17
      { kind: 'globalAvgPool', input: 17 }, // 18
      { kind: 'reshape', input: 18, shape: [1, 1, 8] }, // 19
      conv(19, 'se2_conv'), // 20
      { kind: 'relu', input: 20 }, // 21
      conv(21, 'se2_conv_1'), // 22
      act(22, 'hardSigmoid', { alpha: 1 / 6, beta: 0.5 }), // 23: Keras 3's hard_sigmoid
      { kind: 'product', inputs: [17, 23] }, // 24
      conv(24, 'cnx_dw', 'depthwise_kernel', 8), // 25
      { kind: 'layerNorm', input: 25, epsilon: 1e-6, scale: w.cnx_ln.gamma.data, offset: w.cnx_ln.beta.data, groups: null }, // 26
      dense(26, 'cnx_pw1', true), // 27
      act(27, 'gelu'), // 28
      dense(28, 'cnx_pw2', true), // 29
      { kind: 'affine', input: 29, scale: w.cnx_scale.gamma.data, offset: [0] }, // 30
      { kind: 'add', inputs: [24, 30] }, // 31
      { kind: 'layerNorm', input: 31, epsilon: 1e-3, scale: w.gn.gamma.data, offset: w.gn.beta.data, groups: 2 }, // 32
      { kind: 'resize', input: 32, size: [20, 20], mode: 'linear', coordinates: 'half_pixel', nearest: 'round_prefer_floor' }, // 33
      // 'same', stride 2, 3×3: total padding 1, after (TF), output 40×40.
      { kind: 'convTranspose', input: 33, kh: 3, kw: 3, outC: 4, groups: 1, w: w.up_t.kernel.data, b: w.up_t.bias.data, strides: [2, 2], pads: [0, 0, 1, 1], dilations: [1, 1], outputPadding: [0, 0] }, // 34
      { kind: 'relu', input: 34 }, // 35
      { kind: 'globalAvgPool', input: 35 }, // 36
      dense(36, 'logits', false),
    ],
  };
}

test('modern.keras: the layers become the modern kinds, with both squeeze-excite gates found', async () => {
  const loaded = await loadAnyModel(path.join(DIR, 'modern.keras'));
  try {
    const kinds = loaded.network.nodes.map((n) => n.kind);
    for (const [kind, count] of [['product', 2], ['layerNorm', 2], ['resize', 1], ['convTranspose', 1]] as const) assert.equal(kinds.filter((k) => k === kind).length, count, `${kind}: ${kinds.join(' ')}`);
    const gates = loaded.network.nodes.flatMap((n) => (n.kind === 'product' ? [n.gate] : []));
    assert.deepEqual(gates, [1, 1]);
    assert.ok(loaded.network.nodes.some((n) => n.kind === 'dense' && n.shape.length === 3), 'a dense layer per position');
  } finally {
    loaded.network.dispose();
  }
});

test('modern.keras: logits and every method equal the float64 graph reference of the same weights', async () => {
  const graph = modernGraph();
  const loaded = await loadAnyModel(path.join(DIR, 'modern.keras'));
  try {
    const images = [0, 1].map((k) => randomArray(random(300 + k), 300, 0, 255));
    assert.equal(images.length, 2, 'well-conditioned images');
    const { logits } = predict(loaded.network, Float32Array.from(images.flat()), 2);
    const expected = images.flatMap((x) => logitsOfGraph(graph, x));
    assert.ok(relativeError(logits, expected) <= 1e-5, `logits: relative error ${relativeError(logits, expected)}`);
    const request = { images: images.map((x) => Float32Array.from(x)), methods: ALL_SPECS.map(parseMethodSpec), bounds: [0, 255] as [number, number] };
    const results = explain(loaded.network, [10, 10, 3], request);
    const onCpu = await onCpuBackend(async () => {
      const copy = await loadAnyModel(path.join(DIR, 'modern.keras'));
      try {
        return explain(copy.network, [10, 10, 3], request).map((r) => Array.from(r.relevance));
      } finally {
        copy.network.dispose();
      }
    });
    results.forEach((r, k) => {
      const label = `${r.method}, image ${r.image}`;
      assert.equal(r.predicted, argMax(logitsOfGraph(graph, images[r.image])), label);
      const reference = graphReferenceMap(graph, images[r.image], r.target, parseMethodSpec(r.method), [10, 10, 3], [0, 255]);
      // Rules without ε on 6,400 transposed-convolution columns after GELU / hard swish / norms: some column
      // of every image cancels (graphReference's worstCancellation is ~3e-5 for the best of 40 images), and
      // there LRP-γ keeps 2–3 digits in float32 on either backend (1e-3 of the map off float64, the two
      // backends 7e-5 apart): those rules are held to 2e-3.
      assertMapMatchesReference(r.method, r.relevance, onCpu[k], reference, label, 2e-3);
    });
  } finally {
    loaded.network.dispose();
  }
});
