// What the comparison's "Faithfulness" section shows (issue 13): pixel flipping of the maps the figure
// already holds (AOPC MoRF / LeRF, ABPC and the mean MoRF curve per column), and on request the model
// randomisation check (mean Spearman ρ of |R| per column against the number of re-drawn layers). Plain
// numbers: the host computes them on the worker pool, the webview lays them out and draws them.

/** Where an evaluation stands: running (progress moves), done, cancelled (what ran is dropped) or failed. */
export type EvaluationStatus = 'running' | 'done' | 'cancelled' | 'failed';

export interface EvaluationProgress {
  done: number;
  total: number;
}

/** One column's pixel-flipping numbers, means over the images of the figure that have a map in it. */
export interface FaithfulnessColumn {
  aopcMorf: number;
  aopcLerf: number;
  abpc: number;
  /** How many images the means are over. */
  images: number;
  /** The mean MoRF curve: K+1 target logits, x = 0, 1/K, …, 1 of the pixels removed. */
  meanMorf: number[];
}

export interface FaithfulnessView {
  status: EvaluationStatus;
  /** K: the curve has K+1 points, ⌊k·H·W/K⌋ pixels removed at step k. */
  steps: number;
  /** Images of the figure that are evaluated (rows with a readable image). */
  images: number;
  /** Maps flipped of all (one per image × column). */
  progress: EvaluationProgress;
  /** Per figure column; null where the column has no map (its spec failed). Empty until done. */
  columns: Array<FaithfulnessColumn | null>;
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
