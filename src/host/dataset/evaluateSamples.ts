// "Evaluate Methods" in the dataset browser: pixel-flipping faithfulness (METHODS.md, "Faithfulness: pixel
// flipping") of each method over the chosen samples, through the engine's evaluateFaithfulness, with the
// samples given to it exactly as `explain-image evaluate --dataset` gives them (pixels as read, or the file
// of an image-folder sample), so the table and the CLI report the same numbers. No `vscode` import.
import type { Dataset } from '../../engine/data/datasetFile';
import { sampleSources } from '../../engine/data/sampleSources';
import { methodTitle, parseMethodSpec } from '../../engine/methods/methodRegistry';
import type { EvaluateRow } from '../../protocol/datasetMessages';
import type { JobPriority } from '../../engine/pool/jobPriority';
import type { ModelRef } from '../../protocol/engineJobs';
import type { PreprocessMode } from '../../protocol/preprocess';
import type { EngineService } from '../engineService';

export interface EvaluateSamplesOptions {
  model: ModelRef;
  methods: string[];
  preprocess: PreprocessMode;
  steps?: number;
  signal?: AbortSignal;
  priority?: JobPriority;
  onProgress?: (done: number, total: number) => void;
}

export interface SamplesEvaluation {
  steps: number;
  /** Per method, in the order asked. */
  rows: EvaluateRow[];
  /** Samples that could not be evaluated, with the reason. */
  failed: Array<{ index: number; message: string }>;
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
    { signal: options.signal, onProgress: options.onProgress, priority: options.priority },
  );
  const rows = evaluation.summary.map((s) => ({
    method: s.method,
    title: methodTitle(parseMethodSpec(s.method)),
    aopcMorf: s.aopcMorf,
    aopcLerf: s.aopcLerf,
    abpc: s.abpc,
    images: s.images,
  }));
  const failed = evaluation.images.flatMap((img, k) => (img.error ? [{ index: indices[k], message: img.error }] : []));
  return { steps: evaluation.steps, rows, failed };
}
