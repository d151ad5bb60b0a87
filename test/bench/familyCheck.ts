// One torchvision model exported by scripts/fixtures/torchvision_families.py, checked in its own process
// (so that its peak RSS is its own): opens; logits against PyTorch's; the input gradient of the top logit
// against autograd's; each seed method's time for one 224×224 image (one method per call, after one
// untimed warm-up call of each; `--no-timing` leaves the methods out); the process's peak RSS. Prints one
// JSON line. families.ts runs it.
//   node --import tsx test/bench/familyCheck.ts <model.onnx> <name.reference.json> [--no-timing]
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nodeModulesWasmDir } from '../../src/engine/backend';
import { loadAnyModel } from '../../src/engine/import/loadAnyModel';
import { gradientAt } from '../../src/engine/methods/attributors';
import { explain } from '../../src/engine/methods/explain';
import { parseMethodSpec } from '../../src/engine/methods/methodRegistry';
import { logitsOf } from '../../src/engine/network/forward';
import type { ImageShape } from '../../src/protocol/model';
import { relativeError } from '../unit/import/relativeError';
import { SEED } from './zennit';

/** NCHW → NHWC for one image. */
function toNhwc(v: Float32Array, [c, h, w]: number[]): Float32Array {
  const out = new Float32Array(v.length);
  for (let k = 0; k < c; k++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[(y * w + x) * c + k] = v[(k * h + y) * w + x];
  return out;
}

async function main(): Promise<void> {
  const [modelFile, referenceFile] = process.argv.slice(2);
  const timing = !process.argv.includes('--no-timing');
  const reference = JSON.parse(fs.readFileSync(referenceFile, 'utf8')) as { inputShape: number[]; logits: number[]; logits64?: number[]; target: number };
  const base = referenceFile.replace(/\.reference\.json$/, '');
  const read = (suffix: string) => new Float32Array(new Uint8Array(fs.readFileSync(`${base}.${suffix}.f32`)).buffer);
  const [, c, h, w] = reference.inputShape;
  const input = toNhwc(read('input'), [c, h, w]);
  const expectedGradient = toNhwc(read('gradient'), [c, h, w]);
  // PyTorch in float64 (torchvision_families.py --float64): the exact values, and how far PyTorch's own
  // float32 is from them (random-weight deep nets are ill-conditioned).
  const gradient64File = `${base}.gradient64.f64`;
  const gradient64 = fs.existsSync(gradient64File) ? toNhwc(Float32Array.from(new Float64Array(new Uint8Array(fs.readFileSync(gradient64File)).buffer)), [c, h, w]) : null;
  await initBackend(nodeModulesWasmDir());
  const result: Record<string, unknown> = { model: path.basename(modelFile) };
  const loadStart = performance.now();
  let loaded;
  try {
    loaded = await loadAnyModel(modelFile);
  } catch (e) {
    result.opens = false;
    result.error = (e as Error).message;
    console.log(JSON.stringify(result));
    return;
  }
  result.opens = true;
  result.loadMs = Math.round(performance.now() - loadStart);
  const { network } = loaded;
  const x = tf.tensor(input, [1, h, w, c]);
  const logits = logitsOf(network, x);
  result.logitError = relativeError(logits.dataSync(), reference.logits);
  if (reference.logits64) {
    result.logitError64 = relativeError(logits.dataSync(), reference.logits64);
    result.torchLogitError64 = relativeError(reference.logits, reference.logits64);
  }
  logits.dispose();
  const classes = network.outputSize;
  const gradient = tf.tidy(() => gradientAt(network, x, tf.oneHot([reference.target], classes).toFloat(), 'gradient'));
  result.gradientError = relativeError(gradient.dataSync(), expectedGradient);
  if (gradient64) {
    result.gradientError64 = relativeError(gradient.dataSync(), gradient64);
    result.torchGradientError64 = relativeError(expectedGradient, gradient64);
  }
  gradient.dispose();
  x.dispose();
  const shape: ImageShape = [h, w, c];
  const request = (method: string) => ({ images: [input], methods: [parseMethodSpec(method)], bounds: [-2, 2] as [number, number] });
  const ms: Record<string, number> = {};
  for (const method of timing ? SEED : []) {
    explain(network, shape, request(method));
    const start = performance.now();
    const [map] = explain(network, shape, request(method));
    ms[method] = Math.round(performance.now() - start);
    if (!map.relevance.every(Number.isFinite) || !map.relevance.some((v) => v !== 0)) throw new Error(`${method} gave a map that is not finite or all zero`);
  }
  if (timing) result.methodMs = ms;
  result.peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  network.dispose();
  console.log(JSON.stringify(result));
}

main().catch((e) => {
  console.log(JSON.stringify({ model: process.argv[2], opens: false, error: `check failed: ${(e as Error).stack}` }));
  process.exitCode = 1;
});
