// One full-size vision transformer (scripts/fixtures/transformer_fixtures.py --full: vit_b_16, swin_t,
// DeiT-S; random weights) checked in its own process, so that its peak RSS is its own: opens; logits of one
// seeded random 224×224 image against onnxruntime-web; every seed method and attnlrp / cp-lrp timed for one
// image (one method per call, after one untimed warm-up call; `--no-timing` leaves the methods out, `--quick`
// times attnlrp only), each map checked finite and not all zero; the process's peak RSS. Prints one JSON line.
//   node --import tsx test/bench/transformerCheck.ts <model.onnx> [--no-timing | --quick]
import * as fs from 'fs';
import * as path from 'path';
import { initBackend, nodeModulesWasmDir } from '../../src/engine/backend';
import { loadAnyModel } from '../../src/engine/import/loadAnyModel';
import { explain } from '../../src/engine/methods/explain';
import { parseMethodSpec } from '../../src/engine/methods/methodRegistry';
import { SEED_METHODS } from '../../src/engine/methods/methodTable';
import type { ImageShape } from '../../src/protocol/model';
import { randomImages } from '../unit/methods/nets';
import { engineLogits, nchwToNhwc, ortOutputs, relativeError } from '../unit/import/onnx/onnxReference';

async function main(): Promise<void> {
  const modelFile = process.argv[2];
  const timing = !process.argv.includes('--no-timing');
  const methods = process.argv.includes('--quick') ? ['attnlrp'] : [...SEED_METHODS, 'attnlrp', 'cp-lrp'];
  await initBackend(nodeModulesWasmDir());
  const result: Record<string, unknown> = { model: path.basename(modelFile) };
  const [h, w, c] = [224, 224, 3];
  // Values of a normalised image (about −2…2), NCHW for onnxruntime.
  const nchw = Float32Array.from(randomImages(22, 1, c * h * w)[0].map((v) => 4 * v - 2));
  const expected = await ortOutputs(fs.readFileSync(modelFile), nchw, [1, c, h, w]);
  const loadStart = performance.now();
  const { network } = await loadAnyModel(modelFile);
  result.loadMs = Math.round(performance.now() - loadStart);
  const input = nchwToNhwc(nchw, [1, c, h, w]);
  result.logitError = relativeError(engineLogits(network, input, 1), expected);
  console.error(JSON.stringify(result));
  const shape: ImageShape = [h, w, c];
  const request = (method: string) => ({ images: [input], methods: [parseMethodSpec(method)], bounds: [-2.2, 2.7] as [number, number] });
  const ms: Record<string, number> = {};
  for (const method of timing ? methods : []) {
    explain(network, shape, request(method));
    const start = performance.now();
    const [map] = explain(network, shape, request(method));
    ms[method] = Math.round(performance.now() - start);
    const bad = map.relevance.filter((v) => !Number.isFinite(v)).length;
    if (bad > 0 || !map.relevance.some((v) => v !== 0)) throw new Error(`${method} gave a map with ${bad} non-finite values${bad ? '' : ', all zero'} (logit ${map.logit})`);
  }
  if (timing) result.methodMs = ms;
  result.peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  network.dispose();
  console.log(JSON.stringify(result));
}

main().catch((e) => {
  console.log(JSON.stringify({ model: process.argv[2], error: `check failed: ${(e as Error).stack}` }));
  process.exitCode = 1;
});
