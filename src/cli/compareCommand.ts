// `compare`: the seed figure (images as rows, methods as columns) as one PNG, one row group per model.
import { parseArgs } from 'util';
import { modelFileOf } from './modelArgument';
import { renderComparisonFigure } from '../engine/figure/comparisonFigure';
import type { ComparisonFigureSpec } from '../engine/figure/layout';
import { encodePng } from '../engine/heatmap/png';
import { renderHeatmap } from '../engine/heatmap/render';
import { expandMethodList, formatMethodSpec, methodTitle } from '../engine/methods/methodRegistry';
import { explainInParallel } from '../engine/pool/parallelJobs';
import { failOnImageErrors, makePool, OPTIONS, preprocessMode, requireImages, UsageError, type Options } from './options';
import { checkOutput, writeOutputFile } from './outputFiles';

/**
 * `compare a.png b.png --model m1 c.png --model m2`: each --model explains the images named before it
 * (since the previous --model), so one figure can hold the seed's MNIST and FashionMNIST row groups.
 */
export async function compareCommand(argv: string[], opts: Options): Promise<number> {
  const groups = compareGroups(argv);
  if (!opts.out) throw new UsageError('compare needs --out <grid.png>');
  checkOutput(opts.out, 'file');
  const specs = expandMethodList(opts.methods ?? 'seed');
  const resolved = [];
  for (const g of groups) resolved.push({ images: requireImages(g.images), modelPath: await modelFileOf(g.model) });
  const pool = makePool(opts, resolved.reduce((n, g) => n + g.images.length, 0));
  try {
    const rows: ComparisonFigureSpec['rows'] = [];
    const rowGroups: Array<{ title: string; rows: number }> = [];
    let backend = '';
    for (const group of resolved) {
      const result = await explainInParallel(pool, {
        type: 'explain',
        model: { path: group.modelPath },
        images: group.images.map((p) => ({ kind: 'file', path: p })),
        methods: specs.map(formatMethodSpec),
        preprocess: preprocessMode(opts),
      });
      failOnImageErrors(result);
      backend = result.backend.name;
      rowGroups.push({ title: result.card.dataset ?? result.card.name, rows: result.images.length });
      result.images.forEach((img, i) => {
        const cells = result.explanations.filter((e) => e.image === i);
        const first = cells[0];
        rows.push({
          input: { width: img.shape[1], height: img.shape[0], channels: img.shape[2], pixels: img.pixels },
          label: `${result.card.labels[first.predicted]} (${(first.probabilities[first.predicted] * 100).toFixed(1)}%)`,
          cells: cells.map((e) => renderHeatmap(e.relevance, e.shape, { colormap: 'bwr' })),
        });
      });
    }
    const figure = renderComparisonFigure({
      columns: specs.map((spec) => ({ title: methodTitle(spec) })),
      rows,
      // Group titles (the data sets) only say something when the figure mixes models.
      rowGroups: rowGroups.length > 1 ? rowGroups : undefined,
      cellSize: 112,
    });
    await writeOutputFile(opts.out, encodePng(figure));
    process.stdout.write(`wrote ${opts.out} (${figure.width}×${figure.height}, ${rows.length} images × ${specs.length} methods, ${backend})\n`);
    return 0;
  } finally {
    await pool.dispose();
  }
}

/** Images and --model options in command-line order: each --model closes a group of images. */
function compareGroups(argv: string[]): Array<{ images: string[]; model: string }> {
  const { tokens } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
  const groups: Array<{ images: string[]; model: string }> = [];
  let pending: string[] = [];
  let sawCommand = false;
  for (const t of tokens ?? []) {
    if (t.kind === 'positional') {
      if (!sawCommand) sawCommand = true;
      else pending.push(t.value);
    } else if (t.kind === 'option' && t.name === 'model') {
      if (pending.length === 0 && groups.length > 0) throw new UsageError('each --model must follow the images it explains');
      groups.push({ images: pending, model: t.value ?? '' });
      pending = [];
    }
  }
  if (groups.length === 0) throw new UsageError('compare needs --model');
  if (pending.length > 0) {
    // Images after the last --model: with one model that is the usual "compare *.png --model m" order.
    if (groups.length === 1 && groups[0].images.length === 0) groups[0].images = pending;
    else throw new UsageError(`images after the last --model have no model: ${pending.join(' ')}`);
  }
  if (groups.some((g) => g.images.length === 0)) throw new UsageError('no image files given');
  return groups;
}
