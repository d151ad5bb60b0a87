// `spray --dataset FILE --class C`: the strategies a model uses for one class over a data set (SpRAy): the
// class's samples (by their label in the file, or by the model's prediction), their heatmaps clustered;
// per cluster its size and prototype samples, the eigenvalues that chose the count. Text or --json; --out
// writes each cluster's mean heatmap as a PNG into a folder.
import * as fs from 'fs';
import * as path from 'path';
import { modelFileOf } from './modelArgument';
import { DEFAULT_CONCEPT_METHOD } from '../engine/concepts/conceptMethod';
import { openDataset, type Dataset } from '../engine/data/datasetFile';
import { UserError } from '../engine/errors';
import { encodePng } from '../engine/heatmap/png';
import { renderHeatmap } from '../engine/heatmap/render';
import { formatMethodSpec, methodTitleText, parseMethodSpec } from '../engine/methods/methodRegistry';
import { predictInParallel } from '../engine/pool/parallelJobs';
import type { WorkerPool } from '../engine/pool/workerPool';
import { sprayDataset } from '../engine/spray/sprayDataset';
import { mapLabels, matchClasses } from '../host/dataset/classMatch';
import { predictChunkFor, predictDataset } from '../host/dataset/predictDataset';
import type { SprayAnalysis } from '../protocol/concepts';
import { sprayJson } from '../engine/spray/sprayJson';
import type { ModelCard } from '../protocol/model';
import { DEFAULT_CONCEPT_MODEL } from './conceptsCommand';
import { makePool, parseTarget, UsageError, type Options } from './options';
import { progressLine } from './progressLine';

export async function sprayCommand(files: string[], opts: Options): Promise<number> {
  if (files.length) throw new UsageError(`spray reads its samples from --dataset, not from files (got ${files.join(' ')})`);
  if (!opts.dataset) throw new UsageError('spray needs --dataset <file>');
  if (opts.class === undefined) throw new UsageError('spray needs --class <index or label>');
  if (opts.by !== undefined && opts.by !== 'label' && opts.by !== 'predicted') throw new UsageError(`--by must be label or predicted (got "${opts.by}")`);
  const modelName = opts.model ?? DEFAULT_CONCEPT_MODEL;
  const modelPath = await modelFileOf(modelName);
  const method = formatMethodSpec(parseMethodSpec(opts.method ?? DEFAULT_CONCEPT_METHOD));
  const dataset = await openDataset(path.resolve(opts.dataset));
  const pool = makePool(opts, 64);
  try {
    for (const note of dataset.notes) process.stderr.write(`explain-image: note: ${note}\n`);
    const info = await pool.run({ type: 'model-info', model: { path: modelPath } });
    const target = parseTarget(opts.class, info.card, 'class')!;
    const by = (opts.by as 'label' | 'predicted' | undefined) ?? (dataset.labels ? 'label' : 'predicted');
    const samples = await classSamples(pool, dataset, modelPath, info.card, target, by);
    if (samples.length < 2) throw new UserError(`has ${samples.length} sample${samples.length === 1 ? '' : 's'} of class ${info.card.labels[target] ?? target} (by ${by}); SpRAy needs at least 2`, dataset.path);
    const progress = progressLine('strategies', 'samples');
    const analysis = await sprayDataset(
      pool,
      dataset,
      { model: { path: modelPath }, modelName, method, target, targetName: info.card.labels[target] ?? String(target), samples, selectedBy: by },
      { onProgress: (p) => (p.stage === 'heatmaps' ? progress.update(p.done, p.total) : progress.done()) },
    );
    progress.done();
    if (opts.out) writeMeans(opts.out, analysis);
    process.stdout.write(opts.json ? JSON.stringify(sprayJson(analysis, dataset.path)) + '\n' : table(analysis, dataset.path));
    return 0;
  } finally {
    await dataset.close();
    await pool.dispose();
  }
}

/** The class's samples: the file's labels (matched to the model's classes by name when both name them), or the model's predictions. */
async function classSamples(pool: WorkerPool, dataset: Dataset, modelPath: string, card: ModelCard, target: number, by: 'label' | 'predicted'): Promise<number[]> {
  if (by === 'label') {
    if (!dataset.labels) throw new UserError('has no labels: use --by predicted', dataset.path);
    const match = matchClasses(dataset.labelNames, card.labels);
    const labels = match.map ? mapLabels(dataset.labels, match.map) : dataset.labels;
    return Array.from(labels).flatMap((l, i) => (l === target ? [i] : []));
  }
  const [h, w, c] = card.inputShape;
  const sameSize = dataset.height === h && dataset.width === w && dataset.channels === c;
  const progress = progressLine('predicting', 'samples');
  const engine: Parameters<typeof predictDataset>[0] = { predict: (job, options) => predictInParallel(pool, job, options), workers: pool.size };
  const predictions = await predictDataset(engine, dataset, { path: modelPath }, {
    chunkSize: predictChunkFor(card.inputShape),
    ...(sameSize ? {} : { sampleShape: [dataset.height, dataset.width, dataset.channels] as [number, number, number] }),
    onChunk: (_start, _stats, done, total) => progress.update(done, total),
  });
  progress.done();
  return Array.from(predictions.predicted).flatMap((p, i) => (p === target ? [i] : []));
}

function table(a: SprayAnalysis, datasetPath: string): string {
  const n = a.samples.length;
  const lines = [
    `${a.model} · ${methodTitleText(parseMethodSpec(a.method))} · class ${a.targetName} · ${n} samples of ${path.basename(datasetPath)} (by ${a.selectedBy})`,
    `${a.clusterCount} strateg${a.clusterCount === 1 ? 'y' : 'ies'}: the largest eigengap of the normalised Laplacian lies after λ${a.clusterCount}`,
    `eigenvalues: ${a.eigenvalues.map((v) => v.toFixed(4)).join(' ')}`,
    `  ${'cluster'.padStart(7)} ${'size'.padStart(6)} ${'share'.padStart(7)}  prototypes (nearest the cluster's mean first)`,
    ...a.clusters.map((c) => `  ${String(c.id).padStart(7)} ${String(c.size).padStart(6)} ${`${((100 * c.size) / n).toFixed(1)}%`.padStart(7)}  ${c.prototypes.map((p) => `#${p}`).join(' ')}`),
    `(heatmaps ${(a.ms.heatmaps / 1000).toFixed(1)} s, analysis ${(a.ms.analysis / 1000).toFixed(1)} s; --json for every sample's cluster and 2-D position)`,
  ];
  return lines.join('\n') + '\n';
}

function writeMeans(out: string, a: SprayAnalysis): void {
  fs.mkdirSync(out, { recursive: true });
  for (const c of a.clusters) {
    const file = path.join(out, `cluster-${c.id}-mean.png`);
    fs.writeFileSync(file, encodePng(renderHeatmap(c.meanHeatmap, a.heatmapShape, { colormap: 'bwr', scale: 8 })));
  }
  process.stderr.write(`wrote ${a.clusters.length} PNG files to ${out}\n`);
}
