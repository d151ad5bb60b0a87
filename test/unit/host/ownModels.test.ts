// Users' own RGB models through the host's path to the panel (issue 12): the residual RGB ONNX model
// exported from PyTorch (shapes-resnet: NCHW, per-channel mean/std, labels.txt) and the Keras-layout
// functional RGB `.keras`, each explained on a 96×72 colour PNG with every method of the table, through
// EngineService on real workers (dist/worker.js) and the one conversion to what the panel shows
// (imageResult). Pinned: every method gives a map at the input's H × W equal to the engine's in-process
// map (to 1e-6 of its max |R|), the model input is the engine's 8-bit RGB input, the crop region is said,
// and the prediction is the engine's.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runJob } from '../../../src/engine/jobs/runJob';
import { formatMethodSpec, listMethods, parseMethodSpec } from '../../../src/engine/methods/methodRegistry';
import { EngineService } from '../../../src/host/engineService';
import { imageResult } from '../../../src/host/explanationView';
import type { ExplainJob, ExplainResult } from '../../../src/protocol/engineJobs';
import { DIST, WORKER, bundleReady } from '../bundles';

const repo = path.resolve(__dirname, '../../..');
const shapes = path.join(repo, 'test/fixtures/onnx/shapes-resnet');
const MODELS = [
  { name: 'ONNX residual RGB (PyTorch export)', path: path.join(shapes, 'shapes-resnet.onnx') },
  { name: 'Keras functional RGB .keras', path: path.join(repo, 'test/fixtures/keras/functional-rgb.keras') },
];
const IMAGE = path.join(shapes, 'triangle-72x96.png');

describe("users' own RGB models through the host, every method", () => {
  let engine: EngineService;
  before(async () => {
    await bundleReady(WORKER);
    engine = new EngineService({ workerScript: WORKER, wasmDir: DIST, workers: () => 2 });
  });
  after(() => engine.dispose());

  for (const model of MODELS) {
    it(model.name, async () => {
      const methods = listMethods().map((m) => m.id);
      const job: ExplainJob = { type: 'explain', model: { path: model.path }, images: [{ kind: 'file', path: IMAGE }], methods, preprocess: 'auto' };
      const viaHost = await engine.explain(job);
      const here = (await runJob(job, { name: 'wasm-simd' })) as ExplainResult;
      const [h, w, c] = viaHost.card.inputShape;
      assert.equal(c, 3, 'an RGB model');
      assert.ok(viaHost.images[0].source, 'the source size and region come back');
      assert.deepEqual(viaHost.images[0].source, here.images[0].source);
      assert.deepEqual(Array.from(viaHost.images[0].pixels), Array.from(here.images[0].pixels), "the input is the engine's");
      assert.equal(viaHost.explanations.length, methods.length, 'one map per method');
      for (const method of methods) {
        const spec = formatMethodSpec(parseMethodSpec(method));
        const e = viaHost.explanations.find((x) => x.method === spec);
        const r = here.explanations.find((x) => x.method === spec);
        assert.ok(e && r, `${method}: explained (methods ${viaHost.explanations.map((x) => x.method).join(', ')})`);
        const shown = imageResult(viaHost.images[0], e, viaHost.card.labels);
        assert.deepEqual(shown.heatmap?.shape, [h, w], `${method}: the map is the input's H × W`);
        assert.equal(shown.heatmap!.relevance.length, h * w);
        assert.deepEqual([shown.input?.width, shown.input?.height, shown.input?.channels], [w, h, 3], `${method}: the model input in colour`);
        assert.equal(shown.predicted, r.predicted, `${method}: the engine's class`);
        assert.equal(shown.scores?.[0].label, viaHost.card.labels[r.predicted]);
        let scale = 0;
        let worst = 0;
        for (let i = 0; i < r.relevance.length; i++) {
          assert.ok(Number.isFinite(shown.heatmap!.relevance[i]), `${method}: finite at ${i}`);
          scale = Math.max(scale, Math.abs(r.relevance[i]));
          worst = Math.max(worst, Math.abs(r.relevance[i] - shown.heatmap!.relevance[i]));
        }
        assert.ok(scale > 0, `${method}: not all zero`);
        assert.ok(worst <= 1e-6 * scale, `${method}: host map = engine map (max |ΔR| ${worst}, max |R| ${scale})`);
        assert.ok(Math.abs(shown.heatmap!.logit - r.logit) <= 1e-6 * Math.max(1, Math.abs(r.logit)), `${method}: logit`);
      }
    });
  }
});
