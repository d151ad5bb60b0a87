// The vision-transformer fixtures (scripts/fixtures/transformer_fixtures.py: torchvision's ViT and Swin,
// opsets 13 and 17, with and without a dynamic batch) are what the ONNX front end for attention is measured
// against: each file, run by onnxruntime-web, gives PyTorch's logits; the references' relevances have the
// shape of the input and differ from gradient × input (the rules change something). Until the front end reads
// them (LayerNorm, token-wise Linear, the shape chains of attention), loading one is a one-line refusal.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../../src/engine/backend';
import { isUserError } from '../../../../src/engine/errors';
import { loadAnyModel } from '../../../../src/engine/import/loadAnyModel';
import { ortOutputs, relativeError } from './onnxReference';

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

  test('until the front end reads them, loading one is a one-line refusal naming the node', async () => {
    for (const model of MODELS) {
      const file = path.join(FIXTURES, model, `${model}-opset17.onnx`);
      await assert.rejects(
        async () => (await loadAnyModel(file)).network.dispose(),
        (e: unknown) => isUserError(e) && (e as Error).message.startsWith(file) && !(e as Error).message.includes('\n') && /node "[^"]+" \(\w+\)/.test((e as Error).message),
      );
    }
  });
});
