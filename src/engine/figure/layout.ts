// Where everything of the comparison figure goes, in pixels: a pure function of the figure's text and
// counts and a text measure. The one layout of the figure: the CLI's PNG (opentype.js measures, draw.ts
// rasterises) and the webview's canvas (the canvas measures and draws, webview/figureCanvas.ts) place the
// same things at the same places, so the panel, its export and `compare --out` cannot drift apart.
//
//    mnist-cnn                                        optional figure title
//              Sensitivity   Guided     LRP-α₂β₁      column titles, wrapped, bottom-aligned, optional subtitles
//  │ [input]   [heatmap]     [heatmap]  [heatmap]
//  M seven.png                                        optional row name under the input …
//  N 7 (99.1%) 7 (98.0%)     …                        … then its predicted label; optional captions per cell
//  I [input]   [heatmap]     [heatmap]  [heatmap]     row-group title turned to read upwards, with a rule
//  S 2 (97.0%)
//  T           [■■■■■■■■■■ colour bar ■■■■■■■■■]
//              R_i ≪ 0                   R_i ≫ 0
import type { MethodTitle } from '../../protocol/methodTitle';
import type { RgbaImage } from '../image/rgbaImage';
import { fitText, placeTitle, titleWidth, titleWords, wrapTitle, type TextMeasure, type TextRun } from './titleText';

/** The model input as an image, or as its h·w·c 8-bit pixels (what preprocessing returns). */
export type FigureInput = RgbaImage | { width: number; height: number; channels: number; pixels: ArrayLike<number> };

/** The figure's text and counts: what its layout depends on. */
export interface FigureText {
  /** Above everything, e.g. the model of a methods comparison (the panel's figure); none in the seed figure. */
  title?: string;
  columns: Array<{ title: MethodTitle; subtitle?: string }>;
  rows: Array<{
    /** The row's own name above its label ("seven.png", "#582 · label 8"); none in the seed figure. */
    name?: string;
    /** The predicted label under the input, e.g. "7 (99.1%)". */
    label?: string;
    /** Per column, a caption under its cell (a models comparison: each model's prediction). */
    captions?: Array<string | undefined>;
  }>;
  /** Consecutive rows under one title on the left ("MNIST", "FashionMNIST"). */
  rowGroups?: Array<{ title: string; rows: number }>;
  /** Side of each square cell in pixels, e.g. 112 (4× a 28-pixel input). */
  cellSize: number;
}

/** The figure as the PNG renderer takes it: its text, the inputs and one heatmap per cell. */
export interface ComparisonFigureSpec extends FigureText {
  rows: Array<
    FigureText['rows'][number] & {
      input: FigureInput;
      /** One heatmap per column; null = not computed yet (drawn as an empty grey cell). */
      cells: Array<RgbaImage | null>;
    }
  >;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface FigureLayout {
  width: number;
  height: number;
  /** Per row, where its input goes. */
  inputCells: Rect[];
  /** [row][column], where each heatmap goes. */
  cells: Rect[][];
  /** Per row, its heatmap cells together (where a message for the whole row goes). */
  rowBands: Rect[];
  /** Per column, the box around its title text. */
  columnTitles: Rect[];
  /** Per row group, the thin vertical rule beside its rows. */
  groupRules: Rect[];
  colorBar: Rect;
  /** Every piece of text, positioned. */
  texts: TextRun[];
  /** Sizes in px. */
  fontSizes: { title: number; label: number; group: number; colorBar: number };
}

/** Titles never get smaller than this (px); narrow cells get wider columns instead. */
const MIN_TITLE_SIZE = 10;
/** Row-group titles never get smaller than this (px); their rows grow instead. */
const MIN_GROUP_SIZE = 9;

export const R_NEGATIVE: MethodTitle = [{ text: 'R' }, { text: 'i', sub: true }, { text: ' ≪ 0' }];
export const R_POSITIVE: MethodTitle = [{ text: 'R' }, { text: 'i', sub: true }, { text: ' ≫ 0' }];

export function layoutComparisonFigure(spec: FigureText, measure: TextMeasure): FigureLayout {
  const cell = spec.cellSize;
  if (!Number.isInteger(cell) || cell < 16) throw new Error(`cellSize must be a whole number ≥ 16, got ${cell}`);
  spec.rows.forEach((row, r) => {
    const cells = (row as { cells?: unknown[] }).cells;
    if (cells && cells.length !== spec.columns.length) throw new Error(`figure row ${r} has ${cells.length} cells for ${spec.columns.length} columns`);
  });
  const groups = spec.rowGroups ?? [];
  const grouped = groups.reduce((n, g) => n + g.rows, 0);
  if (groups.length && grouped !== spec.rows.length) throw new Error(`row groups cover ${grouped} rows, the figure has ${spec.rows.length}`);

  // Everything scales with the cell: 112 px cells get 14 px text and 8 px gaps.
  const baseSize = Math.min(28, Math.max(11, Math.round(cell / 8)));
  const gap = Math.max(4, Math.round(cell / 14));
  const margin = Math.max(10, Math.round(cell / 8));
  const lineOf = (size: number) => Math.ceil(size * 1.3);
  const textHeight = (size: number) => Math.ceil(size * (measure.ascent + measure.descent));
  const columnTitles = spec.columns.map((c) => c.title);

  const { titleSize, columnWidth, wrapWidth } = fitTitles(columnTitles, cell, baseSize, gap, measure);
  const titleLines = columnTitles.map((t) => wrapTitle(t, wrapWidth, titleSize, measure));
  const titleLineHeight = lineOf(titleSize);
  // Subtitles (a models comparison: each model's data set) take one more line of the label's size.
  const labelSize = Math.round(baseSize * 0.93 * 2) / 2;
  const subtitleBand = spec.columns.some((c) => c.subtitle) ? lineOf(labelSize) : 0;
  const titleBand = Math.max(1, ...titleLines.map((l) => l.length)) * titleLineHeight + subtitleBand;
  const figureTitleSize = Math.round(baseSize * 1.15);
  const figureTitleBand = spec.title ? lineOf(figureTitleSize) + gap : 0;

  // Under each row: its name (when rows have names), then its label and the cells' captions.
  const named = spec.rows.some((r) => r.name);
  const labelBand = (named ? 2 : 1) * lineOf(labelSize) + 2;
  const rowPitch = cell + labelBand + gap;
  const { groupSize, extraPerRow } = fitGroupTitles(groups, cell + labelBand, gap, baseSize, measure);
  const groupText = groups.length ? textHeight(groupSize) : 0;
  const groupBand = groups.length ? groupText + gap + 1 + gap : 0;
  // Columns, left to right: group titles, input column (wide enough for its labels, within bounds), heatmaps.
  const maxInputWidth = Math.max(2 * cell, 160);
  const rowTexts = spec.rows.flatMap((r) => [r.name, r.label].filter((t): t is string => !!t));
  const inputWidth = Math.min(maxInputWidth, Math.max(cell, ...rowTexts.map((t) => Math.ceil(measure.width(t, labelSize)))));
  const inputColumnX = margin + groupBand;
  const inputCellX = inputColumnX + Math.round((inputWidth - cell) / 2);
  const firstColumnX = inputColumnX + inputWidth + 2 * gap;
  const columnX = spec.columns.map((_, k) => firstColumnX + k * (columnWidth + gap));
  const cellX = columnX.map((x) => x + Math.round((columnWidth - cell) / 2));
  const gridRight = spec.columns.length ? columnX[columnX.length - 1] + columnWidth : inputColumnX + inputWidth;

  // Rows, top to bottom, groups set apart by two more gaps, rows of a group taller if its title needs it.
  const gridTop = margin + figureTitleBand + titleBand + Math.ceil(gap / 2);
  const groupOfRow = groups.flatMap((g, i) => Array<number>(g.rows).fill(i));
  const extra = (r: number) => (groups.length ? extraPerRow[groupOfRow[r]] : 0);
  const rowY: number[] = [];
  let y = gridTop;
  spec.rows.forEach((_, r) => {
    if (r > 0 && groupOfRow[r] !== groupOfRow[r - 1]) y += 2 * gap;
    rowY.push(y);
    y += rowPitch + extra(r);
  });
  const last = rowY.length - 1;
  const gridBottom = spec.rows.length ? rowY[last] + rowPitch - gap + extra(last) : gridTop;

  const texts: TextRun[] = [];
  const columnTitleRects: Rect[] = [];
  const titleBottom = gridTop - Math.ceil(gap / 2) - subtitleBand;
  titleLines.forEach((lines, k) => {
    const centre = columnX[k] + columnWidth / 2;
    const lastBaseline = titleBottom - Math.ceil(measure.descent * titleSize);
    const widths = lines.map((l) => titleWidth(l, titleSize, measure));
    lines.forEach((line, j) => {
      const baseline = lastBaseline - (lines.length - 1 - j) * titleLineHeight;
      texts.push(...placeTitle(line, centre - widths[j] / 2, baseline, titleSize, measure));
    });
    const widest = Math.max(0, ...widths);
    const top = lastBaseline - (lines.length - 1) * titleLineHeight - measure.ascent * titleSize;
    columnTitleRects.push({ x: centre - widest / 2, y: top, width: widest, height: lastBaseline + measure.descent * titleSize - top });
    const subtitle = spec.columns[k].subtitle;
    if (subtitle) texts.push({ ...centred(fitText(subtitle, columnWidth, labelSize, measure), centre, titleBottom + Math.ceil(measure.ascent * labelSize), labelSize, measure), muted: true });
  });

  const inputCells = rowY.map((ry) => ({ x: inputCellX, y: ry, width: cell, height: cell }));
  const cells = rowY.map((ry) => cellX.map((cx) => ({ x: cx, y: ry, width: cell, height: cell })));
  const rowBands = rowY.map((ry) => (cellX.length ? { x: cellX[0], y: ry, width: cellX[cellX.length - 1] + cell - cellX[0], height: cell } : { x: inputCellX, y: ry, width: 0, height: cell }));
  spec.rows.forEach((row, r) => {
    const line = (k: number) => rowY[r] + cell + 2 + k * lineOf(labelSize) + Math.ceil(measure.ascent * labelSize);
    const labelLine = named ? 1 : 0;
    if (row.name) texts.push(centred(fitText(row.name, inputWidth, labelSize, measure), inputCellX + cell / 2, line(0), labelSize, measure));
    if (row.label) texts.push({ ...centred(fitText(row.label, inputWidth, labelSize, measure), inputCellX + cell / 2, line(labelLine), labelSize, measure), muted: named });
    row.captions?.forEach((caption, k) => {
      if (caption && cellX[k] !== undefined) texts.push({ ...centred(fitText(caption, columnWidth + gap, labelSize, measure), cellX[k] + cell / 2, line(labelLine), labelSize, measure), muted: true });
    });
  });

  // Row-group titles read bottom to top, centred on their rows (labels included), with a rule between
  // title and rows.
  const groupRules: Rect[] = [];
  let firstRow = 0;
  groups.forEach((g, i) => {
    if (g.rows === 0) return;
    const top = rowY[firstRow];
    const bottom = rowY[firstRow + g.rows - 1] + rowPitch - gap + extraPerRow[i];
    const width = measure.width(g.title, groupSize);
    texts.push({ text: g.title, x: margin + Math.ceil(measure.ascent * groupSize), y: (top + bottom) / 2 + width / 2, size: groupSize, rotated: true });
    groupRules.push({ x: margin + groupText + gap, y: top, width: 1, height: bottom - top });
    firstRow += g.rows;
  });

  // Colour bar under the heatmap columns, its end labels under its ends.
  const colorBarSize = baseSize;
  const leftLabel = titleWidth(R_NEGATIVE, colorBarSize, measure);
  const rightLabel = titleWidth(R_POSITIVE, colorBarSize, measure);
  const barX = spec.columns.length ? firstColumnX : inputCellX;
  const barWidth = Math.max(gridRight - barX, Math.ceil(leftLabel + rightLabel + 3 * gap));
  const barTop = gridBottom + 2 * gap;
  const barHeight = Math.max(8, Math.round(cell / 9));
  const colorBar = { x: barX, y: barTop, width: barWidth, height: barHeight };
  const labelBaseline = barTop + barHeight + 3 + Math.ceil(measure.ascent * colorBarSize);
  texts.push(...placeTitle(R_NEGATIVE, barX, labelBaseline, colorBarSize, measure));
  texts.push(...placeTitle(R_POSITIVE, barX + barWidth - rightLabel, labelBaseline, colorBarSize, measure));

  const width = Math.max(gridRight, barX + barWidth) + margin;
  if (spec.title) texts.push({ text: fitText(spec.title, width - 2 * margin, figureTitleSize, measure), x: margin, y: margin + Math.ceil(measure.ascent * figureTitleSize), size: figureTitleSize });

  // The subscript in "R_i" hangs below the baseline by SUB_DROP; leave room for it.
  const bottom = labelBaseline + Math.ceil(measure.descent * colorBarSize + 0.3 * colorBarSize);
  return {
    width,
    height: bottom + margin,
    inputCells,
    cells,
    rowBands,
    columnTitles: columnTitleRects,
    groupRules,
    colorBar,
    texts,
    fontSizes: { title: titleSize, label: labelSize, group: groupSize, colorBar: colorBarSize },
  };
}

/** A run of `text` centred on x = `centre`, its baseline at `baseline`. */
function centred(text: string, centre: number, baseline: number, size: number, measure: TextMeasure): TextRun {
  return { text, x: centre - measure.width(text, size) / 2, y: baseline, size };
}

/**
 * Title size and column width. Titles wrap at spaces, keeping at least 0.6 em of air to the next
 * column's title; if one word is still too wide, all titles shrink together (one size for the row of
 * titles). Below a readable size they stop shrinking and the columns widen instead, cells centred.
 */
function fitTitles(columns: MethodTitle[], cell: number, baseSize: number, gap: number, measure: TextMeasure) {
  const widestAtBase = Math.max(0, ...columns.flatMap((t) => titleWords(t).map((w) => titleWidth(w, baseSize, measure))));
  const air = (size: number) => Math.ceil(0.6 * size);
  const widest = (size: number) => (widestAtBase * size) / baseSize;
  let titleSize = baseSize;
  while (titleSize > MIN_TITLE_SIZE && widest(titleSize) + air(titleSize) - gap > cell) titleSize -= 0.5;
  const columnWidth = Math.max(cell, Math.ceil(widest(titleSize)) + air(titleSize) - gap);
  return { titleSize, columnWidth, wrapWidth: columnWidth + gap - air(titleSize) };
}

/**
 * Group title size, and the extra height each group's rows need so the turned title fits beside them:
 * titles shrink to fit their rows down to MIN_GROUP_SIZE; past that their rows grow instead.
 */
function fitGroupTitles(groups: Array<{ title: string; rows: number }>, rowHeight: number, gap: number, baseSize: number, measure: TextMeasure) {
  const span = (g: { rows: number }) => g.rows * rowHeight + (g.rows - 1) * gap;
  let groupSize = baseSize;
  for (const g of groups) {
    const needed = measure.width(g.title, baseSize) + gap;
    if (g.rows > 0 && needed > span(g)) groupSize = Math.min(groupSize, Math.floor(((baseSize * span(g)) / needed) * 2) / 2);
  }
  groupSize = Math.max(MIN_GROUP_SIZE, groupSize);
  const extraPerRow = groups.map((g) => {
    const missing = measure.width(g.title, groupSize) + gap - span(g);
    return g.rows > 0 && missing > 0 ? Math.ceil(missing / g.rows) : 0;
  });
  return { groupSize, extraPerRow };
}
