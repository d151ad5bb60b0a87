// What a grid cell says under its thumbnail: its index and, once predicted, the verdict "✓dog 99%" or
// "cat→dog 58%" (label → prediction, confidence). Classes are named when names exist (the prediction by
// the model's labels, the truth by the file's own class names: CIFAR meta, class folders), numbers
// otherwise; a name too long for the cell is cut with "…" and the tooltip and the screen reader get the
// whole text. A cut name keeps at least its unique prefix over all the class names (uniquePrefixes), so
// "sq…" and "st…" never both read "s…": an abbreviation names one class. When the names still do not fit
// at those prefixes, the confidence moves up to the index line, and last the truth goes to the tooltip
// ("→star…" says what was predicted). Pure: `fits` says whether a text fits the caption (the view
// measures it on a canvas).

/** The label value the host gives a file class that is no class of the model (classMatch.ts NO_CLASS). */
export const NO_MODEL_CLASS = 255;

export interface CaptionSample {
  sample: number;
  /** The file's own label value; null without labels. */
  fileLabel: number | null;
  /** That label as the model's class (NO_MODEL_CLASS when the model has none); null without labels. */
  label: number | null;
  /** The predicted class, null until predicted. */
  predicted: number | null;
  confidence: number;
  wrong: boolean;
  /** Why the sample could not be read, if it could not. */
  unreadable?: string;
}

export interface CaptionNames {
  /** The model's class names (index = class); may be empty or only "0", "1", … */
  model: readonly string[];
  /** The file's class names (index = the file's label value), if it has them. */
  file?: readonly string[];
}

export interface CellCaption {
  /** The first line: "#12", with the confidence when the names need the whole second line ("#12 · 58%"). */
  index: string;
  verdict: string;
  /** The tooltip: the whole text, names uncut. */
  title: string;
  ariaLabel: string;
}

/** The true class's name: the file's own, else the model's class it was matched to, else its number. */
export function truthName(fileLabel: number, label: number, names: CaptionNames): string {
  return names.file?.[fileLabel] ?? (label !== NO_MODEL_CLASS ? names.model[label] : undefined) ?? String(fileLabel);
}

export function predictedName(predicted: number, names: CaptionNames): string {
  return names.model[predicted] ?? String(predicted);
}

export function cellCaption(s: CaptionSample, names: CaptionNames, fits: (text: string) => boolean): CellCaption {
  const truth = s.fileLabel === null || s.label === null ? null : truthName(s.fileLabel, s.label, names);
  const predicted = s.predicted === null ? null : predictedName(s.predicted, names);
  const percent = s.predicted === null ? '' : `${Math.round(100 * s.confidence)}%`;
  const prefixes = uniquePrefixesOf(names);
  const floor = (name: string) => prefixes.get(name.toLowerCase()) ?? Array.from(name).length;
  // Each way of saying it, most complete first: [verdict names, verdict text, confidence on the index line].
  type Way = [string[], (cut: string[]) => string, boolean];
  let ways: Way[] = [];
  if (predicted === null) ways = truth === null ? [] : [[[truth], ([t]) => t, false]];
  else if (s.wrong && truth !== null)
    ways = [
      [[truth, predicted], ([t, p]) => `${t}→${p} ${percent}`, false],
      [[truth, predicted], ([t, p]) => `${t}→${p}`, true],
      [[predicted], ([p]) => `→${p}`, true],
    ];
  else {
    const tick = truth === null ? '' : '✓';
    ways = [
      [[predicted], ([p]) => `${tick}${p} ${percent}`, false],
      [[predicted], ([p]) => `${tick}${p}`, true],
    ];
  }
  let verdict = '';
  let percentUp = false;
  for (const [way, [shown, text, up]] of ways.entries()) {
    const fitted = fitNames(shown, text, fits, shown.map(floor));
    [verdict, percentUp] = [fitted.text, up];
    if (fitted.fits || way === ways.length - 1) break;
  }

  const parts = [`Sample ${s.sample}`];
  if (truth !== null) parts.push(`label ${truth}`);
  if (predicted !== null) parts.push(`predicted ${predicted} with ${percent} confidence`);
  if (s.wrong) parts.push('misclassified');
  if (s.unreadable !== undefined) parts.push('unreadable file');

  const said = [truth === null ? '' : `label ${truth}`, predicted === null ? '' : `predicted ${predicted} (${percent})`, s.wrong ? 'misclassified' : ''].filter(Boolean);
  const title = `#${s.sample}${said.length ? `: ${said.join(', ')}` : ''}${s.unreadable === undefined ? '' : ` (unreadable: ${s.unreadable})`}`;
  const index = `#${s.sample}${s.unreadable === undefined ? '' : ' ⚠'}${percentUp ? ` · ${percent}` : ''}`;
  return { index, verdict, title, ariaLabel: parts.join(', ') };
}

/**
 * `text(names)` with the names cut until it fits: always the longest name loses a character (its end
 * becoming "…"), so two names share the room; a name keeps at least `floors[k]` characters (its unique
 * prefix; at least one) and its "…". `fits`: whether the text returned fits (false when the floors stop it).
 */
export function fitNames(names: string[], text: (names: string[]) => string, fits: (text: string) => boolean, floors: number[] = []): { text: string; fits: boolean } {
  const chars = names.map((n) => Array.from(n));
  const keep = chars.map((c) => c.length);
  const least = chars.map((c, k) => Math.max(1, floors[k] ?? 1));
  const cut = () => chars.map((c, k) => (keep[k] >= c.length ? c.join('') : c.slice(0, keep[k]).join('') + '…'));
  let shown = text(cut());
  while (!fits(shown)) {
    // The longest as shown ("aut…" is 4); on a tie the one already cut, so a whole name stays whole.
    const shownLength = (k: number) => keep[k] + (keep[k] < chars[k].length ? 1 : 0);
    let longest = -1;
    for (let k = 0; k < keep.length; k++) {
      // A name of one or two characters is no shorter cut ("a…"); nor is one at its unique prefix, or one
      // whose cut ("squ…", 4) would be no shorter than it is ("squa").
      const next = keep[k] === chars[k].length ? keep[k] - 2 : keep[k] - 1;
      if (next < least[k]) continue;
      if (longest < 0 || shownLength(k) > shownLength(longest) || (shownLength(k) === shownLength(longest) && keep[k] < chars[k].length)) longest = k;
    }
    if (longest < 0) return { text: shown, fits: false };
    // A name about to be cut loses two characters at once: one for its "…".
    keep[longest] -= keep[longest] === chars[longest].length ? 2 : 1;
    keep[longest] = Math.max(least[longest], keep[longest]);
    shown = text(cut());
  }
  return { text: shown, fits: true };
}

/**
 * For each class name (lower-cased), how many characters tell it from every other name: the shortest
 * prefix no other name starts with, ignoring case ("square" 2 and "star" 2 beside "circle"). A name that
 * begins another ("cat" in "cattle") or repeats one (ImageNet's two "crane"s) has no such prefix and is
 * never cut (its length).
 */
export function uniquePrefixes(labels: readonly string[]): Map<string, number> {
  const distinct = [...new Set(labels.map((l) => l.toLowerCase()))].map((l) => Array.from(l)).sort((a, b) => (a.join('') < b.join('') ? -1 : 1));
  const shared = (a: string[], b: string[] | undefined) => {
    if (!b) return 0;
    let n = 0;
    while (n < a.length && n < b.length && a[n] === b[n]) n++;
    return n;
  };
  // Sorted, a name's longest common prefix with any other is with a neighbour.
  const prefixes = new Map<string, number>();
  distinct.forEach((name, i) => {
    const common = Math.max(shared(name, distinct[i - 1]), shared(name, distinct[i + 1]));
    prefixes.set(name.join(''), Math.min(name.length, common + 1));
  });
  return prefixes;
}

/** The unique prefixes of the model's and the file's names together (kept for the last names asked: a grid
 *  paints many cells with the same names). */
let lastPrefixes: { key: string; prefixes: Map<string, number> } | undefined;
function uniquePrefixesOf(names: CaptionNames): Map<string, number> {
  const all = [...names.model, ...(names.file ?? [])];
  const key = all.join('\u0000');
  if (lastPrefixes?.key !== key) lastPrefixes = { key, prefixes: uniquePrefixes(all) };
  return lastPrefixes.prefixes;
}
