// Pixel-flipping and ROAD curves computed in this thread: every perturbed copy of every (image, map) item
// is one row of batched forward passes (a forward pass only, no gradients). Rows shared by all maps of an
// image are evaluated once: step 0 is the image itself and, for pixel flipping, step K its all-removed
// copy. Rows are generated chunk by chunk, so memory stays bounded whatever the number of items.
import { UserError } from '../errors';
import { predict } from '../methods/explain';
import type { Network } from '../types';
import type { ImageShape } from '../../protocol/model';
import { checkSteps, removedAt, writeReplaced } from './perturbation';
import { FLIP_ORDERS, pixelOrder } from './pixelOrder';
import { imputeRemoved, roadNoise } from './roadImputation';
import type { FlipCurves } from './scores';
import { flipUnits, markRemoved, unitRelevance } from './units';

/** One map to evaluate: which image, its relevance (h·w, row-major), the explained class and, for a
 *  contrastive map, the class it is contrasted with (the score is then f_target − f_contrast). */
export interface FlipItem {
  image: number;
  relevance: Float32Array;
  target: number;
  contrast?: number;
}

/** How removed pixels are filled. */
export type Removal =
  /** Pixel flipping: per image, the values its removed pixels take (a constant colour or a blurred copy), h·w·c. */
  | { kind: 'replace'; baselines: Float32Array[] }
  /** ROAD: noisy linear imputation from the neighbours; σ of the noise per channel in model-input units. */
  | { kind: 'road'; noise: readonly number[] };

export interface FlipInput {
  network: Network;
  imageShape: ImageShape;
  /** Network inputs, h·w·c each, HWC. */
  images: Float32Array[];
  items: FlipItem[];
  steps: number;
  removal: Removal;
  /** Side of the square patches removed together (default: units.ts's defaultPatch). */
  patch?: number;
}

/** Input floats one chunk of rows may hold, with room for ~64× as many activation floats: 64 MB in all. */
const CHUNK_INPUT_FLOATS = (16 * 1024 * 1024) / 64;
/** Beyond this many rows a bigger batch no longer runs faster per row (bench notes: batch 256). */
const MAX_CHUNK_ROWS = 256;

/**
 * The MoRF and LeRF curves of every item, in item order: K+1 scores for pixel flipping (steps 0 … K), K for
 * ROAD (steps 0 … K−1: with every pixel removed there is nothing to impute from).
 */
export function flipCurves(input: FlipInput): FlipCurves[] {
  const { network, imageShape, images, items, removal } = input;
  const [h, w, c] = imageShape;
  const size = h * w * c;
  const units = flipUnits(h, w, input.patch);
  const steps = checkSteps(input.steps, imageShape, units);
  checkInput(input, size, h * w);
  if (items.length === 0) return [];
  const road = removal.kind === 'road';

  // Rows: each image once (step 0), then for pixel flipping each image's all-removed copy (step K), then per
  // item and order the steps 1 … K−1. `writeRow(r, out)` writes row r into `out`.
  const imageRows = [...new Set(items.map((item) => item.image))];
  const rowOfImage = new Map(imageRows.map((image, r) => [image, r]));
  const sharedRows = road ? imageRows.length : 2 * imageRows.length;
  const perOrder = steps - 1;
  const orders = items.map((item) => FLIP_ORDERS.map((order) => pixelOrder(unitRelevance(units, item.relevance), order)));
  const rowCount = sharedRows + items.length * 2 * perOrder;
  const mask = new Uint8Array(h * w);
  const writeRow = (r: number, out: Float32Array) => {
    if (r < imageRows.length) return out.set(images[imageRows[r]]);
    if (r < sharedRows) return out.set((removal as { baselines: Float32Array[] }).baselines[imageRows[r - imageRows.length]]);
    const offset = r - sharedRows;
    const index = Math.floor(offset / (2 * perOrder));
    const item = items[index];
    const order = Math.floor((offset % (2 * perOrder)) / perOrder) as 0 | 1;
    const k = 1 + (offset % perOrder);
    const removed = removedAt(k, steps, units.count);
    const image = images[item.image];
    const unitOrder = orders[index][order];
    if (removal.kind === 'replace') return writeReplaced(out, image, removal.baselines[item.image], units, unitOrder, removed, c);
    markRemoved(mask, units, unitOrder, removed);
    imputeRemoved(out, image, mask, imageShape, roadNoise(removal.noise, k, order));
  };

  // Keep every logit of the shared rows (their items have different targets), only the score of the rest.
  const classes = network.outputSize;
  const shared = new Float32Array(sharedRows * classes);
  const itemScores = new Float64Array(rowCount - sharedRows);
  const itemOfRow = (r: number) => items[Math.floor((r - sharedRows) / (2 * perOrder))];
  evaluateRows(network, rowCount, size, writeRow, (r, logits) => {
    if (r < sharedRows) shared.set(logits, r * classes);
    else itemScores[r - sharedRows] = scoreOf(logits, itemOfRow(r), 0);
  });
  return items.map((item, i) => {
    const [morf, lerf] = [0, 1].map((order) => {
      const curve = [scoreOf(shared, item, rowOfImage.get(item.image)! * classes)];
      const first = (2 * i + order) * perOrder;
      for (let k = 1; k < steps; k++) curve.push(itemScores[first + k - 1]);
      if (!road) curve.push(scoreOf(shared, item, (imageRows.length + rowOfImage.get(item.image)!) * classes));
      return curve;
    });
    return { morf, lerf };
  });
}

/** The item's score in a row of logits starting at `at`: f_target, or f_target − f_contrast. */
function scoreOf(logits: Float32Array, item: FlipItem, at: number): number {
  return item.contrast === undefined ? logits[at + item.target] : logits[at + item.target] - logits[at + item.contrast];
}

/** Runs rows 0 … rowCount−1, written by `writeRow`, through the network in chunks; `readRow` gets each
 *  row's logits (a view, valid during the call). */
function evaluateRows(
  network: Network,
  rowCount: number,
  size: number,
  writeRow: (r: number, out: Float32Array) => void,
  readRow: (r: number, logits: Float32Array) => void,
): void {
  const classes = network.outputSize;
  const chunkRows = Math.max(1, Math.min(MAX_CHUNK_ROWS, Math.floor(CHUNK_INPUT_FLOATS / size)));
  const buffer = new Float32Array(Math.min(chunkRows, rowCount) * size);
  for (let start = 0; start < rowCount; start += chunkRows) {
    const n = Math.min(chunkRows, rowCount - start);
    for (let r = 0; r < n; r++) writeRow(start + r, buffer.subarray(r * size, (r + 1) * size));
    const { logits } = predict(network, buffer.subarray(0, n * size), n);
    for (let r = 0; r < n; r++) readRow(start + r, logits.subarray(r * classes, (r + 1) * classes));
  }
}

function checkInput({ network, images, items, removal, imageShape: [h, w, c] }: FlipInput, size: number, pixels: number): void {
  images.forEach((image, i) => {
    if (image.length !== size) throw new UserError(`image ${i} has ${image.length} values; the model expects ${h}×${w}×${c} = ${size}`);
  });
  if (removal.kind === 'replace') {
    if (removal.baselines.length !== images.length) throw new UserError(`pixel flipping needs a baseline image per image (${images.length}), got ${removal.baselines.length}`);
    removal.baselines.forEach((b, i) => {
      if (b.length !== size) throw new UserError(`the baseline of image ${i} has ${b.length} values; the model expects ${h}×${w}×${c} = ${size}`);
    });
  } else if (removal.noise.length !== c) {
    throw new UserError(`ROAD needs one noise σ per channel (${c}), got ${removal.noise.length}`);
  }
  items.forEach((item, i) => {
    if (!(item.image >= 0 && item.image < images.length)) throw new UserError(`pixel-flipping item ${i} names image ${item.image} of ${images.length}`);
    if (item.relevance.length !== pixels) {
      throw new UserError(`the map of item ${i} has ${item.relevance.length} values; the image has ${h}×${w} = ${pixels} pixels`);
    }
    for (const [what, cls] of [['target', item.target], ['contrast', item.contrast]] as const) {
      if (cls === undefined && what === 'contrast') continue;
      if (!Number.isInteger(cls) || cls! < 0 || cls! >= network.outputSize) {
        throw new UserError(`${what} class ${cls} of item ${i} is out of range (the model has ${network.outputSize} classes)`);
      }
    }
    if (item.contrast === item.target) throw new UserError(`item ${i} contrasts class ${item.target} with itself`);
  });
}
