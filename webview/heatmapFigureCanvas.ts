// The single-heatmap export drawn: the panel's heatmap canvas, pixel for pixel, inside the figure that
// says what it is (src/engine/figure/heatmapFigure.ts): method and class above, colour bar, its end labels
// and its scale below, in the theme's colours like the comparison's export.
import { colorBar } from '../src/engine/heatmap/colorBar';
import { layoutHeatmapFigure, type HeatmapFigureLayout, type HeatmapFigureText } from '../src/engine/figure/heatmapFigure';
import type { ColormapName } from '../src/protocol/display';
import { canvasMeasure, drawRun } from './figureCanvas';
import { imageDataOf } from './heatmap/rasterize';
import type { CanvasTheme } from './theme';

export function drawHeatmapFigure(map: HTMLCanvasElement, spec: Omit<HeatmapFigureText, 'mapWidth' | 'mapHeight'>, colormap: ColormapName, theme: CanvasTheme): { canvas: HTMLCanvasElement; layout: HeatmapFigureLayout } {
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas for the export');
  const layout = layoutHeatmapFigure({ ...spec, mapWidth: map.width, mapHeight: map.height }, canvasMeasure(ctx, theme.fontFamily));
  canvas.width = layout.width;
  canvas.height = layout.height;
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, layout.width, layout.height);
  // The map as shown: copied 1:1, so its pixels are the panel's.
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(map, layout.map.x, layout.map.y);
  const { bar } = layout;
  const strip = imageDataOf(colorBar(colormap, bar.width, 1, layout.barFrom, layout.barTo));
  for (let row = 0; row < bar.height; row++) ctx.putImageData(strip, bar.x, bar.y + row);
  for (const run of layout.texts) drawRun(ctx, run, run.muted ? theme.muted : theme.foreground, theme.fontFamily);
  return { canvas, layout };
}
