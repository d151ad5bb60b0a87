// Pixel-flipping benchmark (issue 13): the seven seed methods with K = 20 on 20 images through a real
// WorkerPool over dist/worker.js (explain jobs for the maps, pixel-flip jobs for the 2·(K−1) perturbed
// copies per map plus the shared ends), 2 workers, goal ≤ 5 s wall time. `npm run bench` runs it on
// mnist-cnn (one line in bench.ts); any other model, e.g. the RGB ResNet-style one of issue 12:
//   node --import tsx test/bench/faithfulness.ts --model <bundled id|model.json> [--images 20] [--workers 2] [--repeats 3]
// Images: the shipped MNIST / FashionMNIST test images for 28×28 grey models of those data sets, seeded
// noise of the card's input shape otherwise (the cost does not depend on the content).
import * as fs from 'fs';
import * as path from 'path';
import { resolveModelPath } from '../../src/engine/bundledModels';
import { evaluateFaithfulness } from '../../src/engine/evaluate/faithfulness';
import { SEED_METHODS } from '../../src/engine/methods/methodTable';
import { WorkerPool } from '../../src/engine/pool/workerPool';
import type { ImageSource } from '../../src/protocol/engineJobs';
import type { ModelCard } from '../../src/protocol/model';
import { REPO } from './models';
import { loadAverage, median, round, timeRunsWithCpu } from './timing';

const DIST = path.join(REPO, 'dist');
export const FAITHFULNESS_GOAL_MS = 5000;

export interface FaithfulnessBenchOptions {
  model: string;
  images: number;
  workers: number;
  steps: number;
  repeats: number;
}

export async function benchFaithfulness(options: Partial<FaithfulnessBenchOptions> = {}): Promise<Array<Record<string, unknown> & { kind: string }>> {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o: FaithfulnessBenchOptions = { model: 'mnist-cnn', images: 20, workers: 2, steps: 20, repeats: 3, ...given };
  const modelJson = resolveModelPath(o.model);
  const pool = new WorkerPool({ size: o.workers, threads: 1, workerScript: path.join(DIST, 'worker.js'), wasmDir: DIST });
  try {
    const info = await pool.run({ type: 'model-info', model: { path: modelJson } });
    const images = benchImages(info.card, o.images);
    const request = { model: { path: modelJson }, images, methods: [...SEED_METHODS], preprocess: 'none' as const, steps: o.steps };
    const { times, cpuMs } = await timeRunsWithCpu(() => evaluateFaithfulness(pool, request), 1, o.repeats);
    const ms = median(times);
    const [h, w, c] = info.card.inputShape;
    const forwardPasses = o.images * (SEED_METHODS.length * 2 * (o.steps - 1) + 2);
    const pass = ms <= FAITHFULNESS_GOAL_MS;
    console.log(`\npixel flipping, seven seed methods, K = ${o.steps}, ${o.images} images ${h}×${w}×${c}, ${o.workers} workers (${forwardPasses} perturbed forward passes + the maps), warm:`);
    console.log(
      `  ${o.model.padEnd(10)} ${(ms / 1000).toFixed(2)} s (fastest ${(Math.min(...times) / 1000).toFixed(2)} s, cpu ${(cpuMs / o.repeats / 1000).toFixed(2)} s per run)  goal ≤ ${FAITHFULNESS_GOAL_MS / 1000} s ${pass ? 'pass' : 'MISS'}`,
    );
    return [
      {
        kind: 'faithfulness',
        model: o.model,
        input: [h, w, c],
        methods: SEED_METHODS.length,
        images: o.images,
        steps: o.steps,
        workers: o.workers,
        forward_passes: forwardPasses,
        ms: round(ms, 1),
        min_ms: round(Math.min(...times), 1),
        cpu_ms: round(cpuMs / o.repeats, 1),
        target_ms: FAITHFULNESS_GOAL_MS,
        pass,
      },
    ];
  } finally {
    await pool.dispose();
  }
}

/** The data set's first test images when the samples have them, else seeded noise of the card's shape. */
export function benchImages(card: ModelCard, count: number): ImageSource[] {
  const [h, w, c] = card.inputShape;
  const dataset = card.dataset === 'FashionMNIST' ? 'fashion' : card.dataset === 'MNIST' ? 'mnist' : undefined;
  const file = dataset && path.join(REPO, 'models', 'samples', `${dataset}-test-1k-images.npy`);
  if (file && fs.existsSync(file) && h === 28 && w === 28 && c === 1) {
    const bytes = fs.readFileSync(file);
    // .npy 1.0: magic (6) + version (2) + header length (uint16 LE) + header, then the raw uint8 data.
    const start = 10 + bytes.readUInt16LE(8);
    return Array.from({ length: count }, (_, i) => ({
      kind: 'pixels',
      name: `${dataset}-test-${i}`,
      width: 28,
      height: 28,
      channels: 1,
      data: new Uint8Array(bytes.subarray(start + i * 784, start + (i + 1) * 784)),
    }));
  }
  let s = 12345;
  const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24);
  return Array.from({ length: count }, (_, i) => ({
    kind: 'pixels',
    name: `noise-${i}`,
    width: w,
    height: h,
    channels: c as 1 | 3,
    data: Uint8Array.from({ length: h * w * c }, next),
  }));
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const value = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const number = (name: string) => (value(name) === undefined ? undefined : Number(value(name)));
  console.log(`load average at start: ${loadAverage().join(', ')}`);
  benchFaithfulness({ model: value('model'), images: number('images'), workers: number('workers'), steps: number('steps'), repeats: number('repeats') })
    .then((rows) => {
      console.log(`load average at end: ${loadAverage().join(', ')}`);
      if (value('json')) fs.writeFileSync(value('json')!, JSON.stringify(rows, null, 1) + '\n');
    })
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
