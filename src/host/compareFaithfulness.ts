// The comparison's Faithfulness section, host side and pure (no `vscode`, unit-tested): the pixel-flip job
// of the maps the figure already holds (no second explain), and the section's numbers from the curves it
// returns, per figure column: AOPC MoRF / LeRF and ABPC as METHODS.md defines them (scores.ts, the same
// functions `evaluateFaithfulness` uses), means over the figure's images, and the mean MoRF curve; and
// the randomisation check's summary mapped onto the figure's columns.
import type { RandomisationEvaluation } from '../engine/evaluate/randomisation';
import { flipScores, meanCurve, meanScores, type FlipCurves } from '../engine/evaluate/scores';
import { DEFAULT_FLIP_STEPS } from '../engine/evaluate/perturbation';
import type { ModelRef, PixelFlipJob } from '../protocol/engineJobs';
import type { FaithfulnessColumn } from '../protocol/faithfulnessView';

/** What one row of the figure keeps for the section: the model input and, per column, its map. */
export interface RowMaps {
  /** The 8-bit model input (PreparedImage.pixels), h·w·c. */
  pixels: Uint8Array;
  /** h·w */
  pixelCount: number;
  /** Per figure column: the map and the class it explains; undefined where the cell failed. */
  maps: Array<{ relevance: Float32Array; target: number } | undefined>;
}

/** K for the figure: the one asked for (default 20), at most H·W of its smallest image (a step per pixel). */
export function flipSteps(rows: Array<RowMaps | undefined>, wanted = DEFAULT_FLIP_STEPS): number {
  const smallest = Math.min(...rows.flatMap((r) => (r ? [r.pixelCount] : [])));
  return Number.isFinite(smallest) ? Math.min(wanted, smallest) : wanted;
}

/** The pixel-flip job of every map the figure shows, row-major; `cells` says whose curve is whose. */
export function figureFlipJob(model: ModelRef, rows: Array<RowMaps | undefined>, steps: number): { job: PixelFlipJob; cells: Array<{ row: number; column: number }> } {
  const images: Uint8Array[] = [];
  const items: PixelFlipJob['items'] = [];
  const cells: Array<{ row: number; column: number }> = [];
  rows.forEach((row, r) => {
    if (!row || row.maps.every((m) => !m)) return;
    const image = images.push(row.pixels) - 1;
    row.maps.forEach((map, column) => {
      if (!map) return;
      items.push({ image, relevance: map.relevance, target: map.target });
      cells.push({ row: r, column });
    });
  });
  return { job: { type: 'pixel-flip', model, images, items, steps }, cells };
}

/** Per column, the means of its cells' scores and their mean MoRF curve; null for a column without maps. */
export function faithfulnessColumns(columns: number, cells: Array<{ column: number }>, curves: FlipCurves[]): Array<FaithfulnessColumn | null> {
  return Array.from({ length: columns }, (_, column) => {
    const mine = curves.filter((_, n) => cells[n].column === column);
    if (!mine.length) return null;
    return { ...meanScores(mine.map(flipScores)), images: mine.length, meanMorf: meanCurve(mine.map((c) => c.morf)) };
  });
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
