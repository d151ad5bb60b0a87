// The tables of issue 13's note: mean AOPC/ABPC of the seven seed methods on the bundled models over the
// first N shipped test images of their data set, and the randomisation check on one model, as markdown.
//   node --import tsx test/bench/faithfulnessTables.ts [--images 100] [--models mnist-mlp,mnist-cnn,...]
//        [--randomise mnist-cnn] [--workers 2]
// (needs dist/worker.js: npm run build)
import * as path from 'path';
import { resolveModelPath } from '../../src/engine/bundledModels';
import { evaluateFaithfulness } from '../../src/engine/evaluate/faithfulness';
import { randomisationCheck } from '../../src/engine/evaluate/randomisation';
import { SEED_METHODS } from '../../src/engine/methods/methodTable';
import { WorkerPool } from '../../src/engine/pool/workerPool';
import { benchImages } from './faithfulness';
import { REPO } from './models';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const count = Number(value('images', '100'));
  const models = value('models', 'mnist-mlp,mnist-cnn,fashion-mlp,fashion-cnn').split(',');
  const randomise = value('randomise', 'mnist-cnn');
  const dist = path.join(REPO, 'dist');
  const pool = new WorkerPool({ size: Number(value('workers', '2')), threads: 1, workerScript: path.join(dist, 'worker.js'), wasmDir: dist });
  const methods = [...SEED_METHODS];
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '–');
  try {
    for (const id of models) {
      const model = { path: resolveModelPath(id) };
      const info = await pool.run({ type: 'model-info', model });
      const start = performance.now();
      const e = await evaluateFaithfulness(pool, { model, images: benchImages(info.card, count), methods, preprocess: 'none', steps: 20 });
      const seconds = (performance.now() - start) / 1000;
      console.log(`\n${id}: ${e.summary[0].images} test images (the first ${count} shipped), K = 20, predicted class, ${e.backend.name}, ${seconds.toFixed(1)} s\n`);
      console.log('| method | AOPC MoRF | AOPC LeRF | ABPC |');
      console.log('|---|---|---|---|');
      for (const s of [...e.summary].sort((a, b) => b.abpc - a.abpc)) console.log(`| ${s.method} | ${f(s.aopcMorf)} | ${f(s.aopcLerf)} | ${f(s.abpc)} |`);
    }
    if (randomise) {
      const model = { path: resolveModelPath(randomise) };
      const info = await pool.run({ type: 'model-info', model });
      const c = await randomisationCheck(pool, { model, images: benchImages(info.card, count), methods, preprocess: 'none', seed: 0 });
      const heads = c.steps.map((s) => (s.layer === null ? 'trained' : `+${s.layer}`));
      for (const key of ['spearman', 'spearmanAbs'] as const) {
        console.log(`\n${randomise}: randomisation check, ${c.summary[0].images} images, seed 0, mean Spearman ρ of ${key === 'spearman' ? 'R' : '|R|'}\n`);
        console.log(`| method | ${heads.join(' | ')} |`);
        console.log(`|---|${heads.map(() => '---').join('|')}|`);
        for (const s of c.summary) console.log(`| ${s.method} | ${s[key].map(f).join(' | ')} |`);
      }
    }
  } finally {
    await pool.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
