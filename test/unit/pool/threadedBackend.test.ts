// The engine workers on tfjs's threaded SIMD wasm build (src/engine/wasmThreads.ts): XNNPACK threads inside
// each worker thread give the same maps, bit for bit, as the one-thread SIMD build; a worker whose threaded
// build cannot start falls back to one thread and says why; stopping a worker ends its pthreads.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { THREADED_FILES } from '../../../src/engine/wasmThreads';
import { WorkerPool } from '../../../src/engine/pool/workerPool';
import type { ExplainJob, ExplainResult, ImageSource } from '../../../src/protocol/engineJobs';
import { resnet18OnnxFile } from '../../bench/resnet18Onnx';
import { random } from '../methods/reference';
import { DIST, WORKER, bundleReady } from '../bundles';

const FIXTURES = path.resolve(__dirname, '../../fixtures');
const SEED = ['sensitivity', 'guided-backprop', 'simple-taylor', 'deep-taylor', 'lrp-a1.2b0.2', 'lrp-a1.5b0.5', 'lrp-a2b1'];
/** Beyond the seed set: the other rule paths (ε, γ with its variants, z⁺ flat composite), pooling, IG. */
const MORE = ['gradient', 'lrp-epsilon', 'lrp-gamma:gamma=0.25', 'epsilon-plus-flat', 'epsilon-gamma-box', 'integrated-gradients:steps=8'];

function randomImage(h: number, w: number, c: 1 | 3, seed: number): ImageSource {
  const rand = random(seed);
  return { kind: 'pixels', name: `random-${seed}`, width: w, height: h, channels: c, data: Uint8Array.from({ length: h * w * c }, () => Math.floor(rand() * 256)) };
}

function explainJob(model: string, images: ImageSource[], methods: string[]): ExplainJob {
  return { type: 'explain', model: { path: model }, images, methods, preprocess: 'none' };
}

/** Every map, probability and logit of `b` equals `a`'s bit for bit (Object.is: −0 and NaN too). */
function assertSameBits(a: ExplainResult, b: ExplainResult, what: string): void {
  assert.equal(b.explanations.length, a.explanations.length, what);
  a.explanations.forEach((e, k) => {
    const f = b.explanations[k];
    assert.equal(f.method, e.method);
    assert.ok(Object.is(f.logit, e.logit) && Object.is(f.relevanceSum, e.relevanceSum), `${what}, ${e.method}: logit, Σ R`);
    for (const key of ['relevance', 'probabilities'] as const) {
      const x = e[key];
      const y = f[key];
      assert.equal(y.length, x.length);
      const i = x.findIndex((v, j) => !Object.is(v, y[j]));
      assert.equal(i, -1, `${what}, ${e.method}, ${key}[${i}]: ${x[i]} one thread, ${y[i]} threaded`);
    }
  });
}

/** OS threads of this process (Linux), or undefined elsewhere. */
function osThreads(): number | undefined {
  try {
    return Number(/^Threads:\s+(\d+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1]);
  } catch {
    return undefined;
  }
}

describe('threaded wasm build in the engine workers', () => {
  let single: WorkerPool;
  let threaded: WorkerPool;
  let resnet18: string;

  before(async () => {
    await bundleReady(WORKER);
    resnet18 = resnet18OnnxFile();
    single = new WorkerPool({ size: 1, threads: 1, workerScript: WORKER, wasmDir: DIST });
    threaded = new WorkerPool({ size: 1, threads: 2, workerScript: WORKER, wasmDir: DIST });
  });

  after(async () => {
    await single.dispose();
    await threaded.dispose();
  });

  it('starts with the threads asked for, the pthread scripts written beside the .wasm files at build time', async () => {
    for (const file of Object.values(THREADED_FILES)) assert.ok(fs.existsSync(path.join(DIST, file)), `${file} in dist/`);
    assert.deepEqual(await single.backend(), { name: 'wasm-simd', threads: 1 });
    assert.deepEqual(await threaded.backend(), { name: 'wasm-simd', threads: 2 });
  });

  it('gives the same maps, logits and probabilities as one thread, bit for bit (ResNet-18 at 224, MobileNet-v2, mnist-cnn)', async () => {
    const cases: Array<[string, ImageSource[], string[]]> = [
      [resnet18, [randomImage(224, 224, 3, 1)], SEED],
      [path.join(FIXTURES, 'onnx', 'mobilenet-v2-w025.onnx'), [randomImage(32, 32, 3, 2), randomImage(32, 32, 3, 3)], [...SEED, ...MORE]],
      [path.resolve(__dirname, '../../../models/mnist-cnn/model.json'), [1, 2, 3].map((s) => randomImage(28, 28, 1, s)), [...SEED, ...MORE]],
    ];
    for (const [model, images, methods] of cases) {
      const job = explainJob(model, images, methods);
      const [a, b] = await Promise.all([single.run(job), threaded.run(job)]);
      assert.equal(a.explanations.length, images.length * methods.length);
      assertSameBits(a, b, path.basename(model));
    }
  });

  it('predicts the same logits, bit for bit, at batch 64', async () => {
    const model = path.resolve(__dirname, '../../../models/mnist-cnn/model.json');
    const rand = random(9);
    const pixels = Uint8Array.from({ length: 64 * 784 }, () => Math.floor(rand() * 256));
    const job = { type: 'predict' as const, model: { path: model }, pixels, count: 64 };
    const [a, b] = await Promise.all([single.run(job), threaded.run(job)]);
    assert.deepEqual(Array.from(b.logits), Array.from(a.logits));
  });

  it('falls back to the one-thread SIMD build, saying why, when the threaded build cannot start', async () => {
    const cases: Array<[string, (dir: string) => void, RegExp]> = [
      ['pthread script missing', (dir) => fs.rmSync(path.join(dir, THREADED_FILES.worker)), /tfjs-backend-wasm-threaded-simd\.worker\.js missing in /],
      ['factory broken', (dir) => fs.writeFileSync(path.join(dir, THREADED_FILES.factory), 'this is not { javascript'), /a pthread failed to load: /],
      ['threaded binary broken', (dir) => fs.writeFileSync(path.join(dir, THREADED_FILES.wasm), 'not wasm'), /threaded wasm build did not start/],
    ];
    const model = path.resolve(__dirname, '../../../models/mnist-cnn/model.json');
    const job = explainJob(model, [randomImage(28, 28, 1, 4)], ['lrp-a2b1', 'guided-backprop']);
    const expected = await single.run(job);
    for (const [what, breakIt, reason] of cases) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'explain-image-threads-'));
      try {
        for (const f of fs.readdirSync(DIST).filter((f) => f.startsWith('tfjs-backend-wasm'))) fs.copyFileSync(path.join(DIST, f), path.join(dir, f));
        breakIt(dir);
        const pool = new WorkerPool({ size: 1, threads: 2, workerScript: WORKER, wasmDir: dir });
        try {
          const backend = await pool.backend();
          assert.equal(backend.name, 'wasm-simd', what);
          assert.equal(backend.threads, 1, what);
          assert.match(backend.reason ?? '', /^2 threads asked for, but the threaded wasm build did not start \(.*\); one thread$/, what);
          assert.match(backend.reason ?? '', reason, what);
          // The worker is not left broken: it explains, the same maps as ever.
          assertSameBits(expected, await pool.run(job), what);
        } finally {
          await pool.dispose();
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it("keeps one pthread per extra thread (the idle ones emscripten starts are stopped), and a worker's terminate ends them", async (t) => {
    if (osThreads() === undefined) return t.skip('no /proc/self/status here');
    const settle = async () => {
      // Exiting threads leave the count a little after terminate() resolves.
      for (let i = 0; i < 50 && osThreads() !== before; i++) await new Promise((r) => setTimeout(r, 20));
    };
    const before = osThreads()!;
    const counts: number[] = [];
    for (const threads of [1, 4]) {
      const pool = new WorkerPool({ size: 1, threads, workerScript: WORKER, wasmDir: DIST });
      assert.equal((await pool.backend()).threads, threads);
      // Let the stopped pthreads exit.
      for (let i = 0; i < 25; i++) await new Promise((r) => setTimeout(r, 20));
      counts.push(osThreads()! - before);
      await pool.dispose();
      await settle();
      assert.equal(osThreads(), before, `${threads} threads: every OS thread of the worker ended with it`);
    }
    // A worker thread (with its V8 helper threads) for one thread; three more pthreads for four threads,
    // not the eight emscripten starts (each a Node worker with several OS threads of its own).
    const perPthread = (counts[1] - counts[0]) / 3;
    assert.ok(counts[1] > counts[0], `threads ${JSON.stringify(counts)}`);
    assert.ok(Number.isInteger(perPthread) && perPthread <= (counts[0] + 1), `OS threads per worker: ${JSON.stringify(counts)}`);
  });
});
