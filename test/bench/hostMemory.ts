// Memory of the extension host's engine as a user's VS Code holds it: a plain Node process with the
// EngineService's pool (one worker per core, dist/worker.js) explaining a model again and again, the way
// the panel and the comparison call it (one image, the seven seed methods, split over the workers; and
// single-method jobs). Samples the process RSS (main thread + workers + wasm memories) every 50 ms and
// asks every worker for its tensor count and bytes after the first round and at the end.
//
//   node --import tsx test/bench/hostMemory.ts [--model resnet18|<file>] [--rounds 100] [--json out.json]
//
// Not a test: it prints the peak RSS against the 1 GB budget of issue 16 and whether tensors grew.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { explainInParallel } from '../../src/engine/pool/parallelJobs';
import { WorkerPool } from '../../src/engine/pool/workerPool';
import type { ExplainJob, MemoryResult } from '../../src/protocol/engineJobs';
import { random } from '../unit/methods/reference';
import { REPO } from './models';
import { resnet18OnnxFile } from './resnet18Onnx';
import { SEED } from './zennit';

const BUDGET_BYTES = 1e9;

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'resnet18' },
    rounds: { type: 'string', default: '100' },
    json: { type: 'string' },
  },
});

async function workerMemory(pool: WorkerPool): Promise<MemoryResult[]> {
  // The workers started so far (the pool starts them as work needs them).
  return pool.runOnEachWorker({ type: 'memory' });
}

async function main(): Promise<void> {
  const modelPath = values.model === 'resnet18' ? resnet18OnnxFile() : path.resolve(values.model!);
  const rounds = Number(values.rounds);
  const dist = path.join(REPO, 'dist');
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);

  const pool = new WorkerPool({ size: os.availableParallelism?.() ?? os.cpus().length, workerScript: path.join(dist, 'worker.js'), wasmDir: dist });
  await pool.backend();
  const info = await pool.run({ type: 'model-info', model: { path: modelPath } });
  const [h, w, c] = info.card.inputShape;
  const rand = random(11);
  const image = () => ({ kind: 'pixels' as const, name: 'random', width: w, height: h, channels: c as 1 | 3, data: Uint8Array.from({ length: h * w * c }, () => Math.floor(rand() * 256)) });
  const job = (methods: string[]): ExplainJob => ({ type: 'explain', model: { path: modelPath }, images: [image()], methods, preprocess: 'none' });

  const start = performance.now();
  let explains = 0;
  let afterFirst: Awaited<ReturnType<typeof workerMemory>> = [];
  let rssAfterFirst = 0;
  for (let round = 0; round < rounds; round++) {
    // The panel's comparison: seven methods for one image, split over the workers.
    await explainInParallel(pool, job([...SEED]));
    // The panel's single method, one job per worker at once.
    await Promise.all(Array.from({ length: pool.size }, (_, k) => pool.run(job([SEED[(round * pool.size + k) % SEED.length]]))));
    explains += SEED.length + pool.size;
    // The baseline once every method has run alone on both workers (the single jobs cycle through them).
    if (round === Math.min(SEED.length, rounds - 1)) {
      afterFirst = await workerMemory(pool);
      rssAfterFirst = process.memoryUsage().rss;
    }
  }
  const end = await workerMemory(pool);
  const minutes = (performance.now() - start) / 60000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const rssEnd = process.memoryUsage().rss;
  await pool.dispose();

  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
  const grew = end.length !== afterFirst.length || end.some((m, k) => m.numTensors !== afterFirst[k].numTensors || m.numBytes !== afterFirst[k].numBytes);
  console.log(`${path.basename(modelPath)}: ${explains} heatmaps in ${rounds} rounds (${minutes.toFixed(1)} min), ${pool.size} workers`);
  console.log(`  RSS: before the pool ${mb(baseline)}, after round ${Math.min(SEED.length, rounds - 1) + 1} ${mb(rssAfterFirst)}, at the end ${mb(rssEnd)}, peak ${mb(peak)}  (budget ${mb(BUDGET_BYTES)}: ${peak <= BUDGET_BYTES ? 'pass' : 'MISS'})`);
  const describe = (m: MemoryResult) => `${m.numTensors} tensors ${mb(m.numBytes)}, wasm memory ${mb(m.wasmHeapBytes)}, JS heap ${mb(m.jsHeapBytes)}`;
  console.log(`  per worker after round ${Math.min(SEED.length, rounds - 1) + 1}: ${afterFirst.map(describe).join('; ')}`);
  console.log(`  per worker at the end:    ${end.map(describe).join('; ')}  tensors ${grew ? 'GREW' : 'unchanged'}`);
  if (values.json) {
    const row = { kind: 'host-memory', model: path.basename(modelPath), workers: pool.size, rounds, heatmaps: explains, rss_baseline: baseline, rss_after_first: rssAfterFirst, rss_end: rssEnd, rss_peak: peak, budget: BUDGET_BYTES, pass: peak <= BUDGET_BYTES, tensors_after_first: afterFirst, tensors_end: end, tensors_grew: grew };
    fs.writeFileSync(values.json, JSON.stringify([row], null, 1) + '\n');
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
