// The comparison's Faithfulness section, host side and pure (no `vscode`, unit-tested): the pixel-flip
// jobs of the maps the figure already holds (no second explain), for pixel flipping and ROAD, and the
// section's numbers from the curves they return, per figure column: AOPC MoRF / LeRF and ABPC with their
// standard errors, the mean MoRF and LeRF curves with their bands (summary.ts, the functions of
// `evaluateFaithfulness`), and the verdict over the columns, paired over the figure's rows; and the
// randomisation check's summary mapped onto the figure's columns.
import type { RandomisationEvaluation } from '../engine/evaluate/randomisation';
import type { FlipCurves } from '../engine/evaluate/scores';
import { DEFAULT_FLIP_STEPS } from '../engine/evaluate/perturbation';
import { flipScores } from '../engine/evaluate/scores';
import { abpcVerdict, summariseCurves } from '../engine/evaluate/summary';
import { flipUnits, LARGEST_PIXEL_UNIT_SIDE } from '../engine/evaluate/units';
import type { FlipBaseline, ModelRef, PixelFlipJob } from '../protocol/engineJobs';
import type { FaithfulnessColumn, VerdictView } from '../protocol/faithfulnessView';

/** What one row of the figure keeps for the section: the model input and, per column, its map. */
export interface RowMaps {
  /** The 8-bit model input (PreparedImage.pixels), h·w·c. */
  pixels: Uint8Array;
  /** h·w */
  pixelCount: number;
  /** [h, w] of the model input (for the patch units; square from pixelCount when absent). */
  shape?: [number, number];
  /** Per figure column: the map, the class it explains and, for a contrastive map, the other class;
   *  undefined where the cell failed. */
  maps: Array<{ relevance: Float32Array; target: number; contrast?: number } | undefined>;
}

/** [h, w] of a row's model input. */
function rowShape(row: RowMaps): [number, number] {
  if (row.shape) return row.shape;
  const side = Math.round(Math.sqrt(row.pixelCount));
  return [side, row.pixelCount / side];
}

/** K for the figure: the one asked for (default 20), at most the number of units U of its smallest image. */
export function flipSteps(rows: Array<RowMaps | undefined>, wanted = DEFAULT_FLIP_STEPS): number {
  const smallest = Math.min(...rows.flatMap((r) => (r ? [flipUnits(...rowShape(r)).count] : [])));
  return Number.isFinite(smallest) ? Math.min(wanted, smallest) : wanted;
}

/** ROAD runs with pixel flipping by itself for inputs up to 64×64 (about 1 ms an imputation at 32×32);
 *  above, its imputations cost seconds per map and it waits to be asked for. */
export function roadByDefault(rows: Array<RowMaps | undefined>): boolean {
  return rows.every((r) => !r || Math.max(...rowShape(r)) <= LARGEST_PIXEL_UNIT_SIDE);
}

/** The pixel-flip job of every map the figure shows, row-major; `cells` says whose curve is whose. */
export function figureFlipJob(
  model: ModelRef,
  rows: Array<RowMaps | undefined>,
  steps: number,
  options: { baseline?: FlipBaseline } = {},
): { job: PixelFlipJob; cells: Array<{ row: number; column: number }> } {
  const images: Uint8Array[] = [];
  const items: PixelFlipJob['items'] = [];
  const cells: Array<{ row: number; column: number }> = [];
  rows.forEach((row, r) => {
    if (!row || row.maps.every((m) => !m)) return;
    const image = images.push(row.pixels) - 1;
    row.maps.forEach((map, column) => {
      if (!map) return;
      items.push({ image, relevance: map.relevance, target: map.target, ...(map.contrast === undefined ? {} : { contrast: map.contrast }) });
      cells.push({ row: r, column });
    });
  });
  return { job: { type: 'pixel-flip', model, images, items, steps, ...(options.baseline ? { baseline: options.baseline } : {}) }, cells };
}

/** Per column, the summary of its cells' curves (and ROAD's when given); null for a column without maps. */
export function faithfulnessColumns(columns: number, cells: Array<{ column: number }>, curves: FlipCurves[], road?: FlipCurves[]): Array<FaithfulnessColumn | null> {
  return Array.from({ length: columns }, (_, column) => {
    const mine = cells.flatMap((cell, n) => (cell.column === column ? [n] : []));
    if (!mine.length) return null;
    return { ...summariseCurves(mine.map((n) => curves[n])), ...(road ? { road: summariseCurves(mine.map((n) => road[n])) } : {}) };
  });
}

/**
 * The verdict over the figure's columns on ABPC (`score` names it), each column's ABPC per row paired over
 * the rows; `names` are the columns' titles as text. Columns without maps take no part.
 */
export function columnsVerdict(score: string, names: string[], rows: number, cells: Array<{ row: number; column: number }>, curves: FlipCurves[]): VerdictView {
  const compared = names.map((_, k) => k).filter((k) => cells.some((c) => c.column === k));
  const abpc = compared.map((k) => {
    const values = new Array<number>(rows).fill(NaN);
    cells.forEach((cell, n) => {
      if (cell.column === k) values[cell.row] = flipScores(curves[n]).abpc;
    });
    return values;
  });
  const v = abpcVerdict(score, compared.map((k) => names[k]), abpc);
  const column = (i: number) => compared[i];
  return { sentence: v.sentence, images: v.images, enough: v.enough, leader: v.leader === null ? null : column(v.leader), tied: v.tied.map(column), worse: v.worse.map(column) };
}

/** How many rows the section evaluates: those with at least one map. */
export function evaluatedImages(rows: Array<RowMaps | undefined>): number {
  return rows.filter((r) => r && r.maps.some(Boolean)).length;
}

/** The randomisation check's x axis: "trained", then each step's added layer, top first. */
export function randomisationStepNames(evaluation: Pick<RandomisationEvaluation, 'steps'>): string[] {
  return evaluation.steps.map((step) => (step.layer === null ? 'trained' : `+${step.layer}`));
}

/** Per figure column, the mean ρ of |R| per step; `methodColumns[k]` is the column of the check's method k. */
export function randomisationColumns(columns: number, methodColumns: number[], evaluation: Pick<RandomisationEvaluation, 'summary'>): Array<number[] | null> {
  const out: Array<number[] | null> = Array.from({ length: columns }, () => null);
  evaluation.summary.forEach((s, k) => (out[methodColumns[k]] = s.images ? s.spearmanAbs : null));
  return out;
}
