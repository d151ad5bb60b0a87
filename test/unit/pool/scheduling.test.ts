// The pool's one queue with priorities and its cancellation in the worker (issue 26), on real worker threads
// (dist/worker.js from `npm run build`) and the real WASM backend. Order is read from the order in which
// answers arrive and cancellation from the nodes a job visited (jobs/cancellation.ts): nothing here is timed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';

import { checkpoints, isJobCancelled, runCancellable } from '../../../src/engine/jobs/cancellation';
import { runJob } from '../../../src/engine/jobs/runJob';
import { fixedPriority, RANK, type JobPriority } from '../../../src/engine/pool/jobPriority';
import { CancelledError, WorkerPool } from '../../../src/engine/pool/workerPool';
import type { ExplainJob, ExplainResult, PredictJob } from '../../../src/protocol/engineJobs';
import { saveDigitCnn } from '../model/savedModels';
import { DIST, WORKER, bundleReady, stripedDigit } from '../bundles';

describe('worker pool scheduling', () => {
  let modelPath: string;

  before(async () => {
    await bundleReady(WORKER);
    modelPath = await saveDigitCnn('scheduling-cnn', 3, { filters: 8 });
  });

  const explainJob = (seed: number, method = 'lrp-a2b1'): ExplainJob => ({ type: 'explain', model: { path: modelPath }, images: [stripedDigit(seed)], methods: [method], preprocess: 'none' });
  const predictJob = (seed: number): PredictJob => ({ type: 'predict', model: { path: modelPath }, pixels: stripedDigit(seed).kind === 'pixels' ? (stripedDigit(seed) as { data: Uint8Array }).data : new Uint8Array(784), count: 1 });
  /** A long job: SmoothGrad with a progress listener runs in 16 chunks, each a forward and a backward pass. */
  const longJob = (samples = 4096): ExplainJob => explainJob(9, `smoothgrad:samples=${samples},sigma=0.1`);

  it('runs a visible request before 540 queued background predictions, and after them when it is background too', async () => {
    for (const rank of [RANK.current, RANK.background]) {
      const pool = new WorkerPool({ size: 2, workerScript: WORKER, wasmDir: DIST });
      try {
        await pool.run(explainJob(1)); // the workers are up and have the model
        const background = pool.runner({ priority: fixedPriority(RANK.background, 'a data set') });
        const answered: string[] = [];
        const predictions = Array.from({ length: 540 }, (_, i) => background.run(predictJob(i)).then(() => answered.push('predict')));
        const visible = pool.runner({ priority: fixedPriority(rank, 'the explain panel') }).run(explainJob(2)).then((r) => (answered.push('explain'), r));
        const [result] = await Promise.all([visible, ...predictions]);
        assert.equal(result.explanations.length, 1);
        const before = answered.indexOf('explain');
        if (rank === RANK.current) {
          // Only predictions already running when it came can answer first (they are stopped between nodes
          // and queued again, but one may finish before it sees the flag).
          assert.ok(before <= pool.size, `the visible request was answered after ${before} of 540 queued predictions`);
        } else {
          // It waits its turn: started after every prediction, answered after all but those still running beside it.
          assert.ok(before >= 540 - (pool.size - 1), `a background request was answered after only ${before} of the 540 predictions`);
        }
      } finally {
        await pool.dispose();
      }
    }
  });

  it('takes the current request first, then visible, then hidden work; a rank read when the job is picked', async () => {
    const pool = new WorkerPool({ size: 1, workerScript: WORKER, wasmDir: DIST });
    try {
      // Queued before the worker is up: it picks them in priority order once it is.
      const order: string[] = [];
      let shown = false;
      const becomesVisible: JobPriority = { rank: () => (shown ? RANK.visible : RANK.hidden) };
      const jobs = [
        ['hidden', fixedPriority(RANK.hidden)],
        ['shown later', becomesVisible],
        ['visible', fixedPriority(RANK.visible)],
        ['current', fixedPriority(RANK.current)],
        ['hidden 2', fixedPriority(RANK.hidden)],
      ] as const;
      const done = jobs.map(([name, priority], k) => pool.runner({ priority }).run(explainJob(k)).then(() => order.push(name)));
      shown = true;
      await Promise.all(done);
      assert.deepEqual(order, ['current', 'shown later', 'visible', 'hidden', 'hidden 2']);
    } finally {
      await pool.dispose();
    }
  });

  // Threaded workers too: the XNNPACK threads run inside one node's kernels, the flag is read between nodes.
  for (const threads of [1, 2]) it(`stops a superseded job between nodes in its worker (${threads} thread${threads > 1 ? 's' : ''}), which keeps its model and takes the next job`, async () => {
    // How many nodes the whole job visits, counted in this process with the same progress listener.
    const whole = await runCancellable(() => false, () => runJob(longJob(), { name: 'wasm-simd' }, () => undefined));
    const nodes = checkpoints();
    assert.ok((whole as ExplainResult).explanations.length === 1 && nodes > 100, `the whole job visits ${nodes} nodes`);

    const pool = new WorkerPool({ size: 1, threads, workerScript: WORKER, wasmDir: DIST });
    try {
      await pool.run(explainJob(1));
      assert.equal((await pool.backend()).threads, threads, 'the backend runs on the threads asked for');
      const worker = pool.threads[0];
      const before = await pool.run({ type: 'memory' });
      const controller = new AbortController();
      let stoppedAfter: number | undefined;
      const stopped = new Promise<void>((resolve) => {
        const superseded = pool.runner({ onStopped: (n) => ((stoppedAfter = n), resolve()) }).run(longJob(), controller.signal, (done) => {
          // Superseded when its first chunk is done (a new model, method, image or class was chosen).
          if (done > 0) controller.abort();
        });
        void assert.rejects(superseded, CancelledError);
      });
      const next = pool.run(explainJob(4));
      await stopped;
      console.log(`stopped after ${stoppedAfter} of ${nodes} nodes`);
      assert.ok(stoppedAfter !== undefined && stoppedAfter > 0 && stoppedAfter < nodes / 2, `stopped after ${stoppedAfter} of ${nodes} nodes`);
      assert.equal((await next).explanations.length, 1, 'the next job runs on the same worker');
      assert.equal(pool.threads[0], worker, 'the worker thread was not ended');
      const afterwards = await pool.run({ type: 'memory' });
      assert.equal(afterwards.numTensors, before.numTensors, 'the stopped job left no tensors, and the model is still loaded');
    } finally {
      await pool.dispose();
    }
  });

  it('stops a job at the exact node it is cancelled at and frees what it held (in this process)', async () => {
    const start = tf.memory().numTensors;
    for (const at of [1, 7, 40, 120]) {
      await assert.rejects(
        runCancellable(() => checkpoints() >= at, () => runJob(longJob(256), { name: 'wasm-simd' }, () => undefined)),
        (e) => isJobCancelled(e),
      );
      assert.equal(checkpoints(), at, `cancelled at check ${at}`);
    }
    // The model (loaded by the first call, kept by the model cache) and cached kernel variants stay; nothing else.
    const loaded = tf.memory().numTensors;
    await runJob(longJob(256), { name: 'wasm-simd' }, () => undefined);
    assert.equal(tf.memory().numTensors, loaded, 'a whole run after the cancelled ones leaves the same tensors');
    assert.ok(loaded >= start);
    await assert.rejects(runCancellable(() => checkpoints() >= 30, () => runJob(longJob(256), { name: 'wasm-simd' }, () => undefined)), (e) => isJobCancelled(e));
    assert.equal(tf.memory().numTensors, loaded, 'a cancelled run leaves no tensors behind');
  });

  it('pauses background work while other work runs: stopped, queued again, then finished with the same result', async () => {
    const pool = new WorkerPool({ size: 1, workerScript: WORKER, wasmDir: DIST });
    try {
      await pool.run(explainJob(1));
      const reference = await pool.run(longJob(), undefined, () => undefined);
      const owners: Array<string | undefined> = [];
      pool.onForegroundChange((owner) => owners.push(owner));
      const answered: string[] = [];
      let stops = 0;
      let started: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      const background = pool
        .runner({ priority: fixedPriority(RANK.background), onStopped: () => stops++ })
        .run(longJob(), undefined, () => started())
        .then((r) => (answered.push('background'), r));
      await running;
      const visible = await pool.runner({ priority: fixedPriority(RANK.current, 'the explain panel') }).run(explainJob(5));
      answered.push('visible');
      const finished = await background;
      assert.equal(visible.explanations.length, 1);
      assert.deepEqual(answered, ['visible', 'background']);
      assert.equal(stops, 1, 'the background job was stopped once to make way');
      assert.deepEqual(Array.from(finished.explanations[0].relevance), Array.from(reference.explanations[0].relevance), 'run again from the start, same map');
      assert.deepEqual(owners, ['the explain panel', undefined], 'background work is told it is paused, then that it may run');
    } finally {
      await pool.dispose();
    }
  });
});
