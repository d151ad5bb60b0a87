// Concept Relevance Propagation (Achtibat et al., Nature Machine Intelligence 2023) on the engine's one
// backward walker: the LRP walk from the logits down to one node's output gives every channel's relevance
// there; from that node on, the walk continues with the relevance of one channel at a time (every other
// channel zeroed), which gives the channel's conditional heatmap. The channels run as stacked blocks of
// one walk (layers/signals.ts), as several methods do in explain.ts: one mask per block.
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors';
import { channelMap, checkBounds, checkImages, concatImages, readAndFree, argMax } from '../methods/explain';
import { attentionRuleOf, compositeFor, type Composite } from '../methods/composites';
import { firstLayerBoxes } from '../methods/inputBox';
import { methodTitleText } from '../methods/methodRegistry';
import { runsAs } from '../methods/methodTable';
import { lrpStep } from '../methods/propagateRelevance';
import type { AttentionRule } from '../layers/layerKind';
import { walkBackward } from '../methods/backwardWalk';
import { Trace } from '../methods/trace';
import { beginCall } from '../network/prepared';
import type { InputBounds, MethodSpec, Network } from '../types';
import type { ImageShape } from '../../protocol/model';
import type { ConceptNode } from './conceptNodes';

/** Floats the stacked channel blocks of one conditional walk may hold in one activation: 64 MB. */
const CHUNK_FLOATS = 16 * 1024 * 1024;

export interface ConceptRequest {
  /** Network inputs, HWC, one per image. */
  images: Float32Array[];
  /** An LRP method (its composite on every Dense/Conv). */
  spec: MethodSpec;
  layer: ConceptNode;
  /** Per image, the class explained; null or missing: the predicted class. */
  targets?: Array<number | null>;
  bounds: InputBounds | null;
  /** The conditional heatmaps wanted: per image its channels, or each image's `top` most relevant ones. */
  conditional?: number[][] | { top: number };
}

export interface ConceptRows {
  predicted: number[];
  targets: number[];
  /** f_c(x) of each image's target. */
  logits: number[];
  /** [image, channel]: R summed over the node's positions. */
  channelRelevance: Float32Array;
  /** [image, channel]: the position (row-major over the node's h·w; 0 for a vector) of the channel's largest
   *  relevance, the first on ties. */
  peaks: Int32Array;
  /** [image]: the channels conditioned on (as asked, or the top ones). */
  channels: number[][];
  /** [image][k]: the conditional heatmap (h·w, summed over input channels) of `channels[image][k]`. */
  conditional: Float32Array[][];
}

/** The method must be an LRP method: concepts are defined on its relevance. */
export function checkConceptMethod(spec: MethodSpec): void {
  if (!runsAs(spec.id, 'lrp')) {
    throw new UserError(`concepts need an LRP method (lrp-*, deep-taylor, epsilon-plus-flat, epsilon-gamma-box); ${methodTitleText(spec)} is not one`);
  }
}

export function conceptRelevance(network: Network, imageShape: ImageShape, request: ConceptRequest): ConceptRows {
  checkConceptMethod(request.spec);
  const count = request.images.length;
  const { channels, positions, index: layer } = request.layer;
  const empty: ConceptRows = { predicted: [], targets: [], logits: [], channelRelevance: new Float32Array(0), peaks: new Int32Array(0), channels: [], conditional: [] };
  if (count === 0) return empty;
  checkImages(network, imageShape, request.images);
  const bounds = checkBounds(request.bounds, imageShape[2]);
  beginCall(network);
  const classes = network.outputSize;
  const x = tf.tensor(concatImages(request.images), [count, ...network.inputShape]);
  const trace = Trace.of(network, x);
  let atLayer: tf.Tensor | undefined;
  try {
    const logitData = trace.logits.dataSync() as Float32Array;
    const predicted = Array.from({ length: count }, (_, i) => argMax(logitData.subarray(i * classes, (i + 1) * classes)));
    const targets = predicted.map((best, i) => {
      const c = request.targets?.[i] ?? best;
      if (!Number.isInteger(c) || c < 0 || c >= classes) throw new UserError(`target class ${c} for image ${i} is out of range (the model has ${classes} classes)`);
      return c;
    });
    const start = new Float32Array(count * classes);
    targets.forEach((c, i) => (start[i * classes + c] = logitData[i * classes + c]));
    const composite = compositeFor(request.spec, bounds !== null);
    const attention = attentionRuleOf(request.spec);
    const boxes = bounds && firstLayerBoxes(network, bounds, imageShape[2]);
    atLayer = tf.tidy(() => walkBackward(trace, tf.tensor2d(start, [count, classes]), lrpStep(trace, [composite], boxes, [attention]), { until: layer }));
    const values = atLayer.dataSync() as Float32Array;
    const { channelRelevance, peaks } = channelTotals(values, count, positions, channels);
    const asked = request.conditional;
    const lists = !asked
      ? request.images.map(() => [])
      : Array.isArray(asked)
        ? asked
        : request.images.map((_, n) => topChannels(channelRelevance.subarray(n * channels, (n + 1) * channels), asked.top));
    const conditional = lists.some((l) => l.length)
      ? conditionalMaps(trace, { composite, attention, boxes, layer, atLayer, imageShape, lists, channels, positions })
      : lists.map(() => []);
    return { predicted, targets, logits: targets.map((c, i) => logitData[i * classes + c]), channelRelevance, peaks, channels: lists, conditional };
  } finally {
    atLayer?.dispose();
    trace.dispose();
    x.dispose();
  }
}

/** The `count` channels of largest relevance, largest first (lower channel first on ties). */
export function topChannels(relevance: ArrayLike<number>, count: number): number[] {
  return Array.from({ length: relevance.length }, (_, c) => c)
    .sort((a, b) => relevance[b] - relevance[a] || a - b)
    .slice(0, Math.max(0, count));
}

/** Per image and channel: Σ over positions, and the first position of the maximum. */
export function channelTotals(values: Float32Array, count: number, positions: number, channels: number): { channelRelevance: Float32Array; peaks: Int32Array } {
  const channelRelevance = new Float32Array(count * channels);
  const peaks = new Int32Array(count * channels);
  const best = new Float64Array(channels);
  const totals = new Float64Array(channels);
  for (let n = 0; n < count; n++) {
    best.fill(-Infinity);
    totals.fill(0);
    const base = n * positions * channels;
    for (let p = 0; p < positions; p++) {
      for (let c = 0; c < channels; c++) {
        const v = values[base + p * channels + c];
        totals[c] += v;
        if (v > best[c]) {
          best[c] = v;
          peaks[n * channels + c] = p;
        }
      }
    }
    for (let c = 0; c < channels; c++) channelRelevance[n * channels + c] = totals[c];
  }
  return { channelRelevance, peaks };
}

interface ConditionalWalk {
  composite: Composite;
  /** The method's rule at softmax and matmul nodes (AttnLRP or CP-LRP). */
  attention: AttentionRule;
  boxes: ReturnType<typeof firstLayerBoxes> | null;
  layer: number;
  /** The relevance at the layer's output, [N, ...shape]. */
  atLayer: tf.Tensor;
  imageShape: ImageShape;
  /** Per image, the channels to condition on. */
  lists: number[][];
  channels: number;
  positions: number;
}

/**
 * The conditional heatmaps: block k of the walk from the layer down carries, for every image n, the
 * relevance at the layer's output with every channel but lists[n][k] zeroed (an image with fewer channels
 * gets an all-zero mask in the blocks it does not use). Blocks run in chunks that keep the stack's largest
 * activation under CHUNK_FLOATS.
 */
function conditionalMaps(trace: Trace, w: ConditionalWalk): Float32Array[][] {
  const count = w.lists.length;
  const blocks = Math.max(0, ...w.lists.map((l) => l.length));
  for (const list of w.lists) {
    for (const c of list) if (!Number.isInteger(c) || c < 0 || c >= w.channels) throw new UserError(`channel ${c} is out of range (the node has ${w.channels} channels)`);
  }
  const largest = Math.max(...trace.network.nodes.slice(0, w.layer + 1).map((n) => n.shape.reduce((a, b) => a * b, 1)));
  const perChunk = Math.max(1, Math.floor(CHUNK_FLOATS / (count * largest)));
  const [h, wd] = w.imageShape;
  const maps = w.lists.map(() => [] as Float32Array[]);
  for (let first = 0; first < blocks; first += perChunk) {
    const k = Math.min(perChunk, blocks - first);
    // mask[b, n, c] = 1 where channel c is image n's (first + b)-th channel.
    const mask = new Float32Array(k * count * w.channels);
    for (let b = 0; b < k; b++) {
      w.lists.forEach((list, n) => {
        const c = list[first + b];
        if (c !== undefined) mask[(b * count + n) * w.channels + c] = 1;
      });
    }
    const stacked = tf.tidy(() => {
      const masked = tf.mul(tf.reshape(w.atLayer, [1, count, w.positions, w.channels]), tf.tensor4d(mask, [k, count, 1, w.channels]));
      return tf.reshape(masked, [k * count, ...w.atLayer.shape.slice(1)]);
    });
    let input: tf.Tensor;
    try {
      const composites = new Array<Composite>(k).fill(w.composite);
      input = tf.tidy(() => walkBackward(trace, stacked, lrpStep(trace, composites, w.boxes, composites.map(() => w.attention)), { from: w.layer }));
    } finally {
      stacked.dispose();
    }
    const summed = channelMap(readAndFree(input), w.imageShape, 'value');
    for (let b = 0; b < k; b++) {
      w.lists.forEach((list, n) => {
        if (first + b < list.length) maps[n].push(summed.slice((b * count + n) * h * wd, (b * count + n + 1) * h * wd));
      });
    }
  }
  return maps;
}
