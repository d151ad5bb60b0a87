// The comparison figure as one PNG-ready image, after the seed figure: inputs down the left with their
// predicted labels, one column of heatmaps per method under its title, optional row-group titles, and
// the blue-white-red colour bar from R_i ≪ 0 to R_i ≫ 0 underneath. White background, black text.
import { colorBar } from '../heatmap/colorBar';
import { createRgbaImage, type RgbaImage } from '../image/rgbaImage';
import { drawText, fillRect, frameOutside, placeImage, type Color } from './draw';
import { loadFigureFont } from './font';
import { layoutComparisonFigure, type ComparisonFigureSpec, type FigureInput } from './layout';

export { layoutComparisonFigure, type ComparisonFigureSpec, type FigureInput, type FigureLayout, type Rect } from './layout';

const TEXT: Color = [0, 0, 0];
const FRAME: Color = [190, 190, 190];
const RULE: Color = [120, 120, 120];
const PENDING: Color = [238, 238, 238];

export interface FigureRenderOptions {
  /** DejaVuSans.ttf (or another TTF with Greek and ≪ ≫); by default beside the bundle or in node_modules. */
  fontPath?: string;
}

function inputAsRgba(input: FigureInput): RgbaImage {
  if ('data' in input) return input;
  const { width, height, channels, pixels } = input;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) data[4 * i + c] = pixels[channels === 1 ? i : channels * i + c];
    data[4 * i + 3] = 255;
  }
  return { width, height, data };
}

export function renderComparisonFigure(spec: ComparisonFigureSpec, options: FigureRenderOptions = {}): RgbaImage {
  const font = loadFigureFont(options.fontPath);
  const layout = layoutComparisonFigure(spec, font);
  const img = createRgbaImage(layout.width, layout.height);
  spec.rows.forEach((row, r) => {
    placeImage(img, inputAsRgba(row.input), layout.inputCells[r]);
    frameOutside(img, layout.inputCells[r], FRAME);
    row.cells.forEach((heatmap, k) => {
      const rect = layout.cells[r][k];
      if (heatmap) placeImage(img, heatmap, rect);
      else fillRect(img, rect, PENDING);
      frameOutside(img, rect, FRAME);
    });
  });
  for (const rule of layout.groupRules) fillRect(img, rule, RULE);
  placeImage(img, colorBar('bwr', layout.colorBar.width, layout.colorBar.height), layout.colorBar);
  frameOutside(img, layout.colorBar, FRAME);
  drawText(img, layout.texts, font, TEXT);
  return img;
}
