// The models and images the benchmark runs on: the bundled MNIST models (a random-weight CNN of the same
// shape in a temp folder while models/mnist-cnn is not there yet) and the shipped MNIST test images.
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import { saveModel, tempModelDir } from '../unit/model/savedModels';
import type { ModelKind } from './zennit';

export const REPO = path.resolve(__dirname, '../..');

export interface BenchModel {
  /** The bundled id, or `random-cnn` for the stand-in. */
  name: string;
  kind: ModelKind;
  modelJson: string;
}

/** models/<id>/model.json, or for the CNN a random-weight stand-in of the bundled architecture. */
export async function benchModels(wanted: ModelKind[]): Promise<BenchModel[]> {
  const models: BenchModel[] = [];
  for (const kind of wanted) {
    const id = kind === 'mlp' ? 'mnist-mlp' : 'mnist-cnn';
    const bundled = path.join(REPO, 'models', id, 'model.json');
    if (fs.existsSync(bundled)) models.push({ name: id, kind, modelJson: bundled });
    else if (kind === 'cnn') models.push({ name: 'random-cnn', kind, modelJson: await randomCnn() });
    else throw new Error(`${bundled} is missing`);
  }
  return models;
}

/** Conv 3×3 32 same relu → maxpool 2 → conv 3×3 64 same relu → maxpool 2 → dense 128 relu → dense 10
 *  softmax, glorot-uniform weights, saved with a card declaring [0, 1] inputs like the bundled models. */
async function randomCnn(): Promise<string> {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  const dir = tempModelDir('random-cnn');
  const file = await saveModel(model, dir);
  model.dispose();
  const card = { id: 'random-cnn', name: 'random-weight CNN', labels: [...'0123456789'], inputShape: [28, 28, 1], inputRange: [0, 1] };
  fs.writeFileSync(path.join(dir, 'card.json'), JSON.stringify(card));
  return file;
}

/** The first `count` MNIST test images shipped in models/samples, 784 bytes each. */
export function mnistImages(count: number): Uint8Array[] {
  const file = path.join(REPO, 'models', 'samples', 'mnist-test-1k-images.npy');
  const bytes = fs.readFileSync(file);
  // .npy 1.0: magic (6) + version (2) + header length (uint16 LE) + header, then the raw uint8 data.
  const dataStart = 10 + bytes.readUInt16LE(8);
  return Array.from({ length: count }, (_, i) => new Uint8Array(bytes.subarray(dataStart + i * 784, dataStart + (i + 1) * 784)));
}

/** A sample PNG of the digit 7, for the end-to-end figure. */
export const SAMPLE_PNG = path.join(REPO, 'models', 'samples', 'mnist-7-0000.png');
