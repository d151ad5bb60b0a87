// explainBatch on the real worker pool: a bad image costs only itself, and a job the engine cannot run
// at all is retried image by image, each subject then failing with a line naming it.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { batchSize, explainBatch, type Batch, type JobTemplate } from '../../../src/cli/explainBatches';
import { runInOrder } from '../../../src/cli/orderedWork';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { WorkerPool } from '../../../src/engine/pool/workerPool';
import type { ImageSource } from '../../../src/protocol/engineJobs';
import { saveModel, seedWeights, tempModelDir } from '../model/savedModels';

const DIST = path.resolve(__dirname, '../../../dist');

function pixels(seed: number): ImageSource {
  const data = Uint8Array.from({ length: 784 }, (_, i) => ((i * 37 + seed * 101) % 256 > 180 ? 255 : 0));
  return { kind: 'pixels', name: `s${seed}`, width: 28, height: 28, channels: 1, data };
}

describe('explainBatch', () => {
  let modelPath: string;
  let pool: WorkerPool;

  before(async () => {
    assert.ok(fs.existsSync(path.join(DIST, 'worker.js')), 'run "npm run build" first');
    await initBackend(nodeModulesWasmDir());
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10 })] });
    seedWeights(model, 3);
    modelPath = await saveModel(model, tempModelDir('batches-mlp'));
    model.dispose();
    pool = new WorkerPool({ size: 1, workerScript: path.join(DIST, 'worker.js'), wasmDir: DIST });
  });

  after(() => pool.dispose());

  const template = (model: string): JobTemplate => ({ type: 'explain', model: { path: model }, methods: ['gradient', 'lrp-z'], preprocess: 'none', target: null });
  const subjects = (n: number) => Array.from({ length: n }, (_, k) => ({ name: `/data/img-${k}.png`, stem: `img-${k}` }));

  it('a bad image among good ones: its own error, the others one explanation per method, in order', async () => {
    const batch: Batch = {
      subjects: subjects(3),
      images: [pixels(1), { kind: 'bytes', name: '/data/img-1.png', bytes: new Uint8Array([1, 2, 3]) }, pixels(3)],
    };
    const outcome = await explainBatch(pool, batch, template(modelPath));
    assert.equal(outcome.engineFailures, 0);
    assert.deepEqual(outcome.outcomes.map((o) => o.explanations.map((e) => e.method)), [['gradient', 'lrp-z'], [], ['gradient', 'lrp-z']]);
    assert.match(outcome.outcomes[1].error!, /^\/data\/img-1\.png: not an image in a known format/);
    assert.equal(outcome.outcomes[0].explanations[0].shape.join('×'), '28×28');
  });

  it('a job the engine cannot run: retried image by image, every subject failed by name, counted as engine failures', async () => {
    const missing = path.join(path.dirname(modelPath), 'gone', 'model.json');
    const outcome = await explainBatch(pool, { subjects: subjects(3), images: [pixels(1), pixels(2), pixels(3)] }, template(missing));
    assert.equal(outcome.engineFailures, 3);
    outcome.outcomes.forEach((o, k) => {
      assert.ok(o.error!.startsWith(`/data/img-${k}.png: `), o.error);
      assert.match(o.error!, /model\.json/);
      assert.ok(!o.error!.includes('\n'));
    });
  });

  it('a batch whose pixels could not be read fails each of its subjects with that reason', async () => {
    const outcome = await explainBatch(pool, { subjects: subjects(2), images: { error: '/data/set.npy: file ended at byte 100' } }, template(modelPath));
    assert.deepEqual(outcome.outcomes.map((o) => o.error), ['/data/img-0.png: /data/set.npy: file ended at byte 100', '/data/img-1.png: /data/set.npy: file ended at byte 100']);
    assert.equal(outcome.engineFailures, 0);
  });

  it('runInOrder keeps the input order with work finishing out of order, and never has more than the window in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const emitted: number[] = [];
    async function* items() {
      for (let i = 0; i < 20; i++) yield i;
    }
    await runInOrder(
      items(),
      3,
      async (i) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, (i * 7) % 5)); // later items often finish first
        inFlight--;
        return i;
      },
      (i) => void emitted.push(i),
    );
    assert.deepEqual(emitted, Array.from({ length: 20 }, (_, i) => i));
    assert.equal(most, 3);
  });

  it('batch sizes: 32 for MNIST and CIFAR inputs, fewer for big ones, at least 1', () => {
    assert.deepEqual([batchSize([28, 28, 1]), batchSize([32, 32, 3]), batchSize([64, 64, 3]), batchSize([224, 224, 3])], [32, 32, 8, 1]);
  });
});
