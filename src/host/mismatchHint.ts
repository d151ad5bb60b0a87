// Quiet hints that the selected model may not fit what it is shown (a rule a user can check by hand, and
// docs/extension.md states it):
// - an image: its model input is compared with the data set the model's card names, through two numbers,
//   the mean brightness and the share of pixels brighter than a quarter (64 of 255). More than FAR_SIGMAS
//   standard deviations from that data set's average on either (measured on the 1,000 bundled test
//   images of MNIST or FashionMNIST) gives the hint;
// - a data set with labels: an accuracy of at most twice chance (20 % for 10 classes);
// - a data set without labels: more than half of its samples (up to 1,000 spread over the file) are far
//   from the model's data set by the image rule.
// Models whose card names no bundled data set get the accuracy rule only.
import * as path from 'path';
import { openDataset } from '../engine/data/datasetFile';

export const FAR_SIGMAS = 4;
/** Pixels above this (of 255) count as ink. */
const INK_LEVEL = 64;
/** The bundled test subsets, by the `dataset` field of a model card. */
const REFERENCE_FILES: Record<string, string> = {
  MNIST: 'mnist-test-1k-images.npy',
  FashionMNIST: 'fashion-test-1k-images.npy',
};

export interface ImageStats {
  /** Mean pixel value, 0..1. */
  brightness: number;
  /** Share of pixels above INK_LEVEL, 0..1. */
  ink: number;
}

export interface Reference {
  dataset: string;
  brightness: { mean: number; sd: number };
  ink: { mean: number; sd: number };
}

/** Statistics of one 8-bit image (any channel count: all values count). */
export function imageStats(pixels: ArrayLike<number>): ImageStats {
  let sum = 0;
  let ink = 0;
  for (let i = 0; i < pixels.length; i++) {
    sum += pixels[i];
    if (pixels[i] > INK_LEVEL) ink++;
  }
  const n = Math.max(1, pixels.length);
  return { brightness: sum / n / 255, ink: ink / n };
}

export function referenceOf(dataset: string, images: ImageStats[]): Reference {
  const moments = (values: number[]) => {
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    return { mean, sd: Math.max(sd, 1e-6) };
  };
  return { dataset, brightness: moments(images.map((s) => s.brightness)), ink: moments(images.map((s) => s.ink)) };
}

/** How far (in standard deviations) an image is from the reference, on the worse of the two numbers. */
export function distance(stats: ImageStats, ref: Reference): number {
  return Math.max(Math.abs(stats.brightness - ref.brightness.mean) / ref.brightness.sd, Math.abs(stats.ink - ref.ink.mean) / ref.ink.sd);
}

export function imageHint(stats: ImageStats, ref: Reference | undefined, modelName: string): string | undefined {
  if (!ref) return undefined;
  const d = distance(stats, ref);
  if (d <= FAR_SIGMAS) return undefined;
  return `This input looks unlike ${ref.dataset}, the data ${modelName} was trained on (${d.toFixed(1)} σ from its typical brightness or ink): the prediction may mean little. Another model may fit better.`;
}

export interface DatasetFacts {
  modelName: string;
  classes: number;
  /** Share of labelled samples predicted right, when the file has labels. */
  accuracy?: number;
  /** Statistics of (up to 1,000) samples spread over the file. */
  samples: ImageStats[];
}

export function datasetHint(facts: DatasetFacts, ref: Reference | undefined): string | undefined {
  const chance = 1 / Math.max(1, facts.classes);
  if (facts.accuracy !== undefined) {
    if (facts.accuracy > 2 * chance) return undefined;
    return `${facts.modelName} gets ${(100 * facts.accuracy).toFixed(1)}% of these labels right, about chance (${(100 * chance).toFixed(0)}% for ${facts.classes} classes): this data may not be what the model was trained on. Try another model.`;
  }
  if (!ref || facts.samples.length === 0) return undefined;
  const far = facts.samples.filter((s) => distance(s, ref) > FAR_SIGMAS).length / facts.samples.length;
  if (far <= 0.5) return undefined;
  return `${(100 * far).toFixed(0)}% of these samples look unlike ${ref.dataset}, the data ${facts.modelName} was trained on (more than ${FAR_SIGMAS} σ from its typical brightness or ink): the predictions may mean little. Try another model.`;
}

const references = new Map<string, Promise<Reference | undefined>>();

/** The reference statistics of a card's data set, from the bundled test subset (read once). */
export function referenceFor(dataset: string | undefined, extensionPath: string): Promise<Reference | undefined> {
  const file = dataset ? REFERENCE_FILES[dataset] : undefined;
  if (!dataset || !file) return Promise.resolve(undefined);
  let ref = references.get(dataset);
  if (!ref) {
    ref = (async () => {
      const data = await openDataset(path.join(extensionPath, 'models', 'samples', file));
      try {
        const size = data.width * data.height;
        const pixels = await data.read(0, data.count);
        const stats = Array.from({ length: data.count }, (_, i) => imageStats(pixels.subarray(i * size, (i + 1) * size)));
        return referenceOf(dataset, stats);
      } finally {
        await data.close();
      }
    })().catch(() => undefined);
    references.set(dataset, ref);
  }
  return ref;
}
