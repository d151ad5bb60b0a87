// `explain`: heatmaps of images for one or more methods, as PNG files, a summary line each, or JSON.
// Images come from files, folders and globs, and from --dataset files (any format the readers know).
// The run streams: a few batches at a time on the worker pool, each result written and dropped as it
// comes, so memory stays flat however many images there are. A bad image is reported on one line and
// the run goes on; the exit code is 1 at the end if any image failed.
import * as path from 'path';
import { modelFileOf } from './modelArgument';
import { openDataset, type Dataset } from '../engine/data/datasetFile';
import { UserError } from '../engine/errors';
import type { ColormapName } from '../protocol/display';
import { expandMethodList, formatMethodSpec } from '../engine/methods/methodRegistry';
import type { ModelInfoResult } from '../protocol/engineJobs';
import { batchSize, datasetBatches, explainBatch, fileBatches, type Batch, type JobTemplate } from './explainBatches';
import { expandImageArgs, outputStems, sampleStem } from './explainInputs';
import {
  allWriters,
  heatmapFileWriter,
  jsonDocumentWriter,
  jsonLinesWriter,
  StreamText,
  summaryWriter,
  type ResultWriter,
  type RunInfo,
} from './explainOutput';
import { allIndices, countIndices, parseIndexRanges, type IndexRange } from './indexRanges';
import { colormapOption, makePool, parseContrast, workersOption, parseTarget, positiveInt, preprocessMode, scaleOption, UsageError, type Options } from './options';
import { checkOutput } from './outputFiles';
import { runInOrder } from './orderedWork';
import { Progress } from './progress';

/** Batches in a row whose every image failed in the engine itself (not in its file) before the run stops. */
const MAX_FAILED_BATCHES_IN_A_ROW = 3;

export async function explainCommand(args: string[], opts: Options): Promise<number> {
  if (!opts.model) throw new UsageError('explain needs --model');
  if (!opts.method) throw new UsageError('explain needs --method');
  if (args.length === 0 && !opts.dataset) throw new UsageError('no images given: name image files, folders or globs, or --dataset <file>');
  if (opts.indices !== undefined && !opts.dataset) throw new UsageError('--indices needs --dataset <file>');
  if (opts.json && opts.jsonl) throw new UsageError('--json and --jsonl: choose one');
  const methods = expandMethodList(opts.method).map(formatMethodSpec);
  const modelPath = await modelFileOf(opts.model);
  const scale = scaleOption(opts);
  const colormap = colormapOption(opts);
  const preprocess = preprocessMode(opts);
  workersOption(opts); // --workers checked before the images are listed

  const inputs = await expandImageArgs(args);
  const dataset = opts.dataset ? await openDataset(path.resolve(opts.dataset)) : undefined;
  try {
    const ranges: IndexRange[] = dataset ? (opts.indices !== undefined ? parseIndexRanges(opts.indices, dataset.count, opts.dataset!) : allIndices(dataset.count)) : [];
    const images = inputs.files.length + countIndices(ranges);
    const heatmaps = images * methods.length;
    const single = opts.out !== undefined && /\.png$/i.test(opts.out);
    if (single && heatmaps > 1) {
      throw new UsageError(`--out ${opts.out} names one file, but this run makes ${heatmaps} heatmaps (${images} images × ${methods.length} methods): give a folder`);
    }
    if (opts.out) checkOutput(opts.out, single ? 'file' : 'folder');

    const progress = new Progress(images);
    for (const problem of inputs.problems) progress.log(`explain-image: ${problem}`);
    for (const note of dataset?.notes ?? []) progress.log(`explain-image: note: ${note}`);
    let failed = inputs.problems.length;
    const attempted = images + inputs.problems.length;
    try {
      if (images > 0) failed += await explainAll(opts, { modelPath, methods, preprocess, scale, colormap, single, dataset, ranges, files: inputs.files, progress });
    } finally {
      progress.finish(); // also before a fatal error's line
    }
    if (failed === 0) return 0;
    if (attempted > 1) process.stderr.write(`explain-image: ${failed} of ${attempted} images failed (each named above)\n`);
    return 1;
  } finally {
    await dataset?.close();
  }
}

interface Plan {
  modelPath: string;
  methods: string[];
  preprocess: JobTemplate['preprocess'];
  scale: number;
  colormap: ColormapName;
  single: boolean;
  dataset: Dataset | undefined;
  ranges: IndexRange[];
  files: string[];
  progress: Progress;
}

/** Runs every batch through the pool and the writers; returns how many images failed. */
async function explainAll(opts: Options, plan: Plan): Promise<number> {
  const { dataset, progress } = plan;
  const pool = makePool(opts, plan.files.length + countIndices(plan.ranges));
  try {
    const info: ModelInfoResult = await pool.run({ type: 'model-info', model: { path: plan.modelPath } });
    const target = parseTarget(opts.target, info.card);
    for (const warning of info.cardWarnings) progress.log(`explain-image: warning: ${warning}`);
    if (dataset) noteShapeMismatch(dataset, info, progress);
    const run: RunInfo = { model: opts.model!, card: info.card, backend: info.backend };
    const out = writers(opts, plan, run);
    const contrast = parseContrast(opts, info.card, target);
    const template: JobTemplate = { type: 'explain', model: { path: plan.modelPath }, methods: plan.methods, preprocess: plan.preprocess, target, contrast };
    const size = batchSize(info.card.inputShape);
    const stems = outputStems(plan.files);
    const stemOf = (i: number) => sampleStem(dataset!.path, i, dataset!.count);

    let failed = 0;
    let failedBatchesInARow = 0;
    // Two batches per worker: one running, one waiting, so no worker idles while results are written.
    await runInOrder(
      concat(fileBatches(plan.files, stems, size), dataset ? datasetBatches(dataset, plan.ranges, size, stemOf) : undefined),
      pool.size * 2,
      (batch) => explainBatch(pool, batch, template),
      async ({ outcomes, engineFailures }) => {
        let bad = 0;
        for (const outcome of outcomes) {
          if (outcome.error) {
            bad++;
            progress.log(`explain-image: ${outcome.error}`);
          }
          await out.writer.write(outcome);
        }
        failed += bad;
        progress.advance(outcomes.length, bad);
        failedBatchesInARow = engineFailures === outcomes.length ? failedBatchesInARow + 1 : 0;
        if (failedBatchesInARow >= MAX_FAILED_BATCHES_IN_A_ROW) {
          throw new UserError(`stopped: the engine failed on every image of ${MAX_FAILED_BATCHES_IN_A_ROW} batches in a row (last: ${outcomes.at(-1)?.error})`);
        }
      },
    );
    await out.writer.end();
    if (out.files && !plan.single) progress.log(`wrote ${out.files.written()} heatmaps to ${opts.out}`);
    return failed;
  } finally {
    await pool.dispose();
  }
}

function writers(opts: Options, plan: Plan, run: RunInfo) {
  const stdout = new StreamText(process.stdout);
  const list: ResultWriter[] = [];
  const files = opts.out
    ? heatmapFileWriter({ out: opts.out, single: plan.single, colormap: plan.colormap, scale: plan.scale })
    : undefined;
  if (files) list.push(files);
  if (opts.json) list.push(jsonDocumentWriter(stdout, run));
  else if (opts.jsonl) list.push(jsonLinesWriter(stdout, run));
  else list.push(summaryWriter(stdout, run, !opts.out));
  return { writer: allWriters(list), files };
}

/** Samples of another size or channel count than the model's are converted: said once, not refused. */
function noteShapeMismatch(dataset: Dataset, info: ModelInfoResult, progress: Progress): void {
  const [h, w, c] = info.card.inputShape;
  if (dataset.height === h && dataset.width === w && dataset.channels === c) return;
  progress.log(
    `explain-image: note: ${dataset.path}: samples are ${dataset.height}×${dataset.width}×${dataset.channels}, the model takes ${h}×${w}×${c}: each sample is converted (--preprocess decides how)`,
  );
}

async function* concat(...parts: Array<AsyncIterable<Batch> | undefined>): AsyncGenerator<Batch> {
  for (const part of parts) if (part) yield* part;
}
