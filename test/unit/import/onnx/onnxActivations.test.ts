// ONNX Clip (ReLU6, Hardtanh, one-sided bounds, at opset 9 as attributes and 13 as inputs) and LeakyRelu:
// each op against onnxruntime-web on the same model and input, the node kinds they become, bad bounds as
// one line naming the file; then a MobileNetV2-style graph (graph/graphs.ts) written as PyTorch exports it,
// its logits against onnxruntime and every well-conditioned method against the float64 graph reference;
// torchvision's own mobilenet_v2 (width 0.25) as torch.onnx.export writes it (scripts/fixtures/
// mobilenet_fixture.py): logits against PyTorch and onnxruntime, the input gradient against autograd's.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { before, describe, test } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../../src/engine/backend';
import { UserError } from '../../../../src/engine/errors';
import { loadOnnxNetwork } from '../../../../src/engine/import/onnx/loadOnnx';
import { explain } from '../../../../src/engine/methods/explain';
import { parseMethodSpec } from '../../../../src/engine/methods/methodRegistry';
import { graphReferenceMap, logitsOfGraph, worstCancellation } from '../../graph/graphReference';
import { mobileNetStyleGraph } from '../../graph/graphs';
import { randomImages } from '../../methods/nets';
import { argMax, assertClose, random } from '../../methods/reference';
import { tempModelDir } from '../../model/savedModels';
import { activationBetweenGemms, compareWithOnnxruntime } from './activationCompare';
import { engineLogits, nchwToNhwc, ortOutputs, relativeError } from './onnxReference';
import { float, OnnxModelWriter, type Attr } from './onnxWriter';
import * as tf from '@tensorflow/tfjs';
import { gradientAt } from '../../../../src/engine/methods/attributors';
import { refGraphToOnnx } from './refGraphToOnnx';

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

describe('Clip and LeakyRelu against onnxruntime', () => {
  const clips: Array<[string, number | null, number | null, string]> = [
    ['ReLU6 (torch.nn.ReLU6)', 0, 6, 'clip'],
    ['Hardtanh (torch.nn.Hardtanh)', -1, 1, 'clip'],
    ['max only (torch.clamp(x, max=0.5))', null, 0.5, 'clip'],
    ['min only, not 0 (torch.clamp(x, min=-0.3))', -0.3, null, 'clip'],
    ['min 0 only (a ReLU)', 0, null, 'relu'],
  ];
  for (const opset of [9, 13]) {
    for (const [name, min, max, kind] of clips) {
      test(`Clip ${name}, opset ${opset}`, async () => {
        const w = activationBetweenGemms(opset, (w, z) => {
          if (opset < 11) {
            const attrs: Record<string, Attr> = {};
            if (min !== null) attrs.min = float(min);
            if (max !== null) attrs.max = float(max);
            return w.node('Clip', [z], attrs);
          }
          const lo = min === null ? '' : w.weight('min', [], [min]);
          return w.node('Clip', max === null ? [z, lo] : [z, lo, w.weight('max', [], [max])]);
        });
        const { error, kinds } = await compareWithOnnxruntime(w, [2, 6], `clip-${opset}-${min}-${max}`);
        assert.ok(error <= 1e-5, `relative error ${error}`);
        assert.deepEqual(kinds, ['input', 'dense', kind, 'dense']);
      });
    }
  }
  for (const [name, alpha, kind] of [
    ['default slope 0.01', null, 'leakyRelu'],
    ['slope 0.2', 0.2, 'leakyRelu'],
    ['slope 0 (a ReLU)', 0, 'relu'],
  ] as const) {
    test(`LeakyRelu, ${name}`, async () => {
      const w = activationBetweenGemms(13, (w, z) => w.node('LeakyRelu', [z], alpha === null ? {} : { alpha: float(alpha) }));
      const { error, kinds } = await compareWithOnnxruntime(w, [2, 6], `leaky-${alpha}`);
      assert.ok(error <= 1e-5, `relative error ${error}`);
      assert.deepEqual(kinds, ['input', 'dense', kind, 'dense']);
    });
  }

  test('a Clip whose bounds are crossed, or a LeakyRelu of negative slope, is one line naming the file', () => {
    const cases: Array<[string, (w: OnnxModelWriter, z: string) => string, RegExp]> = [
      ['crossed', (w, z) => w.node('Clip', [z, w.weight('min', [], [2]), w.weight('max', [], [1])]), /Clip.*clips to \[2, 1\]; the lower bound must be below the upper one/],
      ['negative slope', (w, z) => w.node('LeakyRelu', [z], { alpha: float(-0.5) }), /slope -0\.5 for negative inputs; a finite number ≥ 0 is needed/],
    ];
    for (const [name, act, message] of cases) {
      const file = activationBetweenGemms(13, act).save(path.join(tempModelDir('onnx-activations'), `bad-${name.replace(/\W/g, '')}.onnx`));
      assert.throws(
        () => loadOnnxNetwork(file),
        (e: unknown) => e instanceof UserError && message.test(e.message) && e.message.includes(path.basename(file)) && !e.message.includes('\n'),
        name,
      );
    }
  });
});

describe('a MobileNetV2-style graph exported as PyTorch does', () => {
  const graph = mobileNetStyleGraph(51);
  for (const opset of [9, 13]) {
    test(`logits against onnxruntime (opset ${opset}): Clip and LeakyRelu become clip and leakyRelu nodes`, async () => {
      const { error, kinds } = await compareWithOnnxruntime(refGraphToOnnx(graph, opset), [2, 3, 6, 6], `mobile-${opset}`);
      assert.ok(error <= 1e-5, `relative error ${error}`);
      assert.equal(kinds.filter((k) => k === 'clip').length, 4);
      assert.equal(kinds.filter((k) => k === 'leakyRelu').length, 2);
    });
  }

  test('every well-conditioned method against the float64 graph reference (1e-5)', () => {
    // LRP-0/γ and αβ with β > 0 (no ε) are held to the reference on the engine's own graph in
    // methods/graphActivations.test.ts, with a rounding bound; the rest must match here to 1e-5.
    const specs = ['sensitivity', 'gradient', 'simple-taylor', 'guided-backprop', 'deconvnet', 'deep-taylor', 'lrp-a1b0', 'lrp-epsilon', 'epsilon-plus-flat', 'integrated-gradients:steps=5'];
    const images = randomImages(61, 150, 108).filter((x) => worstCancellation(graph, x) >= 1e-3).slice(0, 2);
    assert.equal(images.length, 2);
    const file = refGraphToOnnx(graph).save(path.join(tempModelDir('onnx-activations'), 'mobile-methods.onnx'));
    const { network } = loadOnnxNetwork(file);
    try {
      const results = explain(network, [6, 6, 3], { images: images.map((x) => Float32Array.from(x)), methods: specs.map(parseMethodSpec), bounds: [0, 1] });
      assert.equal(results.length, 2 * specs.length);
      for (const r of results) {
        const x = images[r.image];
        const label = `${r.method}, image ${r.image}`;
        assert.equal(r.predicted, argMax(logitsOfGraph(graph, x)), label);
        assertClose(r.relevance, graphReferenceMap(graph, x, r.target, parseMethodSpec(r.method), [6, 6, 3], [0, 1]), 1e-5, label);
      }
    } finally {
      network.dispose();
    }
  });
});

describe("torchvision's mobilenet_v2 (width 0.25, random weights) exported by torch.onnx.export", () => {
  const FIXTURES = path.resolve(__dirname, '../../../fixtures/onnx');
  const model = path.join(FIXTURES, 'mobilenet-v2-w025.onnx');
  const reference = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'mobilenet-v2-w025.reference.json'), 'utf8')) as {
    inputShape: number[];
    inputs: number[];
    outputs: number[];
    targets: number[];
    gradient: number[];
  };
  const x = Float32Array.from(reference.inputs);
  const [batch, , height, width] = reference.inputShape;

  test('its 35 ReLU6 (Clip 0..6) load as clips; logits equal PyTorch and onnxruntime (3.6e-6 measured)', async () => {
    const { network } = loadOnnxNetwork(model);
    try {
      const kinds = network.nodes.map((n) => n.kind);
      assert.equal(kinds.filter((k) => k === 'clip').length, 35);
      assert.ok(network.nodes.every((n) => n.kind !== 'clip' || (n.min === 0 && n.max === 6)));
      assert.equal(kinds.filter((k) => k === 'conv2d').length, 52);
      const logits = engineLogits(network, nchwToNhwc(x, reference.inputShape), batch);
      assert.ok(relativeError(logits, Float32Array.from(reference.outputs)) <= 2e-5, `vs PyTorch: ${relativeError(logits, Float32Array.from(reference.outputs))}`);
      const ort = await ortOutputs(fs.readFileSync(model), x, reference.inputShape);
      assert.ok(relativeError(logits, ort) <= 2e-5, `vs onnxruntime: ${relativeError(logits, ort)}`);
    } finally {
      network.dispose();
    }
  });

  test("the gradient of the top logit equals PyTorch autograd's through every ReLU6", () => {
    const { network } = loadOnnxNetwork(model);
    try {
      const seed = tf.oneHot(reference.targets, reference.outputs.length / batch).toFloat();
      const g = tf.tidy(() => gradientAt(network, tf.tensor(nchwToNhwc(x, reference.inputShape), [batch, height, width, 3]), seed, 'gradient'));
      const ours = g.dataSync();
      const expected = nchwToNhwc(reference.gradient, reference.inputShape);
      tf.dispose([g, seed]);
      const error = relativeError(ours, expected);
      assert.ok(error <= 1e-5, `relative error ${error}`);
    } finally {
      network.dispose();
    }
  });
});
