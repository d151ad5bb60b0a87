// The sample grid: a scroller whose spacer is as tall as all rows, and inside it only the rows in view
// (plus one above and below), re-used as the view scrolls. Each cell is a 28×28 canvas scaled up by CSS,
// its index, label and prediction. The grid is one tab stop; the arrow keys move a cursor cell
// (aria-activedescendant), Enter explains it, Space or Ctrl/Cmd-click toggles it into the selection.
import { el } from './element';
import { columnsFor, gridLayout, isNavigationKey, moveCursor, scrollToReveal, visibleRows, type GridLayout } from './gridGeometry';
import type { SampleSelection } from './sampleSelection';
import type { SampleTable } from './sampleTable';
import type { ThumbnailCache } from './thumbnailCache';

/** Cell pitch, in CSS pixels; dataset.css draws cells to fit these. */
export const CELL_WIDTH = 76;
export const ROW_HEIGHT = 96;

export interface GridHost {
  table: SampleTable;
  cache: ThumbnailCache;
  selection: SampleSelection;
  imageWidth: number;
  imageHeight: number;
  /** Class names of the current model (index = class), or none yet. */
  classNames(): string[];
  /** Click or Enter on a sample. */
  activate(sample: number): void;
  /** The selection or the cursor changed. */
  selectionChanged(): void;
  /** Samples now on screen (and just around it): fetch the thumbnails that are missing. */
  wantThumbnails(samples: number[]): void;
}

interface Cell {
  root: HTMLElement;
  canvas: HTMLCanvasElement;
  index: HTMLElement;
  verdict: HTMLElement;
  /** What was painted last, to skip unchanged cells on scroll. */
  painted: string;
  sample: number;
}

export class VirtualGrid {
  readonly element: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly window: HTMLElement;
  private rows: Array<{ root: HTMLElement; cells: Cell[] }> = [];
  private order: Int32Array = new Int32Array(0);
  private layout: GridLayout;
  private frame = 0;
  /** Bumped when predictions or class names change, so painted cells know they are stale. */
  private version = 0;
  private readonly image: ImageData;

  constructor(private readonly host: GridHost, label: string) {
    this.image = new ImageData(host.imageWidth, host.imageHeight);
    this.window = el('div', { class: 'grid-window', attrs: { role: 'presentation' } });
    this.spacer = el('div', { class: 'grid-spacer', attrs: { role: 'presentation' } }, [this.window]);
    this.element = el(
      'div',
      {
        id: 'grid',
        class: 'grid',
        attrs: { role: 'grid', tabindex: 0, 'aria-label': label, 'aria-multiselectable': 'true', 'aria-rowcount': 0, 'aria-colcount': 1 },
      },
      [this.spacer],
    );
    this.layout = gridLayout(0, 1, ROW_HEIGHT, 1);
    this.element.addEventListener('scroll', () => this.schedule());
    this.element.addEventListener('keydown', (e) => this.onKey(e));
    this.element.addEventListener('focus', () => {
      if (this.host.selection.cursor === null && this.order.length > 0) this.moveTo(0, false);
      this.schedule();
    });
    this.element.addEventListener('click', (e) => this.onClick(e));
    new ResizeObserver(() => this.relayout()).observe(this.element);
  }

  /** A new filter or sort: show these samples, in this order, from the top. */
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
    const height = this.element.clientHeight || ROW_HEIGHT;
    this.layout = gridLayout(this.order.length, columnsFor(width, CELL_WIDTH), ROW_HEIGHT, height);
    this.spacer.style.height = `${this.layout.spacerHeight}px`;
    this.element.setAttribute('aria-rowcount', String(this.layout.rows));
    this.element.setAttribute('aria-colcount', String(this.layout.columns));
    this.schedule();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const { columns } = this.layout;
    const { firstRow, endRow, offsetTop } = visibleRows(this.layout, this.element.scrollTop, 1);
    this.window.style.transform = `translateY(${offsetTop}px)`;
    const rowCount = endRow - firstRow;
    while (this.rows.length < rowCount) this.rows.push(this.makeRow());
    const wanted: number[] = [];
    let cursorCell: string | null = null;
    for (let r = 0; r < this.rows.length; r++) {
      const row = this.rows[r];
      const visible = r < rowCount;
      row.root.hidden = !visible;
      if (!visible) continue;
      row.root.setAttribute('aria-rowindex', String(firstRow + r + 1));
      while (row.cells.length < columns) row.root.append(this.makeCell(row.cells).root);
      for (let c = 0; c < row.cells.length; c++) {
        const cell = row.cells[c];
        const position = (firstRow + r) * columns + c;
        const shown = c < columns && position < this.order.length;
        cell.root.hidden = !shown;
        if (!shown) continue;
        const sample = this.order[position];
        cell.root.setAttribute('aria-colindex', String(c + 1));
        this.paint(cell, sample);
        if (!this.host.cache.has(sample)) wanted.push(sample);
        if (sample === this.host.selection.cursor) cursorCell = cell.root.id;
      }
    }
    if (cursorCell) this.element.setAttribute('aria-activedescendant', cursorCell);
    else this.element.removeAttribute('aria-activedescendant');
    // Also fetch the screen below, so scrolling down finds thumbnails ready.
    const below = endRow * columns;
    for (let p = below; p < Math.min(this.order.length, below + rowCount * columns); p++) {
      if (!this.host.cache.has(this.order[p])) wanted.push(this.order[p]);
    }
    if (wanted.length) this.host.wantThumbnails(wanted);
  }

  private makeRow(): { root: HTMLElement; cells: Cell[] } {
    const row = { root: el('div', { class: 'grid-row', attrs: { role: 'row' } }), cells: [] as Cell[] };
    this.window.append(row.root);
    return row;
  }

  private cellCount = 0;

  private makeCell(cells: Cell[]): Cell {
    const canvas = el('canvas', { class: 'thumb', attrs: { width: this.host.imageWidth, height: this.host.imageHeight, 'aria-hidden': 'true' } });
    const index = el('span', { class: 'cell-index' });
    const verdict = el('span', { class: 'cell-verdict' });
    const root = el('div', { class: 'cell', id: `cell-${this.cellCount++}`, attrs: { role: 'gridcell' } }, [
      canvas,
      el('div', { class: 'caption', attrs: { 'aria-hidden': 'true' } }, [index, verdict]),
    ]);
    const cell: Cell = { root, canvas, index, verdict, painted: '', sample: -1 };
    cells.push(cell);
    return cell;
  }

  private paint(cell: Cell, sample: number): void {
    const { table, cache, selection } = this.host;
    const pixels = cache.get(sample);
    const selected = selection.has(sample);
    const isCursor = selection.cursor === sample;
    const key = `${sample}|${pixels ? 1 : 0}|${this.version}|${selected ? 1 : 0}|${isCursor ? 1 : 0}`;
    if (cell.painted === key) return;
    cell.painted = key;
    cell.sample = sample;
    cell.root.dataset.sample = String(sample);

    const context = cell.canvas.getContext('2d');
    if (context) {
      if (pixels) {
        const rgba = this.image.data;
        for (let p = 0; p < pixels.length; p++) {
          rgba[4 * p] = rgba[4 * p + 1] = rgba[4 * p + 2] = pixels[p];
          rgba[4 * p + 3] = 255;
        }
        context.putImageData(this.image, 0, 0);
      } else {
        context.clearRect(0, 0, cell.canvas.width, cell.canvas.height);
      }
    }
    cell.root.classList.toggle('loading', !pixels);

    const names = this.host.classNames();
    const name = (k: number) => names[k] ?? String(k);
    const label = table.labels ? table.labels[sample] : null;
    const predicted = table.isPredicted(sample) ? table.predicted[sample] : null;
    const wrong = table.isMisclassified(sample);
    const percent = predicted === null ? '' : `${Math.round(100 * table.confidence[sample])}%`;
    cell.index.textContent = `#${sample}`;
    cell.verdict.textContent =
      predicted === null ? (label === null ? '' : String(label)) : wrong ? `${label}→${predicted} ${percent}` : `${label === null ? '' : '✓'}${predicted} ${percent}`;
    cell.verdict.title = predicted === null ? '' : `${wrong ? 'Misclassified: ' : ''}predicted ${name(predicted)} (${percent})`;
    cell.root.classList.toggle('wrong', wrong);
    cell.root.classList.toggle('selected', selected);
    cell.root.classList.toggle('cursor', isCursor);
    cell.root.setAttribute('aria-selected', String(selected));

    const parts = [`Sample ${sample}`];
    if (label !== null) parts.push(`label ${name(label)}`);
    if (predicted !== null) parts.push(`predicted ${name(predicted)} with ${percent} confidence`);
    if (wrong) parts.push('misclassified');
    cell.root.setAttribute('aria-label', parts.join(', '));
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
