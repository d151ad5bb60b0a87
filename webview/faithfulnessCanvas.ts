// Draws the Faithfulness section (faithfulnessSection.ts) on the figure's canvas, in the theme's colours:
// text and axes in the foreground colour, secondary text muted, grid lines in the border colour, the
// series in the chart palette (SERIES_COLORS, the PNG's too). Axis-aligned lines as crisp rectangles, as
// the engine's curveChartImage.ts draws them.
import { BAND_OPACITY, type CurveChartLayout, type Segment } from '../src/engine/figure/curveChart';
import type { FigureLayout } from '../src/engine/figure/layout';
import type { TextMeasure } from '../src/engine/figure/titleText';
import type { CompareViewState } from '../src/protocol/webviewMessages';
import { drawFigure, drawRun } from './figureCanvas';
import { layoutFaithfulnessSection, type SectionChoices, type SectionLayout } from './faithfulnessSection';
import type { CanvasTheme } from './theme';

/**
 * The comparison's whole canvas: the figure and, for a methods comparison whose evaluation has begun, the
 * section under it (the canvas grows to hold both). Returns the section's layout, if any.
 */
export function drawComparisonCanvas(
  canvas: HTMLCanvasElement,
  state: CompareViewState,
  figure: FigureLayout,
  theme: CanvasTheme,
  pixelRatio: number,
  measure: TextMeasure,
  choices?: SectionChoices,
): SectionLayout | undefined {
  const section =
    state.kind === 'methods' && state.faithfulness
      ? layoutFaithfulnessSection({ columns: state.columns, faithfulness: state.faithfulness, randomisation: state.randomisation, choices }, figure, measure)
      : undefined;
  drawFigure(canvas, state, figure, theme, pixelRatio, section ? { width: section.width, height: section.top + section.height } : figure);
  const ctx = canvas.getContext('2d');
  if (section && ctx) drawFaithfulnessSection(ctx, section, theme);
  return section;
}

export function drawFaithfulnessSection(ctx: CanvasRenderingContext2D, section: SectionLayout, theme: CanvasTheme): void {
  ctx.fillStyle = theme.muted;
  for (const rule of section.rules) ctx.fillRect(rule.x, rule.y, rule.width, rule.height);
  for (const run of section.texts) drawRun(ctx, run, run.muted ? theme.muted : theme.foreground, theme.fontFamily);
  for (const chart of section.charts) {
    ctx.save();
    ctx.translate(chart.x, chart.y);
    drawCurveChart(ctx, chart.layout, theme);
    ctx.restore();
  }
}

/** One chart of curveChart.ts's layout, at the canvas's origin. */
export function drawCurveChart(ctx: CanvasRenderingContext2D, layout: CurveChartLayout, theme: CanvasTheme): void {
  for (const line of layout.gridLines) drawSegment(ctx, line, 1, theme.border);
  for (const line of [...layout.axes, ...layout.tickMarks]) drawSegment(ctx, line, 1, theme.foreground);
  for (const { color, points } of layout.bands) {
    ctx.save();
    ctx.globalAlpha = BAND_OPACITY;
    ctx.fillStyle = color;
    ctx.beginPath();
    points.forEach((p, i) => (i ? ctx.lineTo(p.x, p.y) : ctx.moveTo(p.x, p.y)));
    ctx.closePath();
    ctx.fill();
    ctx.restore();
  }
  ctx.lineJoin = 'round';
  ctx.lineCap = 'round';
  for (const { color, points } of layout.lines) {
    if (points.length < 2) continue;
    ctx.strokeStyle = color;
    ctx.lineWidth = layout.lineWidth;
    ctx.beginPath();
    points.forEach((p, i) => (i ? ctx.lineTo(p.x, p.y) : ctx.moveTo(p.x, p.y)));
    ctx.stroke();
  }
  for (const { color, segment } of layout.legendSwatches) drawSegment(ctx, segment, layout.lineWidth, color);
  for (const run of layout.texts) drawRun(ctx, run, theme.foreground, theme.fontFamily);
}

function drawSegment(ctx: CanvasRenderingContext2D, segment: Segment, width: number, color: string): void {
  // Whole pixels, as the PNG's rasterizer fills them: a line at x = 63.4 is one crisp column, not two grey ones.
  const s = { x1: Math.round(segment.x1), y1: Math.round(segment.y1), x2: Math.round(segment.x2), y2: Math.round(segment.y2) };
  const t = Math.max(1, Math.round(width));
  ctx.fillStyle = color;
  if (s.y1 === s.y2) ctx.fillRect(Math.min(s.x1, s.x2), s.y1 - Math.floor(t / 2), Math.abs(s.x2 - s.x1) + 1, t);
  else if (s.x1 === s.x2) ctx.fillRect(s.x1 - Math.floor(t / 2), Math.min(s.y1, s.y2), t, Math.abs(s.y2 - s.y1) + 1);
  else {
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.beginPath();
    ctx.moveTo(s.x1, s.y1);
    ctx.lineTo(s.x2, s.y2);
    ctx.stroke();
  }
}
