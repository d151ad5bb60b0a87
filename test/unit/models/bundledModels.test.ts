// The bundled models, loaded through the engine as the extension loads them: each classifies the shipped
// 1,000-image test subset as accurately as its card says, and the sample PNGs as their file names say.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { before, test } from 'node:test';
import { PNG } from 'pngjs';
import { initBackend, nodeModulesWasmDir } from '../../../src/engine/backend';
import { predict } from '../../../src/engine/methods/explain';
import { loadModel } from '../../../src/engine/model/loadModel';
import type { Network } from '../../../src/engine/types';

const MODELS = path.resolve(__dirname, '..', '..', '..', 'models');
const SAMPLES = path.join(MODELS, 'samples');
const PIXELS = 28 * 28;
const FASHION_LABELS = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** The models the project promises, the data set each was trained on, and the accuracy each must reach. */
const BUNDLED = [
  { id: 'mnist-mlp', samples: 'mnist', dataset: 'MNIST', target: 0.98 },
  { id: 'mnist-cnn', samples: 'mnist', dataset: 'MNIST', target: 0.99 },
  { id: 'fashion-mlp', samples: 'fashion', dataset: 'FashionMNIST', target: 0.88 },
  { id: 'fashion-cnn', samples: 'fashion', dataset: 'FashionMNIST', target: 0.91 },
];

before(async () => {
  const backend = await initBackend(nodeModulesWasmDir());
  assert.match(backend.name, /^wasm/);
});

/** The 1,000 images of an IDX subset as network input (pixel / 255, HWC), and their labels. */
function readSubset(dataset: string): { images: Float32Array; labels: Uint8Array; count: number } {
  const gunzip = (name: string) => zlib.gunzipSync(fs.readFileSync(path.join(SAMPLES, name)));
  const images = gunzip(`${dataset}-test-1k-images-idx3-ubyte.gz`);
  const labels = gunzip(`${dataset}-test-1k-labels-idx1-ubyte.gz`);
  // Headers: 4 bytes of magic, then one uint32 per dimension.
  const count = images.readUInt32BE(4);
  assert.equal(labels.readUInt32BE(4), count);
  const pixels = images.subarray(16);
  assert.equal(pixels.length, count * PIXELS);
  return { images: Float32Array.from(pixels, (v) => v / 255), labels: new Uint8Array(labels.subarray(8)), count };
}

/** Predicted classes of `count` images, a few hundred at a time. */
function classify(network: Network, images: Float32Array, count: number): number[] {
  const classes: number[] = [];
  for (let start = 0; start < count; start += 250) {
    const n = Math.min(250, count - start);
    const { logits } = predict(network, images.subarray(start * PIXELS, (start + n) * PIXELS), n);
    for (let i = 0; i < n; i++) {
      const row = Array.from(logits.subarray(i * 10, (i + 1) * 10));
      classes.push(row.indexOf(Math.max(...row)));
    }
  }
  return classes;
}

test('the bundled models and samples take less than 15 MB', () => {
  let bytes = 0;
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else bytes += fs.statSync(p).size;
    }
  };
  walk(MODELS);
  assert.ok(bytes < 15 * 1024 * 1024, `models/ holds ${(bytes / 1024 / 1024).toFixed(1)} MB`);
});

for (const bundled of BUNDLED) {
  test(`${bundled.id}: its card, and its accuracy on the shipped 1,000 test images and the sample PNGs`, async () => {
    const { network, card } = await loadModel(path.join(MODELS, bundled.id, 'model.json'));
    try {
      assert.equal(card.id, bundled.id);
      assert.equal(card.dataset, bundled.dataset);
      assert.deepEqual(card.labels, bundled.samples === 'mnist' ? ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] : FASHION_LABELS);
      assert.deepEqual(card.inputShape, [28, 28, 1]);
      assert.deepEqual(card.inputRange, [0, 1]);
      assert.deepEqual(network.inputShape, [28, 28, 1]);
      assert.equal(network.outputSize, 10);
      const training = card.training as Record<string, unknown>;
      assert.equal(training.command, `npm run train -- ${bundled.id}`);
      assert.equal(training.testAccuracy, card.accuracy);
      assert.ok(card.accuracy !== undefined && card.accuracy >= bundled.target, `card accuracy ${card.accuracy} ≥ ${bundled.target}`);

      const subset = readSubset(bundled.samples);
      const predicted = classify(network, subset.images, subset.count);
      const accuracy = predicted.filter((c, i) => c === subset.labels[i]).length / subset.count;
      assert.ok(Math.abs(accuracy - card.accuracy) <= 0.015, `subset accuracy ${accuracy} within 1.5 points of the card's ${card.accuracy}`);
      // The trainer measured the same subset with tfjs itself: the engine's forward pass agrees with it
      // up to an image or two decided by rounding.
      const trainerSaw = training.subsetAccuracy as number;
      assert.ok(Math.abs(accuracy - trainerSaw) <= 0.002, `subset accuracy ${accuracy} vs the trainer's ${trainerSaw}`);

      const pngs = fs.readdirSync(SAMPLES).filter((n) => n.startsWith(`${bundled.samples}-`) && n.endsWith('.png'));
      assert.equal(pngs.length, 20);
      const images = new Float32Array(pngs.length * PIXELS);
      pngs.forEach((name, i) => {
        const png = PNG.sync.read(fs.readFileSync(path.join(SAMPLES, name)));
        for (let k = 0; k < PIXELS; k++) images[i * PIXELS + k] = png.data[4 * k] / 255;
      });
      const pngClasses = classify(network, images, pngs.length);
      const right = pngs.filter((name, i) => Number(name.split('-')[1]) === pngClasses[i]);
      assert.ok(right.length >= 0.9 * pngs.length, `${right.length} of ${pngs.length} PNGs predicted as named`);
    } finally {
      network.dispose();
    }
  });
}
