// Milliseconds per heatmap for the seed methods on random-weight models of the FACTS.md peer shapes
// (MLP 784-400-400-10; CNN conv3×3(32)-relu-maxpool2-conv3×3(64)-relu-maxpool2-dense128-dense10), at
// batch 1 and batch 256, single thread, on the active backend. Not a test (no timed assertions):
//   node --import tsx test/unit/methods/benchmark.ts [mlp|cnn] [batch...]
import * as tf from '@tensorflow/tfjs';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { explain, releasePrepared } from '../../../src/engine/methods/explain';
import { expandMethodList, formatMethodSpec } from '../../../src/engine/methods/methodRegistry';
import type { ImageShape } from '../../../src/engine/types';
import { randomImages } from './nets';
import { conv, dense, random, toNetwork, type RefNet } from './reference';

const MODELS: Record<string, () => RefNet> = {
  mlp: () => {
    const rand = random(7);
    return {
      inputShape: [784],
      layers: [dense(rand, 784, 400), { kind: 'relu' }, dense(rand, 400, 400), { kind: 'relu' }, dense(rand, 400, 10)],
    };
  },
  cnn: () => {
    const rand = random(8);
    return {
      inputShape: [28, 28, 1],
      layers: [
        conv(rand, 3, 1, 32, 1, 'valid'),
        { kind: 'relu' },
        { kind: 'maxPool', pool: 2, stride: 2, padding: 'valid' },
        conv(rand, 3, 32, 64, 1, 'valid'),
        { kind: 'relu' },
        { kind: 'maxPool', pool: 2, stride: 2, padding: 'valid' },
        { kind: 'reshape', shape: [1600] },
        dense(rand, 1600, 128),
        { kind: 'relu' },
        dense(rand, 128, 10),
      ],
    };
  },
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const [which = 'mlp', ...batchArgs] = process.argv.slice(2);
  const batches = batchArgs.length ? batchArgs.map(Number) : [1, 256];
  const backend = await initBackend(nodeModulesWasmDir());
  const network = toNetwork(MODELS[which]());
  const shape: ImageShape = [28, 28, 1];
  const pool = randomImages(9, Math.max(...batches), 784).map((x) => Float32Array.from(x));
  console.log(`${which}, backend ${backend.name}; ms per heatmap, median (min) of wall time / heatmaps`);
  const specs = expandMethodList('seed');
  console.log(['method', ...batches.map((b) => `batch ${b}`)].join('\t'));
  for (const spec of specs) {
    const cells: string[] = [];
    for (const batch of batches) {
      const images = pool.slice(0, batch);
      const request = { images, methods: [spec], bounds: [0, 1] as [number, number] };
      explain(network, shape, request); // warm-up: prepares the weight variants
      const repeats = batch === 1 ? 50 : 5;
      const times: number[] = [];
      for (let r = 0; r < repeats; r++) {
        const start = performance.now();
        explain(network, shape, request);
        times.push((performance.now() - start) / batch);
      }
      cells.push(`${median(times).toFixed(3)} (${Math.min(...times).toFixed(3)})`);
    }
    console.log([formatMethodSpec(spec), ...cells].join('\t'));
  }
  releasePrepared(network);
  network.dispose();
  console.log(`tensors left: ${tf.memory().numTensors}`);
}

void main();
