// The "done when": a functional tfjs model with two residual blocks (one with a projection), a
// concatenation and BatchNorms, on RGB input with a card's per-channel mean/std, explained through the
// CLI as a user runs it (`node dist/cli.js explain … --json`, worker thread, WASM) with every method; the
// maps match the in-process engine and the float64 graph reference.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { PNG } from 'pngjs';

import { explain } from '../../../src/engine/methods/explain';
import { parseMethodSpec } from '../../../src/engine/methods/methodRegistry';
import { loadModel } from '../../../src/engine/model/loadModel';
import { networkInputBounds } from '../../../src/engine/model/modelCard';
import { ALL_SPECS, graphReferenceMap, logitsOfGraph } from '../graph/graphReference';
import { residualConcatGraph } from '../graph/graphs';
import { tfjsFromGraph } from '../import/tfjs/tfjsFromGraph';
import { argMax, assertClose, random } from '../methods/reference';
import { saveModel, tempModelDir, writeJson } from '../model/savedModels';
import { CLI, bundleReady } from '../bundles';

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];
/** Rules that divide by sums that can cancel (no ε): compared with the engine in-process, not with float64 (see functionalModels.test.ts). */
const ILL_CONDITIONED = new Set(['lrp-z', 'lrp-gamma', 'lrp-ab', 'epsilon-gamma-box', 'attnlrp', 'cp-lrp']);

function rgbPng(width: number, height: number, pixels: number[]): Buffer {
  const png = new PNG({ width, height });
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) png.data[p * 4 + c] = pixels[p * 3 + c];
    png.data[p * 4 + 3] = 255;
  }
  return PNG.sync.write(png);
}

describe('CLI explain on a residual, concatenating RGB model with BatchNorms', () => {
  const graph = residualConcatGraph(83);
  let modelPath: string;
  let image: string;
  let pixels: number[];

  before(async () => {
    await bundleReady(CLI);
    const model = tfjsFromGraph(graph);
    const dir = tempModelDir('residual-rgb');
    modelPath = await saveModel(model, dir);
    model.dispose();
    writeJson(path.join(dir, 'card.json'), { name: 'residual RGB', inputShape: [10, 10, 3], inputRange: [0, 1], mean: MEAN, std: STD, labels: ['cat', 'dog', 'bird', 'fish', 'frog'] });
    const rand = random(84);
    pixels = Array.from({ length: 300 }, () => Math.floor(rand() * 256));
    image = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'explain-image-graph-cli-')), 'rgb.png');
    fs.writeFileSync(image, rgbPng(10, 10, pixels));
  });

  it('every method: one JSON result each, the maps of the in-process engine and of the float64 reference', async () => {
    const r = spawnSync(process.execPath, [CLI, 'explain', image, '--model', modelPath, '--method', ALL_SPECS.join(','), '--preprocess', 'none', '--json', '--workers', '1'], {
      encoding: 'utf8',
      timeout: 180_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.results.length, ALL_SPECS.length);
    assert.deepEqual(doc.results.map((x: { method: string }) => x.method), ALL_SPECS.map((s) => s));

    // The network input the card defines: (v / 255 − mean_c) / std_c, in float32 as the engine holds it.
    const x = pixels.map((v, i) => Math.fround((v / 255 - MEAN[i % 3]) / STD[i % 3]));
    const logits = logitsOfGraph(graph, x);
    const { network, card } = await loadModel(modelPath);
    const bounds = networkInputBounds(card);
    try {
      const inProcess = explain(network, [10, 10, 3], { images: [Float32Array.from(x)], methods: ALL_SPECS.map(parseMethodSpec), bounds });
      doc.results.forEach((res: { method: string; target: number; logit: number; shape: number[]; relevance: number[]; prediction: { class: number; label: string } }, k: number) => {
        const label = `CLI ${res.method}`;
        assert.deepEqual(res.shape, [10, 10], label);
        assert.equal(res.prediction.class, argMax(logits), label);
        assert.equal(res.prediction.label, card.labels[argMax(logits)], label);
        assert.ok(Math.abs(res.logit - logits[res.target]) <= 1e-5 * Math.max(1, Math.abs(logits[res.target])), label);
        assertClose(res.relevance, Array.from(inProcess[k].relevance), 1e-6, `${label} vs in-process`);
        const spec = parseMethodSpec(res.method);
        if (ILL_CONDITIONED.has(spec.id) && res.method !== 'lrp-a1b0') return;
        assertClose(res.relevance, graphReferenceMap(graph, x, res.target, spec, [10, 10, 3], bounds), 1e-5, `${label} vs reference`);
      });
    } finally {
      network.dispose();
      tf.disposeVariables();
    }
  });
});
