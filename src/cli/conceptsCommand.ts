// `concepts IMAGE --layer NODE [--dataset FILE]`: which channels of one Dense/Conv node carry the image's
// explanation (CRP): every channel's relevance and share, the top channels' conditional heatmaps, and with a
// data set each top channel's reference samples (RelMax over the whole file). Text, --json, and with --out
// a folder of PNGs (each top channel's conditional heatmap and its reference crops).
import * as fs from 'fs';
import * as path from 'path';
import { modelFileOf } from './modelArgument';
import { DEFAULT_REFERENCES, findReferenceSamples } from '../engine/concepts/referenceSearch';
import { referenceViews, type ReferenceView } from '../engine/concepts/referenceViews';
import { openDataset } from '../engine/data/datasetFile';
import { encodePng } from '../engine/heatmap/png';
import { renderHeatmap } from '../engine/heatmap/render';
import { formatMethodSpec, methodTitleText, parseMethodSpec } from '../engine/methods/methodRegistry';
import type { ConceptItem, ConceptResult, ReferenceSearch } from '../protocol/concepts';
import { checkConceptMethod } from '../engine/concepts/conditionalRelevance';
import { DEFAULT_CONCEPT_METHOD, shareOf } from '../engine/concepts/conceptMethod';
import { failOnImageErrors, makePool, parseTarget, positiveInt, preprocessMode, requireImages, UsageError, type Options } from './options';
import { progressLine } from './progressLine';

/** The model when --model is not given: the extension's default. */
export const DEFAULT_CONCEPT_MODEL = 'mnist-cnn';

/** Top channels shown by default. */
const DEFAULT_TOP = 6;

export async function conceptsCommand(files: string[], opts: Options): Promise<number> {
  if (!opts.layer) throw new UsageError('concepts needs --layer <node> (a Dense or Conv node; the error lists them)');
  if (files.length !== 1) throw new UsageError(`concepts explains one image (got ${files.length})`);
  const [image] = requireImages(files);
  const modelName = opts.model ?? DEFAULT_CONCEPT_MODEL;
  const modelPath = await modelFileOf(modelName);
  const spec = parseMethodSpec(opts.method ?? DEFAULT_CONCEPT_METHOD);
  checkConceptMethod(spec);
  const method = formatMethodSpec(spec);
  const top = positiveInt(opts.top, 'top', DEFAULT_TOP);
  const size = positiveInt(opts.references, 'references', DEFAULT_REFERENCES);
  const pool = makePool(opts, opts.dataset ? 64 : 1);
  const dataset = opts.dataset ? await openDataset(path.resolve(opts.dataset)) : undefined;
  try {
    const info = await pool.run({ type: 'model-info', model: { path: modelPath } });
    const target = parseTarget(opts.target, info.card);
    const result: ConceptResult = await pool.run({
      type: 'concepts',
      model: { path: modelPath },
      images: [{ kind: 'file', path: image }],
      method,
      layer: opts.layer,
      targets: [target],
      preprocess: preprocessMode(opts),
      conditional: { top },
    });
    failOnImageErrors(result);
    const item = result.items[0];
    let search: ReferenceSearch | undefined;
    let views: ReferenceView[][] | undefined;
    if (dataset) {
      for (const note of dataset.notes) process.stderr.write(`explain-image: note: ${note}\n`);
      const progress = progressLine('searching reference samples', 'samples');
      search = await findReferenceSamples(pool, dataset, { model: { path: modelPath }, method, layer: opts.layer, size }, { onProgress: progress.update });
      progress.done();
      if (opts.out) {
        const channels = item.conditional.map((m) => ({ channel: m.channel, references: search!.channels[m.channel] }));
        views = await referenceViews(pool, dataset, { model: { path: modelPath }, method, layer: opts.layer }, channels);
      }
    }
    if (opts.out) writePngs(opts.out, result, item, views);
    const doc = toJson(modelName, image, method, result, item, search, dataset?.path);
    process.stdout.write(opts.json ? JSON.stringify(doc) + '\n' : table(doc));
    return 0;
  } finally {
    await dataset?.close();
    await pool.dispose();
  }
}

function toJson(model: string, image: string, method: string, result: ConceptResult, item: ConceptItem, search: ReferenceSearch | undefined, datasetPath?: string) {
  const { layer } = result;
  const relevance = Array.from(item.channelRelevance);
  const absolute = relevance.reduce((s, r) => s + Math.abs(r), 0);
  return {
    model,
    backend: result.backend.name,
    image,
    method,
    layer: { name: layer.name, kind: layer.kind, shape: layer.shape, channels: layer.channels },
    target: item.target,
    predicted: item.predicted,
    logit: item.logit,
    /** Σ_c R_c (f_c for a conservative method at a node every path crosses). */
    totalRelevance: relevance.reduce((s, r) => s + r, 0),
    channelRelevance: relevance,
    channels: item.conditional.map((m) => ({
      channel: m.channel,
      relevance: relevance[m.channel],
      share: shareOf(relevance[m.channel], absolute),
      peak: { row: Math.floor(item.peaks[m.channel] / layer.width), col: item.peaks[m.channel] % layer.width },
      conditionalSum: m.relevanceSum,
      ...(search
        ? {
            references: search.channels[m.channel].map((r) => ({
              sample: r.sample,
              relevance: r.relevance,
              predicted: r.predicted,
              crop: { x: r.crop[0], y: r.crop[1], width: r.crop[2], height: r.crop[3] },
            })),
          }
        : {}),
    })),
    ...(search ? { dataset: { path: datasetPath, searched: search.searched, ms: Math.round(search.ms) } } : {}),
  };
}

function table(doc: ReturnType<typeof toJson>): string {
  const title = methodTitleText(parseMethodSpec(doc.method));
  const lines = [
    `${doc.model} · ${doc.layer.name} (${doc.layer.kind}, ${doc.layer.shape.join('×')}) · ${title} · class ${doc.target}${doc.target === doc.predicted ? ' (predicted)' : ''}, logit ${doc.logit.toFixed(3)}`,
    `Σ over all ${doc.layer.channels} channels: ${doc.totalRelevance.toFixed(3)}`,
    `  ${'channel'.padStart(7)} ${'R_c'.padStart(10)} ${'share'.padStart(7)}  peak (row, col)${doc.dataset ? '  reference samples (R_c)' : ''}`,
    ...doc.channels.map((c) => {
      const refs = c.references ? '  ' + c.references.map((r) => `#${r.sample} (${r.relevance.toFixed(2)})`).join(' ') : '';
      return `  ${String(c.channel).padStart(7)} ${c.relevance.toFixed(4).padStart(10)} ${`${(100 * c.share).toFixed(1)}%`.padStart(7)}  (${c.peak.row}, ${c.peak.col})${refs}`;
    }),
    doc.dataset ? `(reference samples: ${doc.dataset.searched} samples of ${doc.dataset.path} searched in ${(doc.dataset.ms / 1000).toFixed(1)} s)` : '(--dataset <file> for each channel\'s reference samples; --json for every number)',
  ];
  return lines.join('\n') + '\n';
}

/** channel-<c>.png: the conditional heatmap; channel-<c>-ref-<k>-<sample>.png: the reference crops. */
function writePngs(out: string, result: ConceptResult, item: ConceptItem, views?: ReferenceView[][]): void {
  fs.mkdirSync(out, { recursive: true });
  const [h, w] = result.card.inputShape;
  const written: string[] = [];
  item.conditional.forEach((m, k) => {
    const file = path.join(out, `channel-${m.channel}.png`);
    fs.writeFileSync(file, encodePng(renderHeatmap(m.relevance, [h, w], { colormap: 'bwr', scale: 8 })));
    written.push(file);
    for (const [j, v] of (views?.[k] ?? []).entries()) {
      const ref = path.join(out, `channel-${m.channel}-ref-${j + 1}-${v.sample}.png`);
      const [, , cw, ch] = v.crop;
      const scale = Math.max(1, Math.floor(112 / Math.max(cw, ch)));
      fs.writeFileSync(ref, encodePng(renderHeatmap(v.heatmap, [ch, cw], { colormap: 'bwr', scale, overlay: { pixels: v.pixels, opacity: 0.5 } })));
      written.push(ref);
    }
  });
  process.stderr.write(`wrote ${written.length} PNG files to ${out}\n`);
}
