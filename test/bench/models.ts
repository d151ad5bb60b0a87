// The models and images the benchmark runs on: the bundled MNIST models (a random-weight CNN of the same
// shape in a temp folder while models/mnist-cnn is not there yet) and the shipped MNIST test images.
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import { saveModel, tempModelDir } from '../unit/model/savedModels';
import type { ModelKind } from './zennit';

export const REPO = path.resolve(__dirname, '../..');

export interface BenchModel {
  /** The bundled id, `random-cnn` for its stand-in, or `facts-cnn`. */
  name: string;
  kind: ModelKind;
  modelJson: string;
}

/** Which models a run covers: the two bundled ones by default. */
export type ModelChoice = ModelKind | 'facts-cnn';

/**
 * models/<id>/model.json, or for the CNN a random-weight stand-in of the bundled architecture while the
 * bundled one is not there. `facts-cnn` is the peer's CNN as PyTorch builds it (unpadded convolutions, so
 * 1600 features before the dense layer and 2.6 M multiply-adds, where the bundled 'same' CNN has 4.2 M):
 * the like-for-like comparison with the Zennit figures, random weights.
 */
export async function benchModels(wanted: ModelChoice[]): Promise<BenchModel[]> {
  const models: BenchModel[] = [];
  for (const choice of wanted) {
    if (choice === 'facts-cnn') {
      models.push({ name: 'facts-cnn', kind: 'cnn', modelJson: await randomCnn('facts-cnn', 'valid') });
      continue;
    }
    const id = choice === 'mlp' ? 'mnist-mlp' : 'mnist-cnn';
    const bundled = path.join(REPO, 'models', id, 'model.json');
    if (fs.existsSync(bundled)) models.push({ name: id, kind: choice, modelJson: bundled });
    else if (choice === 'cnn') models.push({ name: 'random-cnn', kind: choice, modelJson: await randomCnn('random-cnn', 'same') });
    else throw new Error(`${bundled} is missing`);
  }
  return models;
}

/** Conv 3×3 32 relu → maxpool 2 → conv 3×3 64 relu → maxpool 2 → dense 128 relu → dense 10 softmax,
 *  glorot-uniform weights, saved with a card declaring [0, 1] inputs like the bundled models. */
async function randomCnn(name: string, padding: 'same' | 'valid'): Promise<string> {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, padding, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  const dir = tempModelDir(name);
  const file = await saveModel(model, dir);
  model.dispose();
  const card = { id: name, name: `random-weight CNN, ${padding} convolutions`, labels: [...'0123456789'], inputShape: [28, 28, 1], inputRange: [0, 1] };
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
