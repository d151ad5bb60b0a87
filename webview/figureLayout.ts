// Where everything of the comparison figure goes, in CSS pixels: a pure function of the state, the cell
// size and a text measure, so it can be unit-tested and the canvas drawing stays dumb. Column 0 is the
// model input; columns 1.. are the state's columns. Rows are images.
//
//            ┌ title ───────────────────────────────────────────┐
//            │            Input   Sensitivity   Guided   LRP-α₂β₁ │  column headers (wrapped, bottom-aligned)
//   seven    │           [img]      [map]       [map]     [map]   │  row header | cells (+ captions)
//   → 7 (99%)│                                                   │
//            │                   [■■■■■■ colour bar ■■■■■■]      │
//            │                   R_i ≪ 0       0        R_i ≫ 0  │
import type { MethodTitle } from '../src/protocol/methodTitle';
import type { CompareViewState } from '../src/protocol/webviewMessages';
import { colorBarModel, type ColorBarLabel } from './colorBar';
import { titleWidth, wrapTitle, type TextMeasure } from './methodTitle';

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface FontSpec {
  size: number;
  bold: boolean;
  /** Line height in CSS px. */
  line: number;
}

export const FIGURE_FONTS = {
  title: { size: 15, bold: true, line: 22 },
  column: { size: 12, bold: true, line: 16 },
  subtitle: { size: 11, bold: false, line: 15 },
  rowName: { size: 12, bold: true, line: 16 },
  rowLabel: { size: 11, bold: false, line: 15 },
  caption: { size: 11, bold: false, line: 15 },
  colorBar: { size: 12, bold: false, line: 17 },
} satisfies Record<string, FontSpec>;

export const FIGURE_SPACING = {
  padding: 16,
  /** Between cells of a row and between rows. */
  gap: 8,
  /** Extra space separating the input column from the heatmaps. */
  inputGap: 8,
  rowHeaderGap: 12,
  rowHeaderMin: 56,
  rowHeaderMax: 160,
  headerGap: 6,
  colorBarGap: 16,
  colorBarHeight: 12,
  colorBarMaxWidth: 360,
};

export interface ColumnLayout {
  /** Box of the header text, directly above the column's cells. */
  header: Rect;
  lines: MethodTitle[];
  subtitle?: string;
}

export interface RowLayout {
  header: Rect;
  name: string;
  label?: string;
  /** cells[0] is the input; cells[k + 1] is state column k. */
  cells: Rect[];
  /** Boxes under each cell for a per-cell caption (models comparison), if the figure has captions. */
  captions?: Rect[];
  /** The whole row of heatmap cells (where a row-level error goes). */
  band: Rect;
}

export interface FigureLayout {
  width: number;
  height: number;
  title?: { rect: Rect; text: string };
  columns: ColumnLayout[];
  rows: RowLayout[];
  colorBar: { bar: Rect; labels: Array<ColorBarLabel & { x: number; y: number }> };
}

/** A rough measure (average glyph widths) for tests and for the first layout before fonts are loaded. */
export const approximateMeasure: TextMeasure = (text, size, bold) => text.length * size * (bold ? 0.62 : 0.56);

/** `text`, shortened with "…" until it fits `maxWidth`. */
export function fitText(text: string, maxWidth: number, font: FontSpec, measure: TextMeasure): string {
  if (measure(text, font.size, font.bold) <= maxWidth) return text;
  let cut = text.length;
  while (cut > 1 && measure(text.slice(0, cut) + '…', font.size, font.bold) > maxWidth) cut--;
  return text.slice(0, cut) + '…';
}

export function layoutFigure(state: CompareViewState, cellSize: number, measure: TextMeasure = approximateMeasure): FigureLayout {
  const S = FIGURE_SPACING;
  const F = FIGURE_FONTS;
  const columnTitles: Array<{ title: MethodTitle; subtitle?: string }> = [{ title: [{ text: 'Input' }] }, ...state.columns];
  const hasCaptions = state.rows.some((row) => row.cells.some((cell) => cell?.label));

  // Row header width: wide enough for the longest name or label, within bounds.
  const labelText = (label?: string) => (label ? `→ ${label}` : '');
  let headerWidth = S.rowHeaderMin;
  for (const row of state.rows) {
    headerWidth = Math.max(headerWidth, measure(row.name, F.rowName.size, true), measure(labelText(row.label), F.rowLabel.size, false));
  }
  headerWidth = Math.min(S.rowHeaderMax, Math.ceil(headerWidth));

  // Columns are at least as wide as their widest title word plus 0.6 em of air to the next title: words
  // are never broken, so narrow cells would let "Decomposition" run into its neighbour's title. The input
  // column has its own width; the heatmap columns share one. Cells are centred in their columns.
  const air = Math.ceil(0.6 * F.column.size);
  const widestWord = (titles: MethodTitle[]) =>
    Math.max(0, ...titles.flatMap((t) => wrapTitle(t, 0, F.column.size, F.column.bold, measure).map((word) => titleWidth(word, F.column.size, F.column.bold, measure))));
  const columnWidthFor = (titles: MethodTitle[]) => Math.max(cellSize, Math.ceil(widestWord(titles)) + air - S.gap);
  const inputWidth = columnWidthFor([columnTitles[0].title]);
  const mapWidth = columnWidthFor(state.columns.map((c) => c.title));
  const widths = columnTitles.map((_, k) => (k === 0 ? inputWidth : mapWidth));

  const gridLeft = S.padding + headerWidth + S.rowHeaderGap;
  const columnX: number[] = [];
  let x = gridLeft;
  widths.forEach((w, k) => {
    if (k === 1) x += S.inputGap;
    columnX.push(x);
    x += w + S.gap;
  });
  const cellX = columnX.map((cx, k) => cx + Math.round((widths[k] - cellSize) / 2));
  const gridRight = columnX[columnX.length - 1] + widths[widths.length - 1];

  let y = S.padding;
  let title: FigureLayout['title'];
  if (state.title) {
    const maxWidth = gridRight - S.padding;
    title = { rect: { x: S.padding, y, w: maxWidth, h: F.title.line }, text: fitText(state.title, maxWidth, F.title, measure) };
    y += F.title.line + S.headerGap;
  }

  // Column headers: wrapped to the column pitch, all bottom-aligned on the top edge of the cells.
  const headerTextWidths = widths.map((w) => w + S.gap - 2);
  const wrapped = columnTitles.map((c, k) => wrapTitle(c.title, headerTextWidths[k], F.column.size, F.column.bold, measure));
  const headerHeights = columnTitles.map((c, k) => wrapped[k].length * F.column.line + (c.subtitle ? F.subtitle.line : 0));
  const headerHeight = Math.max(...headerHeights);
  const cellsTop = y + headerHeight + S.headerGap;
  const columns: ColumnLayout[] = columnTitles.map((c, k) => ({
    header: {
      x: columnX[k] - S.gap / 2 + 1,
      y: cellsTop - S.headerGap - headerHeights[k],
      w: headerTextWidths[k],
      h: headerHeights[k],
    },
    lines: wrapped[k],
    subtitle: c.subtitle ? fitText(c.subtitle, headerTextWidths[k], F.subtitle, measure) : undefined,
  }));

  const captionHeight = hasCaptions ? F.caption.line : 0;
  const rowPitch = cellSize + captionHeight + S.gap;
  const rows: RowLayout[] = state.rows.map((row, r) => {
    const top = cellsTop + r * rowPitch;
    const cells = cellX.map((cx) => ({ x: cx, y: top, w: cellSize, h: cellSize }));
    return {
      header: { x: S.padding, y: top, w: headerWidth, h: cellSize },
      name: fitText(row.name, headerWidth, F.rowName, measure),
      label: row.label ? fitText(labelText(row.label), headerWidth, F.rowLabel, measure) : undefined,
      cells,
      captions: hasCaptions ? cells.map((c) => ({ x: c.x - S.gap / 2, y: top + cellSize, w: cellSize + S.gap, h: captionHeight })) : undefined,
      band: { x: columnX[1] ?? columnX[0], y: top, w: gridRight - (columnX[1] ?? columnX[0]), h: cellSize },
    };
  });
  y = cellsTop + state.rows.length * rowPitch - S.gap + S.colorBarGap;

  // Colour bar: centred under the heatmap cells.
  const mapsLeft = cellX[1] ?? cellX[0];
  const mapsWidth = cellX[cellX.length - 1] + cellSize - mapsLeft;
  const barWidth = Math.min(S.colorBarMaxWidth, mapsWidth);
  const bar = { x: Math.round(mapsLeft + (mapsWidth - barWidth) / 2), y, w: barWidth, h: S.colorBarHeight };
  const labels = colorBarModel(state.display.colormap, false).labels.map((label) => ({
    ...label,
    x: bar.x + label.at * bar.w,
    y: bar.y + bar.h + 4,
  }));
  y = bar.y + bar.h + 4 + F.colorBar.line;

  return {
    width: Math.ceil(gridRight + S.padding),
    height: Math.ceil(y + S.padding),
    title,
    columns,
    rows,
    colorBar: { bar, labels },
  };
}

/** How many cells of each row hold a heatmap (exposed as data-filled-cells for tests). */
export function filledCellsPerRow(state: CompareViewState): number[] {
  return state.rows.map((row) => row.cells.filter((cell) => cell?.heatmap).length);
}
