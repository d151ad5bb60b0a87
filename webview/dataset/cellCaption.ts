// What a grid cell says under its thumbnail: its index and, once predicted, the verdict "✓dog 99%" or
// "cat→dog 58%" (label → prediction, confidence). Classes are named when names exist (the prediction by
// the model's labels, the truth by the file's own class names: CIFAR meta, class folders), numbers
// otherwise; a name too long for the cell is cut with "…" and the tooltip and the screen reader get the
// whole text. Pure: `fits` says whether a text fits the caption (the view measures it on a canvas).

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
  let verdict = '';
  if (predicted === null) verdict = truth === null ? '' : fitNames([truth], ([t]) => t, fits);
  else if (s.wrong && truth !== null) verdict = fitNames([truth, predicted], ([t, p]) => `${t}→${p} ${percent}`, fits);
  else verdict = fitNames([predicted], ([p]) => `${truth === null ? '' : '✓'}${p} ${percent}`, fits);

  const parts = [`Sample ${s.sample}`];
  if (truth !== null) parts.push(`label ${truth}`);
  if (predicted !== null) parts.push(`predicted ${predicted} with ${percent} confidence`);
  if (s.wrong) parts.push('misclassified');
  if (s.unreadable !== undefined) parts.push('unreadable file');

  const said = [truth === null ? '' : `label ${truth}`, predicted === null ? '' : `predicted ${predicted} (${percent})`, s.wrong ? 'misclassified' : ''].filter(Boolean);
  const title = `#${s.sample}${said.length ? `: ${said.join(', ')}` : ''}${s.unreadable === undefined ? '' : ` (unreadable: ${s.unreadable})`}`;
  return { index: s.unreadable === undefined ? `#${s.sample}` : `#${s.sample} ⚠`, verdict, title, ariaLabel: parts.join(', ') };
}

/**
 * `text(names)` with the names cut until it fits: always the longest name loses a character (its end
 * becoming "…"), so two names share the room; a name keeps at least one character and its "…".
 */
export function fitNames(names: string[], text: (names: string[]) => string, fits: (text: string) => boolean): string {
  const chars = names.map((n) => Array.from(n));
  const keep = chars.map((c) => c.length);
  const cut = () => chars.map((c, k) => (keep[k] >= c.length ? c.join('') : c.slice(0, keep[k]).join('') + '…'));
  let shown = text(cut());
  while (!fits(shown)) {
    // The longest as shown ("aut…" is 4); on a tie the one already cut, so a whole name stays whole.
    const shownLength = (k: number) => keep[k] + (keep[k] < chars[k].length ? 1 : 0);
    let longest = -1;
    for (let k = 0; k < keep.length; k++) {
      // A name of one or two characters is no shorter cut ("a…").
      const cuttable = keep[k] > 1 && (keep[k] < chars[k].length || chars[k].length > 2);
      if (!cuttable) continue;
      if (longest < 0 || shownLength(k) > shownLength(longest) || (shownLength(k) === shownLength(longest) && keep[k] < chars[k].length)) longest = k;
    }
    if (longest < 0) break;
    // A name about to be cut loses two characters at once: one for its "…".
    keep[longest] -= keep[longest] === chars[longest].length ? 2 : 1;
    keep[longest] = Math.max(1, keep[longest]);
    shown = text(cut());
  }
  return shown;
}
