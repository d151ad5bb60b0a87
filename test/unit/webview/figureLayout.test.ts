import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MethodTitle } from '../../../src/protocol/methodTitle';
import type { CompareCell, CompareViewState } from '../../../src/protocol/webviewMessages';
import { approximateMeasure, filledCellsPerRow, FIGURE_SPACING, layoutFigure, type Rect } from '../../../webview/figureLayout';
import { titleWidth, wrapTitle } from '../../../webview/methodTitle';
import { titleText } from '../../../src/protocol/methodTitle';

const ab = (a: string, b: string): MethodTitle => [{ text: 'LRP-α' }, { text: a, sub: true }, { text: 'β' }, { text: b, sub: true }];
const SEED: MethodTitle[] = [
  [{ text: 'Sensitivity Analysis' }],
  [{ text: 'Guided Backprop' }],
  [{ text: 'Simple Taylor Decomposition' }],
  [{ text: 'Deep Taylor Decomposition' }],
  ab('1.2', '0.2'),
  ab('1.5', '0.5'),
  ab('2', '1'),
];

const heat: CompareCell = { heatmap: { relevance: Float32Array.of(1), shape: [1, 1], target: 0, logit: 1, relevanceSum: 1, ms: 1 } };

function seedState(rows: Array<Array<CompareCell | null>>, names = ['MNIST', 'FashionMNIST']): CompareViewState {
  return {
    kind: 'methods',
    title: 'mnist-cnn',
    columns: SEED.map((title) => ({ title })),
    rows: rows.map((cells, r) => ({ name: names[r], label: '7 (99.2%)', cells })),
    progress: { done: 0, total: rows.length * SEED.length },
    display: { colormap: 'bwr', normalization: { kind: 'percentile', p: 99.5 }, overlay: false, opacity: 0.6 },
    backend: 'wasm-simd',
    running: true,
  };
}

const inside = (inner: Rect, outer: { width: number; height: number }) =>
  inner.x >= 0 && inner.y >= 0 && inner.x + inner.w <= outer.width && inner.y + inner.h <= outer.height;
const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

test('the seed figure: 2 rows × (input + 7 methods) of equal, ordered, non-overlapping cells', () => {
  const state = seedState([SEED.map(() => heat), SEED.map(() => null)]);
  const cell = 112;
  const layout = layoutFigure(state, cell);
  assert.equal(layout.columns.length, 8);
  assert.equal(layout.rows.length, 2);
  const all = layout.rows.flatMap((r) => r.cells);
  assert.equal(all.length, 16);
  for (const rect of all) {
    assert.equal(rect.w, cell);
    assert.equal(rect.h, cell);
    assert.ok(inside(rect, layout), `cell ${JSON.stringify(rect)} inside ${layout.width}×${layout.height}`);
  }
  for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) assert.ok(!overlaps(all[i], all[j]), `cells ${i} and ${j} overlap`);
  for (const row of layout.rows) {
    for (let k = 1; k < row.cells.length; k++) {
      const gap = row.cells[k].x - (row.cells[k - 1].x + cell);
      // the input column is set apart from the heatmaps by an extra gap
      assert.equal(gap, k === 1 ? FIGURE_SPACING.gap + FIGURE_SPACING.inputGap : FIGURE_SPACING.gap);
      assert.equal(row.cells[k].y, row.cells[0].y);
    }
  }
  assert.equal(layout.rows[1].cells[0].y - layout.rows[0].cells[0].y, cell + FIGURE_SPACING.gap);
  // the figure is exactly as wide as the grid plus its padding
  const last = layout.rows[0].cells[7];
  assert.equal(layout.width, last.x + last.w + FIGURE_SPACING.padding);
});

test('column headers sit above their column, wrap to the column, and do not overlap', () => {
  const layout = layoutFigure(seedState([SEED.map(() => null)]), 112);
  const top = layout.rows[0].cells[0].y;
  layout.columns.forEach((column, k) => {
    const cellRect = layout.rows[0].cells[k];
    assert.ok(column.header.y + column.header.h <= top, `header ${k} above the cells`);
    assert.ok(Math.abs(column.header.x + column.header.w / 2 - (cellRect.x + cellRect.w / 2)) < 1, `header ${k} centred on its column`);
    for (const line of column.lines) {
      const words = titleText(line).split(' ');
      if (words.length > 1) assert.ok(titleWidth(line, 12, true, approximateMeasure) <= column.header.w, `line "${titleText(line)}" fits`);
    }
    if (k > 0) assert.ok(!overlaps(column.header, layout.columns[k - 1].header), `headers ${k - 1} and ${k} overlap`);
  });
  assert.equal(titleText(layout.columns[0].lines[0]), 'Input');
  // "Simple Taylor Decomposition" does not fit 118 px on one line at 12 px bold.
  assert.deepEqual(layout.columns[3].lines.map(titleText), ['Simple Taylor', 'Decomposition']);
  // LRP-α2β1 keeps its subscripts.
  assert.deepEqual(layout.columns[7].lines, [ab('2', '1')]);
});

test('the colour bar is under the last row, centred under the heatmap columns, with its three labels', () => {
  const layout = layoutFigure(seedState([SEED.map(() => heat), SEED.map(() => heat)]), 84);
  const { bar, labels } = layout.colorBar;
  const lastRow = layout.rows[1];
  assert.ok(bar.y >= lastRow.cells[0].y + lastRow.cells[0].h);
  const mapsLeft = lastRow.cells[1].x;
  const mapsRight = lastRow.cells[7].x + lastRow.cells[7].w;
  assert.ok(bar.x >= mapsLeft && bar.x + bar.w <= mapsRight);
  assert.ok(Math.abs(bar.x + bar.w / 2 - (mapsLeft + mapsRight) / 2) <= 1);
  assert.equal(bar.w, Math.min(FIGURE_SPACING.colorBarMaxWidth, mapsRight - mapsLeft));
  assert.deepEqual(labels.map((l) => [titleText(l.title), l.x]), [
    ['Ri ≪ 0', bar.x],
    ['0', bar.x + bar.w / 2],
    ['Ri ≫ 0', bar.x + bar.w],
  ]);
  assert.ok(labels.every((l) => l.y > bar.y + bar.h && l.y < layout.height));
});

test('per-cell captions (models comparison) add a band under every row', () => {
  const withCaptions = seedState([SEED.map(() => ({ ...heat, label: '7 (98.0%)' })), SEED.map(() => heat)]);
  const plain = layoutFigure(seedState([SEED.map(() => heat), SEED.map(() => heat)]), 112);
  const captioned = layoutFigure(withCaptions, 112);
  assert.ok(captioned.rows[0].captions);
  const caption = captioned.rows[0].captions![3];
  assert.equal(caption.y, captioned.rows[0].cells[3].y + 112);
  assert.ok(captioned.rows[1].cells[0].y - captioned.rows[0].cells[0].y > plain.rows[1].cells[0].y - plain.rows[0].cells[0].y);
  assert.equal(plain.rows[0].captions, undefined);
});

test('long row names are shortened with an ellipsis to the header width', () => {
  const state = seedState([SEED.map(() => null)], ['a-very-long-file-name-that-goes-on-and-on-forever.png']);
  const layout = layoutFigure(state, 56);
  const row = layout.rows[0];
  assert.equal(row.header.w, FIGURE_SPACING.rowHeaderMax);
  assert.ok(row.name.endsWith('…'));
  assert.ok(approximateMeasure(row.name, 12, true) <= row.header.w);
  assert.ok(row.header.x + row.header.w < row.cells[0].x);
});

test('filledCellsPerRow counts cells holding a heatmap', () => {
  const state = seedState([
    SEED.map((_, k) => (k < 3 ? heat : null)),
    SEED.map((_, k) => (k === 0 ? { error: 'boom' } : heat)),
  ]);
  assert.deepEqual(filledCellsPerRow(state), [3, 6]);
});

test('wrapTitle keeps a subscript with the word it follows', () => {
  const title: MethodTitle = [{ text: 'LRP-α' }, { text: '1.2', sub: true }, { text: 'β' }, { text: '0.2', sub: true }, { text: ' on every layer' }];
  const lines = wrapTitle(title, 60, 12, false, approximateMeasure);
  assert.deepEqual(lines[0], ab('1.2', '0.2'));
  assert.deepEqual(lines.slice(1).map(titleText), ['on every', 'layer']);
});
