// The single-heatmap export as a figure: the method and class above the map, the map at its drawn size,
// the colour bar under it with its end labels, and the scale the bar ends at. Pure layout (like
// layout.ts for the comparison): positioned text runs and rectangles, drawn by the webview on a canvas.
import type { MethodTitle } from '../../protocol/methodTitle';
import { R_NEGATIVE, R_POSITIVE, type Rect } from './layout';
import { fitText, placeTitle, titleWidth, wrapTitle, type TextMeasure, type TextRun } from './titleText';

export interface HeatmapFigureText {
  /** The map's size in px (as drawn in the panel: the model input at a whole multiple). */
  mapWidth: number;
  mapHeight: number;
  /** The method ("LRP-α2β1", with subscripts) and what the map explains ("class 7", "why 7 and not 1?"). */
  method: MethodTitle;
  what: string;
  /** The scale line: "colour bar ends at ±0.0612 (99.5th percentile of |R|)". */
  scale: string;
  /** A map without negative values uses only the upper half of the colour map: its bar starts at 0. */
  nonNegative: boolean;
}

export interface HeatmapFigureLayout {
  width: number;
  height: number;
  map: Rect;
  bar: Rect;
  /** The part of the colour map the bar shows, t from `from` to `to`. */
  barFrom: number;
  barTo: number;
  /** `muted`: secondary text (the scale line). */
  texts: TextRun[];
}

/** The figure laid out around a map of the given size; text sizes follow the map's (14 px for 280 px). */
export function layoutHeatmapFigure(spec: HeatmapFigureText, measure: TextMeasure): HeatmapFigureLayout {
  const side = Math.max(spec.mapWidth, spec.mapHeight);
  const size = Math.min(20, Math.max(11, Math.round(side / 20)));
  const small = Math.round(size * 0.86 * 2) / 2;
  const margin = Math.max(10, Math.round(size * 0.9));
  const gap = Math.round(size * 0.6);
  const line = (s: number) => Math.ceil(s * 1.3);
  const ascent = (s: number) => Math.ceil(s * measure.ascent);
  // At least wide enough for the bar's three labels side by side, and for a title of up to 320 px on one line.
  const title: MethodTitle = [...spec.method, { text: ` · ${spec.what}` }];
  const labelWidths = [R_NEGATIVE, [{ text: '0' }], R_POSITIVE].map((t) => titleWidth(t, small, measure));
  const innerWidth = Math.max(spec.mapWidth, Math.ceil(labelWidths.reduce((a, b) => a + b, 0) + 4 * gap), Math.min(320, Math.ceil(titleWidth(title, size, measure))));
  const width = innerWidth + 2 * margin;
  const texts: TextRun[] = [];
  let y = margin;

  // Title: the method, then " · class 7", wrapped at spaces to the figure's width, centred.
  for (const titleLine of wrapTitle(title, innerWidth, size, measure)) {
    const lineWidth = titleWidth(titleLine, size, measure);
    texts.push(...placeTitle(titleLine, margin + (innerWidth - lineWidth) / 2, y + ascent(size), size, measure));
    y += line(size);
  }
  y += gap;

  const map: Rect = { x: margin + Math.round((innerWidth - spec.mapWidth) / 2), y, width: spec.mapWidth, height: spec.mapHeight };
  y += spec.mapHeight + gap;

  const bar: Rect = { x: margin, y, width: innerWidth, height: Math.max(8, Math.round(size * 0.7)) };
  y += bar.height + 3;
  const labelBaseline = y + ascent(small);
  const labels: Array<[MethodTitle, 'start' | 'center' | 'end']> = spec.nonNegative
    ? [
        [[{ text: '0' }], 'start'],
        [R_POSITIVE, 'end'],
      ]
    : [
        [R_NEGATIVE, 'start'],
        [[{ text: '0' }], 'center'],
        [R_POSITIVE, 'end'],
      ];
  for (const [label, align] of labels) {
    const w = titleWidth(label, small, measure);
    const x = align === 'start' ? bar.x : align === 'end' ? bar.x + bar.width - w : bar.x + (bar.width - w) / 2;
    texts.push(...placeTitle(label, x, labelBaseline, small, measure));
  }
  y += line(small);

  // The scale, muted, wrapped at spaces to the width (a word wider than that is cut).
  for (const scaleLine of wrapTitle([{ text: spec.scale }], innerWidth, small, measure)) {
    texts.push({ text: fitText(scaleLine.map((p) => p.text).join(''), innerWidth, small, measure), x: margin, y: y + ascent(small), size: small, muted: true });
    y += line(small);
  }

  return { width, height: Math.ceil(y + margin - gap), map, bar, barFrom: spec.nonNegative ? 0.5 : 0, barTo: 1, texts };
}
