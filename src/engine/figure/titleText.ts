// Text in the figures: what layout needs to know about a font (TextMeasure: opentype.js measures it for
// the PNG renderer, a canvas for the webview), titles with real subscripts (LRP-α₁.₂β₀.₂ as 'LRP-α' +
// small lowered '1.2' + ...), word wrapping, shortening, and placement as positioned runs of one size each,
// which the PNG renderer and a canvas draw alike.
import { titleText, type MethodTitle } from '../../protocol/methodTitle';

/** What layout needs to know about text: widths and vertical extent, both scaling with the size. */
export interface TextMeasure {
  /** Advance width of `text` at `size` px, kerning included. */
  width(text: string, size: number): number;
  /** Distance from the baseline up to the top of the tallest glyphs, per px of size. */
  ascent: number;
  /** Distance from the baseline down to the bottom of descenders, per px of size (positive). */
  descent: number;
}

/** Subscripts are drawn at this fraction of the font size ... */
export const SUB_SCALE = 0.72;
/** ... with their baseline lowered by this fraction of the font size. */
export const SUB_DROP = 0.28;

/** A piece of text at one size: `(x, y)` is the start of its baseline. */
export interface TextRun {
  text: string;
  x: number;
  y: number;
  size: number;
  /** Turned 90° counter-clockwise: reads bottom to top, the baseline going up from (x, y). */
  rotated?: boolean;
  /** Secondary text (labels, captions, subtitles): a canvas draws it in the theme's muted colour. */
  muted?: boolean;
}

export function titleWidth(title: MethodTitle, size: number, measure: TextMeasure): number {
  let width = 0;
  for (const part of title) width += measure.width(part.text, part.sub ? size * SUB_SCALE : size);
  return width;
}

/** An arrow between operands ("7 → 1"): it is never left at a line's end or alone on a line. */
export const ARROW = '→';

/**
 * Splits a title at spaces into words; a word keeps its subscripts ('LRP-α1.2β0.2' is one word), and an
 * arrow standing alone is kept with the word after it ("→ 1"), so a wrap breaks before the arrow and the
 * arrow leads the next line, pointing at its operand.
 */
export function titleWords(title: MethodTitle): MethodTitle[] {
  const words: MethodTitle[] = [[]];
  for (const part of title) {
    part.text.split(' ').forEach((piece, i) => {
      if (i > 0) words.push([]);
      if (piece) words[words.length - 1].push({ text: piece, sub: part.sub });
    });
  }
  const glued: MethodTitle[] = [];
  for (const word of words.filter((w) => w.length > 0)) {
    const previous = glued[glued.length - 1];
    if (previous && titleText(previous).endsWith(ARROW)) glued[glued.length - 1] = [...previous, { text: ' ' }, ...word];
    else glued.push(word);
  }
  return glued;
}

/** Greedy word wrap into lines no wider than `maxWidth` (a single word wider than that gets its own line). */
export function wrapTitle(title: MethodTitle, maxWidth: number, size: number, measure: TextMeasure): MethodTitle[] {
  const lines: MethodTitle[] = [];
  for (const word of titleWords(title)) {
    const line = lines[lines.length - 1];
    const joined: MethodTitle | undefined = line && [...line, { text: ' ' }, ...word];
    if (joined && titleWidth(joined, size, measure) <= maxWidth) lines[lines.length - 1] = joined;
    else lines.push(word);
  }
  return lines;
}

/** The runs of one line whose baseline starts at (x, y). */
export function placeTitle(title: MethodTitle, x: number, y: number, size: number, measure: TextMeasure): TextRun[] {
  const runs: TextRun[] = [];
  let pen = x;
  for (const part of title) {
    const partSize = part.sub ? size * SUB_SCALE : size;
    runs.push({ text: part.text, x: pen, y: part.sub ? y + size * SUB_DROP : y, size: partSize });
    pen += measure.width(part.text, partSize);
  }
  return runs;
}

/** `text`, shortened with "…" until it is at most `maxWidth` wide at `size`. */
export function fitText(text: string, maxWidth: number, size: number, measure: TextMeasure): string {
  if (measure.width(text, size) <= maxWidth) return text;
  let cut = text.length;
  while (cut > 1 && measure.width(text.slice(0, cut) + '…', size) > maxWidth) cut--;
  // "7 (88.6%) →…" would point at nothing: the cut goes before the arrow.
  const kept = text.slice(0, cut).trimEnd();
  const beforeArrow = kept.endsWith(ARROW) ? kept.slice(0, -ARROW.length).trimEnd() : kept;
  return (beforeArrow || kept) + '…';
}
