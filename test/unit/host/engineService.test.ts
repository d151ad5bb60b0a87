// The host's one door to the engine (host/engineService.ts) on real worker threads (dist/worker.js from
// `npm run build`, WASM): what it returns is what the engine computes in this process; a cancelled call
// ends as CancelledError and leaves the door usable; a changed worker count restarts the workers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { runJob } from '../../../src/engine/jobs/runJob';
import { fixedPriority, RANK } from '../../../src/engine/pool/jobPriority';
import { watchPause } from '../../../src/host/backgroundPause';
import { CancelledError, EngineService } from '../../../src/host/engineService';
import type { ExplainResult } from '../../../src/protocol/engineJobs';
import { saveDigitMlp } from '../model/savedModels';
import { DIST, WORKER, bundleReady, stripedDigit } from '../bundles';

const digit = stripedDigit;

describe('engine service', () => {
  let modelPath: string;
  let workers = 2;
  let threads = 0;
  let engine: EngineService;

  before(async () => {
    await bundleReady(WORKER);
    modelPath = (await saveDigitMlp('service-mlp', 5, 12)).path;
    engine = new EngineService({ workerScript: WORKER, wasmDir: DIST, workers: () => workers, threads: () => threads });
  });

  after(() => engine.dispose());

  it('explains, predicts and describes the model as the engine does in this process', async () => {
    const job = { type: 'explain' as const, model: { path: modelPath }, images: [1, 2, 3].map(digit), methods: ['lrp-a2b1', 'gradient'], preprocess: 'none' as const };
    const viaService = await engine.explain(job);
    const here = (await runJob(job, { name: 'wasm-simd' })) as ExplainResult;
    assert.equal(viaService.explanations.length, 6);
    viaService.explanations.forEach((e, k) => {
      const h = here.explanations[k];
      assert.equal(e.image, h.image);
      assert.equal(e.method, h.method);
      const scale = Math.max(...h.relevance.map(Math.abs));
      e.relevance.forEach((v, i) => assert.ok(Math.abs(v - h.relevance[i]) <= 1e-6 * scale, `${e.method} image ${e.image} pixel ${i}`));
    });
    const pixels = new Uint8Array(2 * 784);
    pixels.set((digit(1) as { data: Uint8Array }).data, 0);
    pixels.set((digit(2) as { data: Uint8Array }).data, 784);
    const predicted = await engine.predict({ type: 'predict', model: { path: modelPath }, pixels, count: 2 });
    for (let i = 0; i < 2; i++) {
      const row = predicted.logits.subarray(i * 10, (i + 1) * 10);
      assert.equal(row.indexOf(Math.max(...row)), here.explanations[2 * i].predicted);
    }
    const info = await engine.modelInfo({ path: modelPath }, { method: 'deep-taylor' });
    assert.deepEqual(info.card.inputShape, [28, 28, 1]);
    assert.equal(info.nodes.find((n) => n.kind === 'dense')?.rule, 'z^B (input box) (first layer)');
    assert.match(await engine.describe(), /^wasm-simd · 1 thread · 2 workers$/);
  });

  it('a cancelled call ends as CancelledError; the next call runs', async () => {
    const controller = new AbortController();
    const long = engine.explain(
      { type: 'explain', model: { path: modelPath }, images: [digit(4)], methods: ['smoothgrad:samples=4096'], preprocess: 'none' },
      { signal: controller.signal, onProgress: () => controller.abort() },
    );
    await assert.rejects(long, (e) => e instanceof CancelledError);
    const after = await engine.explain({ type: 'explain', model: { path: modelPath }, images: [digit(4)], methods: ['gradient'], preprocess: 'none' });
    assert.equal(after.explanations.length, 1);
  });

  it('a visible panel\'s heatmap overtakes a data set\'s predictions, which say they are paused meanwhile', async () => {
    const notes: Array<string | undefined> = [];
    const stopWatching = watchPause(engine, (note) => notes.push(note));
    const count = 540;
    const pixels = new Uint8Array(count * 784);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7919) % 256;
    const answered: string[] = [];
    // As the dataset browser predicts: chunks of background work.
    const predictions = engine
      .predict({ type: 'predict', model: { path: modelPath }, pixels, count }, { chunkSize: 5, priority: fixedPriority(RANK.background, 'the data set browser') })
      .then((r) => (answered.push('predictions'), r));
    const heatmap = engine
      .explain({ type: 'explain', model: { path: modelPath }, images: [digit(7)], methods: ['lrp-a2b1'], preprocess: 'none' }, { priority: fixedPriority(RANK.current, 'the explain panel') })
      .then((r) => (answered.push('heatmap'), r));
    const [predicted, explained] = await Promise.all([predictions, heatmap]);
    stopWatching();
    assert.deepEqual(answered, ['heatmap', 'predictions']);
    assert.equal(predicted.probabilities.length, count * 10);
    assert.equal(explained.explanations.length, 1);
    assert.deepEqual(notes.slice(0, 3), [undefined, 'paused while the explain panel computes', undefined], 'told now, when paused, when free again');
  });

  it('a changed worker count restarts the workers with it', async () => {
    workers = 1;
    assert.equal(engine.workers, 1);
    assert.match(await engine.describe(), /· 1 worker$/);
    const result = await engine.explain({ type: 'explain', model: { path: modelPath }, images: [digit(5), digit(6)], methods: ['gradient'], preprocess: 'none' });
    assert.equal(result.explanations.length, 2);
  });

  it('a changed thread count restarts the workers on the threaded wasm build, same maps', async () => {
    const job = { type: 'explain' as const, model: { path: modelPath }, images: [digit(7)], methods: ['lrp-a2b1'], preprocess: 'none' as const };
    const oneThread = await engine.explain(job);
    threads = 2;
    assert.match(await engine.describe(), /^wasm-simd · 2 threads · 1 worker$/);
    const twoThreads = await engine.explain(job);
    assert.equal(twoThreads.backend.threads, 2);
    assert.deepEqual(twoThreads.explanations[0].relevance, oneThread.explanations[0].relevance);
  });
});
