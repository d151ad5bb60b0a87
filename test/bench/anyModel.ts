// `npm run bench -- --model <model file>` (any format the engine reads; `resnet18` for the generated
// ResNet-18-shaped ONNX model): what one heatmap of each seed method costs on that model, through the
// worker pool as the extension and the CLI use it. Batch 1 (one image of the model's input size, seeded
// random pixels), one and two workers, median wall time and CPU time; the cold start (worker, wasm, model,
// first heatmap) and the forward pass alone. There is no peer figure for arbitrary models: no ratios.
import * as path from 'path';
import type { ExplainJob, ImageSource, ModelInfoResult } from '../../src/protocol/engineJobs';
import { WorkerPool } from '../../src/engine/pool/workerPool';
import { random } from '../unit/methods/reference';
import { median, round, timeRunsWithCpu } from './timing';
import { SEED } from './zennit';

type Row = Record<string, unknown> & { kind: string };

export async function benchAnyModel(modelPath: string, worker: string, wasmDir: string, quick: boolean, rows: Row[]): Promise<void> {
  const name = path.basename(modelPath);
  const start = performance.now();
  const cold = new WorkerPool({ size: 1, workerScript: worker, wasmDir });
  await cold.backend();
  const readyMs = performance.now() - start;
  const info: ModelInfoResult = await cold.run({ type: 'model-info', model: { path: modelPath } });
  const [h, w, c] = info.card.inputShape;
  const rand = random(7);
  const image: ImageSource = { kind: 'pixels', name: 'random', width: w, height: h, channels: c as 1 | 3, data: Uint8Array.from({ length: h * w * c }, () => Math.floor(rand() * 256)) };
  const job = (methods: string[]): ExplainJob => ({ type: 'explain', model: { path: modelPath }, images: [image], methods, preprocess: 'none' });
  await cold.run(job(['lrp-a2b1']));
  const totalMs = performance.now() - start;
  await cold.dispose();
  console.log(`\n${name}: ${h}×${w}×${c} input, ${info.nodes.length} nodes`);
  console.log(`  cold start: worker + wasm ${readyMs.toFixed(0)} ms, model + first heatmap ${(totalMs - readyMs).toFixed(0)} ms`);
  rows.push({ kind: 'model-cold-start', model: name, worker_ready_ms: round(readyMs, 1), first_heatmap_ms: round(totalMs - readyMs, 1), total_ms: round(totalMs, 1) });

  const repeats = quick ? 3 : 7;
  for (const workers of [1, 2]) {
    const pool = new WorkerPool({ size: workers, workerScript: worker, wasmDir });
    await pool.backend();
    const forward = await timeRunsWithCpu(() => pool.run({ type: 'predict', model: { path: modelPath }, pixels: image.kind === 'pixels' ? image.data : new Uint8Array(), count: 1 }), 2, repeats);
    console.log(`  ${workers} worker${workers > 1 ? 's' : ''}: forward pass ${median(forward.times).toFixed(1)} ms (cpu ${(forward.cpuMs / repeats).toFixed(1)} ms)`);
    rows.push({ kind: 'model-batch1', model: name, method: 'forward', workers, ms: round(median(forward.times), 2), cpu_ms: round(forward.cpuMs / repeats, 2) });
    for (const method of SEED) {
      const { times, cpuMs } = await timeRunsWithCpu(() => pool.run(job([method])), 1, repeats);
      const ms = median(times);
      console.log(`    ${method.padEnd(16)} ${ms.toFixed(1).padStart(8)} ms   fastest ${Math.min(...times).toFixed(1).padStart(8)} ms   cpu ${(cpuMs / repeats).toFixed(1).padStart(8)} ms`);
      rows.push({ kind: 'model-batch1', model: name, method, workers, ms: round(ms, 2), ms_min: round(Math.min(...times), 2), cpu_ms: round(cpuMs / repeats, 2) });
    }
    await pool.dispose();
  }
}
