// `explain`: heatmaps of images for one or more methods, as PNG files, a summary line each, or JSON.
import * as fs from 'fs';
import * as path from 'path';
import { resolveModelPath } from '../engine/bundledModels';
import { encodePng } from '../engine/heatmap/png';
import { renderHeatmap, type ColormapName } from '../engine/heatmap/render';
import { expandMethodList, formatMethodSpec } from '../engine/methods/methodRegistry';
import { explainInParallel } from '../engine/pool/parallelJobs';
import type { Explanation } from '../engine/types';
import type { ExplainResult, ModelInfoResult } from '../protocol/engineJobs';
import { failOnImageErrors, makePool, parseTarget, positiveInt, preprocessMode, requireImages, UsageError, type Options } from './options';

export async function explainCommand(files: string[], opts: Options): Promise<number> {
  if (!opts.model) throw new UsageError('explain needs --model');
  if (!opts.method) throw new UsageError('explain needs --method');
  const images = requireImages(files);
  const methods = expandMethodList(opts.method).map(formatMethodSpec);
  const modelPath = resolveModelPath(opts.model);
  const colormap = (opts.colormap ?? 'bwr') as ColormapName;
  const scale = positiveInt(opts.scale, 'scale', 8);
  const pool = makePool(opts, images.length);
  try {
    const info: ModelInfoResult = await pool.run({ type: 'model-info', model: { path: modelPath } });
    const target = parseTarget(opts.target, info.card);
    const result = await explainInParallel(pool, {
      type: 'explain',
      model: { path: modelPath },
      images: images.map((p) => ({ kind: 'file', path: p })),
      methods,
      targets: target === null ? undefined : images.map(() => [target]),
      preprocess: preprocessMode(opts),
    });
    failOnImageErrors(result);
    if (opts.out) writeHeatmaps(result, opts.out, colormap, scale, images.length * methods.length);
    if (opts.json) {
      process.stdout.write(JSON.stringify(toJson(opts.model, result)) + '\n');
    } else {
      for (const e of result.explanations) process.stdout.write(summaryLine(result, e) + '\n');
      if (!opts.out) process.stdout.write('(add --out heatmap.png to save the heatmap, --json for the numbers)\n');
    }
    return 0;
  } finally {
    await pool.dispose();
  }
}

function summaryLine(result: ExplainResult, e: Explanation): string {
  const card = result.card;
  const p = e.probabilities[e.predicted] * 100;
  return [
    path.relative(process.cwd(), result.images[e.image].name),
    `predicted ${card.labels[e.predicted]} (${p.toFixed(1)}%)`,
    `target ${card.labels[e.target]}`,
    e.method,
    `Σ R = ${e.relevanceSum.toPrecision(4)} · logit ${e.logit.toPrecision(4)}`,
    `${e.ms.toFixed(1)} ms · ${result.backend.name}`,
  ].join(' · ');
}

function writeHeatmaps(result: ExplainResult, out: string, colormap: ColormapName, scale: number, count: number): void {
  const single = count === 1 && out.toLowerCase().endsWith('.png');
  if (!single) fs.mkdirSync(out, { recursive: true });
  for (const e of result.explanations) {
    const png = encodePng(renderHeatmap(e.relevance, e.shape, { colormap, scale }));
    const name = `${path.basename(result.images[e.image].name).replace(/\.[^.]+$/, '')}-${e.method.replace(/[^\w.=-]+/g, '_')}.png`;
    const file = single ? out : path.join(out, name);
    fs.writeFileSync(file, png);
    if (!single) process.stderr.write(`wrote ${file}\n`);
  }
}

function toJson(model: string, result: ExplainResult) {
  return {
    model,
    backend: result.backend.name,
    ...(result.backend.reason ? { backendReason: result.backend.reason } : {}),
    results: result.explanations.map((e) => ({
      image: result.images[e.image].name,
      method: e.method,
      target: e.target,
      prediction: {
        class: e.predicted,
        label: result.card.labels[e.predicted],
        probabilities: Array.from(e.probabilities),
      },
      logit: e.logit,
      relevanceSum: e.relevanceSum,
      shape: e.shape,
      relevance: Array.from(e.relevance),
      ms: e.ms,
      ...(e.completenessError !== undefined ? { completenessError: e.completenessError } : {}),
    })),
  };
}
