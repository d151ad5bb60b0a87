// `evaluate`: which explanation can I trust? Pixel flipping (and with --road ROAD) for every method on the
// images (docs/faithfulness.md, "Faithfulness measures"): a table per measure, best first by ABPC, with standard errors,
// and the verdict in one sentence; or the JSON document with the same numbers; `--out` draws the mean MoRF
// and LeRF curves with their standard-error bands. `--randomise` runs the model randomisation check
// instead (randomiseCommand.ts).
import { modelFileOf } from './modelArgument';
import { BASELINE_KINDS, describeBaseline, type BaselineKind } from '../engine/evaluate/baselines';
import { evaluateFaithfulness, type FaithfulnessEvaluation } from '../engine/evaluate/faithfulness';
import { DEFAULT_FLIP_STEPS } from '../engine/evaluate/perturbation';
import type { MeasureSummary } from '../engine/evaluate/summary';
import { flipUnits } from '../engine/evaluate/units';
import type { Verdict } from '../engine/evaluate/verdict';
import { renderCurveChart } from '../engine/figure/curveChartImage';
import { placeImage } from '../engine/figure/draw';
import { encodePng } from '../engine/heatmap/png';
import { createRgbaImage } from '../engine/image/rgbaImage';
import { methodTitle, parseMethodSpec, splitMethodList } from '../engine/methods/methodRegistry';
import type { ModelInfoResult } from '../protocol/engineJobs';
import { evaluationImages } from './evaluationImages';
import { makePool, parseContrast, parseTarget, positiveInt, preprocessMode, UsageError, type Options } from './options';
import { report } from './evaluationReport';
import { checkOutput } from './outputFiles';
import { progressLine } from './progressLine';
import { randomiseCommand } from './randomiseCommand';

export async function evaluateCommand(files: string[], opts: Options): Promise<number> {
  if (!opts.model) throw new UsageError('evaluate needs --model');
  if (opts.out) checkOutput(opts.out, 'file');
  const baseline = parseBaseline(opts.baseline);
  const { images, problems } = await evaluationImages(files, opts);
  for (const line of problems) process.stderr.write(`explain-image: ${line}\n`);
  const failedInputs = problems.filter((line) => !line.startsWith('note: ')).length;
  if (images.length === 0) return 1;
  const methods = splitMethodList(opts.methods ?? 'seed');
  methods.forEach(parseMethodSpec);
  const steps = positiveInt(opts.steps, 'steps', DEFAULT_FLIP_STEPS);
  const modelPath = await modelFileOf(opts.model);
  const pool = makePool(opts, images.length * methods.length);
  try {
    const info: ModelInfoResult = await pool.run({ type: 'model-info', model: { path: modelPath } });
    if (opts.randomise || opts.randomize) {
      const target = parseTarget(opts.target, info.card);
      return Math.max(failedInputs ? 1 : 0, await randomiseCommand(pool, { modelPath, images, methods, target }, opts));
    }
    const [h, w] = info.card.inputShape;
    const patch = opts.patch === undefined ? undefined : positiveInt(opts.patch, 'patch', 1);
    if (patch !== undefined && patch > Math.max(h, w)) throw new UsageError(`--patch must be at most ${Math.max(h, w)}, the model's ${h}×${w} input (got ${patch})`);
    const units = flipUnits(h, w, patch);
    if (steps > units.count) {
      const what = units.patch === 1 ? `the model's ${h}×${w} pixels` : `the ${units.count} patches of ${units.patch}×${units.patch} pixels`;
      throw new UsageError(`--steps must be at most ${units.count}, ${what} (got ${steps})`);
    }
    const target = parseTarget(opts.target, info.card);
    const contrast = parseContrast(opts, info.card, target);
    const progress = progressLine('evaluating', 'image × method');
    const evaluation = await evaluateFaithfulness(
      pool,
      {
        model: { path: modelPath },
        images,
        methods,
        targets: target === null ? undefined : images.map(() => target),
        ...(contrast === null ? {} : { contrasts: images.map(() => contrast) }),
        preprocess: preprocessMode(opts),
        steps,
        baseline,
        ...(patch === undefined ? {} : { patch }),
        road: !!opts.road,
      },
      { onProgress: progress.update },
    );
    progress.done();
    const what = { target: target === null ? null : info.card.labels[target] ?? String(target), contrast: contrast === null ? null : info.card.labels[contrast] ?? String(contrast) };
    const code = await report(evaluation, opts, {
      chart: () => chartPng(evaluation),
      json: () => toJson(opts.model!, evaluation),
      table: () => table(opts.model!, evaluation, what),
    });
    return failedInputs ? 1 : code;
  } finally {
    await pool.dispose();
  }
}

function parseBaseline(value: string | undefined): BaselineKind {
  if (value === undefined) return 'black';
  if (!(BASELINE_KINDS as readonly string[]).includes(value)) throw new UsageError(`--baseline must be ${BASELINE_KINDS.join(', ')} (got "${value}")`);
  return value as BaselineKind;
}

const scoresOf = (s: { aopcMorf: number; aopcLerf: number; abpc: number }) => ({ aopcMorf: s.aopcMorf, aopcLerf: s.aopcLerf, abpc: s.abpc });

/** The document: per image × method the curves and scores (ROAD's with --road), per method the means with
 *  their standard errors, and the verdicts. */
function toJson(model: string, e: FaithfulnessEvaluation) {
  return {
    model,
    backend: e.backend.name,
    steps: e.steps,
    baseline: e.baseline,
    patch: e.patch,
    results: e.results.map((r) => ({
      image: e.images[r.image].name,
      method: r.method,
      target: r.target,
      ...(r.contrast === undefined ? {} : { contrast: r.contrast }),
      curves: { morf: r.curves.morf, lerf: r.curves.lerf },
      ...scoresOf(r),
      ...(r.road ? { road: { curves: { morf: r.road.curves.morf, lerf: r.road.curves.lerf }, ...scoresOf(r.road) } } : {}),
    })),
    summary: e.summary.map((s) => ({
      method: s.method,
      ...scoresOf(s),
      images: s.images,
      standardError: s.standardErrors,
      ...(s.road ? { road: { ...scoresOf(s.road), standardError: s.road.standardErrors } } : {}),
    })),
    verdict: verdictJson(e.verdict, e),
    ...(e.roadVerdict ? { roadVerdict: verdictJson(e.roadVerdict, e) } : {}),
  };
}

function verdictJson(v: Verdict, e: FaithfulnessEvaluation) {
  const spec = (k: number) => e.summary[k].method;
  return {
    score: v.score,
    images: v.images,
    sentence: v.sentence,
    leader: v.leader === null ? null : spec(v.leader),
    notDistinguishable: v.tied.map(spec),
    worse: v.worse.map(spec),
    methods: v.methods.map((m, k) => ({ method: spec(k), mean: m.mean, standardError: m.standardError })),
    pairs: v.pairs.map((p) => ({ better: spec(p.a), worse: spec(p.b), difference: p.difference, pValue: p.pValue, adjusted: p.adjusted, test: p.method })),
  };
}

/** Per measure, one row per method, best (highest mean ABPC) first, with the standard error of that mean;
 *  then the verdict. */
function table(model: string, e: FaithfulnessEvaluation, what: { target: string | null; contrast: string | null }): string {
  const images = e.summary[0]?.images ?? 0;
  const explained = what.contrast !== null ? `why ${what.target ?? 'the predicted class'} and not ${what.contrast} (f_c − f_c′)` : what.target !== null ? 'target class as given' : 'target: the predicted class';
  const unit = e.patch === 1 ? 'single pixels' : `${e.patch}×${e.patch} patches`;
  const lines = [
    `${model} · ${images} image${images === 1 ? '' : 's'} · K = ${e.steps} steps · ${explained} · ${unit} · ${e.backend.name}`,
    `Pixel flipping (${describeBaseline(e.baseline, e.card)}), best first by ABPC = AOPC MoRF − AOPC LeRF (means over the images; higher MoRF AOPC and ABPC: a more faithful map)`,
    ...rows(e.summary),
    `Verdict: ${e.verdict.sentence}`,
  ];
  if (e.roadVerdict) {
    lines.push(
      'ROAD (remove and debias: removed pixels imputed from their neighbours, Rong et al. 2022), best first by ROAD ABPC',
      ...rows(e.summary.map((s) => ({ method: s.method, ...s.road! }))),
      `ROAD verdict: ${e.roadVerdict.sentence}`,
    );
  }
  lines.push('(paired Wilcoxon signed-rank tests over the images, Holm-corrected for the number of pairs; --json for the curves, per-image numbers and every pair, --out curves.png for the chart)');
  return lines.join('\n') + '\n';
}

function rows(summary: Array<MeasureSummary & { method: string }>): string[] {
  const sorted = [...summary].sort((a, b) => b.abpc - a.abpc);
  const width = Math.max(6, ...sorted.map((r) => r.method.length));
  const num = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : '–').padStart(10);
  return [
    `  ${'method'.padEnd(width)} ${'AOPC MoRF'.padStart(10)} ${'AOPC LeRF'.padStart(10)} ${'ABPC'.padStart(10)} ${'± s.e.'.padStart(10)}`,
    ...sorted.map((r) => `  ${r.method.padEnd(width)} ${num(r.aopcMorf)} ${num(r.aopcLerf)} ${num(r.abpc)} ${num(r.standardErrors.abpc)}`),
  ];
}

/** The mean MoRF and LeRF curves with their standard-error bands, one chart each, stacked (ROAD's below). */
function chartPng(e: FaithfulnessEvaluation): { png: Uint8Array; size: string } {
  const images = e.summary[0]?.images ?? 0;
  const measures: Array<{ name: string; of: (s: FaithfulnessEvaluation['summary'][number]) => MeasureSummary | undefined; xMax: number }> = [
    { name: 'pixel flipping', of: (s) => s, xMax: 1 },
    ...(e.roadVerdict ? [{ name: 'ROAD', of: (s: FaithfulnessEvaluation['summary'][number]) => s.road, xMax: (e.steps - 1) / e.steps }] : []),
  ];
  const charts = measures.flatMap((m) =>
    (['morf', 'lerf'] as const).map((order) =>
      renderCurveChart({
        series: e.summary.flatMap((s) => {
          const summary = m.of(s);
          return summary && summary.meanCurves[order].length >= 2 ? [{ title: methodTitle(parseMethodSpec(s.method)), values: summary.meanCurves[order], band: summary.curveErrors[order] }] : [];
        }),
        width: 840,
        height: 460,
        fontSize: 13,
        xMax: m.xMax,
        xLabel: `fraction of ${e.patch === 1 ? 'pixels' : 'patches'} removed, ${order === 'morf' ? 'most' : 'least'} relevant first (${order === 'morf' ? 'MoRF' : 'LeRF'}, ${m.name})`,
        yLabel: `target logit, mean ± s.e. over ${images} image${images === 1 ? '' : 's'}`,
      }),
    ),
  );
  const image = createRgbaImage(840, 460 * charts.length);
  charts.forEach((chart, i) => placeImage(image, chart, { x: 0, y: 460 * i, width: chart.width, height: chart.height }));
  return { png: encodePng(image), size: `${image.width}×${image.height}` };
}
