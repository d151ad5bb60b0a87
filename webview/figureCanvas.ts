// Draws the comparison figure onto one canvas, at the places the engine's layout gives (the layout of the
// CLI's PNG too, src/engine/figure/layout.ts), measured by this canvas: the same pixels are shown and
// exported. Cells without a result stay background here; the view puts animated placeholders over them.
import { colorBar } from '../src/engine/heatmap/colorBar';
import { layoutComparisonFigure, type FigureLayout, type FigureText, type Rect } from '../src/engine/figure/layout';
import { fitText, type TextMeasure, type TextRun } from '../src/engine/figure/titleText';
import type { CompareViewState } from '../src/protocol/webviewMessages';
import { displayedHeatmap, imageDataOf, inputRgba, type RgbaImage } from './heatmap/rasterize';
import { canvasFont, type CanvasTheme } from './theme';

/** Font metrics come in whole pixels: read at this size, they are exact to a thousandth of the size. */
const METRICS_SIZE = 1000;

/**
 * The layout's text measure, backed by the canvas's own font metrics. Without kerning, as opentype.js
 * measures and draws the PNG's text, so both lay the figure out alike.
 */
export function canvasMeasure(ctx: CanvasRenderingContext2D, family: string): TextMeasure {
  ctx.fontKerning = 'none';
  ctx.font = canvasFont(METRICS_SIZE, false, family);
  const metrics = ctx.measureText('Hg');
  return {
    width: (text, size) => {
      ctx.font = canvasFont(size, false, family);
      return ctx.measureText(text).width;
    },
    ascent: metrics.fontBoundingBoxAscent / METRICS_SIZE,
    descent: metrics.fontBoundingBoxDescent / METRICS_SIZE,
  };
}

/** What the layout needs of the view's state: the title, the columns, and each row's texts. */
export function figureText(state: CompareViewState, cellSize: number): FigureText {
  return {
    title: state.title,
    columns: state.columns,
    rows: state.rows.map((row) => ({ name: row.name, label: row.label, captions: row.cells.map((cell) => cell?.label) })),
    cellSize,
  };
}

export function layoutFigure(state: CompareViewState, cellSize: number, measure: TextMeasure): FigureLayout {
  return layoutComparisonFigure(figureText(state, cellSize), measure);
}

/** Draws the figure at the top of the canvas; `size` makes the canvas larger (room for the section under it). */
export function drawFigure(canvas: HTMLCanvasElement, state: CompareViewState, layout: FigureLayout, theme: CanvasTheme, pixelRatio: number, size: { width: number; height: number } = layout): void {
  canvas.width = Math.round(size.width * pixelRatio);
  canvas.height = Math.round(size.height * pixelRatio);
  canvas.style.width = `${size.width}px`;
  canvas.style.height = `${size.height}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(pixelRatio, 0, 0, pixelRatio, 0, 0);
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, size.width, size.height);
  const measure = canvasMeasure(ctx, theme.fontFamily);

  state.rows.forEach((row, r) => {
    if (row.input) drawPixels(ctx, inputRgba(row.input), layout.inputCells[r], theme);
    if (row.error) {
      drawMessage(ctx, measure, `⚠ ${row.error}`, layout.rowBands[r], theme);
      return;
    }
    row.cells.forEach((cell, k) => {
      const rect = layout.cells[r][k];
      if (!rect || !cell) return;
      if (cell.heatmap) drawPixels(ctx, displayedHeatmap(cell.heatmap.relevance, cell.heatmap.shape, row.input, state.display), rect, theme);
      else if (cell.error) drawMessage(ctx, measure, '⚠ failed', rect, theme);
    });
  });
  ctx.fillStyle = theme.muted;
  for (const rule of layout.groupRules) ctx.fillRect(rule.x, rule.y, rule.width, rule.height);
  const bar = layout.colorBar;
  drawPixels(ctx, colorBar(state.display.colormap, Math.round(bar.width * pixelRatio), 1), bar, theme, true);
  for (const run of layout.texts) drawRun(ctx, run, run.muted ? theme.muted : theme.foreground, theme.fontFamily);
}

export function drawRun(ctx: CanvasRenderingContext2D, run: TextRun, color: string, family: string): void {
  ctx.fontKerning = 'none';
  ctx.font = canvasFont(run.size, false, family);
  ctx.fillStyle = color;
  ctx.textBaseline = 'alphabetic';
  ctx.textAlign = 'left';
  if (!run.rotated) {
    ctx.fillText(run.text, run.x, run.y);
    return;
  }
  ctx.save();
  ctx.translate(run.x, run.y);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(run.text, 0, 0);
  ctx.restore();
}

/** Scales an RGBA image into a rect, with a hairline frame around it: enlarged without smoothing (crisp
 *  pixels), shrunk (a 224×224 map in a cell that fits the panel) with it. */
function drawPixels(ctx: CanvasRenderingContext2D, image: RgbaImage, rect: Rect, theme: CanvasTheme, smooth = false): void {
  const source = document.createElement('canvas');
  source.width = image.width;
  source.height = image.height;
  source.getContext('2d')?.putImageData(imageDataOf(image), 0, 0);
  ctx.imageSmoothingEnabled = smooth || rect.width * ctx.getTransform().a < image.width;
  ctx.drawImage(source, rect.x, rect.y, rect.width, rect.height);
  ctx.strokeStyle = theme.border;
  ctx.lineWidth = 1;
  ctx.strokeRect(rect.x - 0.5, rect.y - 0.5, rect.width + 1, rect.height + 1);
}

/** A dashed frame in the error colour with the message, shortened to fit, in the middle. */
function drawMessage(ctx: CanvasRenderingContext2D, measure: TextMeasure, message: string, rect: Rect, theme: CanvasTheme): void {
  ctx.save();
  ctx.setLineDash([4, 3]);
  ctx.strokeStyle = theme.error;
  ctx.strokeRect(rect.x + 0.5, rect.y + 0.5, rect.width - 1, rect.height - 1);
  ctx.restore();
  const size = Math.max(10, Math.min(14, Math.round(rect.height / 8)));
  const text = fitText(message, rect.width - 12, size, measure);
  const width = measure.width(text, size);
  drawRun(ctx, { text, x: rect.x + (rect.width - width) / 2, y: rect.y + rect.height / 2 + size * 0.35, size }, theme.error, theme.fontFamily);
}
