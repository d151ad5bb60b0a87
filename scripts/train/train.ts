// Trains one bundled model on tfjs in Node (wasm backend) and writes models/<id>/ : model.json,
// weights.bin and card.json. Deterministic: seeded initialisers, seeded shuffling, seeded dropout masks.
//   npm run train -- <model id> [--epochs N] [--train-limit N] [--out DIR]
// --epochs, --train-limit (first N training images) and --out are for quick trial runs.
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import { initBackend, nodeModulesWasmDir } from '../../src/engine/backend';
import type { ModelCard } from '../../src/protocol/model';
import { firstImages, loadDataset, PIXELS, type ImageSet } from './datasets';
import { recipeOf, RECIPES, type Recipe } from './recipes';
import { saveLayersModel } from './saveLayersModel';
import { seededRandom, seedMathRandom, shuffleInPlace } from './seededRandom';
import { registerWasmTrainingKernels } from './wasmTrainingKernels';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SUBSET_SIZE = 1000;
const CLASSES = 10;
const EVAL_BATCH = 500;

interface Options {
  id: string;
  epochs?: number;
  trainLimit?: number;
  out?: string;
}

function parseArgs(argv: string[]): Options {
  const usage = `usage: npm run train -- <${RECIPES.map((r) => r.id).join('|')}> [--epochs N] [--train-limit N] [--out DIR]`;
  const options: Partial<Options> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value\n${usage}`);
      return v;
    };
    if (arg === '--epochs') options.epochs = Number(value());
    else if (arg === '--train-limit') options.trainLimit = Number(value());
    else if (arg === '--out') options.out = path.resolve(value());
    else if (!arg.startsWith('--') && options.id === undefined) options.id = arg;
    else throw new Error(`unexpected argument ${arg}\n${usage}`);
  }
  if (!options.id) throw new Error(usage);
  return options as Options;
}

/** Images `indices` of `set` as network input: [n, 28, 28, 1], pixel / 255. */
function inputBatch(set: ImageSet, indices: ArrayLike<number>): tf.Tensor4D {
  const x = new Float32Array(indices.length * PIXELS);
  for (let b = 0; b < indices.length; b++) {
    const from = indices[b] * PIXELS;
    for (let k = 0; k < PIXELS; k++) x[b * PIXELS + k] = set.images[from + k] / 255;
  }
  return tf.tensor4d(x, [indices.length, 28, 28, 1]);
}

function oneHotBatch(set: ImageSet, indices: ArrayLike<number>): tf.Tensor2D {
  const y = new Float32Array(indices.length * CLASSES);
  for (let b = 0; b < indices.length; b++) y[b * CLASSES + set.labels[indices[b]]] = 1;
  return tf.tensor2d(y, [indices.length, CLASSES]);
}

/** Fraction of `set` whose most probable class is the label. */
function accuracyOn(model: tf.LayersModel, set: ImageSet): number {
  let correct = 0;
  for (let start = 0; start < set.count; start += EVAL_BATCH) {
    const indices = Array.from({ length: Math.min(EVAL_BATCH, set.count - start) }, (_, i) => start + i);
    const x = inputBatch(set, indices);
    const predicted = tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, -1));
    // Read outside tidy: tidy walks a returned typed array element by element (FACTS.md).
    const classes = predicted.dataSync();
    tf.dispose([x, predicted]);
    indices.forEach((i, b) => (correct += classes[b] === set.labels[i] ? 1 : 0));
  }
  return correct / set.count;
}

/** tfjs optimisers read `learningRate` at every step but offer no setter: it is a plain field. */
function setLearningRate(optimizer: tf.Optimizer, rate: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = rate;
}

async function train(recipe: Recipe, options: Options): Promise<void> {
  const backend = await initBackend(nodeModulesWasmDir());
  if (!backend.name.startsWith('wasm')) throw new Error(`training needs the wasm backend, got ${backend.name}: ${backend.reason}`);
  registerWasmTrainingKernels();
  seedMathRandom(recipe.seed);

  const data = loadDataset(recipe.dataset);
  const trainSet = options.trainLimit ? firstImages(data.train, options.trainLimit) : data.train;
  const epochs = options.epochs ?? recipe.epochs;
  const outDir = options.out ?? path.join(REPO_ROOT, 'models', recipe.id);
  console.log(`${recipe.id}: ${trainSet.count} training images, ${data.test.count} test images, ${epochs} epochs, backend ${backend.name}`);

  const model = recipe.build(recipe.seed);
  const optimizer = tf.train.adam(recipe.learningRate);
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  model.summary(undefined, undefined, (line) => console.log(line));

  const shuffle = seededRandom(recipe.seed + 1);
  const order = Uint32Array.from({ length: trainSet.count }, (_, i) => i);
  let trainingMs = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const rate = recipe.learningRate * recipe.learningRateDecay ** epoch;
    setLearningRate(optimizer, rate);
    shuffleInPlace(order, shuffle);
    const started = Date.now();
    let lossSum = 0;
    let batches = 0;
    for (let start = 0; start < order.length; start += recipe.batchSize) {
      const indices = order.subarray(start, start + recipe.batchSize);
      const x = inputBatch(trainSet, indices);
      const y = oneHotBatch(trainSet, indices);
      lossSum += (await model.trainOnBatch(x, y)) as number;
      tf.dispose([x, y]);
      batches++;
      if (batches % 100 === 0) {
        const seconds = (Date.now() - started) / 1000;
        console.log(`  epoch ${epoch + 1} batch ${batches}: loss ${(lossSum / batches).toFixed(4)}, ${((batches * recipe.batchSize) / seconds).toFixed(0)} images/s`);
      }
    }
    const epochMs = Date.now() - started;
    trainingMs += epochMs;
    const testAccuracy = accuracyOn(model, data.test);
    console.log(
      `epoch ${epoch + 1}/${epochs}: lr ${rate.toExponential(2)}, loss ${(lossSum / batches).toFixed(4)}, ` +
        `test accuracy ${(100 * testAccuracy).toFixed(2)}%, ${(epochMs / 1000).toFixed(1)} s`,
    );
  }

  const testAccuracy = accuracyOn(model, data.test);
  const subsetAccuracy = accuracyOn(model, firstImages(data.test, SUBSET_SIZE));
  await saveLayersModel(model, outDir);
  const card: ModelCard = {
    id: recipe.id,
    name: recipe.name,
    dataset: data.name,
    labels: data.labels,
    inputShape: [28, 28, 1],
    inputRange: [0, 1],
    accuracy: round(testAccuracy),
    training: {
      architecture: recipe.architecture,
      split: data.split,
      trainImages: trainSet.count,
      testImages: data.test.count,
      subset: `the first ${SUBSET_SIZE} test images, shipped in models/samples/ as ${recipe.dataset}-test-1k-*`,
      epochs,
      batchSize: recipe.batchSize,
      optimizer: 'Adam (beta1 0.9, beta2 0.999, epsilon 1e-7), categorical cross-entropy',
      learningRate: recipe.learningRate,
      learningRateSchedule: `multiplied by ${recipe.learningRateDecay} after every epoch`,
      seed: recipe.seed,
      backend: `tfjs ${tf.version.tfjs} ${backend.name}, Node ${process.version}; backward passes as forward ops (scripts/train/wasmTrainingKernels.ts)`,
      trainingSeconds: Math.round(trainingMs / 1000),
      testAccuracy: round(testAccuracy),
      subsetAccuracy: round(subsetAccuracy),
      command: `npm run train -- ${recipe.id}`,
    },
  };
  fs.writeFileSync(path.join(outDir, 'card.json'), formatJson(card));
  model.dispose();

  console.log(
    `${recipe.id}: test accuracy ${(100 * testAccuracy).toFixed(2)}% (first ${SUBSET_SIZE}: ${(100 * subsetAccuracy).toFixed(2)}%), ` +
      `${(trainingMs / 1000).toFixed(0)} s of training; written to ${outDir}`,
  );
  if (testAccuracy < recipe.targetAccuracy) {
    console.error(`${recipe.id}: below the target test accuracy ${(100 * recipe.targetAccuracy).toFixed(1)}%`);
    process.exitCode = 1;
  }
}

/** JSON with two-space indentation, but lists of plain values (labels, shapes) on one line. */
function formatJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2);
  return text.replace(/\[\n\s*([^[\]{}]*?)\n\s*\]/g, (_, items: string) => `[${items.split(/,\n\s*/).join(', ')}]`) + '\n';
}

function round(fraction: number): number {
  return Math.round(fraction * 1e4) / 1e4;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  await train(recipeOf(options.id), options);
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
