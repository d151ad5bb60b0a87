// The pixel-flipping chart as an image (the CLI's `evaluate --out`): the geometry of curveChart.ts drawn
// black on white, grid lines light grey, series in their palette colours.
import { createRgbaImage, type RgbaImage } from '../image/rgbaImage';
import { BAND_OPACITY, layoutCurveChart, type CurveChartSpec, type Segment } from './curveChart';
import { drawText, fillPolygon, fillRect, strokePolyline, type Color } from './draw';
import { loadFigureFont } from './font';

const FOREGROUND: Color = [0, 0, 0];
const GRID: Color = [225, 225, 225];

export function renderCurveChart(spec: CurveChartSpec, options: { fontPath?: string } = {}): RgbaImage {
  const font = loadFigureFont(options.fontPath);
  const layout = layoutCurveChart(spec, font);
  const img = createRgbaImage(layout.width, layout.height);
  for (const line of layout.gridLines) drawSegment(img, line, 1, GRID);
  for (const line of [...layout.axes, ...layout.tickMarks]) drawSegment(img, line, 1, FOREGROUND);
  for (const { color, points } of layout.bands) fillPolygon(img, points.map((p) => [p.x, p.y]), hexColor(color), BAND_OPACITY);
  for (const { color, points } of layout.lines) strokePolyline(img, points.map((p) => [p.x, p.y]), layout.lineWidth, hexColor(color));
  for (const { color, segment } of layout.legendSwatches) drawSegment(img, segment, layout.lineWidth, hexColor(color));
  drawText(img, layout.texts, font, FOREGROUND);
  return img;
}

/** Axis-aligned segments as crisp rectangles `width` px thick (rounded), others stroked. */
function drawSegment(img: RgbaImage, s: Segment, width: number, color: Color): void {
  const t = Math.max(1, Math.round(width));
  if (s.y1 === s.y2) fillRect(img, { x: Math.min(s.x1, s.x2), y: s.y1 - Math.floor(t / 2), width: Math.abs(s.x2 - s.x1) + 1, height: t }, color);
  else if (s.x1 === s.x2) fillRect(img, { x: s.x1 - Math.floor(t / 2), y: Math.min(s.y1, s.y2), width: t, height: Math.abs(s.y2 - s.y1) + 1 }, color);
  else strokePolyline(img, [[s.x1, s.y1], [s.x2, s.y2]], width, color);
}

function hexColor(hex: string): Color {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
