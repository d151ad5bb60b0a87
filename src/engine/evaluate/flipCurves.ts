// Pixel-flipping curves computed in this thread: every perturbed copy of every (image, map) item is one
// row of batched forward passes (a forward pass only, no gradients). The copies shared by all maps of an
// image are evaluated once: step 0 is the image itself and step K the all-baseline image, the same for
// every image. Rows are generated chunk by chunk, so memory stays bounded whatever the number of items.
import { UserError } from '../errors';
import { predict } from '../methods/explain';
import type { Network } from '../types';
import type { ImageShape } from '../../protocol/model';
import { checkSteps, removedAt, writePerturbed } from './perturbation';
import { FLIP_ORDERS, pixelOrder } from './pixelOrder';
import type { FlipCurves } from './scores';

/** One map to evaluate: which image, its relevance (h·w, row-major) and the explained class. */
export interface FlipItem {
  image: number;
  relevance: Float32Array;
  target: number;
}

export interface FlipInput {
  network: Network;
  imageShape: ImageShape;
  /** Network inputs, h·w·c each, HWC. */
  images: Float32Array[];
  items: FlipItem[];
  steps: number;
  /** Per channel, the value a removed pixel takes (flipBaseline). */
  baseline: readonly number[];
}

/** Input floats one chunk of rows may hold, with room for ~64× as many activation floats: 64 MB in all. */
const CHUNK_INPUT_FLOATS = (16 * 1024 * 1024) / 64;
/** Beyond this many rows a bigger batch no longer runs faster per row (bench notes: batch 256). */
const MAX_CHUNK_ROWS = 256;

/** The MoRF and LeRF curves of every item, in item order. */
export function flipCurves(input: FlipInput): FlipCurves[] {
  const { network, imageShape, images, items, baseline } = input;
  const [h, w, c] = imageShape;
  const pixels = h * w;
  const size = pixels * c;
  const steps = checkSteps(input.steps, imageShape);
  checkInput(input, size, pixels);
  if (items.length === 0) return [];

  // Rows: each image once (step 0), the all-baseline image once (step K), then per item and order the
  // steps 1 … K−1. `row(r, out)` writes row r into `out`.
  const imageRows = [...new Set(items.map((item) => item.image))];
  const rowOfImage = new Map(imageRows.map((image, r) => [image, r]));
  const baselineRow = imageRows.length;
  const firstItemRow = baselineRow + 1;
  const perOrder = steps - 1;
  const orders = items.map((item) => FLIP_ORDERS.map((order) => pixelOrder(item.relevance, order)));
  const allBaseline = new Float32Array(size);
  for (let p = 0; p < size; p++) allBaseline[p] = baseline[p % c];
  const rowCount = firstItemRow + items.length * 2 * perOrder;
  const writeRow = (r: number, out: Float32Array) => {
    if (r < baselineRow) return out.set(images[imageRows[r]]);
    if (r === baselineRow) return out.set(allBaseline);
    const offset = r - firstItemRow;
    const item = Math.floor(offset / (2 * perOrder));
    const order = Math.floor((offset % (2 * perOrder)) / perOrder);
    const k = 1 + (offset % perOrder);
    writePerturbed(out, images[items[item].image], orders[item][order], removedAt(k, steps, pixels), baseline);
  };

  // Keep every logit of the shared rows (their items have different targets), only the target's of the rest.
  const classes = network.outputSize;
  const shared = new Float32Array(firstItemRow * classes);
  const itemLogits = new Float32Array(rowCount - firstItemRow);
  const itemOfRow = (r: number) => Math.floor((r - firstItemRow) / (2 * perOrder));
  evaluateRows(network, rowCount, size, writeRow, (r, logits) => {
    if (r < firstItemRow) shared.set(logits, r * classes);
    else itemLogits[r - firstItemRow] = logits[items[itemOfRow(r)].target];
  });
  return items.map((item, i) => {
    const [morf, lerf] = [0, 1].map((order) => {
      const curve = [shared[rowOfImage.get(item.image)! * classes + item.target]];
      const first = (2 * i + order) * perOrder;
      for (let k = 1; k < steps; k++) curve.push(itemLogits[first + k - 1]);
      curve.push(shared[baselineRow * classes + item.target]);
      return curve;
    });
    return { morf, lerf };
  });
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

function checkInput({ network, images, items, baseline, imageShape: [h, w, c] }: FlipInput, size: number, pixels: number): void {
  if (baseline.length !== c) throw new UserError(`pixel flipping needs one baseline value per channel (${c}), got ${baseline.length}`);
  images.forEach((image, i) => {
    if (image.length !== size) throw new UserError(`image ${i} has ${image.length} values; the model expects ${h}×${w}×${c} = ${size}`);
  });
  items.forEach((item, i) => {
    if (!(item.image >= 0 && item.image < images.length)) throw new UserError(`pixel-flipping item ${i} names image ${item.image} of ${images.length}`);
    if (item.relevance.length !== pixels) {
      throw new UserError(`the map of item ${i} has ${item.relevance.length} values; the image has ${h}×${w} = ${pixels} pixels`);
    }
    if (!Number.isInteger(item.target) || item.target < 0 || item.target >= network.outputSize) {
      throw new UserError(`target class ${item.target} of item ${i} is out of range (the model has ${network.outputSize} classes)`);
    }
  });
}
