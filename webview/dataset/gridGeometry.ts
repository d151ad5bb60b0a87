// The arithmetic of the virtual grid: how many columns fit, which rows a scroll position shows, where to
// scroll to bring a cell into view, and where the arrow keys move. Only the visible rows exist in the DOM;
// a spacer element gives the scrollbar its full height.
//
// Browsers cap an element's height (Chromium at about 33 million px). A file with millions of samples in
// a narrow editor would exceed it, so past MAX_SPACER_HEIGHT the spacer is shorter than the content and a
// scroll pixel stands for `scale` content pixels. For every real data set of 28×28 images scale is 1.

export const MAX_SPACER_HEIGHT = 10_000_000;

export interface GridLayout {
  columns: number;
  rows: number;
  rowHeight: number;
  viewportHeight: number;
  /** Height of all rows, in content pixels. */
  contentHeight: number;
  /** Height of the scrollable spacer, in scroll pixels. */
  spacerHeight: number;
  /** Content pixels per scroll pixel (1 unless the content is taller than MAX_SPACER_HEIGHT). */
  scale: number;
}

export function columnsFor(viewportWidth: number, cellWidth: number): number {
  return Math.max(1, Math.floor(viewportWidth / cellWidth));
}

export function gridLayout(itemCount: number, columns: number, rowHeight: number, viewportHeight: number): GridLayout {
  const rows = Math.ceil(itemCount / columns);
  const contentHeight = rows * rowHeight;
  let spacerHeight = contentHeight;
  let scale = 1;
  if (contentHeight > MAX_SPACER_HEIGHT) {
    spacerHeight = MAX_SPACER_HEIGHT;
    // The last scroll position must still show the last row: map [0, spacer − viewport] onto
    // [0, content − viewport].
    scale = (contentHeight - viewportHeight) / Math.max(1, spacerHeight - viewportHeight);
  }
  return { columns, rows, rowHeight, viewportHeight, contentHeight, spacerHeight, scale };
}

export interface VisibleRows {
  /** First row to draw (overscan included). */
  firstRow: number;
  /** One past the last row to draw. */
  endRow: number;
  /** Where, in scroll pixels inside the spacer, the top of `firstRow` goes. */
  offsetTop: number;
}

export function visibleRows(layout: GridLayout, scrollTop: number, overscanRows = 1): VisibleRows {
  const top = clamp(scrollTop, 0, Math.max(0, layout.spacerHeight - layout.viewportHeight));
  const contentTop = top * layout.scale;
  const topRow = Math.floor(contentTop / layout.rowHeight);
  const firstRow = Math.max(0, topRow - overscanRows);
  const shown = Math.ceil(layout.viewportHeight / layout.rowHeight) + 1;
  const endRow = Math.min(layout.rows, topRow + shown + overscanRows);
  // The rows are drawn at their true spacing starting where `firstRow` sits relative to the viewport.
  const offsetTop = top - (contentTop - firstRow * layout.rowHeight);
  return { firstRow, endRow, offsetTop };
}

/**
 * The scrollTop that brings `row` fully into view with the least movement, or undefined when it is
 * already visible.
 */
export function scrollToReveal(layout: GridLayout, scrollTop: number, row: number): number | undefined {
  const contentTop = scrollTop * layout.scale;
  const rowTop = row * layout.rowHeight;
  const rowBottom = rowTop + layout.rowHeight;
  if (rowTop < contentTop) return rowTop / layout.scale;
  if (rowBottom > contentTop + layout.viewportHeight) return (rowBottom - layout.viewportHeight) / layout.scale;
  return undefined;
}

export type NavigationKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown' | 'Home' | 'End' | 'PageUp' | 'PageDown';

export function isNavigationKey(key: string): key is NavigationKey {
  return ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown'].includes(key);
}

/**
 * Where the cursor goes from `position` (an index into the view order of `itemCount` items). Up and Down
 * keep the column (Down into a shorter last row lands on its last item); Left and Right run through the
 * rows; at the ends the cursor stays.
 */
export function moveCursor(position: number, key: NavigationKey, layout: GridLayout, itemCount: number): number {
  if (itemCount === 0) return -1;
  const { columns } = layout;
  const page = Math.max(1, Math.floor(layout.viewportHeight / layout.rowHeight)) * columns;
  const from = position < 0 ? 0 : position;
  const moved = (() => {
    switch (key) {
      case 'ArrowLeft':
        return from - 1;
      case 'ArrowRight':
        return from + 1;
      case 'ArrowUp':
        return from - columns >= 0 ? from - columns : from;
      case 'ArrowDown': // into a shorter last row: its last item
        return Math.floor(from / columns) < Math.floor((itemCount - 1) / columns) ? Math.min(from + columns, itemCount - 1) : from;
      case 'PageUp':
        return from - page >= 0 ? from - page : from % columns;
      case 'PageDown':
        return from + page < itemCount ? from + page : itemCount - 1;
      case 'Home':
        return 0;
      case 'End':
        return itemCount - 1;
    }
  })();
  return position < 0 ? 0 : clamp(moved, 0, itemCount - 1);
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
