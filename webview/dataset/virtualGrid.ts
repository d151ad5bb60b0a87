// The sample grid: a scroller whose spacer is as tall as all rows, and inside it only the rows in view
// (plus one above and below), each placed at its offset and re-used as the view scrolls. A row draws its
// thumbnails into one canvas (one canvas per cell made Chromium's compositor the bottleneck on scroll);
// the cells above it are plain elements with the index, label, prediction and accessible name.
// The grid is one tab stop; the arrow keys move a cursor cell (aria-activedescendant), Enter explains it,
// Space or Ctrl/Cmd-click toggles it into the selection, Shift extends the selection.
import { el } from '../dom';
import { cellCaption } from './cellCaption';
import { columnsFor, gridLayout, isNavigationKey, moveCursor, scrollToReveal, visibleRows, type GridLayout } from './gridGeometry';
import type { SampleSelection } from './sampleSelection';
import type { SampleTable } from './sampleTable';
import type { ThumbnailCache } from './thumbnailCache';
import { thumbnailRgba, thumbZoom } from './thumbnailPixels';

/** Cell pitch, in CSS pixels; dataset.css draws cells to fit these (a thumbnail is at most 64 px wide). */
export const CELL_WIDTH = 76;
/** A row is its thumbnail's height plus this (margins, border, padding and the two caption lines). */
const ROW_CHROME = 40;
/** The caption's width and font size in dataset.css (.caption): class names are cut to fit it. */
const CAPTION_WIDTH = 70;
const CAPTION_FONT_PX = 11;

export interface GridHost {
  table: SampleTable;
  cache: ThumbnailCache;
  selection: SampleSelection;
  /** Size and bytes per pixel of the thumbnails the host sends. */
  imageWidth: number;
  imageHeight: number;
  channels: 1 | 3;
  /** Samples that could not be read (marked in their cells). */
  unreadable(sample: number): string | undefined;
  /** Class names of the current model (index = class), or none yet. */
  classNames(): string[];
  /** The file's own class names (index = the file's label value), if it has them. */
  fileClassNames(): readonly string[] | undefined;
  /** Click or Enter on a sample. */
  activate(sample: number): void;
  /** The selection or the cursor changed. */
  selectionChanged(): void;
  /** Samples now on screen (and just around it): fetch the thumbnails that are missing. */
  wantThumbnails(samples: number[]): void;
}

/** A row element, re-used for whichever content row maps onto it. */
interface Row {
  root: HTMLElement;
  canvas: HTMLCanvasElement;
  context: CanvasRenderingContext2D | null;
  cells: Cell[];
  /** The content row shown, or -1 when hidden. */
  index: number;
  /** Its current offset in the spacer, in px. */
  top: number;
}

interface Cell {
  root: HTMLElement;
  index: HTMLElement;
  verdict: HTMLElement;
  /** What was painted last, to skip unchanged cells on scroll. */
  painted: string;
}

export class VirtualGrid {
  readonly element: HTMLElement;
  private readonly spacer: HTMLElement;
  private rows: Row[] = [];
  private order: Int32Array = new Int32Array(0);
  private layout: GridLayout;
  private frame = 0;
  /** Bumped when predictions or class names change, so painted cells know they are stale. */
  private version = 0;
  private cellCount = 0;
  /** One thumbnail, enlarged `zoom`× with nearest-neighbour pixels. */
  private readonly thumb: ImageData;
  private readonly zoom: number;
  private readonly rowHeight: number;

  constructor(
    private readonly host: GridHost,
    label: string,
  ) {
    this.zoom = thumbZoom(host.imageWidth, host.imageHeight);
    this.thumb = new ImageData(host.imageWidth * this.zoom, host.imageHeight * this.zoom);
    this.rowHeight = this.thumb.height + ROW_CHROME;
    this.spacer = el('div', { class: 'grid-spacer', attrs: { role: 'presentation' } });
    this.element = el(
      'div',
      {
        id: 'grid',
        class: 'grid',
        attrs: { role: 'grid', tabindex: 0, 'aria-label': label, 'aria-multiselectable': 'true', 'aria-rowcount': 0, 'aria-colcount': 1 },
      },
      [this.spacer],
    );
    // dataset.css sizes the cells from these.
    this.element.style.setProperty('--thumb-width', `${this.thumb.width}px`);
    this.element.style.setProperty('--thumb-height', `${this.thumb.height}px`);
    this.element.style.setProperty('--row-height', `${this.rowHeight}px`);
    this.layout = gridLayout(0, 1, this.rowHeight, 1);
    this.element.addEventListener('scroll', () => this.schedule());
    this.element.addEventListener('keydown', (e) => this.onKey(e));
    this.element.addEventListener('focus', () => {
      if (this.host.selection.cursor === null && this.order.length > 0) this.moveTo(0, false);
      this.schedule();
    });
    this.element.addEventListener('click', (e) => this.onClick(e));
    new ResizeObserver(() => this.relayout()).observe(this.element);
  }

  /** A new filter or sort: show these samples, in this order, from the top (or where the view was). */
  setOrder(order: Int32Array, keepScroll = false): void {
    this.order = order;
    this.relayout();
    if (!keepScroll) this.element.scrollTop = 0;
    this.schedule();
  }

  get viewOrder(): Int32Array {
    return this.order;
  }

  /** Predictions or class names changed: repaint the visible cells. */
  invalidate(): void {
    this.version++;
    this.schedule();
  }

  /** Thumbnails arrived: paint the cells that were waiting for them. */
  refresh(): void {
    this.schedule();
  }

  /** Scrolls to the sample (when the view shows it), puts the cursor on it and selects it. */
  reveal(sample: number): boolean {
    const position = this.order.indexOf(sample);
    if (position < 0) return false;
    this.moveTo(position, false);
    this.element.focus();
    return true;
  }

  private relayout(): void {
    const width = this.element.clientWidth || CELL_WIDTH;
    const height = this.element.clientHeight || this.rowHeight;
    const columns = columnsFor(width, CELL_WIDTH);
    const reflow = columns !== this.layout.columns;
    // When the column count changes (the explain panel opened beside), the row of the cursor (if it is on
    // screen, else of the first sample on screen) becomes the top row.
    const anchor = reflow ? this.anchorPosition() : -1;
    if (reflow) for (const row of this.rows) this.resizeRow(row, columns);
    this.layout = gridLayout(this.order.length, columns, this.rowHeight, height);
    this.spacer.style.height = `${this.layout.spacerHeight}px`;
    if (anchor >= 0) this.element.scrollTop = (Math.floor(anchor / columns) * this.rowHeight) / this.layout.scale;
    this.element.setAttribute('aria-rowcount', String(this.layout.rows));
    this.element.setAttribute('aria-colcount', String(this.layout.columns));
    this.schedule();
  }

  /** View position of the cursor when it is on screen, else of the first sample on screen; -1 for none. */
  private anchorPosition(): number {
    if (this.order.length === 0 || this.layout.rows === 0) return -1;
    const { columns, rowHeight, scale, viewportHeight } = this.layout;
    const contentTop = this.element.scrollTop * scale;
    const firstVisible = Math.ceil(contentTop / rowHeight) * columns;
    const lastVisible = Math.floor((contentTop + viewportHeight) / rowHeight) * columns - 1;
    const cursor = this.host.selection.cursor === null ? -1 : this.order.indexOf(this.host.selection.cursor);
    if (cursor >= firstVisible && cursor <= lastVisible) return cursor;
    return Math.min(firstVisible, this.order.length - 1);
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const { columns, rowHeight } = this.layout;
    const { firstRow, endRow, offsetTop } = visibleRows(this.layout, this.element.scrollTop, 1);
    // Content row r lives in slot r % slots: scrolling by one row re-fills one slot, the others keep
    // their cells (and, with scale 1, their position).
    while (this.rows.length < endRow - firstRow) this.rows.push(this.makeRow(columns));
    const slots = this.rows.length;
    for (const row of this.rows) if (row.index < firstRow || row.index >= endRow) this.hideRow(row);
    const wanted: number[] = [];
    let cursorCell: string | null = null;
    for (let r = firstRow; r < endRow; r++) {
      const row = this.rows[r % slots];
      if (row.index !== r) {
        row.index = r;
        row.root.setAttribute('aria-rowindex', String(r + 1));
        row.root.hidden = false;
      }
      const top = offsetTop + (r - firstRow) * rowHeight;
      if (row.top !== top) {
        row.top = top;
        row.root.style.transform = `translateY(${top}px)`;
      }
      for (let c = 0; c < columns; c++) {
        const cell = row.cells[c];
        const position = r * columns + c;
        const shown = position < this.order.length;
        if (cell.root.hidden === shown) cell.root.hidden = !shown;
        if (!shown) {
          this.paintEmpty(row, cell, c);
          continue;
        }
        const sample = this.order[position];
        this.paint(row, cell, c, sample);
        if (!this.host.cache.has(sample)) wanted.push(sample);
        if (sample === this.host.selection.cursor) cursorCell = cell.root.id;
      }
    }
    if (cursorCell) this.element.setAttribute('aria-activedescendant', cursorCell);
    else this.element.removeAttribute('aria-activedescendant');
    // Also fetch the screen below, so scrolling down finds thumbnails ready.
    const below = endRow * columns;
    for (let p = below; p < Math.min(this.order.length, below + (endRow - firstRow) * columns); p++) {
      if (!this.host.cache.has(this.order[p])) wanted.push(this.order[p]);
    }
    if (wanted.length) this.host.wantThumbnails(wanted);
  }

  private hideRow(row: Row): void {
    if (row.index === -1) return;
    row.index = -1;
    row.root.hidden = true;
  }

  private makeRow(columns: number): Row {
    const canvas = el('canvas', { class: 'row-thumbs', attrs: { 'aria-hidden': 'true' } });
    const root = el('div', { class: 'grid-row', attrs: { role: 'row' } }, [canvas]);
    root.hidden = true;
    const row: Row = { root, canvas, context: null, cells: [], index: -1, top: NaN };
    this.resizeRow(row, columns);
    this.spacer.append(root);
    return row;
  }

  /** Gives a row `columns` cells and a canvas as wide as they are (resizing clears it: repaint all). */
  private resizeRow(row: Row, columns: number): void {
    while (row.cells.length < columns) {
      const cell = this.makeCell(row.cells.length);
      row.cells.push(cell);
      row.root.append(cell.root);
    }
    for (let c = 0; c < row.cells.length; c++) {
      row.cells[c].root.hidden = c >= columns;
      row.cells[c].painted = '';
    }
    row.canvas.width = columns * CELL_WIDTH;
    row.canvas.height = this.thumb.height;
    row.canvas.style.width = `${row.canvas.width}px`;
    row.canvas.style.height = `${row.canvas.height}px`;
    row.context = row.canvas.getContext('2d');
  }

  private makeCell(column: number): Cell {
    const index = el('span', { class: 'cell-index' });
    const verdict = el('span', { class: 'cell-verdict' });
    const root = el('div', { class: 'cell', id: `cell-${this.cellCount++}`, attrs: { role: 'gridcell', 'aria-colindex': column + 1 } }, [
      el('div', { class: 'thumb-space' }),
      el('div', { class: 'caption', attrs: { 'aria-hidden': 'true' } }, [index, verdict]),
    ]);
    return { root, index, verdict, painted: '' };
  }

  private paintEmpty(row: Row, cell: Cell, column: number): void {
    if (cell.painted === 'empty') return;
    cell.painted = 'empty';
    this.drawThumb(row, column, undefined);
  }

  private paint(row: Row, cell: Cell, column: number, sample: number): void {
    const { table, cache, selection } = this.host;
    const pixels = cache.get(sample);
    const selected = selection.has(sample);
    const isCursor = selection.cursor === sample;
    const key = `${sample}|${pixels ? 1 : 0}|${this.version}|${selected ? 1 : 0}|${isCursor ? 1 : 0}`;
    if (cell.painted === key) return;
    const sameSample = cell.painted.startsWith(`${sample}|${pixels ? 1 : 0}|`);
    cell.painted = key;
    cell.root.dataset.sample = String(sample);
    if (!sameSample) this.drawThumb(row, column, pixels);
    cell.root.classList.toggle('loading', !pixels);

    const wrong = table.isMisclassified(sample);
    const unreadable = this.host.unreadable(sample);
    const caption = cellCaption(
      {
        sample,
        fileLabel: table.fileLabels ? table.fileLabels[sample] : null,
        label: table.labels ? table.labels[sample] : null,
        predicted: table.isPredicted(sample) ? table.predicted[sample] : null,
        confidence: table.confidence[sample],
        wrong,
        ...(unreadable === undefined ? {} : { unreadable }),
      },
      { model: this.host.classNames(), file: this.host.fileClassNames() },
      (text) => this.captionFits(text, wrong),
    );
    cell.root.classList.toggle('unreadable', unreadable !== undefined);
    cell.index.textContent = caption.index;
    cell.verdict.textContent = caption.verdict;
    cell.root.title = caption.title;
    cell.root.classList.toggle('wrong', wrong);
    cell.root.classList.toggle('selected', selected);
    cell.root.classList.toggle('cursor', isCursor);
    cell.root.setAttribute('aria-selected', String(selected));

    cell.root.setAttribute('aria-label', caption.ariaLabel);
  }

  private measure: { context: CanvasRenderingContext2D | null; family: string } | undefined;

  /** Whether a verdict fits the caption, in the editor's font (bold for a mistake, as dataset.css draws it). */
  private captionFits(text: string, bold: boolean): boolean {
    // The font family is read once (getComputedStyle per cell would restyle the page on every scroll).
    this.measure ??= { context: document.createElement('canvas').getContext('2d'), family: getComputedStyle(this.element).fontFamily || 'sans-serif' };
    const { context, family } = this.measure;
    if (!context) return true;
    context.font = `${bold ? '600 ' : ''}${CAPTION_FONT_PX}px ${family}`;
    return context.measureText(text).width <= CAPTION_WIDTH;
  }

  /** Draws (or clears, while its pixels are on the way) one thumbnail into its row's canvas. */
  private drawThumb(row: Row, column: number, pixels: Uint8Array | undefined): void {
    const context = row.context;
    if (!context) return;
    const { width, height } = this.thumb;
    const x = column * CELL_WIDTH + (CELL_WIDTH - width) / 2;
    if (!pixels) {
      context.clearRect(x, 0, width, height);
      return;
    }
    thumbnailRgba(this.thumb.data, pixels, this.host.imageWidth, this.host.imageHeight, this.host.channels, this.zoom);
    context.putImageData(this.thumb, x, 0);
  }

  private onClick(event: MouseEvent): void {
    const target = (event.target as HTMLElement).closest<HTMLElement>('.cell');
    const sample = target?.dataset.sample === undefined ? NaN : Number(target.dataset.sample);
    if (!Number.isInteger(sample)) return;
    const { selection } = this.host;
    if (event.ctrlKey || event.metaKey) selection.toggle(sample);
    else if (event.shiftKey) selection.extendTo(this.order, sample);
    else selection.selectOnly(sample);
    this.element.focus({ preventScroll: true });
    this.afterSelection();
    if (!event.ctrlKey && !event.metaKey && !event.shiftKey) this.host.activate(sample);
  }

  private onKey(event: KeyboardEvent): void {
    const { selection } = this.host;
    const cursor = selection.cursor === null ? -1 : this.order.indexOf(selection.cursor);
    if (isNavigationKey(event.key)) {
      event.preventDefault();
      const position = moveCursor(cursor, event.key, this.layout, this.order.length);
      if (position >= 0) this.moveTo(position, event.shiftKey);
    } else if (event.key === 'Enter' && cursor >= 0) {
      event.preventDefault();
      this.host.activate(this.order[cursor]);
    } else if (event.key === ' ' && cursor >= 0) {
      event.preventDefault();
      selection.toggle(this.order[cursor]);
      this.afterSelection();
    }
  }

  private moveTo(position: number, extend: boolean): void {
    const sample = this.order[position];
    if (extend) this.host.selection.extendTo(this.order, sample);
    else this.host.selection.selectOnly(sample);
    const row = Math.floor(position / this.layout.columns);
    const top = scrollToReveal(this.layout, this.element.scrollTop, row);
    if (top !== undefined) this.element.scrollTop = top;
    this.afterSelection();
  }

  private afterSelection(): void {
    this.schedule();
    this.host.selectionChanged();
  }
}
