// explain-image: the engine from the command line. Same workers, models and rendering as the extension.
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { bundledModelIds, bundledModelsDir, resolveModelPath } from './engine/bundledModels';
import { isUserError, UserError } from './engine/errors';
import { renderComparisonFigure } from './engine/figure/comparisonFigure';
import type { ComparisonFigureSpec } from './engine/figure/layout';
import { encodePng } from './engine/heatmap/png';
import { renderHeatmap, type ColormapName } from './engine/heatmap/render';
import { expandMethodList, formatMethodSpec, listMethods, methodTitle } from './engine/methods/methodRegistry';
import { explainInParallel } from './engine/pool/parallelJobs';
import { WorkerPool } from './engine/pool/workerPool';
import type { ExplainResult, ModelInfoResult, PreprocessMode } from './protocol/engineJobs';
import type { Explanation, ModelCard } from './engine/types';

const USAGE = `Usage: explain-image <command> [options]

Commands:
  explain <images...> --model <id|model.json> --method <spec> [--target <k>] [--preprocess auto|fit|none]
          [--out <file.png|folder>] [--json] [--colormap bwr|gray|coldnhot|viridis] [--scale <n>]
  compare <images...> --model <id|model.json> [<images...> --model <...>] [--methods seed|<spec,spec,...>]
          --out <grid.png> [--preprocess auto|fit|none]
          (each --model explains the images before it: one figure, one row group per data set)
  models  [--json]      list the bundled models
  methods [--json]      list the methods, their parameters and defaults

A method spec is an id or preset (lrp-a2b1) or an id with parameters (lrp-ab:alpha=3,beta=2,
lrp-epsilon:epsilon=0.25, integrated-gradients:steps=64). Common options: --workers <n>.

Examples:
  explain-image explain models/samples/mnist-7-0000.png --model mnist-cnn --method lrp-a2b1 --out heat.png
  explain-image explain digit.png --model path/to/model.json --method deep-taylor --json
  explain-image compare models/samples/mnist-*.png --model mnist-mlp --methods seed --out grid.png
  explain-image compare mnist-*-0000.png --model mnist-cnn fashion-*-*.png --model fashion-cnn --out seed.png`;

class UsageError extends Error {}

const OPTIONS = {
  model: { type: 'string' },
  method: { type: 'string' },
  methods: { type: 'string' },
  target: { type: 'string' },
  preprocess: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  colormap: { type: 'string' },
  scale: { type: 'string' },
  workers: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Options = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const [command, ...files] = parsed.positionals;
  const opts = parsed.values as Options;
  if (opts.help || command === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  switch (command) {
    case 'explain':
      return explainCommand(files, opts);
    case 'compare':
      return compareCommand(compareGroups(argv), opts);
    case 'models':
      return modelsCommand(opts);
    case 'methods':
      return methodsCommand(opts);
    case undefined:
      throw new UsageError('no command given');
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

function requireImages(files: string[]): string[] {
  if (files.length === 0) throw new UsageError('no image files given');
  for (const f of files) {
    if (!fs.existsSync(f)) throw new UserError('no such file', f);
    if (fs.statSync(f).isDirectory()) throw new UserError('is a directory, not an image', f);
  }
  return files.map((f) => path.resolve(f));
}

function preprocessMode(opts: Options): PreprocessMode {
  const mode = opts.preprocess ?? 'auto';
  if (mode !== 'auto' && mode !== 'fit' && mode !== 'none') throw new UsageError(`--preprocess must be auto, fit or none (got "${mode}")`);
  return mode;
}

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer (got "${value}")`);
  return n;
}

function makePool(opts: Options, jobs: number): WorkerPool {
  const size = Math.min(positiveInt(opts.workers, 'workers', require('os').availableParallelism?.() ?? 2), Math.max(1, jobs));
  return new WorkerPool({ size });
}

/** `--target` as a class index or a label of the card. */
function parseTarget(value: string | undefined, card: ModelCard): number | null {
  if (value === undefined) return null;
  const byLabel = card.labels.indexOf(value);
  const k = /^\d+$/.test(value) ? Number(value) : byLabel;
  if (k < 0 || k >= card.labels.length) {
    throw new UsageError(`--target must be a class index 0..${card.labels.length - 1} or a label (got "${value}")`);
  }
  return k;
}

async function explainCommand(files: string[], opts: Options): Promise<number> {
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

function failOnImageErrors(result: ExplainResult): void {
  const bad = result.images.find((i) => i.error);
  if (bad?.error) throw new UserError(bad.error.startsWith(bad.name) ? bad.error.slice(bad.name.length + 2) : bad.error, bad.name);
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

/**
 * `compare a.png b.png --model m1 c.png --model m2`: each --model explains the images named before it
 * (since the previous --model), so one figure can hold the seed's MNIST and FashionMNIST row groups.
 */
async function compareCommand(groups: Array<{ images: string[]; model: string }>, opts: Options): Promise<number> {
  if (!opts.out) throw new UsageError('compare needs --out <grid.png>');
  const specs = expandMethodList(opts.methods ?? 'seed');
  const resolved = groups.map((g) => ({ images: requireImages(g.images), modelPath: resolveModelPath(g.model) }));
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
      columns: specs.map(methodTitle),
      rows,
      // Group titles (the data sets) only say something when the figure mixes models.
      rowGroups: rowGroups.length > 1 ? rowGroups : undefined,
      cellSize: 112,
    });
    fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
    fs.writeFileSync(opts.out, encodePng(figure));
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

async function modelsCommand(opts: Options): Promise<number> {
  const dir = bundledModelsDir();
  const rows = bundledModelIds(dir).map((id) => {
    const cardPath = path.join(dir, id, 'card.json');
    const card = fs.existsSync(cardPath) ? (JSON.parse(fs.readFileSync(cardPath, 'utf8')) as Partial<ModelCard>) : {};
    return { id, path: path.join(dir, id, 'model.json'), name: card.name ?? id, dataset: card.dataset, accuracy: card.accuracy, inputShape: card.inputShape };
  });
  if (opts.json) {
    process.stdout.write(JSON.stringify(rows) + '\n');
  } else {
    for (const r of rows) {
      const acc = r.accuracy !== undefined ? `${(r.accuracy * 100).toFixed(2)}%` : '?';
      process.stdout.write(`${r.id.padEnd(14)} ${String(r.dataset ?? '').padEnd(13)} accuracy ${acc.padEnd(7)} input ${r.inputShape?.join('×') ?? '?'}\n`);
    }
    process.stdout.write('Any other Keras/tfjs Layers model: --model path/to/model.json\n');
  }
  return 0;
}

function methodsCommand(opts: Options): number {
  const methods = listMethods();
  if (opts.json) {
    process.stdout.write(JSON.stringify(methods) + '\n');
    return 0;
  }
  for (const m of methods) {
    const params = m.params.map((p) => `${p.name}=${p.default}`).join(', ');
    process.stdout.write(`${m.id.padEnd(22)} ${m.description}${params ? `  [${params}]` : ''}\n`);
    if (m.presets?.length) process.stdout.write(`${''.padEnd(22)} presets: ${m.presets.join(', ')}\n`);
  }
  process.stdout.write(`${'seed'.padEnd(22)} the seed figure's seven methods: ${expandMethodList('seed').map(formatMethodSpec).join(', ')}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`explain-image: ${e.message}\n\n${USAGE}\n`);
      process.exitCode = 2;
    } else if (isUserError(e)) {
      process.stderr.write(`explain-image: ${e.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`explain-image: internal error: ${(e as Error)?.message ?? e}\n`);
      if (process.env.EXPLAIN_IMAGE_DEBUG) process.stderr.write(`${(e as Error)?.stack}\n`);
      process.exitCode = 1;
    }
  },
);

