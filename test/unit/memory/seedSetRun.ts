// One process as the extension host runs the engine: a WorkerPool over dist/worker.js explaining one
// 224×224 image of `model` with the seven seed methods through explainInParallel, as the panel and the
// comparison do, then reporting the kernel's peak RSS of the whole process (main thread, workers, their
// pthreads and wasm memories) as JSON on stdout. Bundled by esbuild and run with plain node
// (seedSetMemory.ts).
//
//   node <bundle> <model.onnx> <workers> <threads (0: automatic)> <dist folder> [calls]
import * as fs from 'fs';
import * as path from 'path';
import { explainInParallel } from '../../../src/engine/pool/parallelJobs';
import { WorkerPool } from '../../../src/engine/pool/workerPool';
import type { ExplainJob } from '../../../src/protocol/engineJobs';

const SEED = ['sensitivity', 'guided-backprop', 'simple-taylor', 'deep-taylor', 'lrp-a1.2b0.2', 'lrp-a1.5b0.5', 'lrp-a2b1'];

async function main(): Promise<void> {
  const [model, workers, threads, dist, calls = '3'] = process.argv.slice(2);
  const rssBefore = process.memoryUsage().rss;
  const pool = new WorkerPool({ size: Number(workers) || undefined, threads: Number(threads) || undefined, workerScript: path.join(dist, 'worker.js'), wasmDir: dist });
  const backend = await pool.backend();
  // Every worker up before the first job (a memory job each), so that the first explain goes where the
  // pool sends work when all are free, not to whichever worker happened to start first.
  await Promise.all(Array.from({ length: pool.size }, () => pool.run({ type: 'memory' })));
  // The card from the model's own file (224×224×3 for the generated models); the first explain loads the
  // model (a model-info job first could load it into the other worker: which one takes a job is the
  // pool's choice).
  const [h, w, c] = (JSON.parse(fs.readFileSync(`${model}.card.json`, 'utf8')) as { inputShape: number[] }).inputShape;
  // A fixed pattern, not random: the same maps every run.
  const data = Uint8Array.from({ length: h * w * c }, (_, i) => (i * 2654435761) >>> 24);
  const job: ExplainJob = { type: 'explain', model: { path: model }, images: [{ kind: 'pixels', name: 'pattern', width: w, height: h, channels: c as 1 | 3, data }], methods: SEED, preprocess: 'none' };
  const ms: number[] = [];
  for (let k = 0; k < Number(calls); k++) {
    const start = performance.now();
    const result = await explainInParallel(pool, job);
    ms.push(Math.round(performance.now() - start));
    if (result.explanations.length !== SEED.length) throw new Error(`${result.explanations.length} maps, not ${SEED.length}`);
  }
  const memory = await Promise.all(Array.from({ length: pool.size }, () => pool.run({ type: 'memory' })));
  await pool.dispose();
  // maxRSS: the kernel's high-water mark of this process's resident set, in KiB.
  const peakRss = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ model: path.basename(model), workers: pool.size, threads: backend.threads, backend, rssBefore, peakRss, ms, wasmHeapBytes: memory.map((m) => m.wasmHeapBytes) }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
