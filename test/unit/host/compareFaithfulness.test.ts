// The comparison's Faithfulness section, host side (host/compareFaithfulness.ts): the pixel-flip jobs of
// the maps a figure holds (pixel flipping and ROAD) and the numbers per column, with the verdict. On real worker threads (dist/worker.js, WASM)
// through the host's EngineService: the figure's maps, explained one image per job as the comparison
// does, flipped with `flip`, give per column exactly what `evaluateFaithfulness` (its own explain jobs)
// gives per method; the means are checked by hand on made-up curves; failed cells and unreadable rows
// are left out; progress ends at the number of maps; Cancel ends as CancelledError.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { evaluateFaithfulness } from '../../../src/engine/evaluate/faithfulness';
import { verdictOf } from '../../../src/engine/evaluate/verdict';
import { columnsVerdict, evaluatedImages, faithfulnessColumns, figureFlipJob, flipSteps, randomisationColumns, randomisationStepNames, roadByDefault, type RowMaps } from '../../../src/host/compareFaithfulness';
import { contrastLabel, rowOptions } from '../../../src/host/compareRowOptions';
import { pickSampleIndices } from '../../../src/host/sampleIndices';
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

  it("gives per column the engine's scores ± standard errors, mean curves, ROAD and verdict of the same images", async () => {
    const images = [3, 4, 5, 6, 7, 8].map(stripedDigit);
    const rows = await figureRows(images);
    const steps = flipSteps(rows);
    assert.equal(steps, 20);
    assert.ok(roadByDefault(rows), 'ROAD runs by itself at 28×28');
    const { job, cells } = figureFlipJob({ path: modelPath }, rows, steps, { baseline: 'blur' });
    assert.equal(job.images.length, 6);
    assert.equal(job.items.length, 18);
    const progress: Array<[number, number]> = [];
    const curves = await engine.flip(job, { onProgress: (done, total) => progress.push([done, total]) });
    assert.deepEqual(progress[0], [0, 18]);
    assert.deepEqual(progress[progress.length - 1], [18, 18], `progress ${JSON.stringify(progress)}`);
    const road = await engine.flip({ ...job, measure: 'road' });
    const columns = faithfulnessColumns(METHODS.length, cells, curves, road);
    const names = ['Gradient', 'LRP-α2β1', 'Deep Taylor Decomposition'];
    const verdict = columnsVerdict('ABPC', names, rows.length, cells, curves);

    // The engine's own evaluation, on a pool of its own: explain jobs of its own, then its pixel flipping and ROAD.
    const pool = new WorkerPool({ size: 1, workerScript: WORKER, wasmDir: DIST });
    const engineResult = await evaluateFaithfulness(pool, { model: { path: modelPath }, images, methods: METHODS, preprocess: 'none', steps: 20, baseline: 'blur', road: true }).finally(() => pool.dispose());
    const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)), `${what}: section ${a}, engine ${b}`);
    engineResult.summary.forEach((s, k) => {
      const c = columns[k]!;
      assert.equal(c.images, 6);
      for (const key of ['aopcMorf', 'aopcLerf', 'abpc'] as const) {
        near(c[key], s[key], `${s.method} ${key}`);
        near(c.standardErrors[key], s.standardErrors[key], `${s.method} ${key} standard error`);
        near(c.road![key], s.road![key], `${s.method} ROAD ${key}`);
      }
      for (const order of ['morf', 'lerf'] as const) {
        assert.equal(c.meanCurves[order].length, 21);
        assert.equal(c.road!.meanCurves[order].length, 20);
        c.meanCurves[order].forEach((v, i) => near(v, s.meanCurves[order][i], `${s.method} ${order} point ${i}`));
        c.curveErrors[order].forEach((v, i) => near(v, s.curveErrors[order][i], `${s.method} ${order} band ${i}`));
      }
    });
    // The verdict over the columns is the engine's over the methods (the names are the columns' titles).
    assert.equal(verdict.sentence, engineResult.verdict.sentence.replace('Simple', 'Simple'));
    assert.equal(verdict.images, 6);
    assert.equal(verdict.leader, engineResult.verdict.leader);
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
    const rows = [row([map(1), undefined, map(2)]), undefined, row([undefined, undefined, undefined]), row([map(3), { ...map(4), contrast: 6 }, map(5)])];
    const { job, cells } = figureFlipJob({ path: 'm' }, rows, 20);
    assert.equal(job.items[3].contrast, 6, "a contrastive row's curves score f_c − f_c′");
    assert.equal(job.baseline, undefined);
    assert.equal(job.images.length, 2, 'rows 1 and 2 have no maps');
    assert.deepEqual(cells, [{ row: 0, column: 0 }, { row: 0, column: 2 }, { row: 3, column: 0 }, { row: 3, column: 1 }, { row: 3, column: 2 }]);
    assert.deepEqual(job.items.map((i) => [i.image, i.target]), [[0, 1], [0, 2], [1, 3], [1, 4], [1, 5]]);
    assert.equal(evaluatedImages(rows), 2);
    assert.equal(flipSteps(rows), 20);
    assert.equal(flipSteps([row([map(0)], 9)]), 9, 'K ≤ H·W');
    assert.equal(flipSteps(rows, 100), 100, 'the K asked for');
    assert.equal(flipSteps(rows, 5000), 784, 'at most one step per pixel');
    // 224×224: 8×8 patches, 28·28 = 784 units; K is at most that.
    assert.equal(flipSteps([{ ...row([map(0)], 224 * 224), shape: [224, 224] }], 5000), 784);
    assert.equal(roadByDefault([{ ...row([map(0)], 224 * 224), shape: [224, 224] }]), false, 'ROAD on request above 64×64');
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
    assert.deepEqual(columns[0]!.meanCurves.morf, [3, 2, 1]);
    assert.deepEqual(columns[0]!.meanCurves.lerf, [3, 2.5, 1.5]);
    // Standard errors over the two images: AOPC MoRF 2 and 0 → s = √2, s.e. = 1; the band at point 2: 0 and 2 → 1.
    assert.ok(Math.abs(columns[0]!.standardErrors.aopcMorf - 1) < 1e-15);
    assert.ok(Math.abs(columns[0]!.curveErrors.morf[2] - 1) < 1e-15);
    assert.equal(columns[1]!.aopcLerf, -1);
    assert.equal(columns[1]!.abpc, 1);
    assert.ok(Number.isNaN(columns[1]!.standardErrors.abpc), 'no standard error from one image');
    assert.equal(columns[0]!.road, undefined);
  });

  it('the verdict over columns pairs each column’s ABPC by row and names columns', () => {
    // Six rows (five could not be significant: exact p ≥ 1/16), two columns with maps, one without: column 2
    // better on every row than column 0, exact p = 2/2⁶.
    const rows = [0, 1, 2, 3, 4, 5];
    const cells = rows.flatMap((row) => [{ row, column: 0 }, { row, column: 2 }]);
    const curves = cells.map((c) => (c.column === 2 ? { morf: [4, 0], lerf: [4, 4 - c.row * 0.1] } : { morf: [2, 2 - c.row * 0.2], lerf: [2, 2] }));
    const v = columnsVerdict('ABPC', ['A', 'B', 'C'], 6, cells, curves);
    const expected = verdictOf({ score: 'ABPC', methods: [{ name: 'A', values: rows.map((r) => (r * 0.2) / 2) }, { name: 'C', values: rows.map((r) => 2 - (r * 0.1) / 2) }] });
    assert.match(v.sentence, /^Most faithful on these 6 images: C \(ABPC .*\); A is worse \(p < 0\.05\)\.$/);
    assert.equal(v.sentence, expected.sentence);
    assert.deepEqual([v.leader, v.tied, v.worse], [2, [], [0]]);
    assert.equal(v.enough, true);
  });

  it("a row's options: its class alone, then every contrast by probability; the samples added are seeded", () => {
    const options = rowOptions(2, Float32Array.from([0.1, 0.05, 0.6, 0.25]), ['a', 'b', 'c', 'd'], 3);
    assert.deepEqual(options.map((o) => [o.label, o.contrast]), [['Explain c', undefined], ['Why c and not d?', 3], ['Why c and not a?', 0], ['Why c and not b?', 1]]);
    assert.match(options[1].description!, /\(shown\)$/);
    assert.equal(contrastLabel('c (60.0%)', 3, ['a', 'b', 'c', 'd']), 'c (60.0%), not d');
    const picked = pickSampleIndices(100, 9, new Set([3, 4, 5]));
    assert.equal(picked.length, 9);
    assert.equal(new Set(picked).size, 9);
    assert.ok(picked.every((i) => i >= 0 && i < 100 && ![3, 4, 5].includes(i)));
    assert.deepEqual(picked, [...picked].sort((a, b) => a - b));
    assert.deepEqual(pickSampleIndices(100, 9, new Set([3, 4, 5])), picked, 'seeded: the same samples again');
    assert.deepEqual(pickSampleIndices(4, 9, new Set([1])), [0, 2, 3], 'no more than the file has');
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
