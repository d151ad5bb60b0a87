// How the panels write faithfulness numbers (AOPC, ABPC, Spearman ρ): shared by the comparison's
// Faithfulness section and the dataset browser's "Evaluate Methods", so a score reads the same wherever
// it is shown. A true minus sign (U+2212), never "−0.000"; an undefined value as an en dash.

/** The scores of pixel flipping, in the order the panels list them. */
export const SCORE_NAMES = [
  { key: 'aopcMorf', label: 'AOPC MoRF', help: 'Mean drop of the target logit as the most relevant pixels are removed first (higher: more faithful)' },
  { key: 'aopcLerf', label: 'AOPC LeRF', help: 'Mean drop of the target logit as the least relevant pixels are removed first (lower: more faithful)' },
  { key: 'abpc', label: 'ABPC', help: 'AOPC MoRF − AOPC LeRF: the area between the two curves (higher: more faithful)' },
] as const;

export type ScoreKey = (typeof SCORE_NAMES)[number]['key'];

/** An AOPC or ABPC (in logits): three decimals up to 10,000, then three significant digits with an exponent. */
export function formatScore(x: number): string {
  if (!Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  const text = a >= 1e4 ? x.toExponential(2) : x.toFixed(3);
  return withMinus(/^-0(\.0+)?$/.test(text) ? text.slice(1) : text);
}

/** A correlation in [−1, 1]: two decimals. */
export function formatRho(x: number): string {
  if (!Number.isFinite(x)) return '–';
  const text = x.toFixed(2);
  return withMinus(/^-0\.00$/.test(text) ? text.slice(1) : text);
}

function withMinus(text: string): string {
  return text.replace(/-/g, '−');
}
