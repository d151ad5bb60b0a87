// One image with several methods is split by methods over the workers (pool/methodSplit.ts) once a call
// has shown the model is worth it: the cost model counted by hand for the seed set, every method placed
// exactly once, the merged result of real worker threads equal to one worker's call (order, names,
// targets, maps, image errors) on the residual RGB ONNX fixture, and a small model never split.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseMethodSpec } from '../../../src/engine/methods/methodRegistry';
import { SEED_METHODS } from '../../../src/engine/methods/methodTable';
import { callCost, splitMethods } from '../../../src/engine/pool/methodSplit';
import { explainInParallel, SPLIT_POLICY } from '../../../src/engine/pool/parallelJobs';
import { WorkerPool } from '../../../src/engine/pool/workerPool';
import type { ExplainJob, ExplainResult, ImageSource } from '../../../src/protocol/engineJobs';

const REPO = path.resolve(__dirname, '../../..');
const DIST = path.join(REPO, 'dist');
const WORKER = path.join(DIST, 'worker.js');
const FIXTURE = path.join(REPO, 'test/fixtures/onnx/shapes-resnet');
const SEED = [...SEED_METHODS];

describe('method split: cost model', () => {
  it('counts passes as explain shares them (forward, ReLU variants, z⁺ and z⁻ once, VJPs per αβ member)', () => {
    const cost = (methods: string[]) => callCost(methods.map(parseMethodSpec));
    // forward + gradient block (sensitivity and simple Taylor share it) + guided block.
    assert.equal(cost(['sensitivity', 'simple-taylor', 'guided-backprop']), 3);
    // forward + z⁺ + one W⁺ VJP.
    assert.equal(cost(['deep-taylor']), 3);
    // forward + z⁺ + z⁻ + (W⁺, W⁻) VJPs per preset.
    assert.equal(cost(['lrp-a2b1']), 5);
    assert.equal(cost(['lrp-a1.2b0.2', 'lrp-a1.5b0.5', 'lrp-a2b1']), 9);
    // All seven: 1 + 2 + 2 + 1 + 3 · 2.
    assert.equal(cost(SEED), 12);
  });

  it('splits the seed set over two workers so that the costlier part is 8 passes, each method once', () => {
    const parts = splitMethods(SEED, 2);
    assert.equal(parts.length, 2);
    assert.deepEqual(parts.flat().sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6]);
    const costs = parts.map((p) => callCost(p.map((k) => parseMethodSpec(SEED[k]))));
    assert.equal(Math.max(...costs), 8);
    assert.deepEqual(splitMethods(SEED, 1), [[0, 1, 2, 3, 4, 5, 6]]);
    assert.deepEqual(splitMethods(['lrp-a2b1'], 2), [[0]]);
    // Sensitivity and simple Taylor share their whole backward pass: apart they would cost more.
    assert.deepEqual(splitMethods(['sensitivity', 'simple-taylor'], 2), [[0, 1]]);
    // Four workers: no part costs more than two αβ presets with their forward terms.
    const four = splitMethods(SEED, 4);
    assert.ok(Math.max(...four.map((p) => callCost(p.map((k) => parseMethodSpec(SEED[k]))))) <= 5);
  });
});

describe('method split on real workers: the same result as one call', () => {
  let pool: WorkerPool;
  const runs: number[] = [];

  const shippedMinMs = SPLIT_POLICY.minMs;
  before(() => {
    // These tests pin what a split returns; when a split happens is pinned by the last one against the
    // measured engine times, so that neither depends on how fast this machine is.
    SPLIT_POLICY.minMs = 0;
    assert.ok(fs.existsSync(WORKER), `${WORKER} is missing: run "npm run build" first`);
    pool = new WorkerPool({ size: 2, workerScript: WORKER, wasmDir: DIST });
    const run = pool.run.bind(pool);
    pool.run = ((job, signal, onProgress) => {
      runs.push(job.type === 'explain' ? job.methods.length : 0);
      return run(job, signal, onProgress);
    }) as WorkerPool['run'];
  });

  after(() => {
    SPLIT_POLICY.minMs = shippedMinMs;
    return pool.dispose();
  });

  const job = (images: ImageSource[], targets?: ExplainJob['targets']): ExplainJob => ({
    type: 'explain',
    model: { path: path.join(FIXTURE, 'shapes-resnet.onnx') },
    images,
    methods: SEED,
    targets,
    preprocess: 'auto',
  });

  function assertSame(split: ExplainResult, whole: ExplainResult): void {
    assert.equal(split.explanations.length, whole.explanations.length);
    assert.deepEqual(split.images.map((i) => [i.name, i.error, i.pixels.length]), whole.images.map((i) => [i.name, i.error, i.pixels.length]));
    split.explanations.forEach((e, k) => {
      const w = whole.explanations[k];
      assert.deepEqual([e.image, e.method, e.target, e.predicted], [w.image, w.method, w.target, w.predicted]);
      let scale = 0;
      let worst = 0;
      for (let i = 0; i < w.relevance.length; i++) {
        scale = Math.max(scale, Math.abs(w.relevance[i]));
        worst = Math.max(worst, Math.abs(e.relevance[i] - w.relevance[i]));
      }
      assert.ok(scale > 0, `${w.method}: an all-zero map`);
      assert.ok(worst <= 1e-6 * scale, `${w.method} target ${w.target}: max difference ${worst} of max |R| ${scale}`);
    });
  }

  it('one PNG × the seven seed methods: whole the first time, then two parts, merged like one call', async () => {
    const image: ImageSource = { kind: 'file', path: path.join(FIXTURE, 'triangle-72x96.png') };
    const whole = await pool.run(job([image]));
    runs.length = 0;
    // The first call of a model runs whole and measures it.
    await explainInParallel(pool, job([image]));
    assert.equal(runs.length, 1);
    runs.length = 0;
    const split = await explainInParallel(pool, job([image]));
    assert.equal(runs.length, 2, 'the job went to both workers');
    assert.equal(runs.reduce((a, b) => a + b, 0), 7);
    assert.deepEqual(split.explanations.map((e) => e.method), SEED);
    assertSame(split, whole);
  });

  it('a model is split only once a call of it took SPLIT_POLICY.minMs of engine time (15 ms: an MNIST-size model normally never is)', async () => {
    SPLIT_POLICY.minMs = shippedMinMs;
    const small: ExplainJob = {
      type: 'explain',
      model: { path: path.join(REPO, 'test/fixtures/onnx/mnist-view-flatten-opset17.onnx') },
      images: [{ kind: 'pixels', name: 'digit', width: 28, height: 28, channels: 1, data: Uint8Array.from({ length: 784 }, (_, i) => (i * 37) % 256) }],
      methods: SEED,
      preprocess: 'none',
    };
    let previousMs: number | undefined;
    try {
      for (let k = 0; k < 4; k++) {
        runs.length = 0;
        const result = await explainInParallel(pool, small);
        assert.equal(result.explanations.length, 7);
        const shouldSplit = previousMs !== undefined && previousMs >= SPLIT_POLICY.minMs;
        assert.deepEqual(runs.length, shouldSplit ? 2 : 1, `call ${k} after ${previousMs} ms of engine time`);
        assert.equal(runs.reduce((a, b) => a + b, 0), 7);
        previousMs = result.explanations.reduce((t, e) => t + e.ms, 0);
      }
    } finally {
      SPLIT_POLICY.minMs = 0;
    }
  });

  it('two targets per method, and an unreadable file reported once with no maps', async () => {
    const image: ImageSource = { kind: 'file', path: path.join(FIXTURE, 'cross-64x64.png') };
    const both = job([image], [[0, 2]]);
    assertSame(await explainInParallel(pool, both), await pool.run(both));
    const broken = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'explain-image-split-')), 'broken.png');
    fs.writeFileSync(broken, Buffer.from('not a png'));
    const bad = job([{ kind: 'file', path: broken }]);
    const split = await explainInParallel(pool, bad);
    assert.equal(split.explanations.length, 0);
    assert.equal(split.images.length, 1);
    assert.match(split.images[0].error ?? '', /broken\.png/);
  });
});
