// Method titles with real subscripts (LRP-α₂β₁): as text for screen readers and file names, as DOM with
// <sub>, and as measured "runs" the figure canvas can wrap and draw with smaller, lowered subscripts.
import type { MethodTitle } from '../src/protocol/methodTitle';
import { el } from './dom';

/** Subscripts are drawn at this fraction of the font size ... */
export const SUB_SCALE = 0.72;
/** ... and lowered by this fraction of the font size. */
export const SUB_DROP = 0.28;

/** The title as inline DOM: text nodes and <sub> elements. */
export function titleNodes(title: MethodTitle): Node[] {
  return title.map((part) => (part.sub ? el('sub', { text: part.text }) : document.createTextNode(part.text)));
}

/** Width of a string in CSS pixels at a font size (and weight) — the canvas supplies the real one. */
export type TextMeasure = (text: string, fontSize: number, bold: boolean) => number;

/** Width of a title line, subscripts measured at their smaller size. */
export function titleWidth(title: MethodTitle, fontSize: number, bold: boolean, measure: TextMeasure): number {
  let width = 0;
  for (const part of title) width += measure(part.text, part.sub ? fontSize * SUB_SCALE : fontSize, bold);
  return width;
}

/**
 * Splits a title into words at spaces (a subscript belongs to the word it follows, so "α" + "1.2" stays
 * together) and fills lines greedily up to `maxWidth`. A word wider than `maxWidth` gets a line of its own.
 */
export function wrapTitle(
  title: MethodTitle,
  maxWidth: number,
  fontSize: number,
  bold: boolean,
  measure: TextMeasure,
): MethodTitle[] {
  const words: MethodTitle[] = [];
  let current: MethodTitle = [];
  for (const part of title) {
    if (part.sub) {
      current.push(part);
      continue;
    }
    const pieces = part.text.split(' ');
    pieces.forEach((piece, i) => {
      if (i > 0) {
        if (current.length) words.push(current);
        current = [];
      }
      if (piece) current.push({ text: piece });
    });
  }
  if (current.length) words.push(current);

  const lines: MethodTitle[] = [];
  let line: MethodTitle = [];
  for (const word of words) {
    const candidate: MethodTitle = line.length ? [...line, { text: ' ' }, ...word] : word;
    if (line.length && titleWidth(candidate, fontSize, bold, measure) > maxWidth) {
      lines.push(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  if (line.length) lines.push(line);
  return lines.map(mergeAdjacent);
}

/** Joins neighbouring parts of the same kind ("Simple", " ", "Taylor" → "Simple Taylor"). */
function mergeAdjacent(line: MethodTitle): MethodTitle {
  const merged: MethodTitle = [];
  for (const part of line) {
    const last = merged[merged.length - 1];
    if (last && Boolean(last.sub) === Boolean(part.sub)) last.text += part.text;
    else merged.push(part.sub ? { text: part.text, sub: true } : { text: part.text });
  }
  return merged;
}
