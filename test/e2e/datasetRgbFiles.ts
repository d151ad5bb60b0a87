// The data sets of datasetRgb.e2e.test.ts, written into the session's workspace: shapes images (the data
// the shapes ResNet fixture was trained on, scripts/fixtures/shapesData.ts) as an RGB .npy of another size
// than the model's, as a CIFAR-10 batch whose class names come in another order than the model's, and as
// an image folder (class folders sort differently from the model's classes) with one damaged file and one
// image of another size. Each comes with the engine's own predictions, computed here in-process through
// the Pillow-exact resize and a plain predict job at the model's size.
import * as fs from 'fs';
import * as path from 'path';
import { PNG } from 'pngjs';
import { initBackend, nodeModulesWasmDir } from '../../src/engine/backend';
import { resizeForModel } from '../../src/engine/image/resizeForModel';
import { runJob } from '../../src/engine/jobs/runJob';
import { predictChunkFor } from '../../src/host/dataset/predictDataset';
import type { PredictResult } from '../../src/protocol/engineJobs';
import { SHAPE_LABELS, shapesDataset } from '../../scripts/fixtures/shapesData';
import { writeNpyUint8 } from '../../scripts/train/npy';
import { repoRoot } from './harness/paths';

export const SHAPES_MODEL = path.join(repoRoot, 'test', 'fixtures', 'onnx', 'shapes-resnet', 'shapes-resnet.onnx');
const MODEL_SIZE = 32;

export interface Written {
  /** Workspace-relative path to open. */
  name: string;
  count: number;
  /** The model's predicted class per sample (engine, in-process). */
  predicted: number[];
  /** Samples whose true shape (as the model's class index) differs from the prediction. */
  misclassified: number[];
  /** The true shape of each sample. */
  shapes: string[];
}

/** The engine's predictions for HWC RGB images of size×size, each resized to 32×32 first. */
async function enginePredictions(images: Uint8Array, count: number, height: number, width: number): Promise<number[]> {
  await initBackend(nodeModulesWasmDir());
  const size = height * width * 3;
  const batch = new Uint8Array(count * MODEL_SIZE * MODEL_SIZE * 3);
  for (let i = 0; i < count; i++) {
    const sample = images.subarray(i * size, (i + 1) * size);
    const planes = [0, 1, 2].map((c) => Uint8Array.from({ length: height * width }, (_, p) => sample[p * 3 + c]));
    const resized = resizeForModel(planes, width, height, [MODEL_SIZE, MODEL_SIZE]).planes;
    const at = i * MODEL_SIZE * MODEL_SIZE * 3;
    for (let p = 0; p < MODEL_SIZE * MODEL_SIZE; p++) for (let c = 0; c < 3; c++) batch[at + p * 3 + c] = resized[c][p];
  }
  // The same jobs as the extension sends its workers, so batch-dependent rounding cannot differ.
  const chunk = predictChunkFor([MODEL_SIZE, MODEL_SIZE, 3]);
  const sampleSize = MODEL_SIZE * MODEL_SIZE * 3;
  const predicted: number[] = [];
  for (let start = 0; start < count; start += chunk) {
    const n = Math.min(chunk, count - start);
    const pixels = batch.subarray(start * sampleSize, (start + n) * sampleSize);
    const result = (await runJob({ type: 'predict', model: { path: SHAPES_MODEL }, pixels, count: n }, { name: 'wasm-simd' })) as PredictResult;
    for (let i = 0; i < n; i++) {
      const row = result.probabilities.subarray(i * 4, i * 4 + 4);
      predicted.push(row.indexOf(Math.max(...row)));
    }
  }
  return predicted;
}

const wrongWhere = (predicted: number[], truth: ArrayLike<number>) => predicted.flatMap((p, i) => (p !== truth[i] ? [i] : []));

/**
 * `count` 64×64 shapes as shapes-64-images.npy, labels in shapes-64-labels.npy; the samples in
 * `mislabelled` carry the next class's label, so the mistakes filter has something certain to find.
 */
export async function writeShapesNpy(dir: string, count = 64, side = 64, mislabelled = [5, 17, 40]): Promise<Written> {
  const { images, labels } = shapesDataset(count, side, side, 7);
  for (const i of mislabelled) labels[i] = (labels[i] + 1) % 4;
  fs.writeFileSync(path.join(dir, `shapes-${side}-images.npy`), writeNpyUint8([count, side, side, 3], images));
  fs.writeFileSync(path.join(dir, `shapes-${side}-labels.npy`), writeNpyUint8([count], labels));
  const predicted = await enginePredictions(images, count, side, side);
  return { name: `shapes-${side}-images.npy`, count, predicted, misclassified: wrongWhere(predicted, labels), shapes: [...labels].map((l) => SHAPE_LABELS[l]) };
}

/** The file's class names, in CIFAR-10's ten lines: the model's four in reverse, then six it does not have. */
export const CIFAR_NAMES = ['cross', 'triangle', 'square', 'circle', 'star', 'heart', 'moon', 'ring', 'arrow', 'dot'];

/** A CIFAR-10 batch data_batch_1.bin of 32×32 shapes (planes R, G, B per record) and its batches.meta.txt. */
export async function writeShapesCifar(dir: string, count = 200): Promise<Written> {
  const { images, labels } = shapesDataset(count, 32, 32, 11);
  const out = Buffer.alloc(count * 3073);
  for (let i = 0; i < count; i++) {
    out[i * 3073] = CIFAR_NAMES.indexOf(SHAPE_LABELS[labels[i]]);
    for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) out[i * 3073 + 1 + c * 1024 + p] = images[(i * 1024 + p) * 3 + c];
  }
  fs.mkdirSync(path.join(dir, 'cifar'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'cifar', 'data_batch_1.bin'), out);
  fs.writeFileSync(path.join(dir, 'cifar', 'batches.meta.txt'), CIFAR_NAMES.join('\n') + '\n\n');
  const predicted = await enginePredictions(images, count, 32, 32);
  return { name: 'cifar/data_batch_1.bin', count, predicted, misclassified: wrongWhere(predicted, labels), shapes: [...labels].map((l) => SHAPE_LABELS[l]) };
}

function writePng(file: string, rgb: Uint8Array, width: number, height: number): void {
  const png = new PNG({ width, height });
  for (let p = 0; p < width * height; p++) {
    png.data[p * 4] = rgb[p * 3];
    png.data[p * 4 + 1] = rgb[p * 3 + 1];
    png.data[p * 4 + 2] = rgb[p * 3 + 2];
    png.data[p * 4 + 3] = 255;
  }
  fs.writeFileSync(file, PNG.sync.write(png));
}

export interface WrittenFolder {
  /** Workspace-relative folder. */
  name: string;
  count: number;
  /** ImageFolder order: class folders sorted (circle, cross, square, triangle), files sorted in each. */
  files: string[];
  damaged: string;
}

/** shapes-folder/<class>/NN.png, 48×48 (one 40×56), plus a damaged PNG in square/. */
export function writeShapesFolder(dir: string, perClass = 6): WrittenFolder {
  const root = path.join(dir, 'shapes-folder');
  const { images, labels } = shapesDataset(perClass * 8, 48, 48, 23);
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < labels.length; i++) {
    const cls = SHAPE_LABELS[labels[i]];
    if (counts[labels[i]] >= perClass) continue;
    fs.mkdirSync(path.join(root, cls), { recursive: true });
    writePng(path.join(root, cls, `${String(counts[labels[i]]++).padStart(2, '0')}.png`), images.subarray(i * 48 * 48 * 3, (i + 1) * 48 * 48 * 3), 48, 48);
  }
  const odd = shapesDataset(1, 40, 56, 5);
  fs.mkdirSync(path.join(root, SHAPE_LABELS[odd.labels[0]]), { recursive: true });
  writePng(path.join(root, SHAPE_LABELS[odd.labels[0]], 'zz-other-size.png'), odd.images, 56, 40);
  const damaged = path.join('square', 'zz-damaged.png');
  fs.mkdirSync(path.join(root, 'square'), { recursive: true });
  fs.writeFileSync(path.join(root, damaged), PNG.sync.write(new PNG({ width: 8, height: 8 })).subarray(0, 40));
  const files = [...SHAPE_LABELS]
    .sort()
    .flatMap((cls) => (fs.existsSync(path.join(root, cls)) ? fs.readdirSync(path.join(root, cls)).sort().map((f) => `${cls}/${f}`) : []));
  return { name: 'shapes-folder', count: files.length, files, damaged: damaged.split(path.sep).join('/') };
}
