// "Evaluate Methods" in the dataset browser: pixel-flipping faithfulness (METHODS.md, "Faithfulness: pixel
// flipping") of each method over the chosen samples, through the engine's evaluateFaithfulness, with the
// samples given to it exactly as `explain-image evaluate --dataset` gives them (pixels as read, or the file
// of an image-folder sample), so the table and the CLI report the same numbers. No `vscode` import.
import type { Dataset } from '../../engine/data/datasetFile';
import { methodTitleText, parseMethodSpec } from '../../engine/methods/methodRegistry';
import type { EvaluateRow } from '../../protocol/datasetMessages';
import type { ImageSource, ModelRef } from '../../protocol/engineJobs';
import type { PreprocessMode } from '../../protocol/preprocess';
import type { EngineService } from '../engineService';

export interface EvaluateSamplesOptions {
  model: ModelRef;
  methods: string[];
  preprocess: PreprocessMode;
  steps?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface SamplesEvaluation {
  steps: number;
  /** Per method, in the order asked. */
  rows: EvaluateRow[];
  /** Samples that could not be evaluated, with the reason. */
  failed: Array<{ index: number; message: string }>;
}

/** The engine sources of `indices`, in that order (consecutive indices are one read). */
export async function sampleSources(dataset: Dataset, indices: number[]): Promise<ImageSource[]> {
  if (dataset.sampleFile) return indices.map((i) => ({ kind: 'file', path: dataset.sampleFile!(i) }));
  const size = dataset.height * dataset.width * dataset.channels;
  const sources: ImageSource[] = [];
  for (let k = 0; k < indices.length; ) {
    let n = 1;
    while (k + n < indices.length && indices[k + n] === indices[k] + n) n++;
    const pixels = await dataset.read(indices[k], n);
    for (let j = 0; j < n; j++) {
      const data = pixels.slice(j * size, (j + 1) * size);
      sources.push({ kind: 'pixels', name: `${dataset.path} #${indices[k + j]}`, width: dataset.width, height: dataset.height, channels: dataset.channels, data });
    }
    k += n;
  }
  return sources;
}

export async function evaluateSamples(
  engine: Pick<EngineService, 'evaluate'>,
  dataset: Dataset,
  indices: number[],
  options: EvaluateSamplesOptions,
): Promise<SamplesEvaluation> {
  const images = await sampleSources(dataset, indices);
  const evaluation = await engine.evaluate(
    { model: options.model, images, methods: options.methods, preprocess: options.preprocess, ...(options.steps ? { steps: options.steps } : {}) },
    { signal: options.signal, onProgress: options.onProgress },
  );
  const rows = evaluation.summary.map((s) => ({
    method: s.method,
    title: methodTitleText(parseMethodSpec(s.method)),
    aopcMorf: s.aopcMorf,
    aopcLerf: s.aopcLerf,
    abpc: s.abpc,
    images: s.images,
  }));
  const failed = evaluation.images.flatMap((img, k) => (img.error ? [{ index: indices[k], message: img.error }] : []));
  return { steps: evaluation.steps, rows, failed };
}
