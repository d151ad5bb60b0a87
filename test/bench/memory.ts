// `npm run bench -- --memory`: what a worker's backend costs to start on one thread and on the threaded build
// (backendStartRun.ts), and the memory budget of issue 26 on the generated ResNet-18 and AlexNet (the seed
// set on one image: peak RSS of a plain-node process ≤ 2 × the weights + 500 MB, on 2 workers, and on the
// pool shape this machine gets by default). Each in a fresh process (bundledRun.ts).
import * as path from 'path';
import { availableCores, poolShape } from '../../src/engine/pool/poolShape';
import { MAX_THREADS } from '../../src/engine/wasmThreads';
import { memoryBudget, seedSetMemory } from '../unit/memory/seedSetMemory';
import { alexnetOnnxFile } from './alexnetOnnx';
import { runBundled } from './bundledRun';
import { resnet18OnnxFile } from './resnet18Onnx';
import { round } from './timing';

type Row = Record<string, unknown> & { kind: string };

interface BackendStart {
  threads: number;
  readyMs: number;
  rssBefore: number;
  rssIdle: number;
  peakRss: number;
}

const MB = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

export function benchMemory(dist: string, rows: Row[]): void {
  const threaded = Math.min(availableCores(), MAX_THREADS);
  console.log('\nbackend start, one worker in a fresh process (RSS of the process over its own before the pool):');
  for (const threads of [...new Set([1, 2, threaded])]) {
    const r = runBundled<BackendStart>(path.join(__dirname, 'backendStartRun.ts'), [dist, String(threads)]);
    console.log(`  ${threads} thread${threads > 1 ? 's' : ''}: ready in ${r.readyMs.toFixed(0)} ms, idle +${MB(r.rssIdle - r.rssBefore)}, peak while starting +${MB(r.peakRss - r.rssBefore)}`);
    rows.push({ kind: 'backend-start', threads: r.threads, ready_ms: round(r.readyMs, 1), idle_rss_bytes: r.rssIdle - r.rssBefore, start_peak_rss_bytes: r.peakRss - r.rssBefore });
  }
  const byDefault = poolShape({});
  console.log(`memory: the seed set on one 224×224 image, three calls, peak RSS of the process (budget 2 × weights + 500 MB):`);
  for (const model of [resnet18OnnxFile(), alexnetOnnxFile()]) {
    const budget = memoryBudget(model);
    for (const shape of [{ workers: 2, threads: 0 }, { workers: byDefault.workers, threads: byDefault.threads }]) {
      const r = seedSetMemory(model, dist, { ...shape, calls: 3 });
      const pass = r.peakRss <= budget;
      console.log(`  ${path.basename(model)}, ${r.workers}×${r.threads}: ${MB(r.peakRss)} (budget ${MB(budget)}) ${pass ? 'pass' : 'MISS'}; wasm memories ${r.wasmHeapBytes.map(MB).join(', ')}; calls ${r.ms.join(', ')} ms`);
      rows.push({ kind: 'memory', model: path.basename(model), workers: r.workers, threads: r.threads, peak_rss_bytes: r.peakRss, budget_bytes: budget, wasm_heap_bytes: r.wasmHeapBytes, calls_ms: r.ms, pass });
    }
  }
}
