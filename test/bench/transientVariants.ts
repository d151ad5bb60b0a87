// What freeing a large network's kernel variants node by node (network/prepared.ts, TRANSIENT_VARIANTS)
// costs in time: the seven seed methods for one image in one call on one thread, in-process, with every
// variant cached between calls ("cached", the small-network behaviour) and made per call ("transient"),
// alternating so that both see the same load. Also checks that both give the same maps, bit for bit.
//
//   node --import tsx test/bench/transientVariants.ts [--model resnet18|<file>] [--rounds 4] [--json out.json]
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nodeModulesWasmDir } from '../../src/engine/backend';
import { loadAnyModel } from '../../src/engine/import/loadAnyModel';
import { explain, releasePrepared } from '../../src/engine/methods/explain';
import { parseMethodSpec } from '../../src/engine/methods/methodRegistry';
import { networkInputBounds } from '../../src/engine/model/modelCard';
import { TRANSIENT_VARIANTS } from '../../src/engine/network/prepared';
import { random } from '../unit/methods/reference';
import { resnet18OnnxFile } from './resnet18Onnx';
import { median, round } from './timing';
import { SEED } from './zennit';

const { values } = parseArgs({ options: { model: { type: 'string', default: 'resnet18' }, rounds: { type: 'string', default: '4' }, json: { type: 'string' } } });

async function main(): Promise<void> {
  await initBackend(nodeModulesWasmDir());
  const modelPath = values.model === 'resnet18' ? resnet18OnnxFile() : path.resolve(values.model!);
  const { network, card } = await loadAnyModel(modelPath);
  const [h, w, c] = card.inputShape;
  const rand = random(5);
  const image = Float32Array.from({ length: h * w * c }, () => rand() * 2 - 1);
  const methods = SEED.map((m) => parseMethodSpec(m));
  const call = () => explain(network, card.inputShape, { images: [image], methods, bounds: networkInputBounds(card) });
  const defaultMin = TRANSIENT_VARIANTS.minKernelBytes;
  const modes = { cached: Number.POSITIVE_INFINITY, transient: defaultMin };
  const times: Record<string, { wall: number[]; cpu: number[] }> = { cached: { wall: [], cpu: [] }, transient: { wall: [], cpu: [] } };
  const maps: Record<string, Float32Array[]> = {};
  for (let r = 0; r < Number(values.rounds); r++) {
    for (const [mode, minKernelBytes] of Object.entries(modes)) {
      TRANSIENT_VARIANTS.minKernelBytes = minKernelBytes;
      releasePrepared(network);
      call(); // warm: the cached mode builds its variants here
      const cpu = process.cpuUsage();
      const start = performance.now();
      const result = call();
      times[mode].wall.push(performance.now() - start);
      const used = process.cpuUsage(cpu);
      times[mode].cpu.push((used.user + used.system) / 1000);
      maps[mode] ??= result.map((e) => e.relevance);
    }
  }
  TRANSIENT_VARIANTS.minKernelBytes = defaultMin;
  const same = maps.cached.every((m, k) => m.length === maps.transient[k].length && m.every((v, i) => Object.is(v, maps.transient[k][i])));
  const wall = (mode: string) => median(times[mode].wall);
  const cpu = (mode: string) => median(times[mode].cpu);
  console.log(`${path.basename(modelPath)}, seven seed methods, one image, one thread (${tf.getBackend()}), median of ${values.rounds}:`);
  for (const mode of Object.keys(modes)) console.log(`  ${mode.padEnd(9)} wall ${wall(mode).toFixed(0)} ms  cpu ${cpu(mode).toFixed(0)} ms  (wall ${times[mode].wall.map((t) => t.toFixed(0)).join(', ')})`);
  console.log(`  transient / cached: wall ${(wall('transient') / wall('cached')).toFixed(3)}, cpu ${(cpu('transient') / cpu('cached')).toFixed(3)}; maps ${same ? 'identical' : 'DIFFER'}`);
  if (values.json) {
    const row = { kind: 'transient-variants', model: path.basename(modelPath), rounds: Number(values.rounds), times, wall_ratio: round(wall('transient') / wall('cached'), 3), cpu_ratio: round(cpu('transient') / cpu('cached'), 3), maps_identical: same };
    fs.writeFileSync(values.json, JSON.stringify([row], null, 1) + '\n');
  }
  network.dispose();
  if (!same) process.exit(1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
