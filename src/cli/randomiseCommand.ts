// `evaluate --randomise`: the model randomisation check (randomisation.ts) as two tables, Spearman's ρ of
// R and of |R| per method and step, or as JSON; `--out` draws the mean ρ of |R| per method against the step.
import { randomisationCheck, type RandomisationEvaluation } from '../engine/evaluate/randomisation';
import { renderCurveChart } from '../engine/figure/curveChartImage';
import { encodePng } from '../engine/heatmap/png';
import { methodTitle, parseMethodSpec } from '../engine/methods/methodRegistry';
import type { WorkerPool } from '../engine/pool/workerPool';
import type { ImageSource } from '../protocol/engineJobs';
import { preprocessMode, UsageError, type Options } from './options';
import { report } from './evaluationReport';
import { progressLine } from './progressLine';

export async function randomiseCommand(
  pool: WorkerPool,
  request: { modelPath: string; images: ImageSource[]; methods: string[]; target: number | null },
  opts: Options,
): Promise<number> {
  const seed = opts.seed === undefined ? 0 : Number(opts.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UsageError(`--seed must be a whole number from 0 to 4294967295 (got "${opts.seed}")`);
  if (opts.steps !== undefined) throw new UsageError('--steps belongs to pixel flipping; --randomise re-draws one more layer per step, from the top');
  const progress = progressLine('randomisation check', 'explain jobs');
  const check = await randomisationCheck(
    pool,
    {
      model: { path: request.modelPath },
      images: request.images,
      methods: request.methods,
      targets: request.target === null ? undefined : request.images.map(() => request.target),
      preprocess: preprocessMode(opts),
      seed,
    },
    { onProgress: progress.update },
  );
  progress.done();
  return report(check, opts, { chart: () => chartPng(check), json: () => toJson(opts.model!, check), table: () => tables(opts.model!, check) });
}

function toJson(model: string, c: RandomisationEvaluation) {
  return {
    model,
    backend: c.backend.name,
    seed: c.seed,
    steps: c.steps.map((s) => ({ layers: s.layers, randomised: s.layer })),
    // NaN (a constant map) becomes null, as JSON has no NaN.
    results: c.results.map((r) => ({ image: c.images[r.image].name, method: r.method, target: r.target, spearman: r.spearman, spearmanAbs: r.spearmanAbs })),
    summary: c.summary.map((s) => ({ method: s.method, images: s.images, spearman: s.spearman, spearmanAbs: s.spearmanAbs })),
  };
}

function tables(model: string, c: RandomisationEvaluation): string {
  const images = c.summary[0]?.images ?? 0;
  const heads = c.steps.map((s) => (s.layer === null ? 'trained' : `+${s.layer}`));
  const widths = heads.map((h) => Math.max(7, h.length));
  const methodWidth = Math.max(6, ...c.summary.map((s) => s.method.length));
  const num = (v: number, w: number) => (Number.isFinite(v) ? v.toFixed(3) : '–').padStart(w);
  const table = (key: 'spearman' | 'spearmanAbs') => [
    `  ${'method'.padEnd(methodWidth)} ${heads.map((h, i) => h.padStart(widths[i])).join(' ')}`,
    ...c.summary.map((s) => `  ${s.method.padEnd(methodWidth)} ${s[key].map((v, i) => num(v, widths[i])).join(' ')}`),
  ];
  return [
    `${model} · ${images} image${images === 1 ? '' : 's'} · seed ${c.seed} · ${c.backend.name}`,
    'Model randomisation check (cascading): mean Spearman ρ between each map and the map after re-drawing the',
    'Dense/Conv layers from the logits down (column: the layer added at that step). Near 1 = the map ignores the model.',
    'ρ of R:',
    ...table('spearman'),
    'ρ of |R|:',
    ...table('spearmanAbs'),
  ].join('\n') + '\n';
}

function chartPng(c: RandomisationEvaluation): { png: Uint8Array; size: string } {
  const chart = renderCurveChart({
    series: c.summary.map((s) => ({ title: methodTitle(parseMethodSpec(s.method)), values: s.spearmanAbs })),
    width: 840,
    height: 460,
    fontSize: 13,
    xTicks: c.steps.map((s) => s.layer ?? 'trained'),
    yDomain: [-1, 1],
    xLabel: 'Dense/Conv layers re-drawn, from the logits down',
    yLabel: 'Spearman ρ of |R| with the trained model',
  });
  return { png: encodePng(chart), size: `${chart.width}×${chart.height}` };
}
