// `evaluate`: which explanation can I trust? Pixel flipping (METHODS.md) for every method on the images:
// a table per method, best first by ABPC, or the JSON document of issue 13; `--out` draws the mean MoRF
// curves. `--randomise` runs the model randomisation check instead (randomiseCommand.ts).
import { resolveModelPath } from '../engine/bundledModels';
import { evaluateFaithfulness, type FaithfulnessEvaluation } from '../engine/evaluate/faithfulness';
import { DEFAULT_FLIP_STEPS } from '../engine/evaluate/perturbation';
import { renderCurveChart } from '../engine/figure/curveChartImage';
import { encodePng } from '../engine/heatmap/png';
import { methodTitle, parseMethodSpec, splitMethodList } from '../engine/methods/methodRegistry';
import type { ModelInfoResult } from '../protocol/engineJobs';
import { evaluationImages } from './evaluationImages';
import { makePool, parseTarget, positiveInt, preprocessMode, UsageError, type Options } from './options';
import { report } from './evaluationReport';
import { checkOutput } from './outputFiles';
import { progressLine } from './progressLine';
import { randomiseCommand } from './randomiseCommand';

export async function evaluateCommand(files: string[], opts: Options): Promise<number> {
  if (!opts.model) throw new UsageError('evaluate needs --model');
  if (opts.out) checkOutput(opts.out, 'file');
  const { images, problems } = await evaluationImages(files, opts);
  for (const line of problems) process.stderr.write(`explain-image: ${line}\n`);
  const failedInputs = problems.filter((line) => !line.startsWith('note: ')).length;
  if (images.length === 0) return 1;
  const methods = splitMethodList(opts.methods ?? 'seed');
  methods.forEach(parseMethodSpec);
  const steps = positiveInt(opts.steps, 'steps', DEFAULT_FLIP_STEPS);
  const modelPath = resolveModelPath(opts.model);
  const pool = makePool(opts, images.length * methods.length);
  try {
    const info: ModelInfoResult = await pool.run({ type: 'model-info', model: { path: modelPath } });
    if (opts.randomise || opts.randomize) {
      const target = parseTarget(opts.target, info.card);
      return Math.max(failedInputs ? 1 : 0, await randomiseCommand(pool, { modelPath, images, methods, target }, opts));
    }
    const [h, w] = info.card.inputShape;
    if (steps > h * w) throw new UsageError(`--steps must be at most ${h * w}, the model's ${h}×${w} pixels (got ${steps})`);
    const target = parseTarget(opts.target, info.card);
    const progress = progressLine('evaluating', 'image × method');
    const evaluation = await evaluateFaithfulness(
      pool,
      {
        model: { path: modelPath },
        images,
        methods,
        targets: target === null ? undefined : images.map(() => target),
        preprocess: preprocessMode(opts),
        steps,
      },
      { onProgress: progress.update },
    );
    progress.done();
    const code = await report(evaluation, opts, {
      chart: () => chartPng(evaluation),
      json: () => toJson(opts.model!, evaluation),
      table: () => table(opts.model!, evaluation, target !== null),
    });
    return failedInputs ? 1 : code;
  } finally {
    await pool.dispose();
  }
}

/** The document of issue 13, exactly: no other fields. */
function toJson(model: string, e: FaithfulnessEvaluation) {
  return {
    model,
    backend: e.backend.name,
    steps: e.steps,
    results: e.results.map((r) => ({
      image: e.images[r.image].name,
      method: r.method,
      target: r.target,
      curves: { morf: r.curves.morf, lerf: r.curves.lerf },
      aopcMorf: r.aopcMorf,
      aopcLerf: r.aopcLerf,
      abpc: r.abpc,
    })),
    summary: e.summary.map((s) => ({ method: s.method, aopcMorf: s.aopcMorf, aopcLerf: s.aopcLerf, abpc: s.abpc, images: s.images })),
  };
}

/** One row per method, best (highest mean ABPC) first, with the standard error of that mean. */
function table(model: string, e: FaithfulnessEvaluation, targetGiven: boolean): string {
  const images = e.summary[0]?.images ?? 0;
  const rows = e.summary
    .map((s, k) => {
      // Results are image-major, then method in summary order.
      const abpcs = e.results.filter((_, n) => n % e.summary.length === k).map((r) => r.abpc);
      return { ...s, stderr: standardError(abpcs) };
    })
    .sort((a, b) => b.abpc - a.abpc);
  const width = Math.max(6, ...rows.map((r) => r.method.length));
  const num = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : '–').padStart(10);
  const lines = [
    `${model} · ${images} image${images === 1 ? '' : 's'} · K = ${e.steps} steps · ${targetGiven ? 'target class as given' : 'target: the predicted class'} · ${e.backend.name}`,
    'Pixel flipping, best first by ABPC = AOPC MoRF − AOPC LeRF (higher MoRF AOPC and ABPC: a more faithful map)',
    `  ${'method'.padEnd(width)} ${'AOPC MoRF'.padStart(10)} ${'AOPC LeRF'.padStart(10)} ${'ABPC'.padStart(10)} ${'± s.e.'.padStart(10)}`,
    ...rows.map((r) => `  ${r.method.padEnd(width)} ${num(r.aopcMorf)} ${num(r.aopcLerf)} ${num(r.abpc)} ${num(r.stderr)}`),
    '(--json for the curves and per-image numbers, --out curves.png for the chart)',
  ];
  return lines.join('\n') + '\n';
}

function standardError(values: number[]): number {
  if (values.length < 2) return NaN;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
  return Math.sqrt(variance / values.length);
}

function chartPng(e: FaithfulnessEvaluation): { png: Uint8Array; size: string } {
  const images = e.summary[0]?.images ?? 0;
  const chart = renderCurveChart({
    series: e.summary.map((s) => ({ title: methodTitle(parseMethodSpec(s.method)), values: s.meanCurves.morf })),
    width: 840,
    height: 460,
    fontSize: 13,
    xLabel: 'fraction of pixels removed, most relevant first (MoRF)',
    yLabel: `target logit, mean over ${images} image${images === 1 ? '' : 's'}`,
  });
  return { png: encodePng(chart), size: `${chart.width}×${chart.height}` };
}
