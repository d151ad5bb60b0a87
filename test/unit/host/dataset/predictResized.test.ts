// Predictions of samples that are not the model's size (PredictJob.sampleShape): the workers resize each
// sample as an explain job's preprocessing does, so the dataset grid and the explain panel see the same
// input. Pinned on the PyTorch-exported shapes ResNet (32×32 RGB) with its 64×64 and 72×96 sample PNGs:
// every shape is recognised, and the logits equal those of the 32×32 pixels that an explain job prepares.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { before, describe, it } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../../src/engine/backend';
import { decodeImage } from '../../../../src/engine/image/decode';
import { runJob } from '../../../../src/engine/jobs/runJob';
import type { ExplainResult, PredictResult } from '../../../../src/protocol/engineJobs';

const SHAPES = path.resolve(__dirname, '../../../fixtures/onnx/shapes-resnet');
const MODEL = { path: path.join(SHAPES, 'shapes-resnet.onnx') };
const BACKEND = { name: 'wasm-simd' as const };
const LABELS = ['circle', 'square', 'triangle', 'cross'];

before(async () => {
  await initBackend(nodeModulesWasmDir());
});

/** The four sample PNGs of one size as HWC RGB bytes, concatenated. */
function samples(size: string): { pixels: Uint8Array; width: number; height: number } {
  const images = LABELS.map((l) => decodeImage(fs.readFileSync(path.join(SHAPES, `${l}-${size}.png`)), `${l}-${size}.png`));
  const { width, height } = images[0];
  const pixels = new Uint8Array(4 * width * height * 3);
  images.forEach((img, i) => {
    for (let p = 0; p < width * height; p++) for (let c = 0; c < 3; c++) pixels[(i * width * height + p) * 3 + c] = img.data[p * 4 + c];
  });
  return { pixels, width, height };
}

const argmax = (row: Float32Array) => row.indexOf(Math.max(...row));

describe('predict with sampleShape', () => {
  for (const size of ['64x64', '72x96']) {
    it(`${size} samples: each shape recognised, logits equal those of the explain job's prepared 32×32 pixels`, async () => {
      const { pixels, width, height } = samples(size);
      const result = (await runJob({ type: 'predict', model: MODEL, pixels, count: 4, sampleShape: [height, width, 3] }, BACKEND)) as PredictResult;
      assert.equal(result.classes, 4);
      for (let i = 0; i < 4; i++) assert.equal(argmax(result.logits.subarray(4 * i, 4 * i + 4)), i, LABELS[i]);

      // The explain job on the same samples as pixels (preprocessing "none"): the 32×32 bytes it fed.
      const sources = LABELS.map((l, i) => ({ kind: 'pixels' as const, name: l, width, height, channels: 3 as const, data: pixels.slice(i * width * height * 3, (i + 1) * width * height * 3) }));
      const explained = (await runJob({ type: 'explain', model: MODEL, images: sources, methods: ['gradient'], preprocess: 'none' }, BACKEND)) as ExplainResult;
      const prepared = new Uint8Array(4 * 32 * 32 * 3);
      explained.images.forEach((img, i) => prepared.set(img.pixels, i * 32 * 32 * 3));
      const direct = (await runJob({ type: 'predict', model: MODEL, pixels: prepared, count: 4 }, BACKEND)) as PredictResult;
      assert.deepEqual(result.logits, direct.logits);
    });
  }

  it('a batch whose size does not match its sampleShape is one clear error', async () => {
    await assert.rejects(
      runJob({ type: 'predict', model: MODEL, pixels: new Uint8Array(100), count: 2, sampleShape: [64, 64, 3] }, BACKEND),
      /expected 2 images of 64×64×3 = 24576 pixel values, got 100/,
    );
  });
});
