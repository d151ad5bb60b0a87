// The batch API: many images × many methods × several targets in one call. All images of a call travel
// through each layer as one batch; one forward pass is shared by every method that needs the activations,
// and each method runs one backward pass over all (image, target) rows.
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors';
import { forward, logitsOf } from '../network/forward';
import type { ExplainRequest, Explanation, ImageShape, MethodSpec, Network } from '../types';
import { channelSum, integratedGradients, occlusion, smoothGrad, type AttributionBatch } from './attributors';
import { compositeFor, LRP_METHODS } from './composites';
import { gradientBackward } from './gradientPass';
import { formatMethodSpec, validateSpec } from './methodRegistry';
import { lrpBackward } from './propagateRelevance';

export { releasePrepared } from './preparedNetwork';

/** Activations (floats) one chunk of IG / SmoothGrad / occlusion evaluations may hold: 64 MB. */
const CHUNK_FLOATS = 16 * 1024 * 1024;

/**
 * Explains every image of `request` with every method, for each image's targets (default: the predicted
 * class). Results are ordered image-major, then method, then target. `imageShape` is [h, w, c] of the
 * images; the network may take them flat ([h·w·c]) or as [h, w, c].
 */
export function explain(network: Network, imageShape: ImageShape, request: ExplainRequest): Explanation[] {
  const specs = request.methods.map(validateSpec);
  const count = request.images.length;
  if (count === 0 || specs.length === 0) return [];
  checkImages(network, imageShape, request.images);
  const bounds = checkBounds(request.bounds ?? null);
  const classes = network.outputSize;

  const owned: tf.Tensor[] = [];
  try {
    const forwardStart = performance.now();
    const pass = sharedForward(network, request.images, owned);
    const logitData = pass.logits.dataSync() as Float32Array;
    const probabilityData = pass.probabilities.dataSync() as Float32Array;
    const predicted = Array.from({ length: count }, (_, i) => argMax(logitData.subarray(i * classes, (i + 1) * classes)));
    const rows = resolveTargets(request.targets, predicted, classes);
    const context = rowContext(network, imageShape, bounds, pass, rows, owned);
    const forwardMs = performance.now() - forwardStart;

    const perMethod = specs.map((spec) => {
      const start = performance.now();
      const [map, baselineLogit] = tf.tidy(() => runMethod(spec, context));
      try {
        // Read outside tidy: tidy walks a returned typed array element by element (FACTS.md).
        const relevance = map.dataSync() as Float32Array;
        const baseline = baselineLogit?.dataSync();
        const ms = (forwardMs / specs.length + performance.now() - start) / rows.length;
        return { name: formatMethodSpec(spec), relevance, baseline, ms };
      } finally {
        map.dispose();
        baselineLogit?.dispose();
      }
    });

    const [h, w] = imageShape;
    const probabilities = predicted.map((_, i) => probabilityData.slice(i * classes, (i + 1) * classes));
    const explanations: Explanation[] = [];
    for (let image = 0; image < count; image++) {
      for (const result of perMethod) {
        rows.forEach((row, r) => {
          if (row.image !== image) return;
          const relevance = result.relevance.slice(r * h * w, (r + 1) * h * w);
          const relevanceSum = sum(relevance);
          const logit = logitData[image * classes + row.target];
          const explanation: Explanation = {
            image,
            method: result.name,
            target: row.target,
            predicted: predicted[image],
            logit,
            probabilities: probabilities[image],
            relevance,
            shape: [h, w],
            relevanceSum,
            ms: result.ms,
          };
          if (result.baseline) explanation.completenessError = Math.abs(relevanceSum - (logit - result.baseline[r]));
          explanations.push(explanation);
        });
      }
    }
    return explanations;
  } finally {
    for (const t of owned) t.dispose();
  }
}

interface ForwardPass {
  /** The input of every layer, `activations[0]` being the images. */
  activations: tf.Tensor[];
  logits: tf.Tensor;
  probabilities: tf.Tensor;
}

/** The one forward pass of all images, its tensors recorded in `owned` for the caller to free. */
function sharedForward(network: Network, images: Float32Array[], owned: tf.Tensor[]): ForwardPass {
  const x = tf.tensor(concatImages(images), [images.length, ...network.inputShape]);
  owned.push(x);
  const pass = tf.tidy(() => {
    const { inputs, logits } = forward(network, x);
    return { inputs: inputs.slice(1), logits, probabilities: tf.softmax(logits) };
  });
  owned.push(...pass.inputs, pass.logits, pass.probabilities);
  return { activations: [x, ...pass.inputs], logits: pass.logits, probabilities: pass.probabilities };
}

/** What the methods see: the activations per (image, target) row. Several targets for one image become
 *  extra batch rows, gathered from the shared pass; with one target per image the pass is used as is. */
function rowContext(
  network: Network,
  imageShape: ImageShape,
  bounds: [number, number] | null,
  pass: ForwardPass,
  rows: Row[],
  owned: tf.Tensor[],
): MethodContext {
  const count = pass.logits.shape[0];
  const classes = network.outputSize;
  const oneRowPerImage = rows.length === count && rows.every((row, r) => row.image === r);
  const perRow = tf.tidy(() => {
    const index = tf.tensor1d(
      rows.map((row) => row.image),
      'int32',
    );
    const gather = (t: tf.Tensor) => tf.gather(t, index);
    const targets = tf.tensor1d(
      rows.map((row) => row.target),
      'int32',
    );
    return {
      inputs: oneRowPerImage ? pass.activations : pass.activations.map(gather),
      logits: oneRowPerImage ? pass.logits : gather(pass.logits),
      oneHot: tf.oneHot(targets, classes).toFloat(),
    };
  });
  owned.push(perRow.oneHot);
  if (!oneRowPerImage) owned.push(...perRow.inputs, perRow.logits);
  const floatsPerRow = [...pass.activations, pass.logits].reduce((total, t) => total + t.size / count, 0);
  return {
    network,
    imageShape,
    bounds,
    ...perRow,
    chunkEvaluations: Math.max(1, Math.floor(CHUNK_FLOATS / floatsPerRow)),
  };
}

/** Logits and softmax probabilities of `count` images given back to back in `images`. */
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
    return [out, tf.softmax(out)];
  });
  try {
    return { logits: logits.dataSync() as Float32Array, probabilities: probabilities.dataSync() as Float32Array, classes: network.outputSize };
  } finally {
    logits.dispose();
    probabilities.dispose();
  }
}

interface MethodContext {
  network: Network;
  imageShape: ImageShape;
  bounds: [number, number] | null;
  /** The input of every layer for each (image, target) row; `inputs[0]` is the network input. */
  inputs: tf.Tensor[];
  logits: tf.Tensor;
  /** One-hot of each row's target. */
  oneHot: tf.Tensor;
  chunkEvaluations: number;
}

/** One method over all rows: the relevance maps [rows, h, w] (and, for IG, f_c of the baseline per row). */
function runMethod(spec: MethodSpec, c: MethodContext): tf.Tensor[] {
  const x = c.inputs[0];
  const gradient = (mode: 'gradient' | 'guided' | 'deconvnet') =>
    gradientBackward(c.network, c.inputs, c.logits, c.oneHot, mode);
  const batch = (): AttributionBatch => ({
    network: c.network,
    imageShape: c.imageShape,
    x,
    logits: c.logits,
    targets: c.oneHot,
    chunkEvaluations: c.chunkEvaluations,
  });
  const p = spec.params;
  switch (spec.id) {
    case 'sensitivity':
      return [channelSum(tf.square(gradient('gradient')), c.imageShape)];
    case 'gradient':
      return [channelSum(gradient('gradient'), c.imageShape)];
    case 'simple-taylor':
      return [channelSum(tf.mul(x, gradient('gradient')), c.imageShape)];
    case 'guided-backprop':
      return [channelSum(gradient('guided'), c.imageShape)];
    case 'deconvnet':
      return [channelSum(gradient('deconvnet'), c.imageShape)];
    case 'integrated-gradients': {
      const { map, baselineLogit } = integratedGradients(batch(), p.steps);
      return [map, baselineLogit];
    }
    case 'smoothgrad':
      return [smoothGrad(batch(), p.samples, p.sigma, p.seed, c.bounds)];
    case 'occlusion':
      return [occlusion(batch(), p.patch, p.stride)];
    default: {
      if (!LRP_METHODS.has(spec.id)) throw new Error(`no implementation for method ${spec.id}`);
      // LRP starts from R = f_c(x) at the target logit and 0 elsewhere.
      const relevance = tf.mul(c.oneHot, c.logits);
      const composite = compositeFor(spec, c.bounds !== null);
      return [channelSum(lrpBackward(c.network, c.inputs, c.logits, relevance, composite, c.bounds), c.imageShape)];
    }
  }
}

interface Row {
  image: number;
  target: number;
}

function resolveTargets(targets: ExplainRequest['targets'], predicted: number[], classes: number): Row[] {
  const rows: Row[] = [];
  predicted.forEach((best, image) => {
    const wanted = targets?.[image] ?? [null];
    for (const target of wanted.length ? wanted : [null]) {
      const c = target ?? best;
      if (!Number.isInteger(c) || c < 0 || c >= classes) {
        throw new UserError(`target class ${c} for image ${image} is out of range (the model has ${classes} classes)`);
      }
      rows.push({ image, target: c });
    }
  });
  return rows;
}

function checkBounds(bounds: [number, number] | null): [number, number] | null {
  if (bounds === null) return null;
  const [low, high] = bounds;
  if (!Number.isFinite(low) || !Number.isFinite(high) || !(low < high)) {
    throw new UserError(`input bounds must be two finite numbers, low < high (got [${low}, ${high}])`);
  }
  return bounds;
}

function checkImages(network: Network, [h, w, c]: ImageShape, images: Float32Array[]): void {
  const size = h * w * c;
  const expected = network.inputShape.reduce((a, b) => a * b, 1);
  if (size !== expected) {
    throw new UserError(`image shape ${h}×${w}×${c} does not fit the model's input [${network.inputShape.join(', ')}]`);
  }
  images.forEach((image, i) => {
    if (image.length !== size) throw new UserError(`image ${i} has ${image.length} values; the model expects ${size}`);
  });
}

function concatImages(images: Float32Array[]): Float32Array {
  const size = images[0].length;
  const all = new Float32Array(images.length * size);
  images.forEach((image, i) => all.set(image, i * size));
  return all;
}

function argMax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

function sum(values: Float32Array): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
