// The batch API: many images × many methods × several targets in one call. All images of a call travel
// through each layer as one batch, and the work is shared as far as the methods allow:
// - one forward pass for every method (Dense/Conv2D fused with their ReLU),
// - one backward pass for the whole gradient family: sensitivity, the gradient and simple Taylor share the
//   plain gradient, and guided backprop / deconvnet ride along as extra stacked rows (trace.ts),
// - one backward walk for all LRP methods, in which methods whose rules agree on a layer are evaluated
//   together (deep Taylor's z⁺ and the αβ presets share their forward terms),
// - integrated gradients, SmoothGrad and occlusion on their own, as they run the network on other inputs.
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors';
import { logitsOf } from '../network/forward';
import type { ExplainRequest, InputBounds, MethodSpec, Network } from '../types';
import type { Explanation } from '../../protocol/explanation';
import type { ImageShape } from '../../protocol/model';
import { ATTRIBUTORS, type AttributionBatch } from './attributors';
import { compositeFor } from './composites';
import { gradientStack } from './gradientPass';
import { formatMethodSpec, validateSpec } from './methodRegistry';
import { isAttributor, methodRecord, runsAs, type ChannelTerm } from './methodTable';
import { firstLayerBoxes } from './inputBox';
import { lrpRelevance } from './propagateRelevance';
import { Trace } from './trace';

import { beginCall } from '../network/prepared';

export { releasePrepared } from '../network/prepared';

/** Activations (floats) one chunk of IG / SmoothGrad / occlusion evaluations may hold: 64 MB. */
const CHUNK_FLOATS = 16 * 1024 * 1024;
/** With a progress callback, IG and SmoothGrad run in about this many chunks (of at least
 *  PROGRESS_MIN_CHUNK evaluations, so a short run is not slowed by tiny batches). */
const PROGRESS_STEPS = 16;
const PROGRESS_MIN_CHUNK = 8;

/** Told while an attributor (IG, SmoothGrad) runs: network evaluations done of its total. */
export type ExplainProgress = (done: number, total: number) => void;

/**
 * Explains every image of `request` with every method, for each image's targets (default: the predicted
 * class). Results are ordered image-major, then method, then target. `imageShape` is [h, w, c] of the
 * images; the network may take them flat ([h·w·c]) or as [h, w, c].
 */
export function explain(network: Network, imageShape: ImageShape, request: ExplainRequest, onProgress?: ExplainProgress): Explanation[] {
  const specs = request.methods.map(validateSpec);
  const count = request.images.length;
  if (count === 0 || specs.length === 0) return [];
  checkImages(network, imageShape, request.images);
  const bounds = checkBounds(request.bounds ?? null, imageShape[2]);
  beginCall(network);
  const classes = network.outputSize;

  const x = tf.tensor(concatImages(request.images), [count, ...network.inputShape]);
  const traces: Trace[] = [];
  try {
    const forwardStart = performance.now();
    const pass = Trace.of(network, x);
    traces.push(pass);
    const logitData = pass.logits.dataSync() as Float32Array;
    const probabilityData = softmaxRows(logitData, classes);
    const predicted = Array.from({ length: count }, (_, i) => argMax(logitData.subarray(i * classes, (i + 1) * classes)));
    const rows = resolveTargets(request.targets, request.contrasts, predicted, classes);
    const trace = rowsOf(pass, rows);
    if (trace !== pass) traces.push(trace);
    const oneHot = new Float32Array(rows.length * classes);
    const startRelevance = new Float32Array(rows.length * classes);
    rows.forEach((row, r) => {
      // The gradient family differentiates f_c (or f_c − f_c′ for a contrast: −1 at c′); LRP starts from
      // R = f_c(x) at the target logit (and −f_c′(x) at the contrast's) and 0 elsewhere.
      oneHot[r * classes + row.target] = 1;
      startRelevance[r * classes + row.target] = logitData[row.image * classes + row.target];
      if (row.contrast !== undefined) {
        oneHot[r * classes + row.contrast] = -1;
        startRelevance[r * classes + row.contrast] = -logitData[row.image * classes + row.contrast];
      }
    });
    const targets = trace.keep(tf.tensor2d(oneHot, [rows.length, classes]));
    const forwardMs = performance.now() - forwardStart;

    const rowImages = rows.map((row) => request.images[row.image]);
    const results = computeMaps(specs, { network, imageShape, bounds, trace, oneHot: targets, startRelevance, rowImages, onProgress });
    return buildExplanations(specs, rows, results, { logitData, probabilityData, predicted, ms: forwardMs }, imageShape, classes);
  } finally {
    for (const trace of traces) trace.dispose();
    x.dispose();
  }
}

/**
 * One Explanation per (image, method, target), image-major. All maps of the call share one buffer, each
 * explanation a view of it: one copy when the result crosses to the host, instead of a transfer or copy
 * per heatmap (engineWorker.ts).
 */
function buildExplanations(
  specs: MethodSpec[],
  rows: Row[],
  results: MapResult[],
  forward: { logitData: Float32Array; probabilityData: Float32Array; predicted: number[]; ms: number },
  [h, w]: ImageShape,
  classes: number,
): Explanation[] {
  const names = specs.map(formatMethodSpec);
  const rowsOfImage = forward.predicted.map(() => [] as number[]);
  rows.forEach((row, r) => rowsOfImage[row.image].push(r));
  const maps = new Float32Array(specs.length * rows.length * h * w);
  let offset = 0;
  const explanations: Explanation[] = [];
  rowsOfImage.forEach((imageRows, image) => {
    const probabilities = forward.probabilityData.subarray(image * classes, (image + 1) * classes);
    specs.forEach((_, k) => {
      const result = results[k];
      const ms = (forward.ms / specs.length + result.ms) / rows.length;
      for (const r of imageRows) {
        const relevance = maps.subarray(offset, offset + h * w);
        offset += h * w;
        relevance.set(result.relevance.subarray(r * h * w, (r + 1) * h * w));
        const relevanceSum = sum(relevance);
        const { target, contrast } = rows[r];
        const logit = forward.logitData[image * classes + target];
        // What the map explains: f_c, or f_c − f_c′ for a contrast (IG's completeness is about that).
        const score = contrast === undefined ? logit : logit - forward.logitData[image * classes + contrast];
        const explanation: Explanation = {
          image,
          method: names[k],
          target,
          predicted: forward.predicted[image],
          logit,
          probabilities,
          relevance,
          shape: [h, w],
          relevanceSum,
          ms,
        };
        if (contrast !== undefined) Object.assign(explanation, { contrast, contrastLogit: logit - score });
        if (result.baseline) explanation.completenessError = Math.abs(relevanceSum - (score - result.baseline[r]));
        explanations.push(explanation);
      }
    });
  });
  return explanations;
}

interface MethodContext {
  network: Network;
  imageShape: ImageShape;
  /** Per channel, checked. */
  bounds: [number[], number[]] | null;
  /** The forward pass, one row per (image, target). */
  trace: Trace;
  /** One-hot of each row's target. */
  oneHot: tf.Tensor;
  /** The LRP relevance at the logits, [rows, classes]: the target's logit, 0 elsewhere. */
  startRelevance: Float32Array;
  /** Each row's image. */
  rowImages: Float32Array[];
  onProgress?: ExplainProgress;
}

interface MapResult {
  /** [rows, h, w] flattened. */
  relevance: Float32Array;
  /** Integrated gradients: f_c of the baseline per row. */
  baseline?: Float32Array;
  /** Wall time of this method's share of its backward pass, all rows. */
  ms: number;
}

/** The relevance maps of every spec, in spec order: the gradient family and the LRP methods each in one
 *  shared backward pass, the rest one by one. */
function computeMaps(specs: MethodSpec[], c: MethodContext): MapResult[] {
  const results = new Array<MapResult>(specs.length);
  const gradientSpecs = indicesWhere(specs, (spec) => runsAs(spec.id, 'gradient') !== undefined);
  const lrpSpecs = indicesWhere(specs, (spec) => runsAs(spec.id, 'lrp') !== undefined);

  // The backward stacks are read once; each method's map is then a sum over channels in plain JS.
  if (gradientSpecs.length) {
    const start = performance.now();
    const runs = gradientSpecs.map((k) => runsAs(specs[k].id, 'gradient')!);
    const modes = [...new Set(runs.map((r) => r.relu))];
    const stack = readAndFree(gradientStack(c.trace, c.oneHot, modes));
    const ms = (performance.now() - start) / gradientSpecs.length;
    for (const [i, k] of gradientSpecs.entries()) {
      const block = blockData(stack, modes.indexOf(runs[i].relu), modes.length);
      const map = channelMap(block, c.imageShape, runs[i].term, c.rowImages);
      results[k] = { relevance: map, ms };
    }
    // The ReLU masks (one per activation of the network) are of no use to the LRP walk.
    c.trace.forgetDerivatives();
  }

  if (lrpSpecs.length) {
    const start = performance.now();
    const composites = lrpSpecs.map((k) => compositeFor(specs[k], c.bounds !== null));
    const boxes = c.bounds && firstLayerBoxes(c.network, c.bounds, c.imageShape[2]);
    const stack = readAndFree(
      tf.tidy(() => lrpRelevance(c.trace, composites, tf.tensor2d(c.startRelevance, [c.trace.rows, c.network.outputSize]), boxes)),
    );
    const ms = (performance.now() - start) / lrpSpecs.length;
    lrpSpecs.forEach((k, m) => {
      results[k] = { relevance: channelMap(blockData(stack, m, lrpSpecs.length), c.imageShape, 'value'), ms };
    });
  }

  specs.forEach((spec, k) => {
    if (results[k]) return;
    const start = performance.now();
    const [map, baseline] = tf.tidy(() => runAttributor(spec, c));
    const relevance = readAndFree(map);
    results[k] = { relevance, baseline: baseline && readAndFree(baseline), ms: performance.now() - start };
  });
  return results;
}

/** Block k of the values of a stack of `blocks` blocks. */
function blockData(stack: Float32Array, k: number, blocks: number): Float32Array {
  const size = stack.length / blocks;
  return stack.subarray(k * size, (k + 1) * size);
}

/**
 * Per row and pixel, the sum over channels of `term` of g, where g runs over `values` ([rows, h·w·c], HWC)
 * and the input over the row's image. In double precision.
 */
export function channelMap(values: Float32Array, [h, w, c]: ImageShape, term: ChannelTerm, images?: Float32Array[]): Float32Array {
  const pixels = h * w;
  const rows = values.length / (pixels * c);
  const map = new Float32Array(rows * pixels);
  for (let r = 0; r < rows; r++) {
    const g = values.subarray(r * pixels * c, (r + 1) * pixels * c);
    const x = term === 'times-input' ? images![r] : g;
    for (let p = 0; p < pixels; p++) {
      let total = 0;
      for (let i = p * c; i < (p + 1) * c; i++) total += term === 'value' ? g[i] : term === 'square' ? g[i] * g[i] : g[i] * x[i];
      map[r * pixels + p] = total;
    }
  }
  return map;
}

/** An attributor method (integrated gradients, SmoothGrad, occlusion): the map [rows, h, w] (and, for IG, f_c of the baseline). */
function runAttributor(spec: MethodSpec, c: MethodContext): [tf.Tensor, tf.Tensor?] {
  const x = c.trace.x;
  const floatsPerRow = c.trace.values.reduce((total, t) => total + (t ? t.size / c.trace.rows : 0), 0);
  const batch: AttributionBatch = {
    network: c.network,
    imageShape: c.imageShape,
    x,
    logits: c.trace.logits,
    targets: c.oneHot,
    chunkEvaluations: Math.max(1, Math.floor(CHUNK_FLOATS / floatsPerRow)),
    onProgress: c.onProgress,
  };
  const progress = methodRecord(spec.id).progress;
  if (c.onProgress && progress) {
    const evaluations = c.trace.rows * spec.params[progress.param];
    batch.chunkEvaluations = Math.min(batch.chunkEvaluations, Math.max(PROGRESS_MIN_CHUNK, Math.ceil(evaluations / PROGRESS_STEPS)));
  }
  if (!isAttributor(spec.id)) throw new Error(`no implementation for method ${spec.id}`);
  return ATTRIBUTORS[spec.id](batch, spec.params, c.bounds);
}

/** Logits and probabilities of `count` images given back to back in `images` (softmax; a sigmoid for a
 *  single-output model, whose final sigmoid the graph dropped: a softmax of one logit would say 100 %). */
export function predict(
  network: Network,
  images: Float32Array,
  count: number,
): { logits: Float32Array; probabilities: Float32Array; classes: number } {
  const size = network.inputShape.reduce((a, b) => a * b, 1);
  if (images.length !== count * size) {
    throw new UserError(`expected ${count} images of ${size} values (${count * size} in all), got ${images.length}`);
  }
  const [logits, probabilities] = tf.tidy(() => {
    const out = logitsOf(network, tf.tensor(images, [count, ...network.inputShape]));
    return [out, network.outputSize === 1 ? tf.sigmoid(out) : tf.softmax(out)];
  });
  return { logits: readAndFree(logits), probabilities: readAndFree(probabilities), classes: network.outputSize };
}

interface Row {
  image: number;
  target: number;
  /** The class a contrastive map subtracts (f_target − f_contrast). */
  contrast?: number;
}

/** The trace per (image, target) row. Several targets for one image become extra rows gathered from the
 *  shared pass; with one target per image the pass is used as is. */
function rowsOf(pass: Trace, rows: Row[]): Trace {
  if (rows.length === pass.rows && rows.every((row, r) => row.image === r)) return pass;
  const index = tf.tensor1d(
    rows.map((row) => row.image),
    'int32',
  );
  try {
    const gather = (t: tf.Tensor) => tf.gather(t, index);
    return new Trace(pass.network, pass.values.map((t) => t && gather(t)), true);
  } finally {
    index.dispose();
  }
}

function resolveTargets(targets: ExplainRequest['targets'], contrasts: ExplainRequest['contrasts'], predicted: number[], classes: number): Row[] {
  const rows: Row[] = [];
  const inRange = (c: number, what: string, image: number) => {
    if (!Number.isInteger(c) || c < 0 || c >= classes) throw new UserError(`${what} class ${c} for image ${image} is out of range (the model has ${classes} classes)`);
  };
  predicted.forEach((best, image) => {
    const wanted = targets?.[image] ?? [null];
    const contrast = contrasts?.[image] ?? undefined;
    if (contrast !== undefined) inRange(contrast, 'contrast', image);
    for (const target of wanted.length ? wanted : [null]) {
      const c = target ?? best;
      inRange(c, 'target', image);
      if (contrast === c) throw new UserError(`image ${image}: class ${c} cannot be contrasted with itself (why ${c} and not ${c}?)`);
      rows.push(contrast === undefined ? { image, target: c } : { image, target: c, contrast });
    }
  });
  return rows;
}

/** The bounds as one [low, high] per channel, checked: finite, low < high. */
export function checkBounds(bounds: InputBounds | null, channels: number): [number[], number[]] | null {
  if (bounds === null) return null;
  const ends = bounds.map((end) => (typeof end === 'number' ? [end] : end));
  const [lows, highs] = ends.map((end) => (end.length === 1 ? new Array<number>(channels).fill(end[0]) : end));
  const fits = ends.every((end) => end.length === 1 || end.length === channels);
  if (!fits || !lows.every((l, c) => Number.isFinite(l) && Number.isFinite(highs[c]) && l < highs[c])) {
    throw new UserError(
      `input bounds must be finite, low < high, one pair or one per channel (${channels}); got [${JSON.stringify(bounds[0])}, ${JSON.stringify(bounds[1])}]`,
    );
  }
  return [lows, highs];
}

export function checkImages(network: Network, [h, w, c]: ImageShape, images: Float32Array[]): void {
  const size = h * w * c;
  const expected = network.inputShape.reduce((a, b) => a * b, 1);
  if (size !== expected) {
    throw new UserError(`image shape ${h}×${w}×${c} does not fit the model's input [${network.inputShape.join(', ')}]`);
  }
  images.forEach((image, i) => {
    if (image.length !== size) throw new UserError(`image ${i} has ${image.length} values; the model expects ${size}`);
  });
}

/** The values of a tensor, read outside any tidy (tidy walks a returned typed array element by element,
 *  FACTS.md), and the tensor freed. */
export function readAndFree(t: tf.Tensor): Float32Array {
  try {
    return t.dataSync() as Float32Array;
  } finally {
    t.dispose();
  }
}

function indicesWhere<T>(items: T[], test: (item: T) => boolean): number[] {
  return items.flatMap((item, k) => (test(item) ? [k] : []));
}

export function concatImages(images: Float32Array[]): Float32Array {
  const size = images[0].length;
  const all = new Float32Array(images.length * size);
  images.forEach((image, i) => all.set(image, i * size));
  return all;
}

export function argMax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Softmax of each row of `logits` ([rows, classes]), in double precision; the sigmoid for one class
 *  (a binary model's single logit), as `predict` does. */
function softmaxRows(logits: Float32Array, classes: number): Float32Array {
  const out = new Float32Array(logits.length);
  if (classes === 1) return out.map((_, i) => 1 / (1 + Math.exp(-logits[i])));
  for (let start = 0; start < logits.length; start += classes) {
    let max = -Infinity;
    for (let j = 0; j < classes; j++) max = Math.max(max, logits[start + j]);
    let total = 0;
    for (let j = 0; j < classes; j++) total += Math.exp(logits[start + j] - max);
    for (let j = 0; j < classes; j++) out[start + j] = Math.exp(logits[start + j] - max) / total;
  }
  return out;
}

function sum(values: Float32Array): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
}
