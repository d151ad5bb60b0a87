// The vision-transformer fixtures (scripts/fixtures/transformer_fixtures.py: torchvision's ViT and Swin,
// opsets 13 and 17, with and without a dynamic batch) are what the ONNX front end for attention is measured
// against: each file, run by onnxruntime-web, gives PyTorch's logits; the references' relevances have the
// shape of the input and differ from gradient × input (the rules change something).
// The engine reads every export (the batch moved and merged with heads or windows, read at batch size 1) and
// gives the logits, autograd's gradient and the AttnLRP / CP-LRP references (LXT's gradient × input form).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../../src/engine/backend';
import { loadOnnxNetwork } from '../../../../src/engine/import/onnx/loadOnnx';
import { explain } from '../../../../src/engine/methods/explain';
import { parseMethodSpec } from '../../../../src/engine/methods/methodRegistry';
import { engineLogits, nchwToNhwc, ortOutputs, relativeError } from './onnxReference';

const FIXTURES = path.resolve(__dirname, '../../../fixtures/onnx');

interface TransformerReference {
  inputShape: number[];
  inputs: number[];
  outputs: number[];
  targets: number[];
  gradient: number[];
  attnlrp: number[];
  cpLrp: number[];
}

const MODELS = ['shapes-vit', 'shapes-swin'];
const VARIANTS = ['opset13', 'opset13-static', 'opset17', 'opset17-static'];

function referenceOf(model: string): TransformerReference {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, model, 'reference.json'), 'utf8')) as TransformerReference;
}

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

describe('vision-transformer fixtures', () => {
  for (const model of MODELS) {
    test(`${model}: every export gives PyTorch's logits in onnxruntime (a static one image by image)`, async () => {
      const ref = referenceOf(model);
      const [n, ...image] = ref.inputShape;
      const size = image.reduce((a, b) => a * b, 1);
      for (const variant of VARIANTS) {
        const bytes = fs.readFileSync(path.join(FIXTURES, model, `${model}-${variant}.onnx`));
        const batches = variant.endsWith('static') ? Array.from({ length: n }, (_, i) => [i]) : [Array.from({ length: n }, (_, i) => i)];
        for (const rows of batches) {
          const input = Float32Array.from(rows.flatMap((i) => ref.inputs.slice(i * size, (i + 1) * size)));
          const out = await ortOutputs(bytes, input, [rows.length, ...image]);
          const classes = out.length / rows.length;
          const expected = rows.flatMap((i) => ref.outputs.slice(i * classes, (i + 1) * classes));
          const error = relativeError(out, expected);
          assert.ok(error < 1e-5, `${model}-${variant}, images ${rows}: relative error ${error}`);
        }
      }
    });

    test(`${model}: the references' relevances are maps of the input that the attention rules change`, () => {
      const ref = referenceOf(model);
      assert.equal(ref.attnlrp.length, ref.inputs.length);
      assert.equal(ref.cpLrp.length, ref.inputs.length);
      const timesInput = ref.gradient.map((g, i) => g * ref.inputs[i]);
      const gap = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]))) / Math.max(...b.map(Math.abs));
      assert.ok(gap(ref.attnlrp, timesInput) > 0.05, 'AttnLRP is not gradient × input');
      assert.ok(gap(ref.cpLrp, ref.attnlrp) > 0.05, 'CP-LRP is not AttnLRP');
    });
  }

  for (const model of MODELS) {
    for (const variant of VARIANTS) {
      test(`${model}-${variant}: the engine gives PyTorch's logits, autograd's gradient and the LXT-form AttnLRP / CP-LRP references (ε → 0)`, () => {
        const ref = referenceOf(model);
        const [n, c, h, w] = ref.inputShape;
        const { network } = loadOnnxNetwork(path.join(FIXTURES, model, `${model}-${variant}.onnx`));
        try {
          const x = nchwToNhwc(ref.inputs, ref.inputShape);
          const logits = engineLogits(network, x, n);
          assert.ok(relativeError(logits, ref.outputs) < 1e-5, `logits: relative error ${relativeError(logits, ref.outputs)}`);
          const size = h * w * c;
          const images = Array.from({ length: n }, (_, i) => x.slice(i * size, (i + 1) * size));
          // The engine's maps sum the channels; so does the reference here.
          const channelSum = (values: number[], i: number) =>
            Array.from({ length: h * w }, (_, p) => {
              let s = 0;
              for (let k = 0; k < c; k++) s += values[(i * c + k) * h * w + p];
              return s;
            });
          const cases: Array<[string, number[], number]> = [
            ['gradient', ref.gradient, 1e-5],
            ['attnlrp:epsilon=0', ref.attnlrp, 1e-5],
            ['cp-lrp:epsilon=0', ref.cpLrp, 1e-5],
            // The default ε = 1e-6 moves the maps by at most a few 1e-4 of their largest value.
            ['attnlrp', ref.attnlrp, 1e-3],
            ['cp-lrp', ref.cpLrp, 1e-3],
          ];
          for (const [method, reference, tolerance] of cases) {
            const results = explain(network, [h, w, c], { images, methods: [parseMethodSpec(method)], targets: ref.targets.map((t) => [t]), bounds: null });
            let worst = 0;
            let scale = 0;
            results.forEach((r, i) => {
              assert.equal(r.target, ref.targets[i]);
              channelSum(reference, i).forEach((v, p) => {
                worst = Math.max(worst, Math.abs(v - r.relevance[p]));
                scale = Math.max(scale, Math.abs(v));
              });
            });
            assert.ok(scale > 0, `${method}: an all-zero reference would prove nothing`);
            assert.ok(worst <= tolerance * scale, `${method}: max |engine − reference| = ${(worst / scale).toExponential(2)} of max |R|`);
          }
        } finally {
          network.dispose();
        }
      });
    }
  }
});
