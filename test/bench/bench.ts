// The engine against the peer (Zennit), on this machine, in one run:
//   npm run bench [-- --json <file>] [--quick] [--model mlp|cnn|facts-cnn|shapes-resnet|resnet18|<model file> ...]
//                 [--batch 1,16] [--methods seed|<spec>,<spec>] [--zennit <zennit/src> | --no-peer]
// Without --model: the bundled MNIST models (mlp, cnn: the tables against FACTS.md's Zennit figures), the
// residual RGB 32×32 ONNX fixture (shapes-resnet), the generated ResNet-18 and ResNet-50 at 224 (one and
// several XNNPACK threads), and --memory: the threaded backend's start and the memory budget. Any other
// model file (model.json, .onnx, .keras, .h5) gets the per-method rows of anyModel.ts at the batches asked
// (default 1 and 16). The peer (peer.ts) runs on every ONNX model when Python, torch and zennit can be
// imported (ZENNIT_SRC or --zennit name a source tree); facts-cnn is the peer's CNN shape with unpadded
// convolutions, random weights (models.ts).
// Prints readable tables and, with --json, writes every figure as one JSON array of rows (`kind` says which).
// Measured warm: after warm-ups, the median of several repetitions. Not a test: nothing is asserted; the
// targets of the issues are printed with pass/miss. The machine is shared, so the load average is printed
// too and only ratios measured in one run should be compared.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend, nodeModulesWasmDir } from '../../src/engine/backend';
import { renderHeatmap } from '../../src/engine/heatmap/render';
import { explain, predict } from '../../src/engine/methods/explain';
import { parseMethodSpec } from '../../src/engine/methods/methodRegistry';
import { loadModel } from '../../src/engine/model/loadModel';
import { networkInputBounds, pixelToInput } from '../../src/engine/model/modelCard';
import { explainInParallel } from '../../src/engine/pool/parallelJobs';
import { WorkerPool } from '../../src/engine/pool/workerPool';
import type { ExplainJob, ImageSource } from '../../src/protocol/engineJobs';
import { benchAnyModel } from './anyModel';
import { benchConcepts } from './concepts';
import { benchFaithfulness } from './faithfulness';
import { backwardFlops, forwardFlops, layerCosts } from './flops';
import { benchModels, mnistImages, REPO, SAMPLE_PNG, type BenchModel, type ModelChoice } from './models';
import { measurePeaks } from './peaks';
import { findPeer } from './peer';
import { alexnetOnnxFile } from './alexnetOnnx';
import { benchMemory } from './memory';
import { resnet18OnnxFile } from './resnet18Onnx';
import { resnet50OnnxFile } from './resnet50Onnx';
import { loadAverage, median, round, timeRuns, timeRunsWithCpu } from './timing';
import { ratioToZennit, SEED, TARGETS, targetRatio, ZENNIT, type ModelKind, type SeedMethod } from './zennit';

const DIST = path.join(REPO, 'dist');
const WORKER = path.join(DIST, 'worker.js');
const BATCHES = [1, 256];
const WORKER_COUNTS = [1, 2];
const SHAPES_RESNET = path.join(REPO, 'test', 'fixtures', 'onnx', 'shapes-resnet', 'shapes-resnet.onnx');

interface Options {
  json?: string;
  quick: boolean;
  models: ModelChoice[];
  /** Model files measured by anyModel.ts. */
  files: string[];
  /** Batches of the anyModel.ts rows. */
  batches: number[];
  /** Methods of the anyModel.ts rows. */
  methods: string[];
  zennit?: string;
  peer: boolean;
  /** The threaded backend's start and the memory budget rows (generated ResNet-18 and AlexNet). */
  memory: boolean;
}

const USAGE =
  'npm run bench -- [--json <file>] [--quick] [--model mlp|cnn|facts-cnn|shapes-resnet|resnet18|resnet50|alexnet|<model file> ...] [--memory] [--batch 1,16] [--methods seed|a,b] [--zennit <dir> | --no-peer]';

function parseArgs(argv: string[]): Options {
  const options: Options = { quick: false, models: [], files: [], batches: [1, 16], methods: [...SEED], peer: true, memory: false };
  let anyModel = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value: ${USAGE}`);
      return v;
    };
    if (arg === '--json') options.json = value();
    else if (arg === '--quick') options.quick = true;
    else if (arg === '--batch') options.batches = value().split(',').map(positiveInteger);
    else if (arg === '--methods') options.methods = methodList(value());
    else if (arg === '--zennit') options.zennit = path.resolve(value());
    else if (arg === '--no-peer') options.peer = false;
    else if (arg === '--memory') {
      options.memory = true;
      anyModel = true;
    }
    else if (arg === '--model') {
      const model = value();
      anyModel = true;
      if (['mlp', 'cnn', 'facts-cnn'].includes(model)) options.models.push(model as ModelChoice);
      else if (model === 'resnet18') options.files.push(resnet18OnnxFile());
      else if (model === 'resnet50') options.files.push(resnet50OnnxFile());
      else if (model === 'alexnet') options.files.push(alexnetOnnxFile());
      else if (model === 'shapes-resnet') options.files.push(SHAPES_RESNET);
      else if (fs.existsSync(model)) options.files.push(path.resolve(model));
      else throw new Error(`--model ${model}: no such model or file: ${USAGE}`);
    } else throw new Error(`unknown argument ${arg}: ${USAGE}`);
  }
  if (!anyModel) {
    options.models = ['mlp', 'cnn'];
    options.files = [SHAPES_RESNET, resnet18OnnxFile(), resnet50OnnxFile()];
    options.memory = true;
  }
  return options;
}

function positiveInteger(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--batch: ${JSON.stringify(text)} is not a positive integer`);
  return n;
}

function methodList(text: string): string[] {
  const methods = text === 'seed' ? [...SEED] : text.split(',').map((m) => m.trim());
  for (const m of methods) parseMethodSpec(m); // a bad spec fails here, with the registry's message
  return methods;
}

/** One row of the JSON output. Throughput rows carry the fields the issue names; others say their kind. */
type Row = Record<string, unknown> & { kind: string };

interface Throughput {
  model: string;
  kind: ModelKind;
  method: SeedMethod;
  batch: number;
  workers: number;
  msPerHeatmap: number;
  /** The fastest repetition, for reference on a noisy machine. */
  minMsPerHeatmap: number;
  /** CPU time of the whole process per heatmap: our work only, whatever else the machine runs. */
  cpuMsPerHeatmap: number;
  perSecond: number;
  gflopsPerSecond: number;
  ratio: number;
  /** The ratio had the workers had their cores to themselves: min(workers, cores) × 1000 / cpu ms. */
  cpuBoundRatio: number;
  target: number;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const rows: Row[] = [];
  const loadStart = loadAverage();
  const repeats = (full: number, quick: number) => (options.quick ? quick : full);
  if (!fs.existsSync(WORKER)) throw new Error(`${WORKER} is missing: run "npm run build" first (npm run bench does)`);

  console.log(`Explain Image benchmark — ${new Date().toISOString()}, Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`);
  console.log(`load average at start: ${loadStart.join(', ')}`);

  const backend = await initBackend(nodeModulesWasmDir());
  console.log(`main-thread backend: ${backend.name}\n`);

  // ---- wasm peaks ---------------------------------------------------------------------------------
  const peaks = measurePeaks(repeats(15, 5));
  console.log('wasm peaks, one thread (median):');
  for (const p of peaks) {
    console.log(`  ${p.op.padEnd(7)} ${p.shape.padEnd(40)} ${p.ms.toFixed(2).padStart(7)} ms  ${p.gflopsPerSecond.toFixed(1).padStart(5)} GFLOP/s`);
    rows.push({ kind: 'peak', op: p.op, shape: p.shape, ms: round(p.ms, 3), gflops_per_s: round(p.gflopsPerSecond, 2) });
  }

  if (options.models.length > 0) await benchMnist(options, rows);

  if (options.files.length > 0) {
    const peer = options.peer ? findPeer(options.zennit ?? process.env.ZENNIT_SRC) : 'not asked for (--no-peer)';
    if (typeof peer !== 'string') console.log(`\npeer: Zennit in this run (${peer.python}, ${peer.versions})`);
    else console.log(`\npeer: not available (${peer})`);
    for (const file of options.files) await benchAnyModel(file, { worker: WORKER, dist: DIST, quick: options.quick, batches: options.batches, methods: options.methods, peer }, rows);
  }

  if (options.memory) benchMemory(DIST, rows);

  const loadEnd = loadAverage();
  console.log(`\nload average at end: ${loadEnd.join(', ')}`);
  rows.unshift({ kind: 'environment', node: process.version, cpus: os.cpus().length, backend: backend.name, loadavg_start: loadStart, loadavg_end: loadEnd, date: new Date().toISOString(), quick: options.quick });
  summary(rows);
  if (options.json) {
    fs.writeFileSync(options.json, JSON.stringify(rows, null, 1) + '\n');
    console.log(`wrote ${rows.length} rows to ${options.json}`);
  }
}

/** The bundled MNIST models against FACTS.md's Zennit table: forward vs backward, cold start, throughput
 *  at batch 1 and 256 on one and two workers, one PNG end to end, pixel flipping. */
async function benchMnist(options: Options, rows: Row[]): Promise<void> {
  const repeats = (full: number, quick: number) => (options.quick ? quick : full);
  const models = await benchModels(options.models);
  const pixels = mnistImages(256);
  const flopsOf = new Map<string, { forward: number; backward: Record<SeedMethod, number> }>();

  // ---- compute efficiency in this thread: forward vs backward GFLOP/s at batch 256 -------------------
  console.log('\nforward vs backward, one thread in-process, batch 256, GFLOP/s in CPU time (FLOPs from the layer shapes, flops.ts):');
  console.log(`  ${'model'.padEnd(10)} ${'method'.padEnd(16)} ${'fwd MFLOP'.padStart(9)} ${'bwd MFLOP'.padStart(9)} ${'fwd GF/s'.padStart(8)} ${'bwd GF/s'.padStart(8)} ${'bwd/fwd'.padStart(7)}  target ≥ ${TARGETS.backwardOverForward}`);
  for (const model of models) {
    const loaded = await loadModel(model.modelJson);
    const { network, card } = loaded;
    const bounds = networkInputBounds(card);
    const costs = layerCosts(network, bounds);
    const forward = forwardFlops(costs);
    const backward = Object.fromEntries(SEED.map((m) => [m, backwardFlops(costs, m, bounds !== null)])) as Record<SeedMethod, number>;
    flopsOf.set(model.name, { forward, backward });
    const toInput = pixelToInput(card);
    const inputs = pixels.map((p) => Float32Array.from(p, (v) => toInput(v, 0)));
    const flat = new Float32Array(256 * 784);
    inputs.forEach((x, i) => flat.set(x, i * 784));
    for (let i = 0; i < 2; i++) predict(network, flat, 256);
    for (const method of SEED) {
      const request = { images: inputs, methods: [parseMethodSpec(method)], bounds };
      explain(network, card.inputShape, request);
      // Forward alone and forward + backward, alternately, so both see the same load on a shared machine;
      // timed in CPU time (this process only), which other people's work on the machine does not inflate.
      const forwardTimes: number[] = [];
      const totalTimes: number[] = [];
      const forwardWall: number[] = [];
      const totalWall: number[] = [];
      for (let r = 0; r < repeats(11, 3); r++) {
        const f = await timeRunsWithCpu(() => predict(network, flat, 256), 0, 1);
        forwardTimes.push(f.cpuMs);
        forwardWall.push(f.times[0]);
        const t = await timeRunsWithCpu(() => explain(network, card.inputShape, request), 0, 1);
        totalTimes.push(t.cpuMs);
        totalWall.push(t.times[0]);
      }
      const forwardMs = median(forwardTimes);
      const totalMs = median(totalTimes);
      const forwardRate = (forward * 256) / forwardMs / 1e6;
      const backwardMs = Math.max(totalMs - forwardMs, 1e-3);
      const backwardRate = (backward[method] * 256) / backwardMs / 1e6;
      const ratio = backwardRate / forwardRate;
      const pass = ratio >= TARGETS.backwardOverForward;
      console.log(
        `  ${model.name.padEnd(10)} ${method.padEnd(16)} ${(forward / 1e6).toFixed(2).padStart(9)} ${(backward[method] / 1e6).toFixed(2).padStart(9)} ${forwardRate.toFixed(1).padStart(8)} ${backwardRate.toFixed(1).padStart(8)} ${ratio.toFixed(2).padStart(7)}  ${pass ? 'pass' : 'MISS'}`,
      );
      rows.push({
        kind: 'flops',
        model: model.name,
        method,
        batch: 256,
        workers: 0,
        forward_flops: forward,
        backward_flops: backward[method],
        forward_cpu_ms: round(forwardMs, 3),
        backward_cpu_ms: round(backwardMs, 3),
        forward_wall_ms: round(median(forwardWall), 3),
        backward_wall_ms: round(median(totalWall) - median(forwardWall), 3),
        forward_gflops_per_s: round(forwardRate, 2),
        backward_gflops_per_s: round(backwardRate, 2),
        backward_over_forward: round(ratio, 3),
        target: TARGETS.backwardOverForward,
        pass,
      });
    }
    network.dispose();
  }

  // ---- cold start -------------------------------------------------------------------------------------
  console.log('\ncold start (spawn a worker, initialise wasm, load the model, first lrp-a2b1 heatmap):');
  for (const model of models) {
    const start = performance.now();
    const pool = new WorkerPool({ size: 1, threads: 1, workerScript: WORKER, wasmDir: DIST });
    await pool.backend();
    const readyMs = performance.now() - start;
    await pool.run(explainJob(model, [sourceOf(pixels[0], 0)], ['lrp-a2b1']));
    const totalMs = performance.now() - start;
    await pool.dispose();
    const pass = totalMs <= TARGETS.coldStartMs;
    console.log(`  ${model.name.padEnd(10)} worker + wasm ${readyMs.toFixed(0)} ms, model + first heatmap ${(totalMs - readyMs).toFixed(0)} ms, total ${totalMs.toFixed(0)} ms  (target ≤ ${TARGETS.coldStartMs}) ${pass ? 'pass' : 'MISS'}`);
    rows.push({ kind: 'cold-start', model: model.name, worker_ready_ms: round(readyMs, 1), first_heatmap_ms: round(totalMs - readyMs, 1), total_ms: round(totalMs, 1), target_ms: TARGETS.coldStartMs, pass });
  }

  // ---- throughput through the worker pool ---------------------------------------------------------------
  const results: Throughput[] = [];
  const sources = pixels.map(sourceOf);
  for (const workers of WORKER_COUNTS) {
    const pool = new WorkerPool({ size: workers, threads: 1, workerScript: WORKER, wasmDir: DIST });
    await pool.backend();
    for (const model of models) {
      // Loads the model and prepares its weights in every worker.
      await explainInParallel(pool, explainJob(model, sources.slice(0, 2 * workers), [...SEED]));
      for (const method of SEED) {
        for (const batch of BATCHES) {
          const job = explainJob(model, sources.slice(0, batch), [method]);
          const reps = batch === 1 ? repeats(40, 15) : repeats(7, 3);
          const { times, cpuMs } = await timeRunsWithCpu(() => explainInParallel(pool, job), batch === 1 ? 5 : 1, reps);
          const msPerHeatmap = median(times) / batch;
          const cpuMsPerHeatmap = cpuMs / (reps * batch);
          const minMsPerHeatmap = Math.min(...times) / batch;
          const perSecond = 1000 / msPerHeatmap;
          const flops = flopsOf.get(model.name)!;
          results.push({
            model: model.name,
            kind: model.kind,
            method,
            batch,
            workers,
            msPerHeatmap,
            minMsPerHeatmap,
            cpuMsPerHeatmap,
            perSecond,
            gflopsPerSecond: ((flops.forward + flops.backward[method]) * perSecond) / 1e9,
            ratio: ratioToZennit(model.kind, method, batch, perSecond),
            cpuBoundRatio: ratioToZennit(model.kind, method, batch, (Math.min(workers, os.cpus().length) * 1000) / cpuMsPerHeatmap),
            target: targetRatio(method, batch),
          });
        }
      }
    }
    // The end-to-end figure on the warm one-worker pool: the product's single-image path.
    await endToEnd(pool, models, rows, repeats(30, 10));
    await pool.dispose();
  }

  printThroughput(results);
  for (const r of results) {
    rows.push({
      kind: 'throughput',
      model: r.model,
      method: r.method,
      batch: r.batch,
      workers: r.workers,
      ms_per_heatmap: round(r.msPerHeatmap, 4),
      ms_per_heatmap_min: round(r.minMsPerHeatmap, 4),
      cpu_ms_per_heatmap: round(r.cpuMsPerHeatmap, 4),
      heatmaps_per_s: round(r.perSecond, 1),
      gflops_per_s: round(r.gflopsPerSecond, 2),
      zennit: r.batch === 1 ? { ms_per_heatmap: ZENNIT[r.kind][r.method].msBatch1 } : { heatmaps_per_s: ZENNIT[r.kind][r.method].perSecond256 },
      ratio_to_zennit: round(r.ratio, 3),
      cpu_bound_ratio_to_zennit: round(r.cpuBoundRatio, 3),
      // Targets are judged on the two-worker rows (this machine's two cores, like Zennit's two threads).
      target_ratio: r.workers === 2 ? r.target : undefined,
      pass: r.workers === 2 ? r.ratio >= r.target : undefined,
    });
  }

  rows.push(...(await benchFaithfulness({ repeats: repeats(3, 1) })));
  rows.push(...(await benchConcepts()));
}

/** Decode → preprocess → seven heatmaps in the worker → RGBA in this thread, for one PNG file. */
async function endToEnd(pool: WorkerPool, models: BenchModel[], rows: Row[], repeats: number): Promise<void> {
  // One worker: one call, as before issue 16; two: explainInParallel, the panel's path (methods split).
  const workers = pool.size;
  console.log(`\nend to end, one PNG, all seven seed methods (file → decode → preprocess → 7 heatmaps → RGBA), warm, ${workers} worker${workers > 1 ? 's (explainInParallel)' : ''}:`);
  for (const model of models) {
    const job: ExplainJob = { ...explainJob(model, [{ kind: 'file', path: SAMPLE_PNG }], [...SEED]), preprocess: 'auto' };
    let engineMs = 0;
    const run = async () => {
      const result = await explainInParallel(pool, job);
      engineMs = result.explanations.reduce((total, e) => total + e.ms, 0);
      for (const e of result.explanations) renderHeatmap(e.relevance, e.shape, { colormap: 'bwr' });
    };
    const engineTimes: number[] = [];
    const times = await timeRuns(async () => {
      await run();
      engineTimes.push(engineMs);
    }, 5, repeats);
    const ms = median(times);
    const engine = median(engineTimes.slice(5));
    const target = TARGETS.sevenMethodsMs[model.kind];
    const pass = ms <= target;
    console.log(`  ${model.name.padEnd(10)} ${ms.toFixed(2)} ms (engine: forward and backward passes ${engine.toFixed(2)} ms, summed over the workers)  target ≤ ${target} ms ${pass ? 'pass' : 'MISS'}`);
    rows.push({ kind: 'end-to-end', model: model.name, methods: SEED.length, workers, ms: round(ms, 3), engine_ms: round(engine, 3), target_ms: target, pass });
  }
}

function explainJob(model: BenchModel, images: ImageSource[], methods: string[]): ExplainJob {
  return { type: 'explain', model: { path: model.modelJson }, images, methods, preprocess: 'none' };
}

function sourceOf(pixels: Uint8Array, i: number): ImageSource {
  return { kind: 'pixels', name: `mnist-test-${i}`, width: 28, height: 28, channels: 1, data: pixels };
}

function printThroughput(results: Throughput[]): void {
  console.log('\nthroughput through the worker pool (dist/worker.js, explainInParallel), warm, median wall time;');
  console.log('cpu ms: CPU time of the whole process (all threads) per heatmap, which other load does not inflate;');
  console.log('cpu ratio: the ratio to Zennit had the workers had their cores to themselves (min(workers, cores) × 1000 / cpu ms):');
  const header = ['model', 'method', 'batch', 'workers', 'ms/heatmap', 'cpu ms', 'heatmaps/s', 'GFLOP/s', 'Zennit', 'ratio', 'target', 'cpu ratio'];
  const widths = [10, 15, 5, 7, 10, 7, 10, 7, 12, 6, 12, 9];
  const line = (cells: string[]) => console.log('  ' + cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' '));
  line(header);
  for (const r of results) {
    const z = ZENNIT[r.kind][r.method];
    const zennit = r.batch === 1 ? `${z.msBatch1} ms` : `${z.perSecond256.toLocaleString('en')}/s`;
    const verdict = r.workers === 2 ? `≥${r.target} ${r.ratio >= r.target ? 'pass' : 'MISS'}` : '';
    line([
      r.model,
      r.method,
      String(r.batch),
      String(r.workers),
      r.msPerHeatmap.toFixed(3),
      r.cpuMsPerHeatmap.toFixed(3),
      Math.round(r.perSecond).toLocaleString('en'),
      r.gflopsPerSecond.toFixed(1),
      zennit,
      r.ratio.toFixed(2),
      verdict,
      r.cpuBoundRatio.toFixed(2),
    ]);
  }
}

function summary(rows: Row[]): void {
  const judged = rows.filter((r) => typeof r.pass === 'boolean');
  const missed = judged.filter((r) => r.pass === false);
  console.log(`\ntargets: ${judged.length - missed.length} of ${judged.length} met`);
  for (const r of missed) {
    const what = [r.kind, r.model, r.method, r.batch !== undefined ? `batch ${r.batch}` : undefined].filter(Boolean).join(' ');
    console.log(`  missed: ${what}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
