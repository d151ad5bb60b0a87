// `explain` over many images: the subjects cut into batches (one engine job each), read only when a
// batch is about to run, and each batch's outcome per subject. A batch the pool cannot finish (a worker
// that crashed on one image, twice) is run again image by image, so one bad image costs only itself.
import { CancelledError, type WorkerPool } from '../engine/pool/workerPool';
import type { Dataset } from '../engine/data/datasetFile';
import { sampleSources } from '../engine/data/sampleSources';
import type { Explanation } from '../protocol/explanation';
import type { ExplainJob, ImageSource } from '../protocol/engineJobs';
import type { IndexRange } from './indexRanges';

export interface BatchSubject {
  /** Shown in messages and JSON: the file's path, or "<dataset> #<index>". */
  name: string;
  /** Its heatmaps' name in --out before "-<method>.png" (may hold folders: "a/cat/1"). */
  stem: string;
  /** Fields of its JSON records beyond the explanation (dataset samples: index, label, file). */
  extra?: Record<string, unknown>;
}

export interface Batch {
  subjects: BatchSubject[];
  /** Their images, or why they could not be read (every subject of the batch then fails with it). */
  images: ImageSource[] | { error: string };
}

export interface BatchSubjectOutcome {
  subject: BatchSubject;
  /** One per method, in the order asked; empty when the subject failed. */
  explanations: Explanation[];
  /** One line naming the subject. */
  error?: string;
}

export interface BatchOutcome {
  outcomes: BatchSubjectOutcome[];
  /** Subjects whose job the engine could not run at all (a crash, a model gone), as opposed to a bad image. */
  engineFailures: number;
}

/** What every batch's job shares. */
export type JobTemplate = Omit<ExplainJob, 'images' | 'targets' | 'contrasts'> & { target: number | null; contrast?: number | null };

/**
 * Images per job: 32 at MNIST or CIFAR size, fewer for big inputs so one job's activations stay around
 * what 32 images of 32×32 need (a 224×224 model runs one image per job). Measured with mnist-cnn and
 * LRP-α2β1 on 10,000 images, 2 workers: batches of 16 / 32 / 64 took 30 / 21.5 / 22.6 s and peaked at
 * 297 / 373 / 437 MB RSS (each worker's WASM heap grows to its largest batch and stays there).
 */
export function batchSize(inputShape: [number, number, number]): number {
  const [h, w] = inputShape;
  return Math.max(1, Math.min(32, Math.floor((32 * 32 * 32) / (h * w))));
}

export async function explainBatch(pool: WorkerPool, batch: Batch, template: JobTemplate): Promise<BatchOutcome> {
  const { subjects, images } = batch;
  if (!Array.isArray(images)) return { outcomes: subjects.map((subject) => failed(subject, images.error)), engineFailures: 0 };
  try {
    return await runJob(pool, subjects, images, template);
  } catch (e) {
    if (e instanceof CancelledError) throw e;
    if (subjects.length === 1) return { outcomes: [failed(subjects[0], (e as Error).message)], engineFailures: 1 };
    // Which image broke the job? Each alone: the others still get their heatmaps.
    const parts = await Promise.all(subjects.map((s, k) => explainBatch(pool, { subjects: [s], images: [images[k]] }, template)));
    return { outcomes: parts.flatMap((p) => p.outcomes), engineFailures: parts.reduce((n, p) => n + p.engineFailures, 0) };
  }
}

async function runJob(pool: WorkerPool, subjects: BatchSubject[], images: ImageSource[], template: JobTemplate): Promise<BatchOutcome> {
  const { target, contrast, ...job } = template;
  const contrasts = contrast === null || contrast === undefined ? {} : { contrasts: images.map(() => contrast) };
  const result = await pool.run({ ...job, images, targets: target === null ? undefined : images.map(() => [target]), ...contrasts });
  const byImage: Explanation[][] = subjects.map(() => []);
  for (const e of result.explanations) byImage[e.image].push(e);
  const outcomes = subjects.map((subject, k): BatchSubjectOutcome => {
    const error = result.images[k]?.error;
    return error ? failed(subject, error) : { subject, explanations: byImage[k] };
  });
  return { outcomes, engineFailures: 0 };
}

function failed(subject: BatchSubject, message: string): BatchSubjectOutcome {
  const line = message.split('\n')[0];
  return { subject, explanations: [], error: line.includes(subject.name) ? line : `${subject.name}: ${line}` };
}

/** Image files in batches of `size`; the workers read the files themselves. */
export async function* fileBatches(files: string[], stems: string[], size: number): AsyncGenerator<Batch> {
  for (let start = 0; start < files.length; start += size) {
    const end = Math.min(files.length, start + size);
    yield {
      subjects: files.slice(start, end).map((file, k) => ({ name: file, stem: stems[start + k] })),
      images: files.slice(start, end).map((path) => ({ kind: 'file', path })),
    };
  }
}

/**
 * Samples of a data set in batches of `size`, read from it just before their batch runs. Samples that
 * are files of their own (image folders) go to the workers as files: decoded and preprocessed there,
 * exactly as `explain <file>` would.
 */
export async function* datasetBatches(dataset: Dataset, ranges: IndexRange[], size: number, stemOf: (index: number) => string): AsyncGenerator<Batch> {
  let indices: number[] = [];
  const flush = async (): Promise<Batch> => {
    const batch = await readBatch(dataset, indices, stemOf);
    indices = [];
    return batch;
  };
  for (const [first, last] of ranges) {
    for (let i = first; i <= last; i++) {
      indices.push(i);
      if (indices.length === size) yield await flush();
    }
  }
  if (indices.length) yield await flush();
}

async function readBatch(dataset: Dataset, indices: number[], stemOf: (index: number) => string): Promise<Batch> {
  const subjects = indices.map((index): BatchSubject => {
    const file = dataset.sampleFile?.(index);
    const label = dataset.labels?.[index];
    return {
      name: `${dataset.path} #${index}`,
      stem: stemOf(index),
      extra: {
        index,
        ...(label !== undefined ? { label, ...(dataset.labelNames ? { labelName: dataset.labelNames[label] } : {}) } : {}),
        ...(file ? { file } : {}),
      },
    };
  });
  try {
    return { subjects, images: await sampleSources(dataset, indices) };
  } catch (e) {
    return { subjects, images: { error: (e as Error).message } };
  }
}
