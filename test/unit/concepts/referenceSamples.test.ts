// Reference samples (RelMax) and their crops: the keeper against a brute-force sort in any insertion order;
// the search over a data set on real workers against a brute-force loop over the same jobs run in this
// process; receptive fields and crops worked out by hand; and on the planted-shortcut model, the reference
// samples of the mark detector are exactly the marked 7s.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { after, before, describe, test } from 'node:test';
import { runConcepts } from '../../../src/engine/concepts/conceptJob';
import { referenceChunkFor, findReferenceSamples } from '../../../src/engine/concepts/referenceSearch';
import { receptiveField, referenceCrop } from '../../../src/engine/concepts/receptiveField';
import { RelMax } from '../../../src/engine/concepts/relMax';
import { openDataset, type Dataset } from '../../../src/engine/data/datasetFile';
import { sampleSources } from '../../../src/engine/data/sampleSources';
import { loadModel } from '../../../src/engine/model/loadModel';
import { CancelledError, WorkerPool } from '../../../src/engine/pool/workerPool';
import { sprayDataset } from '../../../src/engine/spray/sprayDataset';
import { mulberry32 } from '../../../src/engine/seededRandom';
import type { ReferenceSample } from '../../../src/protocol/concepts';
import { DIST, WORKER, bundleReady } from '../bundles';
import { SHORTCUT_CLASS, shortcutSamples, writeShortcutModel, writeShortcutNpz, type ShortcutSamples } from '../spray/shortcutFixture';

const REPO = path.resolve(__dirname, '..', '..', '..');
const MNIST_CNN = path.join(REPO, 'models', 'mnist-cnn', 'model.json');
const BACKEND = { name: 'wasm-simd' as const };

/** Per channel, the samples with R_c > 0 sorted by R_c descending, then index: the definition, as a loop. */
function bruteForce(all: Array<{ sample: number; relevance: ArrayLike<number> }>, channels: number, size: number): number[][] {
  return Array.from({ length: channels }, (_, c) =>
    all
      .filter((s) => s.relevance[c] > 0)
      .sort((a, b) => b.relevance[c] - a.relevance[c] || a.sample - b.sample)
      .slice(0, size)
      .map((s) => s.sample),
  );
}

describe('reference samples', { timeout: 10 * 60_000 }, () => {
  let pool: WorkerPool;
  let dir: string;

  before(async () => {
    await bundleReady(WORKER);
    pool = new WorkerPool({ size: 2, workerScript: WORKER, wasmDir: DIST });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'references-'));
  });

  after(async () => {
    await pool.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('RelMax keeps what a full sort keeps, whatever the order samples arrive in (ties: lower index; only R > 0)', () => {
    const rand = mulberry32(5);
    const channels = 6;
    const all = Array.from({ length: 500 }, (_, sample) => ({
      sample,
      // Coarse values (ties) and negative ones.
      relevance: Float32Array.from({ length: channels }, () => Math.round((rand() - 0.3) * 20) / 4),
    }));
    const expected = bruteForce(all, channels, 7);
    for (let order = 0; order < 3; order++) {
      const shuffled = [...all].sort(() => rand() - 0.5);
      const keeper = new RelMax(channels, 7);
      for (const s of shuffled) keeper.add(s.sample, { channelRelevance: s.relevance, peaks: new Int32Array(channels), crops: new Int32Array(channels * 4), predicted: 0 });
      for (let c = 0; c < channels; c++) {
        assert.deepEqual(keeper.top(c).map((r) => r.sample), expected[c], `order ${order}, channel ${c}`);
        for (const r of keeper.top(c)) assert.ok(r.relevance > 0);
      }
    }
  });

  test('receptive fields and crops of mnist-cnn, by hand: conv1 3×3, conv2 8×8 (3 + 2·2 + 1) clipped at the border, dense1 the whole image', async () => {
    const model = await loadModel(MNIST_CNN);
    try {
      const index = (name: string) => model.network.nodes.findIndex((n) => n.name === name);
      const conv1 = receptiveField(model.network, index('conv1'));
      assert.deepEqual([conv1.height, conv1.width], [28, 28]);
      assert.deepEqual(conv1.rows[0], [0, 1]); // 'same' padding: row 0 sees rows −1 … 1
      assert.deepEqual(conv1.rows[10], [9, 11]);
      const conv2 = receptiveField(model.network, index('conv2'));
      assert.deepEqual([conv2.height, conv2.width], [14, 14]);
      // conv2 row y reads pool rows y−1 … y+1 = conv1 rows 2y−2 … 2y+3 = input rows 2y−3 … 2y+4.
      assert.deepEqual(conv2.rows[5], [7, 14]);
      assert.deepEqual(conv2.cols[0], [0, 4]);
      assert.deepEqual(conv2.rows[13], [23, 27]);
      const dense1 = receptiveField(model.network, index('dense1'));
      assert.deepEqual([dense1.height, dense1.width, dense1.rows, dense1.cols], [1, 1, [[0, 27]], [[0, 27]]]);
      // Crops: at least ⌈28/4⌉ = 7 pixels a side, centred on the field, inside the image.
      // Field rows 9 … 11, columns 11 … 13, widened by 2 on each side.
      assert.deepEqual(referenceCrop(conv1, 10 * 28 + 12, [28, 28, 1]), { x: 9, y: 7, width: 7, height: 7 });
      assert.deepEqual(referenceCrop(conv1, 0, [28, 28, 1]), { x: 0, y: 0, width: 7, height: 7 });
      assert.deepEqual(referenceCrop(conv1, 27 * 28 + 27, [28, 28, 1]), { x: 21, y: 21, width: 7, height: 7 });
      // Columns 23 … 27 (5) widen to 7 about their centre (22 … 28), shifted back inside: 21 … 27.
      assert.deepEqual(referenceCrop(conv2, 5 * 14 + 13, [28, 28, 1]), { x: 21, y: 7, width: 7, height: 8 });
      assert.deepEqual(referenceCrop(dense1, 0, [28, 28, 1]), { x: 0, y: 0, width: 28, height: 28 });
    } finally {
      model.network.dispose();
    }
  });

  test('the search over 1,000 MNIST samples on 2 workers equals a brute-force loop over the same jobs in this process', async () => {
    const dataset = await openDataset(path.join(REPO, 'models', 'samples', 'mnist-test-1k-images-idx3-ubyte.gz'));
    try {
      const chunkSize = 97;
      const size = 5;
      const request = { model: { path: MNIST_CNN }, method: 'lrp-a2b1', layer: 'conv2' };
      let reported = 0;
      const found = await findReferenceSamples(pool, dataset, { ...request, size, chunkSize }, { onProgress: (done) => (reported = done) });
      assert.equal(reported, 1000);
      assert.equal(found.searched, 1000);
      assert.equal(found.layer.channels, 64);
      // The same jobs, in file order, in this process (the same batches: the same float32 sums).
      const all: Array<{ sample: number; relevance: Float32Array; item: { predicted: number; peaks: Int32Array; crops: Int32Array } }> = [];
      for (let start = 0; start < 1000; start += chunkSize) {
        const indices = Array.from({ length: Math.min(chunkSize, 1000 - start) }, (_, k) => start + k);
        const result = await runConcepts({ type: 'concepts', ...request, images: await sampleSources(dataset, indices), preprocess: 'none', pixels: false }, BACKEND);
        for (const item of result.items) all.push({ sample: indices[item.image], relevance: item.channelRelevance, item });
      }
      const expected = bruteForce(all, 64, size);
      for (let c = 0; c < 64; c++) {
        assert.deepEqual(found.channels[c].map((r: ReferenceSample) => r.sample), expected[c], `channel ${c}`);
        for (const r of found.channels[c]) {
          const mine = all[r.sample];
          assert.equal(r.relevance, mine.relevance[c]);
          assert.equal(r.predicted, mine.item.predicted);
          assert.equal(r.peak, mine.item.peaks[c]);
          assert.deepEqual(r.crop, Array.from(mine.item.crops.subarray(c * 4, c * 4 + 4)));
        }
      }
      assert.ok(referenceChunkFor([28, 28, 1]) === 250);
    } finally {
      await dataset.close();
    }
  });

  test('Cancel: the search and Find strategies stop with CancelledError after their first progress; the pool works on', async () => {
    const dataset = await openDataset(path.join(REPO, 'models', 'samples', 'mnist-test-1k-images-idx3-ubyte.gz'));
    try {
      const model = { path: MNIST_CNN };
      const search = new AbortController();
      const searching = findReferenceSamples(pool, dataset, { model, method: 'lrp-a2b1', layer: 'conv2', chunkSize: 50 }, {
        signal: search.signal,
        onProgress: (done) => done > 0 && search.abort(),
      });
      await assert.rejects(searching, CancelledError);
      const spray = new AbortController();
      const sevens = Array.from(dataset.labels!).flatMap((l, i) => (l === 7 ? [i] : []));
      const clustering = sprayDataset(pool, dataset, { model, modelName: 'mnist-cnn', method: 'lrp-a2b1', target: 7, targetName: '7', samples: sevens, selectedBy: 'label' }, {
        signal: spray.signal,
        onProgress: (p) => p.done > 0 && spray.abort(),
      });
      await assert.rejects(clustering, CancelledError);
      const after = await findReferenceSamples(pool, dataset, { model, method: 'lrp-a2b1', layer: 'conv1', indices: [0, 1, 2] });
      assert.equal(after.searched, 3);
    } finally {
      await dataset.close();
    }
  });

  test('the planted shortcut: the mark detector\'s reference samples are marked 7s, shown whole (a Dense node sees the whole image)', async () => {
    const samples: ShortcutSamples = shortcutSamples(1000);
    const dataset: Dataset = await openDataset(writeShortcutNpz(path.join(dir, 'digits.npz'), samples));
    const modelPath = await writeShortcutModel(path.join(dir, 'model'));
    try {
      const found = await findReferenceSamples(pool, dataset, { model: { path: modelPath }, method: 'lrp-a2b1', layer: 'mark_detector', size: 8 });
      assert.equal(found.layer.channels, 1);
      const refs = found.channels[0];
      assert.equal(refs.length, 8);
      for (const r of refs) {
        assert.ok(samples.marked.includes(r.sample), `#${r.sample} has no mark`);
        assert.equal(r.predicted, SHORTCUT_CLASS);
        assert.deepEqual(r.crop, [0, 0, 28, 28]);
      }
    } finally {
      await dataset.close();
    }
  });
});
