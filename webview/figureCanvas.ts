// Draws a laid-out comparison figure onto one canvas: the same pixels are shown and exported. Cells
// without a result stay background here; the view puts animated placeholders over them in the DOM.
import type { MethodTitle } from '../src/protocol/methodTitle';
import type { CompareViewState, PixelImage } from '../src/protocol/webviewMessages';
import { colorBarModel, colorBarPixels } from './colorBar';
import { FIGURE_FONTS, type FigureLayout, type FontSpec, type Rect } from './figureLayout';
import { displayedHeatmap, imageDataOf, inputRgba, type RgbaImage } from './heatmap/rasterize';
import { SUB_DROP, SUB_SCALE, type TextMeasure } from './methodTitle';
import { canvasFont, type CanvasTheme } from './theme';

/** A text measure backed by the canvas's own font metrics (what layoutFigure needs). */
export function canvasMeasure(ctx: CanvasRenderingContext2D, family: string): TextMeasure {
  return (text, size, bold) => {
    ctx.font = canvasFont(size, bold, family);
    return ctx.measureText(text).width;
  };
}

export function drawFigure(canvas: HTMLCanvasElement, state: CompareViewState, layout: FigureLayout, theme: CanvasTheme, pixelRatio: number): void {
  canvas.width = Math.round(layout.width * pixelRatio);
  canvas.height = Math.round(layout.height * pixelRatio);
  canvas.style.width = `${layout.width}px`;
  canvas.style.height = `${layout.height}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(pixelRatio, 0, 0, pixelRatio, 0, 0);
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, layout.width, layout.height);
  const text = new TitleWriter(ctx, theme.fontFamily);

  if (layout.title) {
    const { rect } = layout.title;
    text.draw([{ text: layout.title.text }], rect.x, rect.y + baseline(FIGURE_FONTS.title), FIGURE_FONTS.title, 'left', theme.foreground);
  }

  for (const column of layout.columns) {
    const centre = column.header.x + column.header.w / 2;
    let y = column.header.y;
    for (const line of column.lines) {
      text.draw(line, centre, y + baseline(FIGURE_FONTS.column), FIGURE_FONTS.column, 'center', theme.foreground);
      y += FIGURE_FONTS.column.line;
    }
    if (column.subtitle) text.draw([{ text: column.subtitle }], centre, y + baseline(FIGURE_FONTS.subtitle), FIGURE_FONTS.subtitle, 'center', theme.muted);
  }

  layout.rows.forEach((rowLayout, r) => {
    const row = state.rows[r];
    const { header } = rowLayout;
    const right = header.x + header.w;
    const textHeight = FIGURE_FONTS.rowName.line + (rowLayout.label ? FIGURE_FONTS.rowLabel.line : 0);
    const top = header.y + (header.h - textHeight) / 2;
    text.draw([{ text: rowLayout.name }], right, top + baseline(FIGURE_FONTS.rowName), FIGURE_FONTS.rowName, 'right', theme.foreground);
    if (rowLayout.label) {
      text.draw([{ text: rowLayout.label }], right, top + FIGURE_FONTS.rowName.line + baseline(FIGURE_FONTS.rowLabel), FIGURE_FONTS.rowLabel, 'right', theme.muted);
    }

    if (row.input) drawPixels(ctx, inputRgba(row.input), rowLayout.cells[0], theme);
    if (row.error) {
      drawMessage(ctx, text, `⚠ ${row.error}`, rowLayout.band, theme);
      return;
    }
    row.cells.forEach((cell, k) => {
      const rect = rowLayout.cells[k + 1];
      if (!rect || !cell) return;
      if (cell.heatmap) {
        const { relevance, shape } = cell.heatmap;
        drawPixels(ctx, displayedHeatmap(relevance, shape, row.input as PixelImage | undefined, state.display), rect, theme);
      } else if (cell.error) {
        drawMessage(ctx, text, '⚠ failed', rect, theme);
      }
      const caption = rowLayout.captions?.[k + 1];
      if (caption && cell.label) {
        text.draw([{ text: cell.label }], caption.x + caption.w / 2, caption.y + baseline(FIGURE_FONTS.caption), FIGURE_FONTS.caption, 'center', theme.muted);
      }
    });
  });

  const { bar, labels } = layout.colorBar;
  const model = colorBarModel(state.display.colormap, false);
  drawPixels(ctx, colorBarPixels(model, Math.round(bar.w * pixelRatio), 1), bar, theme, true);
  for (const label of labels) {
    const align = label.align === 'start' ? 'left' : label.align === 'end' ? 'right' : 'center';
    text.draw(label.title, label.x, label.y + baseline(FIGURE_FONTS.colorBar), FIGURE_FONTS.colorBar, align, theme.foreground);
  }
}

/** Baseline offset inside a line box: text sits slightly below the middle. */
function baseline(font: FontSpec): number {
  return Math.round((font.line + font.size * 0.7) / 2);
}

/** Scales an RGBA image into a rect, without smoothing, with a hairline frame around it. */
function drawPixels(ctx: CanvasRenderingContext2D, image: RgbaImage, rect: Rect, theme: CanvasTheme, smooth = false): void {
  const source = document.createElement('canvas');
  source.width = image.width;
  source.height = image.height;
  source.getContext('2d')?.putImageData(imageDataOf(image), 0, 0);
  ctx.imageSmoothingEnabled = smooth;
  ctx.drawImage(source, rect.x, rect.y, rect.w, rect.h);
  ctx.strokeStyle = theme.border;
  ctx.lineWidth = 1;
  ctx.strokeRect(rect.x - 0.5, rect.y - 0.5, rect.w + 1, rect.h + 1);
}

function drawMessage(ctx: CanvasRenderingContext2D, text: TitleWriter, message: string, rect: Rect, theme: CanvasTheme): void {
  ctx.save();
  ctx.setLineDash([4, 3]);
  ctx.strokeStyle = theme.error;
  ctx.strokeRect(rect.x + 0.5, rect.y + 0.5, rect.w - 1, rect.h - 1);
  ctx.restore();
  const font = FIGURE_FONTS.caption;
  const fitted = fitToWidth(ctx, text, message, rect.w - 12, font);
  text.draw([{ text: fitted }], rect.x + rect.w / 2, rect.y + rect.h / 2 + font.size * 0.35, font, 'center', theme.error);
}

function fitToWidth(ctx: CanvasRenderingContext2D, text: TitleWriter, message: string, width: number, font: FontSpec): string {
  let cut = message.length;
  while (cut > 1 && text.width([{ text: message.slice(0, cut) + (cut < message.length ? '…' : '') }], font) > width) cut--;
  return cut < message.length ? message.slice(0, cut) + '…' : message;
}

/** Draws a title with subscripts smaller and lowered, aligned as a whole. */
class TitleWriter {
  constructor(
    private readonly ctx: CanvasRenderingContext2D,
    private readonly family: string,
  ) {}

  width(title: MethodTitle, font: FontSpec): number {
    let w = 0;
    for (const part of title) {
      this.ctx.font = canvasFont(part.sub ? font.size * SUB_SCALE : font.size, font.bold, this.family);
      w += this.ctx.measureText(part.text).width;
    }
    return w;
  }

  draw(title: MethodTitle, x: number, y: number, font: FontSpec, align: 'left' | 'center' | 'right', color: string): void {
    const total = this.width(title, font);
    let cursor = align === 'left' ? x : align === 'center' ? x - total / 2 : x - total;
    this.ctx.fillStyle = color;
    this.ctx.textBaseline = 'alphabetic';
    this.ctx.textAlign = 'left';
    for (const part of title) {
      const size = part.sub ? font.size * SUB_SCALE : font.size;
      this.ctx.font = canvasFont(size, font.bold, this.family);
      this.ctx.fillText(part.text, cursor, part.sub ? y + font.size * SUB_DROP : y);
      cursor += this.ctx.measureText(part.text).width;
    }
  }
}
