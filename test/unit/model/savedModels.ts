// Test helpers: save tfjs models the way `model.save('file://…')` lays them out (model.json + one .bin
// shard) into temp folders, give them deterministic non-trivial weights, and compare numbers.
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const SHARD = 'group1-shard1of1.bin';

const tempRoots: string[] = [];
process.once('exit', () => tempRoots.forEach((root) => fs.rmSync(root, { recursive: true, force: true })));

/** A fresh folder named `name` (the default card id) inside a new temp folder, removed when the process exits. */
export function tempModelDir(name: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'explain-image-model-'));
  tempRoots.push(root);
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  return dir;
}

/** Saves `model` into `dir` as model.json + group1-shard1of1.bin; returns the model.json path. */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<string> {
  const file = path.join(dir, 'model.json');
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData as ArrayBuffer;
      fs.writeFileSync(path.join(dir, SHARD), Buffer.from(weightData));
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [SHARD], weights: artifacts.weightSpecs }],
      };
      fs.writeFileSync(file, JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return file;
}

/**
 * Replaces every weight by seeded uniform values so biases, γ, β and moving means are far from their
 * zero/one initial values (which would hide a wrong bias or fold). Moving variances stay positive.
 */
export function seedWeights(model: tf.LayersModel, seed: number): void {
  const values = model.weights.map((w, i) => {
    const [low, high] = w.originalName.endsWith('moving_variance') ? [0.3, 2] : [-0.6, 0.6];
    return tf.randomUniform(w.shape as number[], low, high, 'float32', seed + i);
  });
  model.setWeights(values);
  tf.dispose(values);
}

export function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

export function writeJson(file: string, json: unknown): void {
  fs.writeFileSync(file, JSON.stringify(json));
}

/** The `modelTopology.config.layers` list of a saved model.json, to edit in place. */
export function topologyLayers(modelJson: any): any[] {
  return modelJson.modelTopology.config.layers;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * A seeded 28×28×1 MLP, flatten → dense `hidden` ReLU → dense 10 (softmax or plain logits), saved into a
 * temp folder named `name`: its model.json, and its weights as plain arrays [w1, b1, w2, b2] (row-major
 * [in][out]) for references written with loops.
 */
export async function saveDigitMlp(name: string, seed: number, hidden: number, softmax = false): Promise<{ path: string; weights: Float32Array[] }> {
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28, 1] }),
      tf.layers.dense({ units: hidden, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: softmax ? 'softmax' : undefined }),
    ],
  });
  seedWeights(model, seed);
  const weights = model.getWeights().map((t) => t.dataSync() as Float32Array);
  const file = await saveModel(model, tempModelDir(name));
  model.dispose();
  return { path: file, weights };
}

/** A seeded 28×28×1 CNN, conv 3×3 (`filters`, ReLU) → max pool 2 → flatten → dense 10 (softmax or not), saved as `name`. */
export async function saveDigitCnn(name: string, seed: number, { filters = 4, softmax = true } = {}): Promise<string> {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: softmax ? 'softmax' : undefined }),
    ],
  });
  seedWeights(model, seed);
  const file = await saveModel(model, tempModelDir(name));
  model.dispose();
  return file;
}
