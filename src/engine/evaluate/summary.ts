// What a method's faithfulness comes to over several images: the means of AOPC MoRF / LeRF and ABPC with
// their standard errors, the mean MoRF and LeRF curves with a standard error per point (the chart's shaded
// band), and, over the methods, the verdict (verdict.ts). Shared by `evaluateFaithfulness` (the CLI, the
// dataset browser) and the comparison's section, so both report the same numbers.
import type { MeasureSummary } from '../../protocol/faithfulnessView';
import { meanWithError } from './statistics';
import { flipScores, type FlipCurves, type FlipScores } from './scores';
import { verdictOf, type Verdict } from './verdict';

export type { MeasureSummary };

/** The summary of one method's curves over its images (all NaN for none). */
export function summariseCurves(curves: readonly FlipCurves[]): MeasureSummary {
  const scores = curves.map(flipScores);
  const of = (key: keyof FlipScores) => meanWithError(scores.map((s) => s[key]));
  const [morf, lerf] = (['morf', 'lerf'] as const).map((order) => pointwise(curves.map((c) => c[order])));
  return {
    images: curves.length,
    aopcMorf: of('aopcMorf').mean,
    aopcLerf: of('aopcLerf').mean,
    abpc: of('abpc').mean,
    standardErrors: { aopcMorf: of('aopcMorf').standardError, aopcLerf: of('aopcLerf').standardError, abpc: of('abpc').standardError },
    meanCurves: { morf: morf.mean, lerf: lerf.mean },
    curveErrors: { morf: morf.error, lerf: lerf.error },
  };
}

/** Per point of equally long curves: mean and standard error. */
function pointwise(curves: readonly (readonly number[])[]): { mean: number[]; error: number[] } {
  const length = curves[0]?.length ?? 0;
  const points = Array.from({ length }, (_, k) => meanWithError(curves.map((c) => c[k])));
  return { mean: points.map((p) => p.mean), error: points.map((p) => p.standardError) };
}

/**
 * The verdict on ABPC over methods scored on the same images: `abpc[k][i]` is method k's ABPC on image i
 * (NaN where it has none). `names` are what the sentence calls the methods; `score` what it calls ABPC.
 */
export function abpcVerdict(score: string, names: readonly string[], abpc: ReadonlyArray<readonly number[]>): Verdict {
  return verdictOf({ score, methods: names.map((name, k) => ({ name, values: abpc[k] })) });
}
