// Runs one engine job in the current thread: decode and preprocess images, explain or predict. The worker
// threads call this; tests and the CLI's in-process mode call it directly.
import * as tf from '@tensorflow/tfjs';
import * as v8 from 'v8';
import { UserError } from '../errors';
import { preprocess } from '../image/preprocess';
import { describeNetwork } from '../methods/describeNetwork';
import { explain, predict } from '../methods/explain';
import { parseMethodSpec } from '../methods/methodRegistry';
import { networkInputBounds } from '../model/modelCard';
import type { BackendInfo, ModelCard } from '../../protocol/model';
import { runPixelFlip } from '../evaluate/pixelFlipJob';
import { randomisableLayers, randomisedNetwork } from '../evaluate/randomiseWeights';
import { checkCancelled } from './cancellation';
import { freeOnThrow } from './freeOnThrow';
import { runConcepts } from '../concepts/conceptJob';
import { runSpray } from '../spray/sprayJob';
import { inputConverter } from './inputConverter';
import { pixelsToRgba, prepareSources } from './prepareSources';
import { getModel } from './modelCache';
import { warmUp } from './warmUp';
import type {
  EngineJob,
  ExplainJob,
  ExplainResult,
  MemoryResult,
  ModelInfoResult,
  PredictJob,
  PredictResult,
} from '../../protocol/engineJobs';

/** `onProgress`: told while a long explain job runs (IG steps, SmoothGrad samples done of total). */
export async function runJob(job: EngineJob, backend: BackendInfo, onProgress?: (done: number, total: number) => void): Promise<unknown> {
  switch (job.type) {
    case 'explain':
      return runExplain(job, backend, onProgress);
    case 'predict':
      return runPredict(job, backend);
    case 'pixel-flip':
      return runPixelFlip(job, backend);
    case 'concepts':
      return runConcepts(job, backend);
    case 'spray':
      return runSpray(job);
    case 'model-info': {
      const model = await getModel(job.model, job.recheck);
      const method = job.method === undefined ? undefined : parseMethodSpec(job.method);
      const result: ModelInfoResult = {
        backend,
        card: model.card,
        nodes: describeNetwork(model.network, { method, bounded: model.card.inputRange !== null }),
        notes: model.notes,
        cardFile: model.cardReport.cardFile,
        cardWarnings: model.cardReport.warnings,
        cardAssumed: model.cardReport.assumed,
        randomisable: randomisableLayers(model.network),
      };
      // The panels ask this when a model is chosen: its first heatmap is prepared now (warmUp.ts).
      warmUp(model);
      return result;
    }
    case 'memory': {
      const m = tf.memory();
      const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm;
      const result: MemoryResult = {
        numTensors: m.numTensors,
        numBytes: m.numBytes,
        wasmHeapBytes: wasm?.HEAPU8?.byteLength ?? 0,
        jsHeapBytes: v8.getHeapStatistics().used_heap_size,
      };
      return result;
    }
    case 'wasm-fault': {
      // A pad to 32,768 × 32,768 = 2³⁰ floats, whose 2³² bytes wrap to a 0-byte buffer in 32-bit wasm: the
      // kernel writes past the end of memory at once, as a Pad of 30,000 in a model did (issue 20), and every
      // later op of this instance fails: the pool must replace the worker.
      const x = tf.zeros([1, 28, 28, 1]);
      const p = (32_768 - 28) / 2;
      tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]);
      throw new Error('the wasm backend did not fault on an out-of-bounds pad');
    }
  }
}

async function runExplain(job: ExplainJob, backend: BackendInfo, onProgress?: (done: number, total: number) => void): Promise<ExplainResult> {
  const model = await getModel(job.model);
  const { card } = model;
  const methods = job.methods.map(parseMethodSpec);
  const { images, inputs, inputIndex } = await prepareSources(job.images, card, job.preprocess);
  const targets = job.targets ? inputIndex.map((i) => job.targets?.[i] ?? null) : undefined;
  const contrasts = job.contrasts ? inputIndex.map((i) => job.contrasts?.[i] ?? null) : undefined;
  const network = job.randomise ? randomisedNetwork(model.network, job.randomise.layers, job.randomise.seed) : model.network;
  let explanations;
  try {
    explanations = inputs.length ? freeOnThrow(() => explain(network, card.inputShape, { images: inputs, methods, targets, contrasts, bounds: networkInputBounds(card) }, onProgress)) : [];
  } finally {
    if (network !== model.network) network.dispose();
  }
  for (const e of explanations) e.image = inputIndex[e.image];
  return { backend, card, images, explanations };
}

async function runPredict(job: PredictJob, backend: BackendInfo): Promise<PredictResult> {
  const model = await getModel(job.model);
  const input = inputConverter(model.card)(modelSizedBatch(job, model.card));
  const { logits, probabilities, classes } = freeOnThrow(() => predict(model.network, input, job.count));
  return { backend, logits, probabilities, classes };
}

/** A predict job's pixels at the model's input size: as they are, or each image preprocessed ("none"). */
function modelSizedBatch(job: PredictJob, card: ModelCard): Uint8Array {
  const [h, w, c] = card.inputShape;
  const shape = job.sampleShape;
  if (!shape || (shape[0] === h && shape[1] === w && shape[2] === c)) return job.pixels;
  const [height, width, channels] = shape;
  const size = height * width * channels;
  if (job.pixels.length !== job.count * size) {
    throw new UserError(`expected ${job.count} images of ${height}×${width}×${channels} = ${job.count * size} pixel values, got ${job.pixels.length}`);
  }
  const out = new Uint8Array(job.count * h * w * c);
  const target = { shape: card.inputShape, toInput: () => 0, resize: card.resize, cropFraction: card.cropFraction };
  for (let i = 0; i < job.count; i++) {
    const data = job.pixels.subarray(i * size, (i + 1) * size);
    const img = pixelsToRgba({ kind: 'pixels', name: `image ${i}`, width, height, channels: channels as 1 | 3, data });
    out.set(preprocess(img, target, 'none').pixels, i * h * w * c);
  }
  return out;
}

export type { ModelCard };
