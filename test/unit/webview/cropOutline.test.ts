// The centre crop outlined on the original: the engine's region for the 96×72 shapes image (torchvision's
// Resize(32) + CenterCrop(32): 96×72 → 42×32, 5 columns off the left) by hand, and its place in the
// panel's 168×168 object-fit box.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { runJob } from '../../../src/engine/jobs/runJob';
import type { ExplainResult } from '../../../src/protocol/engineJobs';
import { imageResult } from '../../../src/host/explanationView';
import { cropOutline, cropText, isWholeImage } from '../../../webview/cropOutline';

const dir = path.resolve(__dirname, '../../../test/fixtures/onnx/shapes-resnet');

test('the engine says which part of a 96×72 RGB image the 32×32 input shows; the panel gets it', async () => {
  const backend = await initBackend(nodeModulesWasmDir());
  const result = (await runJob(
    {
      type: 'explain',
      model: { path: path.join(dir, 'shapes-resnet.onnx') },
      images: [{ kind: 'file', path: path.join(dir, 'circle-72x96.png') }, { kind: 'file', path: path.join(dir, 'circle-64x64.png') }],
      methods: ['gradient'],
      preprocess: 'auto',
    },
    backend,
  )) as ExplainResult;
  const wide = imageResult(result.images[0], result.explanations.find((e) => e.image === 0), result.card.labels);
  assert.ok(wide.source, 'the view result carries the source size and region');
  assert.equal(wide.source.width, 96);
  assert.equal(wide.source.height, 72);
  // The shorter side, 72 rows, → 32; torchvision's Resize keeps int(32·96/72) = 42 columns, so one resized
  // column is 96/42 source pixels; CenterCrop(32) drops round((42 − 32)/2) = 5 columns on the left.
  const px = 96 / 42;
  assert.ok(Math.abs(wide.source.region.x - 5 * px) < 1e-9, `x ${wide.source.region.x}`);
  assert.equal(wide.source.region.y, 0);
  assert.ok(Math.abs(wide.source.region.width - 32 * px) < 1e-9);
  assert.equal(wide.source.region.height, 72);
  assert.equal(wide.input?.channels, 3, 'the model input is RGB');
  assert.deepEqual(wide.heatmap?.shape, [32, 32], "the heatmap is the input's H × W");

  // In the 168×168 box: scale min(168/96, 168/72) = 1.75, image 168×126 centred 21 px down.
  const box = cropOutline(wide.source, 168, 168)!;
  assert.ok(Math.abs(box.x - 20) < 1e-9 && Math.abs(box.y - 21) < 1e-9, JSON.stringify(box));
  assert.ok(Math.abs(box.width - 128) < 1e-9 && Math.abs(box.height - 126) < 1e-9, JSON.stringify(box));
  assert.equal(cropText(wide.source), 'the model sees 73.1×72 of 96×72, from (11.4, 0)');

  const square = imageResult(result.images[1], undefined, result.card.labels);
  assert.ok(square.source && isWholeImage(square.source), 'a 64×64 image is scaled, not cropped');
  assert.equal(cropOutline(square.source, 168, 168), null, 'nothing to outline');
});
