// What the comparison's "Faithfulness" section shows (issue 13): pixel flipping of the maps the figure
// already holds (AOPC MoRF / LeRF, ABPC and the mean MoRF curve per column), and on request the model
// randomisation check (mean Spearman ρ of |R| per column against the number of re-drawn layers). Plain
// numbers: the host computes them on the worker pool, the webview lays them out and draws them.
import type { FlipBaseline } from './engineJobs';

/** Where an evaluation stands: running (progress moves), done, cancelled (what ran is dropped) or failed. */
export type EvaluationStatus = 'running' | 'done' | 'cancelled' | 'failed';

export interface EvaluationProgress {
  done: number;
  total: number;
}

/** Scores of one map, or their means: AOPC MoRF / LeRF and ABPC. */
export interface ScoreTriple {
  aopcMorf: number;
  aopcLerf: number;
  abpc: number;
}

/** One measure (pixel flipping or ROAD) over several images: means, their standard errors, the mean MoRF
 *  and LeRF curves and the standard error of each point (the chart's band). */
export interface MeasureSummary extends ScoreTriple {
  /** How many images the means are over. */
  images: number;
  standardErrors: ScoreTriple;
  /** Pixel flipping: K+1 points at 0, 1/K, …, 1 of the units removed; ROAD: K points, 0 … (K−1)/K. */
  meanCurves: { morf: number[]; lerf: number[] };
  curveErrors: { morf: number[]; lerf: number[] };
}

/** One column's numbers, over the images of the figure that have a map in it; ROAD's when it ran. */
export interface FaithfulnessColumn extends MeasureSummary {
  road?: MeasureSummary;
}

/** The verdict of one measure, its methods named by figure column. */
export interface VerdictView {
  sentence: string;
  /** Images with a score in every column compared (the verdict needs 5). */
  images: number;
  enough: boolean;
  /** The column with the highest mean ABPC; the columns not distinguishable from it; those worse. */
  leader: number | null;
  tied: number[];
  worse: number[];
}

export interface FaithfulnessView {
  status: EvaluationStatus;
  /** K: the curve has K+1 points, ⌊k·U/K⌋ units removed at step k. */
  steps: number;
  /** Images of the figure that are evaluated (rows with a readable image). */
  images: number;
  /** Maps flipped of all (one per image × column, twice with ROAD). */
  progress: EvaluationProgress;
  /** Per figure column; null where the column has no map (its spec failed). Empty until done. */
  columns: Array<FaithfulnessColumn | null>;
  /** What pixel flipping puts in place of a removed pixel, and that in the user's terms. */
  baseline: FlipBaseline;
  baselineText: string;
  /** Side of the square patch removed at a time (1: pixels). */
  patch: number;
  /** Whether ROAD runs with pixel flipping (inputs up to 64×64, or asked for). */
  road: boolean;
  /** Rows whose maps are contrastive ("why c and not c′"): their curves score f_c − f_c′. */
  contrastRows: number;
  verdict?: VerdictView;
  roadVerdict?: VerdictView;
  /** Wall time of the evaluation in ms, once done. */
  ms?: number;
  error?: string;
  /** Background work: "paused while the explain panel computes" while other work holds the engine. */
  paused?: string;
}

export interface RandomisationView {
  status: EvaluationStatus;
  /** The re-drawn weights' seed. */
  seed: number;
  images: number;
  /** Point names along x: "trained", then "+<layer>" per step (top layer first). */
  stepNames: string[];
  /** Explain jobs done of all (one per chunk of images and step). */
  progress: EvaluationProgress;
  /** Per figure column: the mean ρ(|R|, |R_s|) per step (NaN where undefined); null: no map. Empty until done. */
  columns: Array<number[] | null>;
  ms?: number;
  error?: string;
  /** As FaithfulnessView.paused. */
  paused?: string;
}
