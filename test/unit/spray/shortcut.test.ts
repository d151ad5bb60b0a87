// SpRAy finds a planted shortcut (shortcutFixture.ts): the model adds exactly +10 to the logit of 7 when
// the corner mark is there, every other 7 of the data set carries it, and "Find strategies" for class 7 on
// real workers puts the marked 7s into a cluster of their own (purity ≥ 0.9, holding ≥ 0.9 of them), whose
// mean heatmap has its relevance in the corner and whose prototypes carry the mark.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { after, before, describe, test } from 'node:test';
import { openDataset, type Dataset } from '../../../src/engine/data/datasetFile';
import { predict } from '../../../src/engine/methods/explain';
import { loadModel } from '../../../src/engine/model/loadModel';
import { WorkerPool } from '../../../src/engine/pool/workerPool';
import { sprayDataset } from '../../../src/engine/spray/sprayDataset';
import { DIST, WORKER, bundleReady } from '../bundles';
import { addMark, MARK_LOGIT, MARK_SIZE, SHORTCUT_CLASS, shortcutSamples, writeShortcutModel, writeShortcutNpz, type ShortcutSamples } from './shortcutFixture';

const COUNT = 2000;

describe('SpRAy finds the planted shortcut', { timeout: 10 * 60_000 }, () => {
  let dir: string;
  let modelPath: string;
  let samples: ShortcutSamples;
  let dataset: Dataset;
  let pool: WorkerPool;

  before(async () => {
    await bundleReady(WORKER);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shortcut-'));
    modelPath = await writeShortcutModel(path.join(dir, 'model'));
    samples = shortcutSamples(COUNT);
    dataset = await openDataset(writeShortcutNpz(path.join(dir, 'digits-with-mark.npz'), samples));
    pool = new WorkerPool({ size: 2, workerScript: WORKER, wasmDir: DIST });
  });

  after(async () => {
    await pool?.dispose();
    await dataset?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the model uses the mark: its logits are mnist-mlp\'s plus exactly +10 on 7 with the mark, plus nothing without', async () => {
    const model = await loadModel(modelPath);
    const mlp = await loadModel(path.join(__dirname, '..', '..', '..', 'models', 'mnist-mlp', 'model.json'));
    try {
      const clean = samples.pixels.slice(0, 50 * 784);
      const withMark = clean.slice();
      for (let i = 0; i < 50; i++) addMark(withMark.subarray(i * 784, (i + 1) * 784));
      const toInput = (p: Uint8Array) => Float32Array.from(p, (v) => v / 255);
      for (const [pixels, mark] of [[clean, 0], [withMark, MARK_LOGIT]] as const) {
        const ours = predict(model.network, toInput(pixels), 50).logits;
        const theirs = predict(mlp.network, toInput(pixels), 50).logits;
        for (let i = 0; i < 50; i++) {
          // Image 17 of t10k is a marked 7 already; every other image has an empty corner (MNIST digits are centred).
          const expected = (k: number) => (k === SHORTCUT_CLASS && (mark || samples.marked.includes(i)) ? MARK_LOGIT : 0);
          for (let k = 0; k < 10; k++) {
            const delta = ours[i * 10 + k] - theirs[i * 10 + k];
            assert.ok(Math.abs(delta - expected(k)) < 1e-3, `image ${i}${mark ? ' with the mark' : ''}, logit ${k}: shortcut − mlp = ${delta}`);
          }
        }
      }
    } finally {
      model.network.dispose();
      mlp.network.dispose();
    }
  });

  test('the marked 7s form a cluster of their own (purity ≥ 0.9, recall ≥ 0.9), relevance in the corner, marked prototypes', async () => {
    const sevens = Array.from(samples.labels).flatMap((l, i) => (l === SHORTCUT_CLASS ? [i] : []));
    const marked = new Set(samples.marked);
    assert.ok(sevens.length > 150 && marked.size >= 75, `${sevens.length} sevens, ${marked.size} marked`);
    const stages: string[] = [];
    const analysis = await sprayDataset(
      pool,
      dataset,
      { model: { path: modelPath }, modelName: 'mnist-shortcut', method: 'lrp-a2b1', target: SHORTCUT_CLASS, targetName: '7', samples: sevens, selectedBy: 'label' },
      { onProgress: (p) => stages.push(p.stage) },
    );
    assert.deepEqual(analysis.samples, sevens);
    assert.ok(stages.includes('heatmaps') && stages.at(-1) === 'analysis');
    assert.ok(analysis.clusterCount >= 2, `eigengap chose ${analysis.clusterCount} cluster(s); eigenvalues ${analysis.eigenvalues.slice(0, 6).map((v) => v.toFixed(4)).join(', ')}`);
    const markedIn = (id: number) => analysis.samples.filter((s, i) => analysis.labels[i] === id && marked.has(s)).length;
    const best = analysis.clusters.reduce((a, b) => (markedIn(b.id) > markedIn(a.id) ? b : a));
    const purity = markedIn(best.id) / best.size;
    const recall = markedIn(best.id) / marked.size;
    console.log(
      `[shortcut] ${analysis.clusterCount} clusters (sizes ${analysis.clusters.map((c) => c.size).join(', ')}); mark cluster ${best.id}: purity ${purity.toFixed(3)}, recall ${recall.toFixed(3)}; ` +
        `eigenvalues ${analysis.eigenvalues.slice(0, 5).map((v) => v.toFixed(4)).join(', ')}; heatmaps ${analysis.ms.heatmaps.toFixed(0)} ms, analysis ${analysis.ms.analysis.toFixed(0)} ms`,
    );
    assert.ok(purity >= 0.9, `purity ${purity}`);
    assert.ok(recall >= 0.9, `recall ${recall}`);
    // The cluster's mean heatmap: its largest share of |R| lies in the mark's corner.
    const [h, w] = analysis.heatmapShape;
    let corner = 0;
    let total = 0;
    best.meanHeatmap.forEach((v, p) => {
      total += Math.abs(v);
      if (Math.floor(p / w) < MARK_SIZE && p % w < MARK_SIZE) corner += Math.abs(v);
    });
    assert.equal(h * w, best.meanHeatmap.length);
    assert.ok(corner / total > 0.3, `the mark's 16 pixels hold ${(100 * corner / total).toFixed(1)}% of the mean |R| of the mark's cluster`);
    for (const p of best.prototypes) assert.ok(marked.has(p), `prototype #${p} has no mark`);
    // The others (unmarked 7s) hold almost no relevance there.
    for (const c of analysis.clusters.filter((c) => c.id !== best.id)) {
      let inCorner = 0;
      c.meanHeatmap.forEach((v, p) => {
        if (Math.floor(p / w) < MARK_SIZE && p % w < MARK_SIZE) inCorner += Math.abs(v);
      });
      assert.ok(inCorner < 0.05, `cluster ${c.id}: ${inCorner} of its mean |R| in the corner`);
    }
  });
});
