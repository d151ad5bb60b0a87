// What `evaluate` evaluates: the same inputs as `explain` (image files, folders, quoted globs, and the
// samples of a --dataset with --indices), gathered as engine image sources. An evaluation holds every map
// of its images until the means are taken, so the sources are collected up front (a sample is its 8-bit
// pixels: 3 KB at CIFAR size), unlike `explain`, which streams.
import * as path from 'path';
import { openDataset } from '../engine/data/datasetFile';
import type { ImageSource } from '../protocol/engineJobs';
import { datasetBatches } from './explainBatches';
import { expandImageArgs, sampleStem } from './explainInputs';
import { allIndices, parseIndexRanges } from './indexRanges';
import { UsageError, type Options } from './options';

export interface EvaluationImages {
  images: ImageSource[];
  /** One line per argument or sample that gave nothing to evaluate (missing file, empty folder, unreadable data). */
  problems: string[];
}

export async function evaluationImages(args: string[], opts: Options): Promise<EvaluationImages> {
  if (args.length === 0 && !opts.dataset) throw new UsageError('no images given: name image files, folders or globs, or --dataset <file>');
  if (opts.indices !== undefined && !opts.dataset) throw new UsageError('--indices needs --dataset <file>');
  const { files, problems } = await expandImageArgs(args);
  const images: ImageSource[] = files.map((file) => ({ kind: 'file', path: file }));
  if (opts.dataset) {
    const dataset = await openDataset(path.resolve(opts.dataset));
    try {
      const ranges = opts.indices !== undefined ? parseIndexRanges(opts.indices, dataset.count, opts.dataset) : allIndices(dataset.count);
      for await (const batch of datasetBatches(dataset, ranges, 256, (i) => sampleStem(dataset.path, i, dataset.count))) {
        if (Array.isArray(batch.images)) images.push(...batch.images);
        else problems.push(`${dataset.path}: ${batch.images.error}`);
      }
      problems.push(...dataset.notes.map((note) => `note: ${note}`));
    } finally {
      await dataset.close();
    }
  }
  return { images, problems };
}
