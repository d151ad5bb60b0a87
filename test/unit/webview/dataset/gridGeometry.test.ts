// The virtual grid's arithmetic: columns, the rows a scroll position shows, revealing a row, the keys.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { columnsFor, gridLayout, MAX_SPACER_HEIGHT, moveCursor, scrollToReveal, visibleRows } from '../../../../webview/dataset/gridGeometry';

describe('columnsFor', () => {
  it('fits whole cells, at least one', () => {
    assert.equal(columnsFor(760, 76), 10);
    assert.equal(columnsFor(759, 76), 9);
    assert.equal(columnsFor(30, 76), 1);
    assert.equal(columnsFor(0, 76), 1);
  });
});

describe('gridLayout and visibleRows (60,000 MNIST samples, 16 columns, 96 px rows, 600 px viewport)', () => {
  const layout = gridLayout(60000, 16, 96, 600);

  it('has 3,750 rows and a spacer as tall as they are', () => {
    assert.equal(layout.rows, 3750);
    assert.equal(layout.contentHeight, 360000);
    assert.equal(layout.spacerHeight, 360000);
    assert.equal(layout.scale, 1);
  });

  it('at the top draws rows 0..7 (600/96 → 7 rows partly visible, plus one below)', () => {
    // ceil(600/96) = 7 rows, +1 for the partial row when not aligned, +1 overscan below.
    assert.deepEqual(visibleRows(layout, 0, 1), { firstRow: 0, endRow: 9, offsetTop: 0 });
  });

  it('mid-way draws one row above the first visible, placed at its true offset', () => {
    // scrollTop 1000: row 10 (960..1056) is the first visible; overscan adds row 9 at 864.
    assert.deepEqual(visibleRows(layout, 1000, 1), { firstRow: 9, endRow: 19, offsetTop: 864 });
  });

  it('at the bottom stops at the last row', () => {
    const r = visibleRows(layout, layout.spacerHeight - 600, 1);
    assert.equal(r.endRow, 3750);
    // The last row's bottom sits at the bottom of the spacer.
    assert.equal(r.offsetTop + (r.endRow - r.firstRow) * 96, 360000);
  });

  it('clamps scroll positions outside the spacer', () => {
    assert.deepEqual(visibleRows(layout, -50, 1), visibleRows(layout, 0, 1));
    assert.deepEqual(visibleRows(layout, 1e9, 1), visibleRows(layout, layout.spacerHeight - 600, 1));
  });

  it('draws nothing for an empty view', () => {
    const empty = gridLayout(0, 16, 96, 600);
    assert.equal(empty.rows, 0);
    const r = visibleRows(empty, 0, 1);
    assert.equal(r.endRow - r.firstRow, 0);
  });
});

describe('content taller than the browser allows', () => {
  // 2,000,000 samples in one column: 192 million px of rows.
  const layout = gridLayout(2_000_000, 1, 96, 600);

  it('caps the spacer and scales scroll pixels', () => {
    assert.equal(layout.spacerHeight, MAX_SPACER_HEIGHT);
    assert.ok(Math.abs(layout.scale - (192_000_000 - 600) / (MAX_SPACER_HEIGHT - 600)) < 1e-12);
  });

  it('still shows the first row at the top and the last row at the bottom', () => {
    assert.equal(visibleRows(layout, 0, 0).firstRow, 0);
    const bottom = visibleRows(layout, MAX_SPACER_HEIGHT - 600, 0);
    assert.equal(bottom.endRow, 2_000_000);
    // The last row ends exactly at the viewport's bottom edge (in scroll pixels: the spacer's bottom).
    const lastRowBottom = bottom.offsetTop + (bottom.endRow - bottom.firstRow) * 96;
    assert.ok(Math.abs(lastRowBottom - MAX_SPACER_HEIGHT) < 1e-6, `${lastRowBottom}`);
  });

  it('reveals a far row at a scroll position that shows it', () => {
    const row = 1_234_567;
    const top = scrollToReveal(layout, 0, row)!;
    const r = visibleRows(layout, top, 0);
    assert.ok(r.firstRow <= row && row < r.endRow);
  });
});

describe('scrollToReveal', () => {
  const layout = gridLayout(1000, 10, 96, 600); // 100 rows

  it('leaves a visible row alone', () => {
    assert.equal(scrollToReveal(layout, 0, 0), undefined);
    assert.equal(scrollToReveal(layout, 0, 5), undefined); // 480..576 inside 0..600
  });

  it('scrolls down just enough for a row below, up to the top of a row above', () => {
    assert.equal(scrollToReveal(layout, 0, 6), 7 * 96 - 600); // row 6 ends at 672
    assert.equal(scrollToReveal(layout, 2000, 3), 288);
  });
});

describe('moveCursor (23 items, 5 columns, 3 rows per page)', () => {
  const layout = gridLayout(23, 5, 96, 300);
  const move = (p: number, key: Parameters<typeof moveCursor>[1]) => moveCursor(p, key, layout, 23);

  it('moves by one and by a row', () => {
    assert.equal(move(7, 'ArrowRight'), 8);
    assert.equal(move(7, 'ArrowLeft'), 6);
    assert.equal(move(7, 'ArrowDown'), 12);
    assert.equal(move(7, 'ArrowUp'), 2);
  });

  it('stays at the ends', () => {
    assert.equal(move(0, 'ArrowLeft'), 0);
    assert.equal(move(22, 'ArrowRight'), 22);
    assert.equal(move(2, 'ArrowUp'), 2);
    assert.equal(move(21, 'ArrowDown'), 21); // last row
  });

  it('moves down into a shorter last row onto its last item', () => {
    assert.equal(move(18, 'ArrowDown'), 22); // row 3 → row 4 has only 20..22
    assert.equal(move(16, 'ArrowDown'), 21);
  });

  it('pages by whole screens (3 rows = 15 items) and jumps to the ends', () => {
    assert.equal(move(1, 'PageDown'), 16);
    assert.equal(move(16, 'PageDown'), 22);
    assert.equal(move(17, 'PageUp'), 2);
    assert.equal(move(12, 'PageUp'), 2); // keeps the column in the first row
    assert.equal(move(12, 'Home'), 0);
    assert.equal(move(3, 'End'), 22);
  });

  it('starts at the first item when there is no cursor, and has nowhere to go in an empty view', () => {
    assert.equal(move(-1, 'ArrowDown'), 0);
    assert.equal(moveCursor(0, 'ArrowDown', layout, 0), -1);
  });
});
