// Drawing primitives on an RgbaImage: rectangles, nearest-neighbour image placement, text runs
// rasterised from the font's outlines, and anti-aliased polylines.
import type { RgbaImage } from '../image/rgbaImage';
import type { FigureFont } from './font';
import type { Rect } from './layout';
import { fillPolygons, flattenPath, type CoverageMask, type Vertex } from './rasterize';
import type { TextRun } from './titleText';

export type Color = [number, number, number];

export function fillRect(img: RgbaImage, r: Rect, color: Color): void {
  const x0 = Math.max(0, Math.round(r.x));
  const y0 = Math.max(0, Math.round(r.y));
  const x1 = Math.min(img.width, Math.round(r.x + r.width));
  const y1 = Math.min(img.height, Math.round(r.y + r.height));
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) img.data.set([color[0], color[1], color[2], 255], 4 * (y * img.width + x));
  }
}

/** A one-pixel frame just outside `r`, so the rectangle's own pixels are left alone. */
export function frameOutside(img: RgbaImage, r: Rect, color: Color): void {
  fillRect(img, { x: r.x - 1, y: r.y - 1, width: r.width + 2, height: 1 }, color);
  fillRect(img, { x: r.x - 1, y: r.y + r.height, width: r.width + 2, height: 1 }, color);
  fillRect(img, { x: r.x - 1, y: r.y, width: 1, height: r.height }, color);
  fillRect(img, { x: r.x + r.width, y: r.y, width: 1, height: r.height }, color);
}

/** Copies `src` into `r`, scaled by nearest neighbour (an exact copy when the sizes match). */
export function placeImage(img: RgbaImage, src: RgbaImage, r: Rect): void {
  for (let dy = 0; dy < r.height; dy++) {
    const sy = Math.floor((dy * src.height) / r.height);
    for (let dx = 0; dx < r.width; dx++) {
      const sx = Math.floor((dx * src.width) / r.width);
      const s = 4 * (sy * src.width + sx);
      const d = 4 * ((r.y + dy) * img.width + r.x + dx);
      img.data[d] = src.data[s];
      img.data[d + 1] = src.data[s + 1];
      img.data[d + 2] = src.data[s + 2];
      img.data[d + 3] = 255;
    }
  }
}

/** Draws text runs in `color`, anti-aliased, blending with what is already there. */
export function drawText(img: RgbaImage, runs: TextRun[], font: FigureFont, color: Color): void {
  for (const run of runs) {
    if (!run.text.trim()) continue;
    const place = run.rotated
      ? ([x, y]: Vertex): Vertex => [run.x + y, run.y - x] // 90° counter-clockwise about the run's origin
      : ([x, y]: Vertex): Vertex => [run.x + x, run.y + y];
    const mask = fillPolygons(flattenPath(font.outline(run.text, run.size), place));
    if (mask) blendCoverage(img, mask, color);
  }
}

/** A polyline `width` px wide, anti-aliased: a rectangle per segment and a round cap at every point,
 *  filled together (all of one orientation, so the non-zero rule makes them one shape). */
export function strokePolyline(img: RgbaImage, points: Vertex[], width: number, color: Color): void {
  const half = width / 2;
  const shapes: Vertex[][] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const [[x0, y0], [x1, y1]] = [points[i], points[i + 1]];
    const length = Math.hypot(x1 - x0, y1 - y0);
    if (length === 0) continue;
    const [nx, ny] = [(-(y1 - y0) / length) * half, ((x1 - x0) / length) * half];
    shapes.push([[x0 + nx, y0 + ny], [x1 + nx, y1 + ny], [x1 - nx, y1 - ny], [x0 - nx, y0 - ny]]);
  }
  for (const [x, y] of points) {
    shapes.push(Array.from({ length: 12 }, (_, k): Vertex => [x + half * Math.cos((k * Math.PI) / 6), y - half * Math.sin((k * Math.PI) / 6)]));
  }
  // The segment rectangles above have negative signed area (rotation keeps it); give the caps the same.
  const oriented = shapes.map((shape) => (signedArea(shape) > 0 ? shape.reverse() : shape));
  const mask = fillPolygons(oriented);
  if (mask) blendCoverage(img, mask, color);
}

/** A filled polygon, anti-aliased, blended at `opacity` (a chart's translucent band). */
export function fillPolygon(img: RgbaImage, points: Vertex[], color: Color, opacity = 1): void {
  const mask = fillPolygons([points]);
  if (!mask) return;
  if (opacity < 1) for (let i = 0; i < mask.coverage.length; i++) mask.coverage[i] *= opacity;
  blendCoverage(img, mask, color);
}

function signedArea(polygon: Vertex[]): number {
  let area = 0;
  polygon.forEach(([x0, y0], i) => {
    const [x1, y1] = polygon[(i + 1) % polygon.length];
    area += x0 * y1 - x1 * y0;
  });
  return area / 2;
}

/** Blends `color` into the image with the mask's coverage as alpha. */
function blendCoverage(img: RgbaImage, mask: CoverageMask, color: Color): void {
  for (let my = 0; my < mask.height; my++) {
    const y = mask.y + my;
    if (y < 0 || y >= img.height) continue;
    for (let mx = 0; mx < mask.width; mx++) {
      const x = mask.x + mx;
      const a = mask.coverage[my * mask.width + mx];
      if (a <= 0 || x < 0 || x >= img.width) continue;
      const d = 4 * (y * img.width + x);
      for (let c = 0; c < 3; c++) img.data[d + c] = Math.round(img.data[d + c] * (1 - a) + color[c] * a);
    }
  }
}
