// 1,000 explains through real worker threads leave every worker's tensors where they were once every
// method has run on it (the prepared-weight cache is then complete): the residual RGB ONNX fixture, the seven seed methods for one image (split over both workers),
// single methods, several images with several targets, IG and SmoothGrad, and a job whose image cannot be
// read. Tensor counts and bytes are the workers' own (tf.memory() in each worker, the 'memory' job).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SEED_METHODS } from '../../../src/engine/methods/methodTable';
import { explainInParallel } from '../../../src/engine/pool/parallelJobs';
import { WorkerPool } from '../../../src/engine/pool/workerPool';
import type { ExplainJob, ImageSource } from '../../../src/protocol/engineJobs';

const REPO = path.resolve(__dirname, '../../..');
const DIST = path.join(REPO, 'dist');
const FIXTURE = path.join(REPO, 'test/fixtures/onnx/shapes-resnet');
const SEED = [...SEED_METHODS];

type Memory = { numTensors: number; numBytes: number };

describe('no tensor leak over 1,000 explains on the worker pool', () => {
  let pool: WorkerPool;

  before(() => {
    assert.ok(fs.existsSync(path.join(DIST, 'worker.js')), 'dist/worker.js is missing: run "npm run build" first');
    pool = new WorkerPool({ size: 2, workerScript: path.join(DIST, 'worker.js'), wasmDir: DIST });
  });

  after(() => pool.dispose());

  /** Each started worker's memory (the pool starts its second worker when two jobs wait at once). */
  const memory = async (): Promise<Memory[]> => (await pool.runOnEachWorker({ type: 'memory' })).map(({ numTensors, numBytes }) => ({ numTensors, numBytes }));

  it('tensor counts and bytes of both workers are unchanged from the first round to heatmap 1,000', async () => {
    const pixels = (seed: number): ImageSource => ({
      kind: 'pixels',
      name: `noise-${seed}`,
      width: 32,
      height: 32,
      channels: 3,
      data: Uint8Array.from({ length: 32 * 32 * 3 }, (_, i) => (i * 131 + seed * 977) % 256),
    });
    const job = (images: ImageSource[], methods: string[], targets?: ExplainJob['targets']): ExplainJob => ({
      type: 'explain',
      model: { path: path.join(FIXTURE, 'shapes-resnet.onnx') },
      images,
      methods,
      targets,
      preprocess: 'auto',
    });
    const unreadable = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'explain-image-leaks-')), 'truncated.png');
    fs.writeFileSync(unreadable, fs.readFileSync(path.join(FIXTURE, 'circle-64x64.png')).subarray(0, 200));

    let heatmaps = 0;
    /** One round: 7 + 4 + 12 + 2 + 1 heatmaps and an unreadable file. */
    const round = async (r: number) => {
      const results = await Promise.all([
        explainInParallel(pool, job([pixels(r)], SEED)),
        explainInParallel(pool, job([pixels(r + 1), pixels(r + 2), pixels(r + 3), pixels(r + 4)], [SEED[r % SEED.length]])),
        explainInParallel(pool, job([pixels(r + 5), { kind: 'file', path: path.join(FIXTURE, 'square-72x96.png') }], ['lrp-a2b1', 'guided-backprop', 'deep-taylor'], [[0, 1, 3], null])),
        explainInParallel(pool, job([pixels(r + 6)], ['integrated-gradients:steps=4', 'smoothgrad:samples=3'])),
        pool.run(job([{ kind: 'file', path: unreadable }, pixels(r + 7)], ['sensitivity'])),
      ]);
      assert.equal(results[4].images[0].error !== undefined, true);
      heatmaps += results.reduce((t, res) => t + res.explanations.length, 0);
    };

    // Every method together and each alone once on each worker first: the per-network cache of prepared
    // weights (W⁺, W⁻, z^B terms, and α·W⁺, −β·W⁻ for a preset on its own) fills on first use and then
    // stays; what must not grow is everything after that.
    const methods = [...SEED, 'integrated-gradients:steps=4', 'smoothgrad:samples=3'];
    for (const set of [methods, ...methods.map((m) => [m])]) await Promise.all([pool.run(job([pixels(99)], set)), pool.run(job([pixels(98)], set))]);
    await round(0);
    const first = await memory();
    assert.equal(first.length, 2, 'both workers started');
    assert.ok(first.every((m) => m.numTensors > 0), 'both workers hold the model');
    let r = 1;
    while (heatmaps < 1000) await round(r++);
    const last = await memory();
    assert.ok(heatmaps >= 1000);
    assert.deepEqual(last, first, `after ${heatmaps} heatmaps in ${r} rounds`);
  });
});
