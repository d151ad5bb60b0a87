// The numbers of pixel flipping (METHODS.md): for a curve [f_c(x₀) … f_c(x_K)],
// AOPC = 1/(K+1) · Σ_k (f_c(x₀) − f_c(x_k)), for MoRF and for LeRF; ABPC = AOPC_MoRF − AOPC_LeRF.
// Higher MoRF AOPC and higher ABPC mean a more faithful map. Sums in double precision.

export interface FlipCurves {
  /** K+1 target logits, most relevant pixels removed first. */
  morf: number[];
  /** K+1 target logits, least relevant pixels removed first. */
  lerf: number[];
}

export interface FlipScores {
  aopcMorf: number;
  aopcLerf: number;
  abpc: number;
}

/** Area over the perturbation curve: the mean drop of the score below its unperturbed value. */
export function aopc(curve: readonly number[]): number {
  if (curve.length === 0) throw new Error('aopc of an empty curve');
  let total = 0;
  for (const value of curve) total += curve[0] - value;
  return total / curve.length;
}

export function flipScores(curves: FlipCurves): FlipScores {
  const aopcMorf = aopc(curves.morf);
  const aopcLerf = aopc(curves.lerf);
  return { aopcMorf, aopcLerf, abpc: aopcMorf - aopcLerf };
}

/** The mean of each score over several images' results (all NaN when there are none). */
export function meanScores(scores: readonly FlipScores[]): FlipScores {
  const mean = (key: keyof FlipScores) => scores.reduce((total, s) => total + s[key], 0) / scores.length;
  return { aopcMorf: mean('aopcMorf'), aopcLerf: mean('aopcLerf'), abpc: mean('abpc') };
}

/** Pointwise mean of equally long curves, e.g. the mean MoRF curve of a method over images. */
export function meanCurve(curves: readonly (readonly number[])[]): number[] {
  if (curves.length === 0) return [];
  const mean = new Array<number>(curves[0].length).fill(0);
  for (const curve of curves) curve.forEach((v, k) => (mean[k] += v / curves.length));
  return mean;
}
