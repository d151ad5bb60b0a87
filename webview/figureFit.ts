// How large the comparison's cells are drawn (issue 26): by default as large as the panel's width allows
// ("Fit width"), or at a zoom the user picks (map pixels per CSS pixel, the figure then scrolls), and at
// full resolution in the exported PNG (at least one PNG pixel per map pixel, whole multiples only). One
// layout (src/engine/figure/layout.ts) at another cell size each time: the PNG is the figure shown, larger.
import { layoutComparisonFigure, type FigureText } from '../src/engine/figure/layout';
import type { TextMeasure } from '../src/engine/figure/titleText';

/** 'fit': the panel's width decides; a number: CSS pixels per map pixel. */
export type FigureZoom = 'fit' | number;

export const ZOOMS: ReadonlyArray<{ zoom: FigureZoom; label: string }> = [
  { zoom: 'fit', label: 'Fit width' },
  { zoom: 0.5, label: '50 %' },
  { zoom: 1, label: '100 %' },
  { zoom: 2, label: '200 %' },
  { zoom: 4, label: '400 %' },
];

/** The layout's smallest cell. */
export const MIN_CELL = 16;
/** Small maps (a 28×28 digit) are drawn at a whole multiple of their size, crisp, up to this many times… */
const MAX_CELL_SCALE = 5;
/** …as long as that makes cells of at least this many pixels; otherwise any size that fits. */
const MIN_MULTIPLE_CELL = 56;

/**
 * The cell side (px) of a figure of `mapSize`-pixel maps that fits in `available` px: the largest whole
 * multiple of the map (≤ 5×, ≥ 56 px) that fits, else the largest cell that fits (a 224×224 model's maps
 * scaled down), else MIN_CELL (the figure then scrolls).
 */
export function fitCellSize(text: (cellSize: number) => FigureText, mapSize: number, available: number, measure: TextMeasure): number {
  const fits = (cell: number) => layoutComparisonFigure(text(cell), measure).width <= available;
  for (let k = MAX_CELL_SCALE; k >= 1; k--) {
    const cell = mapSize * k;
    if (cell >= MIN_MULTIPLE_CELL && fits(cell)) return cell;
  }
  // The widest cell that fits: the figure's width grows with its cell, so halve the interval.
  let low = MIN_CELL;
  let high = Math.max(MIN_CELL, Math.min(mapSize * MAX_CELL_SCALE, MIN_MULTIPLE_CELL * MAX_CELL_SCALE) - 1);
  if (!fits(low)) return MIN_CELL;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** The cell side at a zoom: 'fit' as fitCellSize, else `zoom` CSS pixels per map pixel. */
export function cellSizeAt(zoom: FigureZoom, fit: () => number, mapSize: number): number {
  return zoom === 'fit' ? fit() : Math.max(MIN_CELL, Math.round(mapSize * zoom));
}

/** The exported PNG's cell: the shown one as a whole multiple of the map, never smaller than the map. */
export function exportCellSize(shownCell: number, mapSize: number): number {
  return mapSize * Math.max(1, Math.round(shownCell / mapSize));
}
