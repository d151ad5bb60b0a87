// The pixel-flipping chart as pure geometry: one polyline per series (a method's mean MoRF curve, logit
// against the fraction of pixels removed) with an optional shaded band around it (± its standard error),
// axes with nice ticks (d3-array), light grid lines, axis labels and a legend with the methods' titles
// (real subscripts). Named x ticks (the randomisation check's layers) turn upright when they do not fit
// side by side, so every point keeps its name. A function of the spec and a text measure only,
// so the engine's PNG rasterizer (curveChartImage.ts) and a webview canvas draw the same chart: a canvas
// measures with ctx.measureText and takes ascent/descent from the font's metrics.
//
//   target logit                                  ── Sensitivity Analysis
//   8 ┤╲___                                       ── Guided Backprop
//   4 ┤    ╲____                                  ── LRP-α₂β₁
//   0 ┼────────┬────────┬
//     0       0.5       1   fraction of pixels removed (MoRF)
import { nice, tickStep, ticks } from 'd3-array';
import type { MethodTitle } from '../../protocol/methodTitle';
import { fitText, placeTitle, titleWidth, type TextMeasure, type TextRun } from './titleText';

export interface CurveChartSpec {
  /** Each series has its values at x = 0, 1/K, …, 1 (K+1 values, K ≥ 1). */
  series: Array<{ title: MethodTitle; values: readonly number[]; band?: readonly number[] }>;
  /** The x of the last value (default 1): ROAD's K values lie at 0, 1/K, …, (K−1)/K. */
  xMax?: number;
  /** The whole chart in pixels. */
  width: number;
  height: number;
  xLabel: string;
  yLabel: string;
  /** Names of the points instead of the default fractions 0 … 1: one per value, ticks at every point
   *  (step numbers instead when the names would overlap). */
  xTicks?: string[];
  /** A fixed y range (e.g. [−1, 1] for correlations) instead of one fitted to the values. */
  yDomain?: [number, number];
  /** Base text size in px (default 12). */
  fontSize?: number;
}

export interface Point {
  x: number;
  y: number;
}

/** A straight line; axis-aligned ones are drawn as crisp 1-px rectangles. */
export interface Segment {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface CurveChartLayout {
  width: number;
  height: number;
  /** The plotting area: x from 0 (left) to 1 (right), y from the lowest tick (bottom) to the highest. */
  plot: { x: number; y: number; width: number; height: number };
  /** Domain of the y axis after rounding to nice numbers. */
  yDomain: [number, number];
  /** The x axis (bottom) and y axis (left), in the foreground colour. */
  axes: Segment[];
  /** One short mark outside the plot per tick. */
  tickMarks: Segment[];
  /** Light lines across the plot at the ticks. */
  gridLines: Segment[];
  /** One polyline per series, in series order, with its colour. */
  lines: Array<{ color: string; points: Point[] }>;
  /** Per series with a band: the closed outline of values ± band, filled translucent in the series colour. */
  bands: Array<{ color: string; points: Point[] }>;
  /** Per series: the short line in front of its legend entry. */
  legendSwatches: Array<{ color: string; segment: Segment }>;
  /** Tick labels, axis labels (the y label turned to read upwards) and legend titles. */
  texts: TextRun[];
  /** Stroke width of the series lines in px. */
  lineWidth: number;
}

/** How opaque a band is drawn over the background. */
export const BAND_OPACITY = 0.18;

/** Tableau 10: distinct on white and on dark themes, the usual categorical palette of charts. */
export const SERIES_COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export function layoutCurveChart(spec: CurveChartSpec, measure: TextMeasure): CurveChartLayout {
  const size = spec.fontSize ?? 12;
  for (const [i, s] of spec.series.entries()) {
    if (s.values.length < 2) throw new Error(`chart series ${i} has ${s.values.length} values; a curve needs K+1 ≥ 2`);
  }
  const gap = Math.round(size * 0.6);
  const tick = Math.round(size * 0.4);
  const textHeight = Math.ceil(size * (measure.ascent + measure.descent));
  const lineWidth = Math.max(1.5, size / 6);

  // y ticks first: their labels decide how far the plot stands from the left edge.
  const halfWidth = (s: CurveChartSpec['series'][number], k: number) => (s.band && Number.isFinite(s.band[k]) ? s.band[k] : 0);
  const values = spec.series.flatMap((s) => s.values.flatMap((v, k) => (Number.isFinite(v) ? [v - halfWidth(s, k), v + halfWidth(s, k)] : [])));
  const [low, high] = values.length ? [Math.min(...values), Math.max(...values)] : [0, 1];
  const [y0, y1] = spec.yDomain ?? nice(low === high ? low - 1 : low, low === high ? high + 1 : high, 5);
  const yTicks = ticks(y0, y1, 5);
  const yLabels = yTicks.map((v) => formatTick(v, tickStep(y0, y1, 5)));
  const points = spec.xTicks?.length ?? 0;
  if (spec.xTicks && spec.series.some((s) => s.values.length !== points)) throw new Error(`the chart has ${points} x ticks but a series of another length`);
  const xTicks = spec.xTicks ? spec.xTicks.map((_, k) => k / Math.max(1, points - 1)) : ticks(0, 1, 5);
  let xLabels = spec.xTicks ?? xTicks.map((v) => formatTick(v, tickStep(0, 1, 5)));

  const legendEntryWidth = size * 2.2;
  const legendWidth = spec.series.length ? legendEntryWidth + Math.max(...spec.series.map((s) => titleWidth(s.title, size, measure))) + gap : 0;
  const left = gap + textHeight + gap + Math.max(0, ...yLabels.map((l) => measure.width(l, size))) + tick + 2;
  const right = spec.width - gap - (legendWidth ? legendWidth + 2 * gap : 0);
  const top = gap + Math.ceil(size * measure.ascent) / 2;
  // Named ticks that do not fit side by side stand upright under their points (cut with … beyond a third of
  // the chart's height), so the axis still names every point.
  const spacing = (right - left) / Math.max(1, xTicks.length - 1);
  const upright = !!spec.xTicks && Math.max(...xLabels.map((l) => measure.width(l, size))) + gap > spacing;
  if (upright) xLabels = xLabels.map((l) => fitText(l, Math.round(spec.height / 3), size, measure));
  const tickLabelHeight = upright ? Math.ceil(Math.max(...xLabels.map((l) => measure.width(l, size)))) : textHeight;
  const bottom = spec.height - gap - textHeight - gap - tickLabelHeight - tick;
  if (right - left < 40 || bottom - top < 40) throw new Error(`a ${spec.width}×${spec.height} chart leaves no room to plot; make it larger`);
  const plot = { x: left, y: top, width: right - left, height: bottom - top };
  const px = (v: number) => plot.x + v * plot.width;
  const py = (v: number) => plot.y + ((y1 - v) / (y1 - y0)) * plot.height;

  const texts: TextRun[] = [];
  const tickMarks: Segment[] = [];
  const gridLines: Segment[] = [];
  yTicks.forEach((v, i) => {
    const y = Math.round(py(v));
    tickMarks.push({ x1: plot.x - tick, y1: y, x2: plot.x, y2: y });
    if (v !== y0) gridLines.push({ x1: plot.x, y1: y, x2: plot.x + plot.width, y2: y });
    const w = measure.width(yLabels[i], size);
    texts.push({ text: yLabels[i], x: plot.x - tick - 2 - w, y: y + (size * (measure.ascent - measure.descent)) / 2, size });
  });
  xTicks.forEach((v, i) => {
    const x = Math.round(px(v));
    tickMarks.push({ x1: x, y1: plot.y + plot.height, x2: x, y2: plot.y + plot.height + tick });
    if (v !== 0) gridLines.push({ x1: x, y1: plot.y, x2: x, y2: plot.y + plot.height });
    const w = measure.width(xLabels[i], size);
    if (upright) {
      // Reading upwards, ending just under the tick, the glyphs centred on it.
      texts.push({ text: xLabels[i], x: x + (size * (measure.ascent - measure.descent)) / 2, y: plot.y + plot.height + tick + 2 + w, size, rotated: true });
      return;
    }
    // Centred under its tick, but kept clear of the chart's left edge and of the legend.
    const textX = Math.max(gap, Math.min(x - w / 2, right + gap - w));
    texts.push({ text: xLabels[i], x: textX, y: plot.y + plot.height + tick + 2 + Math.ceil(size * measure.ascent), size });
  });
  const xLabelWidth = measure.width(spec.xLabel, size);
  texts.push({ text: spec.xLabel, x: plot.x + plot.width / 2 - xLabelWidth / 2, y: spec.height - gap - Math.ceil(size * measure.descent), size });
  const yLabelWidth = measure.width(spec.yLabel, size);
  texts.push({ text: spec.yLabel, x: gap + Math.ceil(size * measure.ascent), y: plot.y + plot.height / 2 + yLabelWidth / 2, size, rotated: true });

  const xMax = spec.xMax ?? 1;
  const xOf = (k: number, n: number) => px((xMax * k) / (n - 1));
  const lines = spec.series.map((s, i) => ({
    color: SERIES_COLORS[i % SERIES_COLORS.length],
    points: s.values.flatMap((v, k) => (Number.isFinite(v) ? [{ x: xOf(k, s.values.length), y: py(v) }] : [])),
  }));
  const bands = spec.series.flatMap((s, i) => {
    if (!s.band) return [];
    const at = s.values.flatMap((v, k) => (Number.isFinite(v) ? [k] : []));
    const upper = at.map((k) => ({ x: xOf(k, s.values.length), y: py(s.values[k] + halfWidth(s, k)) }));
    const lower = at.map((k) => ({ x: xOf(k, s.values.length), y: py(s.values[k] - halfWidth(s, k)) })).reverse();
    return at.length >= 2 ? [{ color: lines[i].color, points: [...upper, ...lower] }] : [];
  });

  const legendSwatches: CurveChartLayout['legendSwatches'] = [];
  const legendLine = Math.ceil(size * 1.5);
  spec.series.forEach((s, i) => {
    const y = plot.y + i * legendLine + Math.ceil(size * measure.ascent);
    const x = right + 2 * gap;
    const mid = Math.round(y - (size * measure.ascent) / 2 + size * 0.1);
    legendSwatches.push({ color: lines[i].color, segment: { x1: x, y1: mid, x2: x + size * 1.6, y2: mid } });
    texts.push(...placeTitle(s.title, x + legendEntryWidth, y, size, measure));
  });

  const axes: Segment[] = [
    { x1: plot.x, y1: plot.y + plot.height, x2: plot.x + plot.width, y2: plot.y + plot.height },
    { x1: plot.x, y1: plot.y, x2: plot.x, y2: plot.y + plot.height },
  ];
  return { width: spec.width, height: spec.height, plot, yDomain: [y0, y1], axes, tickMarks, gridLines, lines, bands, legendSwatches, texts, lineWidth };
}

/** A tick value with as many decimals as its step needs; a true minus sign, never "−0". */
function formatTick(value: number, step: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(Math.abs(step)) + 1e-9));
  const text = (Math.abs(value) < step / 2 ? 0 : value).toFixed(decimals);
  return text.replace('-', '−');
}
