// `npm run bench -- --model <model file>` (any format the engine reads; `resnet18` / `resnet50` / `alexnet`
// for the generated ImageNet-shaped ONNX models, `shapes-resnet` for the residual RGB 32×32 fixture of the
// import tests): for each pool shape (one worker on one thread, one worker on the threaded wasm build with a
// thread per core, two workers of one thread): the workers' start, the model chosen (model-info: load and
// first-map preparation) and the first map against a warm one, the seven seed methods for one image in
// one call (the panel's comparison), and every method alone at each batch asked for (one-worker shapes);
// the FLOPs from the graph; for the models of issue 16 the file → seven heatmaps path; and, when the peer
// can run, Zennit on 2 threads on the same file and image in the same run: its times (the ratios) and its
// maps (a correctness check). Targets are judged on the pool shape this machine gets by default.
import * as fs from 'fs';
import * as path from 'path';
import { PNG } from 'pngjs';
import { renderHeatmap } from '../../src/engine/heatmap/render';
import { loadAnyModel } from '../../src/engine/import/loadAnyModel';
import { networkInputBounds } from '../../src/engine/model/modelCard';
import { explainInParallel } from '../../src/engine/pool/parallelJobs';
import { WorkerPool } from '../../src/engine/pool/workerPool';
import type { ExplainJob, ExplainResult, ImageSource } from '../../src/protocol/engineJobs';
import { random } from '../unit/methods/reference';
import { backwardFlops, forwardFlops, layerCosts } from './flops';
import { REPO } from './models';
import { runPeer, type Peer, type PeerMethod } from './peer';
import { median, round, timeRuns, timeRunsWithCpu } from './timing';
import { FIRST_MAP_RATIO, MODEL_TARGETS, SEED, type ModelTargets, type SeedMethod } from './zennit';
import { availableCores, poolShape, type PoolShape } from '../../src/engine/pool/poolShape';
import { MAX_THREADS } from '../../src/engine/wasmThreads';

type Row = Record<string, unknown> & { kind: string };

export interface AnyModelOptions {
  worker: string;
  dist: string;
  quick: boolean;
  batches: number[];
  methods: string[];
  /** The peer, or why it cannot run. */
  peer: Peer | string;
}

/** A model-sized image as the user's file would be, and its pixels (h·w·c bytes). */
interface BenchImage {
  png: string;
  source: ImageSource;
}

/** Where a ratio's Zennit figure comes from. */
interface ZennitMs {
  ms: number;
  source: 'this run' | 'issue';
}

export async function benchAnyModel(modelPath: string, o: AnyModelOptions, rows: Row[]): Promise<void> {
  const name = path.basename(modelPath);
  const targets: ModelTargets = MODEL_TARGETS[name] ?? { ratio: [] };
  const repeats = (full: number, quick: number) => (o.quick ? quick : full);

  // ---- the graph: FLOPs per heatmap -----------------------------------------------------------------
  const loaded = await loadAnyModel(modelPath);
  const { card } = loaded;
  const [h, w, c] = card.inputShape;
  const bounds = networkInputBounds(card);
  const costs = layerCosts(loaded.network, bounds);
  const forward = forwardFlops(costs);
  const flopsOf = (method: string) => (SEED.includes(method as SeedMethod) ? forward + backwardFlops(costs, method as SeedMethod, bounds !== null) : undefined);
  const nodes = loaded.network.nodes.length;
  loaded.network.dispose();
  console.log(`\n${name}: ${h}×${w}×${c} input, ${nodes} nodes, forward ${(forward / 1e9).toFixed(3)} GFLOP per image (Dense/Conv multiply-adds × 2)`);
  rows.push({ kind: 'model', model: name, input: card.inputShape, nodes, forward_flops: forward });

  const image = benchImage(name, card.inputShape);

  // ---- per pool shape: start, first map after choosing the model, seed set, every method ------------------
  // One worker on one thread (the SIMD build, as before the threaded build), one worker on the threaded build
  // with as many threads as the cores allow, two workers on one thread each (the seed set split over them).
  // The targets are judged on the shape the pool takes by default here (poolShape.ts).
  const cores = availableCores();
  const threaded = Math.min(cores, MAX_THREADS);
  const shapes: PoolShape[] = [{ workers: 1, threads: 1 }, ...(threaded > 1 ? [{ workers: 1, threads: threaded }] : []), { workers: 2, threads: 1 }];
  const judged = poolShape({}, cores);
  const isJudged = (shape: PoolShape) => shape.workers === judged.workers && shape.threads === judged.threads;
  const label = (shape: PoolShape) => `${shape.workers}×${shape.threads}`;
  const seedJob = explainJob(modelPath, [image.source], [...SEED]);
  const results = new Map<string, ShapeResult>();
  let ourMaps: ExplainResult | undefined;
  for (const shape of shapes) {
    const result: ShapeResult = { shape, methods: new Map() };
    results.set(label(shape), result);
    const start = performance.now();
    const pool = new WorkerPool({ size: shape.workers, threads: shape.threads, workerScript: o.worker, wasmDir: o.dist });
    const backend = await pool.backend();
    result.readyMs = performance.now() - start;
    if ((backend.threads ?? 1) !== shape.threads) console.log(`  ${label(shape)}: the backend has ${backend.threads} threads (${backend.reason ?? ''})`);
    // What a panel does when the model is chosen (model-info loads it and prepares its first map), then
    // the default method's map, first and warm.
    let t = performance.now();
    await pool.run({ type: 'model-info', model: { path: modelPath } });
    result.modelInfoMs = performance.now() - t;
    const firstJob = explainJob(modelPath, [image.source], ['lrp-a2b1']);
    t = performance.now();
    await pool.run(firstJob);
    result.firstMs = performance.now() - t;
    result.warmMs = median(await timeRuns(() => pool.run(firstJob), 0, repeats(3, 2)));
    // The seven seed methods for one image in one call, as the panel's comparison asks for them.
    const reps = repeats(5, 3);
    const seed = await timeRunsWithCpu(async () => (ourMaps = await explainInParallel(pool, seedJob)), 1, reps);
    result.seedMs = median(seed.times);
    result.seedCpuMs = seed.cpuMs / reps;
    // Every method alone (one worker shapes: the second worker would only take the same jobs in turn).
    if (shape.workers === 1) {
      for (const method of o.methods) {
        for (const batch of o.batches) {
          const job = explainJob(modelPath, new Array<ImageSource>(batch).fill(image.source), [method]);
          const n = batch === 1 ? repeats(7, 3) : repeats(3, 2);
          const { times, cpuMs } = await timeRunsWithCpu(() => explainInParallel(pool, job), 1, n);
          result.methods.set(`${method} ${batch}`, { ms: median(times) / batch, minMs: Math.min(...times) / batch, cpuMs: cpuMs / (n * batch) });
        }
      }
    }
    await pool.dispose();
  }

  // ---- the peer in this run -------------------------------------------------------------------------------
  let peer: PeerMethod[] | null = null;
  if (typeof o.peer === 'string') console.log(`  peer: not run (${o.peer}); ratios against the issue's figures where it gives them`);
  else if (!name.endsWith('.onnx')) console.log('  peer: not run (it reads ONNX files only)');
  else {
    const methods = [...new Set([...SEED, ...o.methods])];
    console.log(`  peer: Zennit (${o.peer.versions}), 2 threads, batches ${o.batches.join(', ')} ...`);
    peer = runPeer(o.peer, { model: modelPath, image: image.png, card, methods, batches: o.batches, repeats: repeats(5, 2), threads: 2 });
  }
  const zennitCpuMs = (method: string, batch: number): number | undefined => peer?.find((p) => p.method === method)?.cpuMsPerHeatmap[batch];
  const zennitMs = (method: string, batch: number): ZennitMs | undefined => {
    const measured = peer?.find((p) => p.method === method)?.msPerHeatmap[batch];
    if (measured !== undefined) return { ms: measured, source: 'this run' };
    const quoted = batch === 1 && !peer ? targets.reference?.msBatch1[method as SeedMethod] : undefined;
    return quoted === undefined ? undefined : { ms: quoted, source: 'issue' };
  };

  // ---- start and first map ------------------------------------------------------------------------------------
  console.log(`  per pool shape (workers × XNNPACK threads; targets judged on ${label(judged)}, this machine's default):`);
  for (const r of results.values()) {
    const ratio = r.firstMs! / r.warmMs!;
    const pass = isJudged(r.shape) ? ratio <= FIRST_MAP_RATIO : undefined;
    console.log(
      `    ${label(r.shape)}: workers ready ${r.readyMs!.toFixed(0)} ms; model chosen (model-info: load + first-map preparation) ${r.modelInfoMs!.toFixed(0)} ms; ` +
        `first LRP-α2β1 map ${r.firstMs!.toFixed(0)} ms, warm ${r.warmMs!.toFixed(0)} ms (${ratio.toFixed(2)}×)${pass === undefined ? '' : `  target ≤ ${FIRST_MAP_RATIO}× ${pass ? 'pass' : 'MISS'}`}`,
    );
    rows.push({ kind: 'first-map', model: name, workers: r.shape.workers, threads: r.shape.threads, worker_ready_ms: round(r.readyMs!, 1), model_info_ms: round(r.modelInfoMs!, 1), first_ms: round(r.firstMs!, 1), warm_ms: round(r.warmMs!, 1), first_over_warm: round(ratio, 3), target_ratio: pass === undefined ? undefined : FIRST_MAP_RATIO, pass });
  }

  // ---- every method, batch by batch ------------------------------------------------------------------------
  const oneWorker = [...results.values()].filter((r) => r.shape.workers === 1);
  console.log(`  per heatmap, one worker, median wall ms (cpu ms: the process's CPU time, all threads) on ${oneWorker.map((r) => label(r.shape)).join(' and ')}; Zennit on 2 threads in this run:`);
  const header = ['method', 'batch', ...oneWorker.flatMap((r) => [`${label(r.shape)} ms`, 'cpu']), 'speedup', 'Zennit ms', 'Zennit cpu', ...oneWorker.map((r) => `ratio ${label(r.shape)}`)];
  const widths = header.map((h, i) => (i === 0 ? 16 : Math.max(7, h.length)));
  const line = (cells: string[], verdict = '') => console.log('    ' + cells.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join(' ') + (verdict ? `  ${verdict}` : ''));
  line(header, 'target');
  for (const method of o.methods) {
    for (const batch of o.batches) {
      const z = zennitMs(method, batch);
      const theirCpu = zennitCpuMs(method, batch);
      const flops = flopsOf(method);
      const target = targets.ratio.find((t) => t.batch === batch && t.methods.includes(method));
      const measured = oneWorker.map((r) => r.methods.get(`${method} ${batch}`)!);
      const single = measured[0];
      const speedup = measured.length > 1 ? single.ms / measured[measured.length - 1].ms : undefined;
      let verdict = '';
      oneWorker.forEach((r, k) => {
        const m = measured[k];
        const ratio = z && z.ms / m.ms;
        const pass = target && isJudged(r.shape) && ratio !== undefined ? ratio >= target.atLeast : undefined;
        if (pass !== undefined) verdict = `≥ ${target!.atLeast} on ${label(r.shape)} ${pass ? 'pass' : 'MISS'}`;
        rows.push({
          kind: 'throughput',
          model: name,
          method,
          batch,
          workers: r.shape.workers,
          threads: r.shape.threads,
          ms_per_heatmap: round(m.ms, 3),
          ms_per_heatmap_min: round(m.minMs, 3),
          cpu_ms_per_heatmap: round(m.cpuMs, 3),
          heatmaps_per_s: round(1000 / m.ms, 2),
          gflops_per_s: flops === undefined ? undefined : round((flops * 1000) / m.ms / 1e9, 2),
          flops_per_heatmap: flops,
          speedup_over_one_thread: k > 0 ? round(single.ms / m.ms, 3) : undefined,
          zennit: z && { ms_per_heatmap: round(z.ms, 3), cpu_ms_per_heatmap: theirCpu === undefined ? undefined : round(theirCpu, 3), source: z.source },
          work_ratio_to_zennit: theirCpu === undefined ? undefined : round(theirCpu / m.cpuMs, 3),
          ratio_to_zennit: ratio === undefined ? undefined : round(ratio, 3),
          target_ratio: pass === undefined ? undefined : target!.atLeast,
          pass,
        });
      });
      line(
        [
          method,
          String(batch),
          ...measured.flatMap((m) => [m.ms.toFixed(1), m.cpuMs.toFixed(1)]),
          speedup === undefined ? '—' : speedup.toFixed(2),
          z ? `${z.ms.toFixed(1)}${z.source === 'issue' ? '*' : ''}` : '—',
          theirCpu === undefined ? '—' : theirCpu.toFixed(1),
          ...measured.map((m) => (z ? (z.ms / m.ms).toFixed(2) : '—')),
        ],
        verdict,
      );
    }
  }
  if (peer === null && targets.reference) console.log(`    * ${targets.reference.source}`);

  // ---- the seed set, every shape ----------------------------------------------------------------------------
  const zennitSeven = SEED.map((m) => zennitMs(m, 1));
  const zennitSevenMs = zennitSeven.every(Boolean) ? zennitSeven.reduce((t, z) => t + z!.ms, 0) : undefined;
  for (const r of results.values()) {
    const target = isJudged(r.shape) ? targets.seedSetMs : undefined;
    const pass = target === undefined ? undefined : r.seedMs! <= target;
    const zennit = zennitSevenMs === undefined ? '' : `, Zennit ${zennitSevenMs.toFixed(0)} ms for the seven one by one (ratio ${(zennitSevenMs / r.seedMs!).toFixed(2)})`;
    console.log(`  seed set, one image, seven methods in one call, ${label(r.shape)}: ${r.seedMs!.toFixed(0)} ms (cpu ${r.seedCpuMs!.toFixed(0)} ms)${zennit}${target ? `  target ≤ ${target} ms ${pass ? 'pass' : 'MISS'}` : ''}`);
    rows.push({ kind: 'seed-set', model: name, batch: 1, workers: r.shape.workers, threads: r.shape.threads, ms: round(r.seedMs!, 2), cpu_ms: round(r.seedCpuMs!, 1), zennit_ms: zennitSevenMs && round(zennitSevenMs, 2), target_ms: target, pass });
  }

  // ---- our maps against Zennit's ----------------------------------------------------------------------------
  if (peer && ourMaps) {
    console.log('  maps against Zennit\'s (same file, same image, the seed set call): max |ours − Zennit| / max |Zennit|');
    for (const p of peer.filter((m) => SEED.includes(m.method as SeedMethod))) {
      const ours = ourMaps.explanations.find((e) => e.method === p.method);
      if (!ours) continue;
      const theirs = p.relevance[0];
      let scale = 0;
      let worst = 0;
      theirs.forEach((v, i) => {
        scale = Math.max(scale, Math.abs(v));
        worst = Math.max(worst, Math.abs(ours.relevance[i] - v));
      });
      const relative = worst / scale;
      const sameTarget = ours.target === p.target[0];
      // Above 1e-4 needs a look (.notes/bench.md: on the random-weight ResNet-18 one pre-activation of layer4
      // sits at 1.5e-7 of its layer's scale and float32 rounding puts it on the other side of its ReLU's kink
      // than PyTorch does; the gradient family is discontinuous there, LRP is not). Not one of the issue's
      // targets, so no pass/miss.
      console.log(`    ${p.method.padEnd(16)} ${relative.toExponential(2)}${sameTarget ? '' : `  (classes differ: ours ${ours.target}, Zennit ${p.target[0]})`}${relative > 1e-4 ? '  above 1e-4' : ''}`);
      rows.push({ kind: 'peer-check', model: name, method: p.method, max_relative_difference: relative, same_target: sameTarget, within_1e4: sameTarget && relative <= 1e-4 });
    }
  }

  // ---- file → seven heatmaps (decode, resize, crop, seven maps on two workers, RGBA) -------------------------
  if (targets.endToEndMs !== undefined) {
    const pool = new WorkerPool({ size: judged.workers, threads: judged.threads, workerScript: o.worker, wasmDir: o.dist });
    await pool.run({ type: 'model-info', model: { path: modelPath } });
    const file = photoLikePng(name, [Math.round(h * 1.4), Math.round(w * 1.8)], c);
    const job: ExplainJob = { ...explainJob(modelPath, [{ kind: 'file', path: file }], [...SEED]), preprocess: 'auto' };
    const times = await timeRuns(async () => {
      const result = await explainInParallel(pool, job);
      for (const e of result.explanations) renderHeatmap(e.relevance, e.shape, { colormap: 'bwr' });
    }, 1, repeats(5, 2));
    const ms = median(times);
    const pass = ms <= targets.endToEndMs;
    console.log(`  end to end, one ${Math.round(w * 1.8)}×${Math.round(h * 1.4)} PNG file → decode → resize/crop → 7 heatmaps → RGBA, ${label(judged)}: ${ms.toFixed(0)} ms  target ≤ ${targets.endToEndMs} ms ${pass ? 'pass' : 'MISS'}`);
    rows.push({ kind: 'end-to-end', model: name, methods: SEED.length, workers: judged.workers, threads: judged.threads, ms: round(ms, 1), target_ms: targets.endToEndMs, pass });
    await pool.dispose();
  }
}

interface ShapeResult {
  shape: PoolShape;
  readyMs?: number;
  modelInfoMs?: number;
  firstMs?: number;
  warmMs?: number;
  seedMs?: number;
  seedCpuMs?: number;
  /** Keyed by "<method> <batch>". */
  methods: Map<string, { ms: number; minMs: number; cpuMs: number }>;
}

function explainJob(modelPath: string, images: ImageSource[], methods: string[]): ExplainJob {
  return { type: 'explain', model: { path: modelPath }, images, methods, preprocess: 'none' };
}

/** The fixture's own image for the shapes ResNet; for any other model seeded random pixels, as a PNG
 *  under .cache/bench/ (the peer reads the file, we the same pixels). */
function benchImage(name: string, [h, w, c]: number[]): BenchImage {
  const fixture = path.join(REPO, 'test', 'fixtures', 'zennit', 'shapes-triangle-32x32.png');
  let png = fixture;
  if (!(name === 'shapes-resnet.onnx' && h === 32 && w === 32 && c === 3)) {
    png = path.join(REPO, '.cache', 'bench', `${name}-input-${h}x${w}x${c}.png`);
    if (!fs.existsSync(png)) {
      const rand = random(h * w + c);
      const image = new PNG({ width: w, height: h });
      for (let p = 0; p < h * w; p++) {
        const grey = Math.floor(rand() * 256);
        for (let k = 0; k < 3; k++) image.data[p * 4 + k] = c === 1 ? grey : Math.floor(rand() * 256);
        image.data[p * 4 + 3] = 255;
      }
      fs.mkdirSync(path.dirname(png), { recursive: true });
      fs.writeFileSync(png, PNG.sync.write(image));
    }
  }
  const decoded = PNG.sync.read(fs.readFileSync(png));
  const data = new Uint8Array(h * w * c);
  for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) data[p * c + k] = decoded.data[p * 4 + k];
  return { png, source: { kind: 'pixels', name: path.basename(png), width: w, height: h, channels: c as 1 | 3, data } };
}

/** A smooth colour image larger than the model input (so preprocessing resizes and crops it), as a file. */
function photoLikePng(name: string, [h, w]: number[], c: number): string {
  const file = path.join(REPO, '.cache', 'bench', `${name}-photo-${w}x${h}.png`);
  if (fs.existsSync(file)) return file;
  const image = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const p = (y * w + x) * 4;
      const shade = 128 + 100 * Math.sin(x / 17) * Math.cos(y / 23);
      image.data[p] = shade;
      image.data[p + 1] = c === 1 ? shade : 255 - shade;
      image.data[p + 2] = c === 1 ? shade : (x * 255) / w;
      image.data[p + 3] = 255;
    }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, PNG.sync.write(image));
  return file;
}
