// "Evaluate Methods" of the dataset browser on real workers: its table (mean AOPC MoRF / LeRF / ABPC per
// seed method) equals, to the last digit, the summary of `explain-image evaluate --dataset … --indices …
// --json` run as a user runs it, for an RGB .npy whose samples are resized for the model (the shapes ResNet)
// and for an image folder (samples given as their files, as the CLI does); the protocol's own checks
// (hand-computed curves) are test/unit/evaluate/. Also: the numbers are finite and MoRF falls faster than
// LeRF for the gradient-times-input family on this trained model (ABPC > 0 for most methods).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { openDataset } from '../../../../src/engine/data/datasetFile';
import { SEED_METHODS } from '../../../../src/engine/methods/methodTable';
import { evaluateSamples } from '../../../../src/host/dataset/evaluateSamples';
import { EngineService } from '../../../../src/host/engineService';
import { shapesDataset, SHAPE_LABELS } from '../../../../scripts/fixtures/shapesData';
import { writeNpyUint8 } from '../../../../scripts/train/npy';
import { tempDir } from '../../data/datasetWriters';
import { CLI, DIST, WORKER, bundleReady } from '../../bundles';

const MODEL = path.resolve(__dirname, '../../../fixtures/onnx/shapes-resnet/shapes-resnet.onnx');

interface CliSummary {
  method: string;
  aopcMorf: number;
  aopcLerf: number;
  abpc: number;
  images: number;
}

function cliSummary(args: string[]): CliSummary[] {
  const r = spawnSync(process.execPath, [CLI, 'evaluate', ...args, '--model', MODEL, '--json', '--workers', '2'], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  // The means (the document has their standard errors too, which the table does not show).
  return (JSON.parse(r.stdout) as { summary: CliSummary[] }).summary.map(({ method, aopcMorf, aopcLerf, abpc, images }) => ({ method, aopcMorf, aopcLerf, abpc, images }));
}

describe('evaluateSamples (Evaluate Methods)', () => {
  let engine: EngineService;
  let dir: string;

  before(async () => {
    await bundleReady(WORKER);
    await bundleReady(CLI);
    dir = tempDir();
    engine = new EngineService({ workers: () => 2, workerScript: WORKER, wasmDir: DIST });
  });

  after(async () => {
    await engine.dispose();
  });

  it('an RGB .npy of 48×48 samples: the table equals `evaluate --dataset --indices` to the last digit', async () => {
    const { images } = shapesDataset(5, 48, 48, 3);
    const file = path.join(dir, 'shapes-48.npy');
    fs.writeFileSync(file, writeNpyUint8([5, 48, 48, 3], images));
    const dataset = await openDataset(file);
    let progress = 0;
    try {
      const result = await evaluateSamples(engine, dataset, [3, 0, 4], {
        model: { path: MODEL },
        methods: [...SEED_METHODS],
        preprocess: 'auto',
        onProgress: (done) => (progress = done),
      });
      assert.equal(result.steps, 20);
      assert.equal(progress, 3 * SEED_METHODS.length);
      assert.deepEqual(result.failed, []);
      const cli = cliSummary(['--dataset', file, '--indices', '3,0,4']);
      assert.deepEqual(
        result.rows.map(({ method, aopcMorf, aopcLerf, abpc, images }) => ({ method, aopcMorf, aopcLerf, abpc, images })),
        cli,
      );
      for (const row of result.rows) {
        assert.equal(row.images, 3);
        assert.ok(Number.isFinite(row.aopcMorf) && Number.isFinite(row.aopcLerf) && Number.isFinite(row.abpc), row.method);
        assert.ok(Math.abs(row.abpc - (row.aopcMorf - row.aopcLerf)) < 1e-9 * Math.max(1, Math.abs(row.abpc)), `${row.method}: ABPC = AOPC MoRF − AOPC LeRF`);
        assert.ok(row.title.length > 0);
      }
      // Titled as the seed figure titles its columns: LRP-αβ with real subscripts.
      assert.deepEqual(result.rows.find((r) => r.method === 'lrp-a1.2b0.2')?.title, [{ text: 'LRP-α' }, { text: '1.2', sub: true }, { text: 'β' }, { text: '0.2', sub: true }]);
      assert.deepEqual(result.rows.find((r) => r.method === 'sensitivity')?.title, [{ text: 'Sensitivity Analysis' }]);
      assert.ok(result.rows.filter((r) => r.abpc > 0).length >= 4, `most methods beat their own reverse order: ${JSON.stringify(result.rows)}`);
    } finally {
      await dataset.close();
    }
  });

  it('an image folder (samples as their files): the same numbers as the CLI on that folder', async () => {
    const root = path.join(dir, 'folder');
    const { images, labels } = shapesDataset(4, 40, 40, 9);
    for (let i = 0; i < 4; i++) {
      const png = new PNG({ width: 40, height: 40 });
      for (let p = 0; p < 1600; p++) {
        png.data.set(images.subarray((i * 1600 + p) * 3, (i * 1600 + p) * 3 + 3), p * 4);
        png.data[p * 4 + 3] = 255;
      }
      fs.mkdirSync(path.join(root, SHAPE_LABELS[labels[i]]), { recursive: true });
      fs.writeFileSync(path.join(root, SHAPE_LABELS[labels[i]], `${i}.png`), PNG.sync.write(png));
    }
    const dataset = await openDataset(root);
    try {
      const methods = ['gradient', 'lrp-epsilon'];
      const result = await evaluateSamples(engine, dataset, [0, 1, 2, 3], { model: { path: MODEL }, methods, preprocess: 'auto' });
      const cli = cliSummary(['--dataset', root, '--methods', methods.join(',')]);
      assert.deepEqual(
        result.rows.map(({ method, aopcMorf, aopcLerf, abpc, images }) => ({ method, aopcMorf, aopcLerf, abpc, images })),
        cli,
      );
    } finally {
      await dataset.close();
    }
  });
});
