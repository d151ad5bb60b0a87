// Background predictions of a whole data set through the host's engine service on real worker threads
// (dist/worker.js from `npm run build`, WASM backend), checked sample by sample against the network
// evaluated with plain loops in this file.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { openDataset, type Dataset } from '../../../../src/engine/data/datasetFile';
import { DEFAULT_PREDICT_CHUNK, predictChunkFor, predictDataset } from '../../../../src/host/dataset/predictDataset';
import { accuracyOf } from '../../../../src/host/dataset/predictionStats';
import { PNG } from 'pngjs';
import { CancelledError, EngineService } from '../../../../src/host/engineService';
import { idxImages, idxLabels, makeImages, makeLabels, PIXELS, tempDir } from '../../data/datasetWriters';
import { saveDigitMlp } from '../../model/savedModels';
import { DIST, WORKER, bundleReady } from '../../bundles';

/** Not a multiple of the chunk size, so the last chunk is short. */
const COUNT = 1050;
const CHUNK = 100;
const HIDDEN = 16;

describe('predictDataset', () => {
  let engine: EngineService;
  let dataset: Dataset;
  let modelPath: string;
  let images: Uint8Array;
  let labels: Uint8Array;
  /** Dense weights, row-major [in][out], and biases, as plain arrays for the reference. */
  let w1: Float32Array, b1: Float32Array, w2: Float32Array, b2: Float32Array;

  before(async () => {
    await bundleReady(WORKER);
    let weights: Float32Array[];
    ({ path: modelPath, weights } = await saveDigitMlp('dataset-mlp', 11, HIDDEN));
    [w1, b1, w2, b2] = weights;

    const dir = tempDir();
    images = makeImages(COUNT);
    labels = makeLabels(COUNT);
    fs.writeFileSync(path.join(dir, 'set-images-idx3-ubyte'), idxImages(images));
    fs.writeFileSync(path.join(dir, 'set-labels-idx1-ubyte'), idxLabels(labels));
    dataset = await openDataset(path.join(dir, 'set-images-idx3-ubyte'));
    engine = new EngineService({ workers: () => 2, workerScript: WORKER, wasmDir: DIST });
  });

  after(async () => {
    await engine.dispose();
    await dataset.close();
  });

  /** Logits of sample i: pixels / 255 → dense+ReLU → dense, in doubles. */
  function referenceLogits(i: number): number[] {
    const hidden = new Array<number>(HIDDEN).fill(0);
    for (let h = 0; h < HIDDEN; h++) {
      let z = b1[h];
      for (let k = 0; k < PIXELS; k++) z += (images[i * PIXELS + k] / 255) * w1[k * HIDDEN + h];
      hidden[h] = Math.max(0, z);
    }
    const logits: number[] = [];
    for (let c = 0; c < 10; c++) {
      let z = b2[c];
      for (let h = 0; h < HIDDEN; h++) z += hidden[h] * w2[h * 10 + c];
      logits.push(z);
    }
    return logits;
  }

  it('predicts every sample once, in chunks, matching the network computed by hand', async () => {
    const seen = new Uint8Array(COUNT);
    const progress: number[] = [];
    const result = await predictDataset(engine, dataset, { path: modelPath }, {
      chunkSize: CHUNK,
      onChunk: (start, stats, done, total) => {
        assert.equal(total, COUNT);
        assert.equal(stats.predicted.length, Math.min(CHUNK, COUNT - start));
        for (let i = start; i < start + stats.predicted.length; i++) seen[i]++;
        progress.push(done);
      },
    });
    assert.ok(seen.every((n) => n === 1), 'every sample in exactly one chunk');
    assert.equal(progress.length, Math.ceil(COUNT / CHUNK));
    assert.equal(progress[progress.length - 1], COUNT);
    assert.ok(progress.every((d, k) => k === 0 || d > progress[k - 1]), 'progress only grows');
    assert.equal(result.classes, 10);

    let margins = 0;
    for (let i = 0; i < COUNT; i++) {
      const z = referenceLogits(i);
      const max = Math.max(...z);
      const sum = z.reduce((s, v) => s + Math.exp(v - max), 0);
      const p = z.map((v) => Math.exp(v - max) / sum);
      const best = p.indexOf(Math.max(...p));
      const second = Math.max(...p.filter((_, k) => k !== best));
      // float32 vs double: only compare the argmax where the top two are not a near tie.
      if (p[best] - second > 1e-4) {
        assert.equal(result.predicted[i], best, `sample ${i}`);
        margins++;
      }
      assert.ok(Math.abs(result.confidence[i] - p[best]) < 1e-4, `confidence of sample ${i}`);
      const loss = -Math.log(p[labels[i]]);
      assert.ok(Math.abs(result.loss![i] - loss) < 1e-3 * Math.max(1, loss), `loss of sample ${i}: ${result.loss![i]} vs ${loss}`);
    }
    assert.ok(margins > COUNT * 0.9, `argmax checked on ${margins} samples`);
  });

  it('stops on cancel with CancelledError, leaving the engine usable', async () => {
    const controller = new AbortController();
    let chunks = 0;
    await assert.rejects(
      predictDataset(engine, dataset, { path: modelPath }, {
        chunkSize: CHUNK,
        signal: controller.signal,
        onChunk: () => {
          chunks++;
          controller.abort();
        },
      }),
      (e) => e instanceof CancelledError,
    );
    assert.ok(chunks < Math.ceil(COUNT / CHUNK), `stopped after ${chunks} chunks`);
    const again = await predictDataset(engine, dataset, { path: modelPath }, { chunkSize: 500 });
    assert.equal(again.predicted.length, COUNT);
  });

  it('reports a broken model as the error it is, not as a cancel', async () => {
    const missing = path.join(path.dirname(modelPath), 'no-such-model.json');
    await assert.rejects(
      predictDataset(engine, dataset, { path: missing }, { chunkSize: CHUNK }),
      (e) => e instanceof Error && e.name !== 'CancelledError' && /no-such-model/.test(e.message),
    );
  });

  it('gives an image folder\'s damaged file no prediction (class −1), the others theirs, matching the network by hand', async () => {
    const root = tempDir();
    const files: string[] = [];
    for (let i = 0; i < 6; i++) {
      const png = new PNG({ width: 28, height: 28 });
      for (let p = 0; p < PIXELS; p++) {
        png.data.fill(images[i * PIXELS + p], p * 4, p * 4 + 3);
        png.data[p * 4 + 3] = 255;
      }
      const cls = String(labels[i]);
      fs.mkdirSync(path.join(root, cls), { recursive: true });
      files.push(path.join(root, cls, `${i}.png`));
      fs.writeFileSync(files[i], PNG.sync.write(png));
    }
    fs.writeFileSync(path.join(root, String(labels[0]), 'zz-damaged.png'), PNG.sync.write(new PNG({ width: 28, height: 28 })).subarray(0, 50));
    const folder = await openDataset(root);
    try {
      const result = await predictDataset(engine, folder, { path: modelPath }, { chunkSize: 4 });
      const damaged = [...folder.unreadable.keys()];
      assert.equal(damaged.length, 1);
      assert.match(folder.unreadable.get(damaged[0])!, /zz-damaged\.png/);
      assert.equal(result.predicted[damaged[0]], -1);
      assert.ok(Number.isNaN(result.confidence[damaged[0]]));
      for (let s = 0; s < folder.count; s++) {
        if (s === damaged[0]) continue;
        const file = folder.sampleFile!(s);
        const i = files.indexOf(file);
        const z = referenceLogits(i);
        assert.equal(result.predicted[s], z.indexOf(Math.max(...z)), `sample ${s} (${file})`);
      }
      const accuracy = accuracyOf(result.predicted, folder.labels!);
      assert.equal(accuracy.counted, folder.count - 1, 'the damaged file is not counted');
    } finally {
      await folder.close();
    }
  });

  it('sizes jobs by input values: 250 for 28×28×1, 63 for 32×32×3, at least 16 for large inputs', () => {
    assert.equal(predictChunkFor([28, 28, 1]), DEFAULT_PREDICT_CHUNK);
    assert.equal(predictChunkFor([32, 32, 3]), 63);
    assert.equal(predictChunkFor([224, 224, 3]), 16);
    assert.equal(predictChunkFor([8, 8, 1]), DEFAULT_PREDICT_CHUNK);
  });
});
