// `npm run bench -- --model <model file>` (any format the engine reads; `resnet18` for the generated
// ResNet-18-shaped ONNX model, `shapes-resnet` for the residual RGB 32×32 fixture of the import tests):
// what a heatmap of each method costs on that model through the worker pool as the extension and the CLI
// use it (explainInParallel over two workers), at each batch asked for; the FLOPs from the graph; the
// seven seed methods for one image in one call (one and two workers: the panel's and the comparison's
// call); for the models of issue 16 the file → seven heatmaps path; and, when the peer can run, Zennit on
// the same file and image in the same run: its times (the ratios) and its maps (a correctness check).
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
import { MODEL_TARGETS, SEED, type ModelTargets, type SeedMethod } from './zennit';

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

  // ---- cold start ---------------------------------------------------------------------------------------
  const start = performance.now();
  const cold = new WorkerPool({ size: 1, workerScript: o.worker, wasmDir: o.dist });
  await cold.backend();
  const readyMs = performance.now() - start;
  await cold.run(explainJob(modelPath, [image.source], ['lrp-a2b1']));
  const totalMs = performance.now() - start;
  console.log(`  cold start: worker + wasm ${readyMs.toFixed(0)} ms, model + first heatmap ${(totalMs - readyMs).toFixed(0)} ms`);
  rows.push({ kind: 'model-cold-start', model: name, worker_ready_ms: round(readyMs, 1), first_heatmap_ms: round(totalMs - readyMs, 1), total_ms: round(totalMs, 1) });

  // ---- the seven seed methods for one image in one call, one worker and two ---------------------------------
  const seedJob = explainJob(modelPath, [image.source], [...SEED]);
  const seedSet: Record<number, { ms: number; cpuMs: number }> = {};
  let ourMaps: ExplainResult | undefined;
  for (const [pool, workers] of [[cold, 1], [new WorkerPool({ size: 2, workerScript: o.worker, wasmDir: o.dist }), 2]] as const) {
    await pool.backend();
    const reps = repeats(5, 3);
    const { times, cpuMs } = await timeRunsWithCpu(async () => (ourMaps = await explainInParallel(pool, seedJob)), 1, reps);
    seedSet[workers] = { ms: median(times), cpuMs: cpuMs / reps };
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

  // ---- per method and batch, two workers ------------------------------------------------------------------
  const pool = new WorkerPool({ size: 2, workerScript: o.worker, wasmDir: o.dist });
  await pool.backend();
  await explainInParallel(pool, explainJob(modelPath, [image.source, image.source], [...SEED]));
  console.log('  per heatmap, 2 workers (explainInParallel), median wall time; cpu ms: CPU time of the process (all threads) per');
  console.log('  heatmap, ours and Zennit\'s (work ratio: Zennit\'s CPU time over ours, which load on the machine inflates less):');
  const widths = [16, 5, 10, 8, 10, 7, 10, 6, 10, 6];
  const line = (cells: string[], verdict = '') => console.log('    ' + cells.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join(' ') + (verdict ? `  ${verdict}` : ''));
  line(['method', 'batch', 'ms/heatmap', 'cpu ms', 'heatmaps/s', 'GFLOP/s', 'Zennit ms', 'ratio', 'Zennit cpu', 'work'], 'target');
  for (const method of o.methods) {
    for (const batch of o.batches) {
      const job = explainJob(modelPath, new Array<ImageSource>(batch).fill(image.source), [method]);
      const reps = batch === 1 ? repeats(7, 3) : repeats(3, 2);
      const { times, cpuMs } = await timeRunsWithCpu(() => explainInParallel(pool, job), 1, reps);
      const msPerHeatmap = median(times) / batch;
      const perSecond = 1000 / msPerHeatmap;
      const flops = flopsOf(method);
      const z = zennitMs(method, batch);
      const ratio = z && z.ms / msPerHeatmap;
      const ourCpu = cpuMs / (reps * batch);
      const theirCpu = zennitCpuMs(method, batch);
      const target = targets.ratio.find((t) => t.batch === batch && t.methods.includes(method));
      const pass = target && ratio !== undefined ? ratio >= target.atLeast : undefined;
      const verdict = target ? (ratio === undefined ? `≥ ${target.atLeast}: no reference` : `≥ ${target.atLeast} ${pass ? 'pass' : 'MISS'}`) : '';
      line(
        [
          method,
          String(batch),
          msPerHeatmap.toFixed(2),
          (cpuMs / (reps * batch)).toFixed(2),
          perSecond.toFixed(1),
          flops ? ((flops * perSecond) / 1e9).toFixed(1) : '—',
          z ? `${z.ms.toFixed(2)}${z.source === 'issue' ? '*' : ''}` : '—',
          ratio === undefined ? '—' : ratio.toFixed(2),
          theirCpu === undefined ? '—' : theirCpu.toFixed(2),
          theirCpu === undefined ? '—' : (theirCpu / ourCpu).toFixed(2),
        ],
        verdict,
      );
      rows.push({
        kind: 'throughput',
        model: name,
        method,
        batch,
        workers: 2,
        ms_per_heatmap: round(msPerHeatmap, 3),
        ms_per_heatmap_min: round(Math.min(...times) / batch, 3),
        cpu_ms_per_heatmap: round(cpuMs / (reps * batch), 3),
        heatmaps_per_s: round(perSecond, 2),
        gflops_per_s: flops === undefined ? undefined : round((flops * perSecond) / 1e9, 2),
        flops_per_heatmap: flops,
        zennit: z && { ms_per_heatmap: round(z.ms, 3), cpu_ms_per_heatmap: theirCpu === undefined ? undefined : round(theirCpu, 3), source: z.source },
        work_ratio_to_zennit: theirCpu === undefined ? undefined : round(theirCpu / ourCpu, 3),
        ratio_to_zennit: ratio === undefined ? undefined : round(ratio, 3),
        target_ratio: target?.atLeast,
        pass,
      });
    }
  }
  if (peer === null && targets.reference) console.log(`    * ${targets.reference.source}`);

  // ---- the seed set rows (measured above, before the peer ran) ----------------------------------------------
  const zennitSeven = SEED.map((m) => zennitMs(m, 1));
  const zennitSevenMs = zennitSeven.every(Boolean) ? zennitSeven.reduce((t, z) => t + z!.ms, 0) : undefined;
  for (const workers of [1, 2]) {
    const { ms, cpuMs } = seedSet[workers];
    const target = workers === 2 ? targets.seedSetMs : undefined;
    const pass = target === undefined ? undefined : ms <= target;
    const zennit = zennitSevenMs === undefined ? '' : `, Zennit ${zennitSevenMs.toFixed(0)} ms for the seven one by one (ratio ${(zennitSevenMs / ms).toFixed(2)})`;
    console.log(`  seed set, one image, seven methods in one call, ${workers} worker${workers > 1 ? 's' : ''}: ${ms.toFixed(1)} ms (cpu ${cpuMs.toFixed(0)} ms)${zennit}${target ? `  target ≤ ${target} ms ${pass ? 'pass' : 'MISS'}` : ''}`);
    rows.push({ kind: 'seed-set', model: name, batch: 1, workers, ms: round(ms, 2), cpu_ms: round(cpuMs, 1), zennit_ms: zennitSevenMs && round(zennitSevenMs, 2), target_ms: target, pass });
  }

  // ---- our maps against Zennit's ----------------------------------------------------------------------------
  if (peer && ourMaps) {
    console.log('  maps against Zennit\'s (same file, same image, seed set call on 2 workers): max |ours − Zennit| / max |Zennit|');
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
    const file = photoLikePng(name, [Math.round(h * 1.4), Math.round(w * 1.8)], c);
    const job: ExplainJob = { ...explainJob(modelPath, [{ kind: 'file', path: file }], [...SEED]), preprocess: 'auto' };
    const times = await timeRuns(async () => {
      const result = await explainInParallel(pool, job);
      for (const e of result.explanations) renderHeatmap(e.relevance, e.shape, { colormap: 'bwr' });
    }, 1, repeats(5, 2));
    const ms = median(times);
    const pass = ms <= targets.endToEndMs;
    console.log(`  end to end, one ${Math.round(w * 1.8)}×${Math.round(h * 1.4)} PNG file → decode → resize/crop → 7 heatmaps → RGBA, 2 workers: ${ms.toFixed(0)} ms  target ≤ ${targets.endToEndMs} ms ${pass ? 'pass' : 'MISS'}`);
    rows.push({ kind: 'end-to-end', model: name, methods: SEED.length, workers: 2, ms: round(ms, 1), target_ms: targets.endToEndMs, pass });
  }
  await pool.dispose();
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
