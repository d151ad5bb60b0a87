// Where the time of one explain call goes, kernel by kernel: tfjs's profiler around `explain` in this
// thread (one wasm thread, as in a worker), summed per kernel name and input shapes, largest first.
//
//   node --import tsx test/bench/kernelProfile.ts <model file | resnet18> [--methods sensitivity,lrp-a2b1 | seed]
//       [--batch 1] [--top 25] [--threads 2] [--keep-variants]
//
// Kernel times are the backend's own (wasm runs synchronously, so each is the wall time of that kernel);
// what is left of the call's wall time is JS between kernels (the walker, pooling winners, result maps).
// --threads n > 1: the threaded wasm build from dist/ (npm run build), in this main thread.
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nodeModulesWasmDir } from '../../src/engine/backend';
import { loadAnyModel } from '../../src/engine/import/loadAnyModel';
import { explain } from '../../src/engine/methods/explain';
import { parseMethodSpec } from '../../src/engine/methods/methodRegistry';
import { networkInputBounds } from '../../src/engine/model/modelCard';
import { TRANSIENT_VARIANTS } from '../../src/engine/network/prepared';
import { random } from '../unit/methods/reference';
import { REPO } from './models';
import { resnet18OnnxFile } from './resnet18Onnx';
import { SEED } from './zennit';

interface Options {
  model: string;
  methods: string[];
  batch: number;
  top: number;
  threads: number;
  /** Keep every rule variant between calls even on a large network (what the per-call variants cost). */
  keepVariants: boolean;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { model: '', methods: [...SEED], batch: 1, top: 25, threads: 1, keepVariants: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--methods') options.methods = argv[++i] === 'seed' ? [...SEED] : argv[i].split(',');
    else if (arg === '--batch') options.batch = Number(argv[++i]);
    else if (arg === '--top') options.top = Number(argv[++i]);
    else if (arg === '--threads') options.threads = Number(argv[++i]);
    else if (arg === '--keep-variants') options.keepVariants = true;
    else if (!options.model) options.model = arg === 'resnet18' ? resnet18OnnxFile() : arg;
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!options.model) throw new Error('usage: kernelProfile.ts <model file | resnet18> [--methods a,b | seed] [--batch n] [--top n]');
  return options;
}

interface KernelTotal {
  name: string;
  shapes: string;
  calls: number;
  ms: number;
}

/** The profile of one `explain` call of `methods` on `batch` seeded random images (after one warm call). */
export async function profileExplain(modelPath: string, methods: string[], batch: number): Promise<{ wallMs: number; kernels: KernelTotal[] }> {
  const { network, card } = await loadAnyModel(modelPath);
  try {
    const size = card.inputShape.reduce((a, b) => a * b, 1);
    const rand = random(3);
    const images = Array.from({ length: batch }, () => Float32Array.from({ length: size }, () => rand() * 2 - 1));
    const request = { images, methods: methods.map(parseMethodSpec), bounds: networkInputBounds(card) };
    explain(network, card.inputShape, request);
    const start = performance.now();
    const info = await tf.profile(() => {
      explain(network, card.inputShape, request);
    });
    const wallMs = performance.now() - start;
    const totals = new Map<string, KernelTotal>();
    // Op-level records (`name__op`) wrap the kernels they run and would count their time twice.
  for (const k of info.kernels.filter((k) => !k.name.endsWith('__op'))) {
      const shapes = k.inputShapes.map((s) => `[${s}]`).join(' ');
      const key = `${k.name} ${shapes}`;
      const t = totals.get(key) ?? { name: k.name, shapes, calls: 0, ms: 0 };
      t.calls++;
      t.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      totals.set(key, t);
    }
    return { wallMs, kernels: [...totals.values()].sort((a, b) => b.ms - a.ms) };
  } finally {
    network.dispose();
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (options.keepVariants) TRANSIENT_VARIANTS.minKernelBytes = Infinity;
  const backend = await initBackend(options.threads > 1 ? path.join(REPO, 'dist') : nodeModulesWasmDir(), 'wasm', options.threads);
  console.log(`backend ${JSON.stringify(backend)}`);
  const { wallMs, kernels } = await profileExplain(options.model, options.methods, options.batch);
  const kernelMs = kernels.reduce((t, k) => t + k.ms, 0);
  console.log(`${options.methods.join(', ')} at batch ${options.batch}: ${wallMs.toFixed(1)} ms under the profiler, ${kernelMs.toFixed(1)} ms in kernels`);
  const byName = new Map<string, number>();
  for (const k of kernels) byName.set(k.name, (byName.get(k.name) ?? 0) + k.ms);
  console.log('per kernel: ' + [...byName].sort((a, b) => b[1] - a[1]).map(([n, ms]) => `${n} ${ms.toFixed(1)}`).join(', '));
  for (const k of kernels.slice(0, options.top)) {
    console.log(`  ${k.ms.toFixed(2).padStart(8)} ms  ${String(k.calls).padStart(3)}×  ${k.name.padEnd(22)} ${k.shapes}`);
  }
}

if (require.main === module) {
  // A main thread that started the threaded build's pthreads ends only by process.exit (FACTS.md).
  main().then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
