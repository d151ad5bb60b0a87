// The comparison's Faithfulness section, host side (host/compareFaithfulness.ts): the pixel-flip job of
// the maps a figure holds and the numbers per column. On real worker threads (dist/worker.js, WASM)
// through the host's EngineService: the figure's maps, explained one image per job as the comparison
// does, flipped with `flip`, give per column exactly what `evaluateFaithfulness` (its own explain jobs)
// gives per method; the means are checked by hand on made-up curves; failed cells and unreadable rows
// are left out; progress ends at the number of maps; Cancel ends as CancelledError.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { evaluateFaithfulness } from '../../../src/engine/evaluate/faithfulness';
import { evaluatedImages, faithfulnessColumns, figureFlipJob, flipSteps, randomisationColumns, randomisationStepNames, type RowMaps } from '../../../src/host/compareFaithfulness';
import { CancelledError, EngineService } from '../../../src/host/engineService';
import { WorkerPool } from '../../../src/engine/pool/workerPool';
import type { ImageSource } from '../../../src/protocol/engineJobs';
import { saveDigitMlp } from '../model/savedModels';
import { DIST, WORKER, bundleReady, stripedDigit } from '../bundles';

const METHODS = ['gradient', 'lrp-a2b1', 'deep-taylor'];

describe('comparison faithfulness (host)', () => {
  let modelPath: string;
  let engine: EngineService;

  before(async () => {
    await bundleReady(WORKER);
    modelPath = (await saveDigitMlp('compare-faith-mlp', 21, 16)).path;
    engine = new EngineService({ workerScript: WORKER, wasmDir: DIST, workers: () => 2 });
  });

  after(() => engine.dispose());

  /** The figure's rows as the comparison keeps them: one explain job per image, all methods. */
  async function figureRows(images: ImageSource[]): Promise<RowMaps[]> {
    return Promise.all(
      images.map(async (image) => {
        const result = await engine.explain({ type: 'explain', model: { path: modelPath }, images: [image], methods: METHODS, preprocess: 'none' });
        const prepared = result.images[0];
        return {
          pixels: prepared.pixels,
          pixelCount: prepared.shape[0] * prepared.shape[1],
          maps: result.explanations.map((e) => ({ relevance: e.relevance.slice(), target: e.target })),
        };
      }),
    );
  }

  it("gives per column the engine's AOPC MoRF / LeRF, ABPC and mean MoRF curve of the same images", async () => {
    const images = [3, 4, 5].map(stripedDigit);
    const rows = await figureRows(images);
    const steps = flipSteps(rows);
    assert.equal(steps, 20);
    const { job, cells } = figureFlipJob({ path: modelPath }, rows, steps);
    assert.equal(job.images.length, 3);
    assert.equal(job.items.length, 9);
    const progress: Array<[number, number]> = [];
    const curves = await engine.flip(job, { onProgress: (done, total) => progress.push([done, total]) });
    assert.deepEqual(progress[0], [0, 9]);
    assert.deepEqual(progress[progress.length - 1], [9, 9], `progress ${JSON.stringify(progress)}`);
    const columns = faithfulnessColumns(METHODS.length, cells, curves);

    // The engine's own evaluation, on a pool of its own: explain jobs of its own, then its pixel flipping.
    const pool = new WorkerPool({ size: 1, workerScript: WORKER, wasmDir: DIST });
    const engineResult = await evaluateFaithfulness(pool, { model: { path: modelPath }, images, methods: METHODS, preprocess: 'none', steps: 20 }).finally(() => pool.dispose());
    engineResult.summary.forEach((s, k) => {
      const c = columns[k]!;
      assert.equal(c.images, 3);
      for (const key of ['aopcMorf', 'aopcLerf', 'abpc'] as const) {
        assert.ok(Math.abs(c[key] - s[key]) <= 1e-6 * Math.max(1, Math.abs(s[key])), `${s.method} ${key}: section ${c[key]}, engine ${s[key]}`);
      }
      assert.equal(c.meanMorf.length, 21);
      c.meanMorf.forEach((v, i) => assert.ok(Math.abs(v - s.meanCurves.morf[i]) <= 1e-6 * Math.max(1, Math.abs(v)), `${s.method} point ${i}`));
    });
    // Not a trivially equal pair: the methods differ.
    assert.notEqual(columns[0]!.abpc.toFixed(6), columns[1]!.abpc.toFixed(6));
  });

  it('cancelled, it ends as CancelledError and the next flip runs', async () => {
    const rows = await figureRows([6, 7].map(stripedDigit));
    const { job } = figureFlipJob({ path: modelPath }, rows, 20);
    const controller = new AbortController();
    const flipping = engine.flip(job, { signal: controller.signal });
    controller.abort();
    await assert.rejects(flipping, (e) => e instanceof CancelledError);
    assert.equal((await engine.flip(job)).length, 6);
  });
});

describe('comparison faithfulness numbers (by hand)', () => {
  const row = (maps: RowMaps['maps'], pixelCount = 784): RowMaps => ({ pixels: new Uint8Array(pixelCount), pixelCount, maps });
  const map = (target: number) => ({ relevance: new Float32Array(4), target });

  it('builds one item per map, leaving out failed cells and rows without maps', () => {
    const rows = [row([map(1), undefined, map(2)]), undefined, row([undefined, undefined, undefined]), row([map(3), map(4), map(5)])];
    const { job, cells } = figureFlipJob({ path: 'm' }, rows, 20);
    assert.equal(job.images.length, 2, 'rows 1 and 2 have no maps');
    assert.deepEqual(cells, [{ row: 0, column: 0 }, { row: 0, column: 2 }, { row: 3, column: 0 }, { row: 3, column: 1 }, { row: 3, column: 2 }]);
    assert.deepEqual(job.items.map((i) => [i.image, i.target]), [[0, 1], [0, 2], [1, 3], [1, 4], [1, 5]]);
    assert.equal(evaluatedImages(rows), 2);
    assert.equal(flipSteps(rows), 20);
    assert.equal(flipSteps([row([map(0)], 9)]), 9, 'K ≤ H·W');
    assert.equal(flipSteps(rows, 100), 100, 'the K asked for');
    assert.equal(flipSteps(rows, 5000), 784, 'at most one step per pixel');
  });

  it('means per column: AOPC = mean drop below the first value, ABPC = MoRF − LeRF', () => {
    // Column 0: two images; column 1: one; column 2: none.
    const cells = [{ column: 0 }, { column: 1 }, { column: 0 }];
    const curves = [
      { morf: [4, 2, 0], lerf: [4, 4, 3] }, // AOPC MoRF (0+2+4)/3 = 2, LeRF (0+0+1)/3 = 1/3
      { morf: [1, 1, 1], lerf: [1, 2, 3] }, // 0 and (0−1−2)/3 = −1
      { morf: [2, 2, 2], lerf: [2, 1, 0] }, // 0 and 1
    ];
    const columns = faithfulnessColumns(3, cells, curves);
    assert.deepEqual(columns[2], null);
    assert.equal(columns[0]!.images, 2);
    assert.ok(Math.abs(columns[0]!.aopcMorf - 1) < 1e-15);
    assert.ok(Math.abs(columns[0]!.aopcLerf - 2 / 3) < 1e-15);
    assert.ok(Math.abs(columns[0]!.abpc - 1 / 3) < 1e-15);
    assert.deepEqual(columns[0]!.meanMorf, [3, 2, 1]);
    assert.equal(columns[1]!.aopcLerf, -1);
    assert.equal(columns[1]!.abpc, 1);
  });

  it("maps the randomisation check's methods onto the figure's columns", () => {
    const steps = [{ layers: 0, layer: null }, { layers: 1, layer: 'logits' }, { layers: 2, layer: 'dense1' }];
    assert.deepEqual(randomisationStepNames({ steps }), ['trained', '+logits', '+dense1']);
    const summary = [
      { method: 'a', images: 2, spearman: [1, 0.5, 0.1], spearmanAbs: [1, 0.6, 0.2] },
      { method: 'c', images: 0, spearman: [NaN, NaN, NaN], spearmanAbs: [NaN, NaN, NaN] },
    ];
    assert.deepEqual(randomisationColumns(3, [0, 2], { summary }), [[1, 0.6, 0.2], null, null]);
  });
});
