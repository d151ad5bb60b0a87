// Narrow cells (a comparison in a small editor): column titles keep whole words and 0.6 em of air
// between neighbours; the columns widen instead, cells centred in them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MethodTitle } from '../../../src/protocol/methodTitle';
import type { CompareCell, CompareViewState } from '../../../src/protocol/webviewMessages';
import { approximateMeasure, FIGURE_FONTS, FIGURE_SPACING, layoutFigure } from '../../../webview/figureLayout';
import { titleWidth } from '../../../webview/methodTitle';

const SEED: MethodTitle[] = [
  [{ text: 'Sensitivity Analysis' }],
  [{ text: 'Guided Backprop' }],
  [{ text: 'Simple Taylor Decomposition' }],
  [{ text: 'Deep Taylor Decomposition' }],
  [{ text: 'LRP-α' }, { text: '2', sub: true }, { text: 'β' }, { text: '1', sub: true }],
];
const heat: CompareCell = { heatmap: { relevance: Float32Array.of(1), shape: [1, 1], target: 0, logit: 1, relevanceSum: 1, ms: 1 } };

function state(): CompareViewState {
  return {
    kind: 'methods',
    title: 'mnist-cnn',
    columns: SEED.map((title) => ({ title })),
    rows: [{ name: 'seven.png', label: '7 (99.2%)', cells: SEED.map(() => heat) }],
    progress: { done: 5, total: 5 },
    display: { colormap: 'bwr', normalization: { kind: 'percentile', p: 99.5 }, overlay: false, opacity: 0.6 },
    backend: 'wasm-simd',
    running: false,
  };
}

test('at 56 px cells the widest title word still fits its column with 0.6 em to the next title', () => {
  const { size, bold } = FIGURE_FONTS.column;
  // "Decomposition" at 12 px bold with the rough measure: 13 × 12 × 0.62 = 96.7 px, wider than a 56 px cell.
  const word = approximateMeasure('Decomposition', size, bold);
  assert.ok(word > 56 + FIGURE_SPACING.gap);
  const layout = layoutFigure(state(), 56);
  const columns = layout.columns;
  for (let k = 1; k < columns.length; k++) {
    for (const line of columns[k].lines) {
      const width = titleWidth(line, size, bold, approximateMeasure);
      assert.ok(width <= columns[k].header.w, `"${line.map((p) => p.text).join('')}" (${width} px) fits header ${k} (${columns[k].header.w} px)`);
    }
    if (k > 1) {
      // Text is centred: the room between two neighbouring lines is what is left of both headers plus the gap between them.
      const left = columns[k - 1];
      const right = columns[k];
      const widest = (c: typeof left) => Math.max(...c.lines.map((l) => titleWidth(l, size, bold, approximateMeasure)));
      const leftEnd = left.header.x + left.header.w / 2 + widest(left) / 2;
      const rightStart = right.header.x + right.header.w / 2 - widest(right) / 2;
      assert.ok(rightStart - leftEnd >= 0.6 * size - 1, `titles ${k - 1} and ${k} are ${rightStart - leftEnd} px apart`);
    }
  }
  // Cells keep their size, centred under their headers, in order, inside the figure.
  const cells = layout.rows[0].cells;
  cells.forEach((cell, k) => {
    assert.equal(cell.w, 56);
    assert.ok(Math.abs(cell.x + cell.w / 2 - (columns[k].header.x + columns[k].header.w / 2)) <= 1, `cell ${k} centred on its header`);
    if (k > 0) assert.ok(cell.x > cells[k - 1].x + cells[k - 1].w);
    assert.ok(cell.x + cell.w <= layout.width - FIGURE_SPACING.padding);
  });
  // The colour bar stays within the heatmap cells.
  const { bar } = layout.colorBar;
  assert.ok(bar.x >= cells[1].x && bar.x + bar.w <= cells[cells.length - 1].x + 56);
});

test('cells wide enough for every word keep the plain pitch (cell + gap)', () => {
  const layout = layoutFigure(state(), 112);
  const cells = layout.rows[0].cells;
  for (let k = 2; k < cells.length; k++) assert.equal(cells[k].x - cells[k - 1].x, 112 + FIGURE_SPACING.gap);
});
