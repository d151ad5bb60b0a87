// Engine health (issue 20): a worker whose WebAssembly instance faulted is replaced before it takes another
// job, the job that faulted gets one line, the pool's other jobs carry on. The fault is real: the
// 'wasm-fault' job makes the wasm backend write far out of bounds (as a Pad of 30,000 in a model did), on
// the real bundled worker; a bare worker, outside the pool, shows what happens without the replacement.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';

import { WorkerPool } from '../../../src/engine/pool/workerPool';
import type { ExplainJob, ExplainResult } from '../../../src/protocol/engineJobs';
import type { FromWorker, ToWorker, WorkerInit } from '../../../src/protocol/workerMessages';
import { saveDigitMlp } from '../model/savedModels';
import { DIST, WORKER, bundleReady, stripedDigit } from '../bundles';

describe('engine health', () => {
  let modelPath: string;

  before(async () => {
    await bundleReady(WORKER);
    modelPath = (await saveDigitMlp('health-mlp', 11, 16)).path;
  });

  const job = (seed: number): ExplainJob => ({ type: 'explain', model: { path: modelPath }, images: [stripedDigit(seed)], methods: ['lrp-a2b1', 'gradient'], preprocess: 'none' });
  const maps = (r: ExplainResult) => r.explanations.map((e) => Array.from(e.relevance));

  it('a faulted wasm instance stays broken: every later job on that worker fails (a bare worker, no pool)', async () => {
    const init: WorkerInit = { wasmDir: DIST, backend: 'wasm', threads: 1, cancel: new SharedArrayBuffer(4) };
    const worker = new Worker(WORKER, { workerData: init, execArgv: [] });
    try {
      const replies = new Map<number, FromWorker>();
      const waiting = new Map<number, () => void>();
      const ready = new Promise<void>((resolve) =>
        worker.on('message', (msg: FromWorker) => {
          if (msg.type === 'ready') return resolve();
          if (msg.type === 'progress' || msg.type === 'model-load') return;
          replies.set(msg.inReplyTo, msg);
          waiting.get(msg.inReplyTo)?.();
        }),
      );
      await ready;
      const send = (messageId: number, j: ToWorker['job']) =>
        new Promise<FromWorker>((resolve) => {
          waiting.set(messageId, () => resolve(replies.get(messageId)!));
          worker.postMessage({ messageId, job: j } satisfies ToWorker);
        });
      assert.equal((await send(1, job(1))).type, 'done');
      const fault = await send(2, { type: 'wasm-fault' });
      assert.ok(fault.type === 'failed' && fault.fault, `the fault is reported as one: ${JSON.stringify(fault)}`);
      const afterwards = await send(3, job(1));
      assert.ok(afterwards.type === 'failed', 'a good job on the faulted instance fails');
      assert.ok(afterwards.fault, `…and is seen as a fault too: ${afterwards.type === 'failed' ? afterwards.message : ''}`);
    } finally {
      await worker.terminate();
    }
  });

  // A threaded worker too: its pthreads end with it (threadedBackend.test.ts), its replacement starts threaded.
  for (const threads of [1, 2]) it(`replaces the faulted worker (${threads} thread${threads > 1 ? 's' : ''}) before it takes another job; the fault gets one line naming it`, async () => {
    const pool = new WorkerPool({ size: 1, threads, workerScript: WORKER, wasmDir: DIST });
    try {
      const first = await pool.run(job(1));
      assert.equal((await pool.backend()).threads, threads, 'the backend runs on the threads asked for');
      const faulted = pool.threads[0];
      await assert.rejects(pool.run({ type: 'wasm-fault' }), (e: Error) => {
        assert.equal(e.name, 'UserError');
        assert.doesNotMatch(e.message, /\n/);
        assert.ok(e.message.length <= 300, `${e.message.length} characters`);
        assert.match(e.message, /faulted/);
        assert.match(e.message, /RuntimeError: memory access out of bounds/);
        return true;
      });
      // The next job, on the only worker the pool has, is answered: by a new worker.
      const next = await pool.run(job(1));
      assert.notEqual(pool.threads[0], faulted, 'the faulted worker was replaced');
      assert.deepEqual(maps(next), maps(first), 'the new worker computes the same maps');
    } finally {
      await pool.dispose();
    }
  });

  it('the pool\'s other jobs carry on while one worker faults', async () => {
    const pool = new WorkerPool({ size: 2, workerScript: WORKER, wasmDir: DIST });
    try {
      const reference = await Promise.all([1, 2, 3, 4, 5, 6].map((seed) => pool.run(job(seed))));
      const jobs = [1, 2, 3].map((seed) => pool.run(job(seed)));
      const fault = pool.run({ type: 'wasm-fault' });
      jobs.push(...[4, 5, 6].map((seed) => pool.run(job(seed))));
      await assert.rejects(fault, /faulted/);
      const results = await Promise.all(jobs);
      results.forEach((r, k) => assert.deepEqual(maps(r), maps(reference[k]), `job ${k + 1}`));
      const more = await Promise.all([7, 8, 9, 10].map((seed) => pool.run(job(seed))));
      assert.equal(more.length, 4);
      assert.equal(pool.threads.length, 2);
    } finally {
      await pool.dispose();
    }
  });
});
