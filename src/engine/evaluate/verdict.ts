// "Which map can I trust?" in numbers and one sentence. From each method's score on the same images (e.g.
// ABPC per image), the verdict takes per method the mean ± standard error, compares every pair of methods
// over the same images with the paired Wilcoxon signed-rank test, adjusts the p-values for the number of
// pairs (Holm), and says: the method with the highest mean, which methods cannot be told apart from it
// (adjusted p ≥ 0.05) and which are worse (adjusted p < 0.05). Below MIN_VERDICT_IMAGES images it gives
// the numbers but no verdict: the exact two-sided p of 5 paired images cannot go below 1/16.
import { holm, meanWithError, pairedWilcoxon, type MeanWithError } from './statistics';

/** Fewer images than this: no verdict, only the numbers (and a request for more images). */
export const MIN_VERDICT_IMAGES = 5;
/** A method is worse than the leader when its Holm-adjusted p is below this. */
export const SIGNIFICANCE = 0.05;

export interface VerdictInput {
  /** What the values are, as the sentence names it ("ABPC", "ROAD ABPC"). */
  score: string;
  /** Per method: its name in the sentence and its score per image, every method over the same images in
   *  the same order (NaN where a method has no score for an image: that image is left out for all). */
  methods: Array<{ name: string; values: readonly number[] }>;
}

export interface MethodStanding extends MeanWithError {
  name: string;
}

export interface PairComparison {
  /** Indices into `methods`; a has the higher mean. */
  a: number;
  b: number;
  /** Mean of a − b over the images. */
  difference: number;
  pValue: number;
  /** Holm-adjusted over all pairs. */
  adjusted: number;
  method: 'exact' | 'normal';
}

export interface Verdict {
  score: string;
  /** Images every method has a score for (the paired comparisons' n). */
  images: number;
  /** Per method in the order given: mean ± standard error over those images. */
  methods: MethodStanding[];
  /** Every pair once, the better mean first. */
  pairs: PairComparison[];
  /** The method with the highest mean (null without methods or images). */
  leader: number | null;
  /** Methods not distinguishable from the leader (adjusted p ≥ SIGNIFICANCE), by mean, best first. */
  tied: number[];
  /** Methods worse than the leader, by mean, best first. */
  worse: number[];
  /** Enough images for a verdict (MIN_VERDICT_IMAGES). */
  enough: boolean;
  sentence: string;
}

export function verdictOf(input: VerdictInput): Verdict {
  const complete = completeImages(input.methods.map((m) => m.values));
  const values = input.methods.map((m) => complete.map((i) => m.values[i]));
  const methods = input.methods.map((m, k) => ({ name: m.name, ...meanWithError(values[k]) }));
  const raw: Array<Omit<PairComparison, 'adjusted'>> = [];
  for (let i = 0; i < methods.length; i++) {
    for (let j = i + 1; j < methods.length; j++) {
      const [a, b] = methods[i].mean >= methods[j].mean ? [i, j] : [j, i];
      const test = pairedWilcoxon(values[a], values[b]);
      raw.push({ a, b, difference: methods[a].mean - methods[b].mean, pValue: test.pValue, method: test.method });
    }
  }
  const adjusted = holm(raw.map((p) => p.pValue));
  const pairs = raw.map((p, n) => ({ ...p, adjusted: adjusted[n] }));
  const byMean = methods.map((_, k) => k).sort((x, y) => methods[y].mean - methods[x].mean || x - y);
  const leader = complete.length && methods.length ? byMean[0] : null;
  const pairWith = (k: number) => pairs.find((p) => (p.a === leader && p.b === k) || (p.b === leader && p.a === k))!;
  const others = leader === null ? [] : byMean.slice(1);
  const tied = others.filter((k) => pairWith(k).adjusted >= SIGNIFICANCE);
  const worse = others.filter((k) => pairWith(k).adjusted < SIGNIFICANCE);
  const verdict = { score: input.score, images: complete.length, methods, pairs, leader, tied, worse, enough: complete.length >= MIN_VERDICT_IMAGES };
  return { ...verdict, sentence: verdictSentence(verdict) };
}

/** The indices of the images where every method has a finite score. */
function completeImages(values: Array<readonly number[]>): number[] {
  const count = Math.min(...values.map((v) => v.length));
  if (!Number.isFinite(count)) return [];
  return Array.from({ length: count }, (_, i) => i).filter((i) => values.every((v) => Number.isFinite(v[i])));
}

/** The verdict in one sentence (the panel and the CLI print it as it is). */
export function verdictSentence(v: Omit<Verdict, 'sentence'>): string {
  const these = `${v.images} image${v.images === 1 ? '' : 's'}`;
  if (v.leader === null) return 'No verdict: no image has a score for every method.';
  const best = v.methods[v.leader];
  const bestText = `${best.name} (${v.score} ${formatMeanWithError(best)})`;
  if (!v.enough) {
    return `A verdict needs at least ${MIN_VERDICT_IMAGES} images (there ${v.images === 1 ? 'is' : 'are'} ${v.images}): add images, for example dataset samples. Highest mean so far: ${bestText}.`;
  }
  if (v.methods.length === 1) return `Only one method on these ${these}: ${bestText}; nothing to compare it with.`;
  const names = (ks: number[]) => listText(ks.map((k) => v.methods[k].name));
  const pOf = (k: number) => v.pairs.find((p) => (p.a === v.leader && p.b === k) || (p.b === v.leader && p.a === k))!.adjusted;
  if (v.worse.length === 0) {
    const rest = v.tied.length === 1 ? `${names(v.tied)} is not` : `none of the other ${v.tied.length} methods is`;
    return `No method is clearly most faithful on these ${these}: ${bestText} has the highest mean, but ${rest} distinguishable from it.`;
  }
  const parts = [`Most faithful on these ${these}: ${bestText}`];
  if (v.tied.length) parts.push(`${names(v.tied)} ${v.tied.length === 1 ? 'is' : 'are'} not distinguishable from it`);
  const bound = pBound(Math.max(...v.worse.map(pOf)));
  const worseText = v.tied.length === 0 && v.worse.length > 2 ? `the other ${v.worse.length} methods are` : `${names(v.worse)} ${v.worse.length === 1 ? 'is' : 'are'}`;
  parts.push(`${worseText} worse (${bound})`);
  return `${parts.join('; ')}.`;
}

/** "4.2 ± 0.8": the mean to the decimal of the standard error's first digit (3 significant digits without one). */
export function formatMeanWithError({ mean, standardError }: Pick<MeanWithError, 'mean' | 'standardError'>): string {
  if (!Number.isFinite(standardError) || standardError <= 0) return minus(Number.isFinite(mean) ? String(Number(mean.toPrecision(3))) : '–');
  const decimals = Math.min(6, Math.max(0, -Math.floor(Math.log10(standardError))));
  return `${minus(mean.toFixed(decimals))} ± ${standardError.toFixed(decimals)}`;
}

/** The smallest of the usual bounds that an adjusted p lies under: "p < 0.001", "p < 0.01", "p < 0.05". */
export function pBound(p: number): string {
  for (const bound of [0.001, 0.01]) if (p < bound) return `p < ${bound}`;
  return `p < ${SIGNIFICANCE}`;
}

/** "A", "A and B", "A, B and C". */
function listText(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function minus(text: string): string {
  return text.replace(/^-(?=\d*\.?\d*[1-9])/, '−').replace(/^-/, '');
}
