// The comparison figure as the panel shows it: the one layout (src/engine/figure/layout.ts) with what the
// panel adds to the seed figure, a title, each row's name above its label, a caption per cell (models
// comparison) and column subtitles, laid out from the panel's own state (webview/figureCanvas.ts
// figureText), measured with the figure font. Cells stay equal, ordered and apart; texts stay in their
// boxes; narrow cells widen their columns rather than break a word.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadFigureFont } from '../../../src/engine/figure/font';
import { layoutComparisonFigure, type FigureLayout, type Rect } from '../../../src/engine/figure/layout';
import { fitText, titleWidth, wrapTitle, type TextRun } from '../../../src/engine/figure/titleText';
import { titleText, type MethodTitle } from '../../../src/protocol/methodTitle';
import type { CompareCell, CompareViewState } from '../../../src/protocol/webviewMessages';
import { filledCellsPerRow } from '../../../webview/compareView';
import { figureText } from '../../../webview/figureCanvas';
import { SEED_COLUMNS } from '../webview/fixtures';

const font = loadFigureFont();
const ab = (a: string, b: string): MethodTitle => [{ text: 'LRP-α' }, { text: a, sub: true }, { text: 'β' }, { text: b, sub: true }];
const SEED = SEED_COLUMNS;

const heat: CompareCell = { heatmap: { relevance: Float32Array.of(1), shape: [1, 1], target: 0, logit: 1, relevanceSum: 1, ms: 1 } };

function seedState(rows: Array<Array<CompareCell | null>>, names = ['seven.png', 'ankle-boot.png'], columns = SEED): CompareViewState {
  return {
    kind: 'methods',
    title: 'mnist-cnn',
    columns: columns.map((title) => ({ title })),
    rows: rows.map((cells, r) => ({ name: names[r], label: '7 (99.2%)', cells })),
    progress: { done: 0, total: rows.length * columns.length },
    display: { colormap: 'bwr', normalization: { kind: 'percentile', p: 99.5 }, overlay: false, opacity: 0.6 },
    backend: 'wasm-simd',
    running: true,
  };
}

const layoutOf = (state: CompareViewState, cell: number): FigureLayout => layoutComparisonFigure(figureText(state, cell), font);

const within = (inner: Rect, outer: Rect, slack = 0.01) =>
  inner.x >= outer.x - slack && inner.y >= outer.y - slack && inner.x + inner.width <= outer.x + outer.width + slack && inner.y + inner.height <= outer.y + outer.height + slack;
const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
/** The box a run's glyphs take (rotated runs aside). */
const runBox = (t: TextRun): Rect => ({ x: t.x, y: t.y - font.ascent * t.size, width: font.width(t.text, t.size), height: (font.ascent + font.descent) * t.size });

test('the seed figure in the panel: 2 rows × (input + 7 methods) of equal, ordered, non-overlapping cells', () => {
  const state = seedState([SEED.map(() => heat), SEED.map(() => null)]);
  const cell = 112;
  const layout = layoutOf(state, cell);
  const whole = { x: 0, y: 0, width: layout.width, height: layout.height };
  const rows = layout.inputCells.map((input, r) => [input, ...layout.cells[r]]);
  const all = rows.flat();
  assert.equal(all.length, 16);
  for (const rect of all) {
    assert.equal(rect.width, cell);
    assert.equal(rect.height, cell);
    assert.ok(within(rect, whole), `cell ${JSON.stringify(rect)} inside ${layout.width}×${layout.height}`);
  }
  for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) assert.ok(!overlaps(all[i], all[j]), `cells ${i} and ${j} overlap`);
  for (const row of rows) {
    const gaps = row.slice(1).map((rect, k) => rect.x - (row[k].x + cell));
    // the heatmap cells keep one pitch; the input column is set apart from them by more
    assert.ok(gaps.slice(1).every((g) => g === gaps[1] && g > 0), `heatmap gaps ${gaps}`);
    assert.ok(gaps[0] > gaps[1], 'the input column stands apart');
    assert.ok(row.every((rect) => rect.y === row[0].y));
  }
  assert.ok(layout.cells[1][0].y - layout.cells[0][0].y > cell, 'the second row below the first, its name and label between them');
  // the figure is as wide as the grid plus the same margin on both sides
  const last = layout.cells[0][6];
  assert.equal(layout.width - (last.x + last.width), layout.inputCells[0].x);
});

test('title, column titles, names and labels stay in their places', () => {
  const state = seedState([SEED.map(() => heat), SEED.map(() => heat)]);
  const layout = layoutOf(state, 112);
  const top = layout.cells[0][0].y;
  const [title] = layout.texts.filter((t) => t.text === 'mnist-cnn');
  assert.ok(title, 'the figure title is drawn');
  assert.ok(runBox(title).y + runBox(title).height <= Math.min(...layout.columnTitles.map((c) => c.y)), 'above the column titles');
  layout.columnTitles.forEach((box, k) => {
    const cellRect = layout.cells[0][k];
    assert.ok(box.y + box.height <= top, `title ${k} above the cells`);
    assert.ok(Math.abs(box.x + box.width / 2 - (cellRect.x + cellRect.width / 2)) < 1, `title ${k} centred on its column`);
    if (k > 0) assert.ok(!overlaps(box, layout.columnTitles[k - 1]), `titles ${k - 1} and ${k} overlap`);
  });
  // "Simple Taylor Decomposition" does not fit one 112 px column: two lines, the words kept whole.
  const taylor = layout.texts.filter((t) => within(runBox(t), { ...layout.columnTitles[2], x: layout.columnTitles[2].x - 1, width: layout.columnTitles[2].width + 2 }));
  const lines = [...new Set(taylor.map((t) => t.y))].map((y) => taylor.filter((t) => t.y === y).map((t) => t.text).join(''));
  assert.deepEqual(lines, ['Simple Taylor', 'Decomposition']);
  // LRP-α2β1 keeps its subscripts as smaller, lowered runs.
  const lrp = layout.texts.filter((t) => t.x >= layout.cells[0][6].x - 8 && t.y < top && t.x < layout.cells[0][6].x + 112);
  assert.deepEqual(lrp.map((t) => t.text), ['LRP-α', '2', 'β', '1']);
  assert.ok(lrp[1].size < lrp[0].size && lrp[1].y > lrp[0].y);
  // Each row's name, then its label (muted), under its input and above the next row.
  layout.inputCells.forEach((input, r) => {
    const under = layout.texts.filter((t) => t.y > input.y + input.height && t.y < (layout.inputCells[r + 1]?.y ?? layout.colorBar.y) && Math.abs(t.x + font.width(t.text, t.size) / 2 - (input.x + 56)) < 1);
    assert.deepEqual(under.map((t) => [t.text, t.muted ?? false]), [[state.rows[r].name, false], ['7 (99.2%)', true]]);
  });
});

test('the colour bar spans the heatmap columns under the last row, R_i ≪ 0 and R_i ≫ 0 at its ends', () => {
  const layout = layoutOf(seedState([SEED.map(() => heat), SEED.map(() => heat)]), 84);
  const bar = layout.colorBar;
  const lastRow = layout.cells[1];
  assert.ok(bar.y >= lastRow[0].y + lastRow[0].height);
  assert.equal(bar.x, lastRow[0].x);
  assert.ok(bar.x + bar.width >= lastRow[6].x + 84);
  const below = layout.texts.filter((t) => t.y > bar.y + bar.height);
  assert.equal(titleText(below.filter((t) => t.x < bar.x + bar.width / 2)), 'Ri ≪ 0');
  assert.equal(titleText(below.filter((t) => t.x > bar.x + bar.width / 2)), 'Ri ≫ 0');
  assert.ok(below.every((t) => t.y < layout.height));
});

test('a models comparison: a caption under every cell, a subtitle under every column title', () => {
  const state = seedState([SEED.map(() => ({ ...heat, label: '7 (98.0%)' })), SEED.map(() => heat)]);
  state.columns = state.columns.map((c, k) => ({ ...c, subtitle: k % 2 ? 'MNIST' : 'FashionMNIST' }));
  const layout = layoutOf(state, 112);
  layout.cells[0].forEach((rect) => {
    const caption = layout.texts.filter((t) => t.text === '7 (98.0%)' && t.y > rect.y + rect.height && Math.abs(t.x + font.width(t.text, t.size) / 2 - (rect.x + 56)) < 1);
    assert.equal(caption.length, 1, 'one caption, centred under its cell');
    assert.ok(caption[0].muted);
    assert.ok(runBox(caption[0]).y + runBox(caption[0]).height <= layout.cells[1][0].y, 'above the next row');
  });
  assert.equal(layout.texts.filter((t) => t.text === '7 (98.0%)').length, 7, 'the second row has no captions');
  layout.columnTitles.forEach((box, k) => {
    const subtitle = layout.texts.find((t) => t.text === state.columns[k].subtitle && Math.abs(t.x + font.width(t.text, t.size) / 2 - (box.x + box.width / 2)) < 1);
    assert.ok(subtitle && subtitle.y > box.y + box.height && subtitle.y < layout.cells[0][k].y, `subtitle of column ${k} between its title and its cells`);
  });
});

test('long row names are shortened with an ellipsis to the input column', () => {
  const state = seedState([SEED.map(() => null)], ['a-very-long-file-name-that-goes-on-and-on-forever-and-ever.png']);
  const layout = layoutOf(state, 56);
  const name = layout.texts.find((t) => t.text.startsWith('a-very-long'))!;
  assert.ok(name.text.endsWith('…'));
  assert.ok(runBox(name).x >= 0 && runBox(name).x + runBox(name).width <= layout.cells[0][0].x, 'the name stays left of the heatmaps');
});

test('narrow cells: titles keep whole words and 0.6 em of air; columns widen, cells centred in them', () => {
  const columns = SEED.slice(0, 3).concat([ab('2', '1')]);
  const layout = layoutOf(seedState([columns.map(() => heat)], ['seven.png'], columns), 56);
  const size = layout.fontSizes.title;
  assert.ok(titleWidth([{ text: 'Decomposition' }], size, font) > 56, 'a word wider than the cell');
  layout.columnTitles.forEach((box, k) => {
    const cellRect = layout.cells[0][k];
    assert.ok(Math.abs(box.x + box.width / 2 - (cellRect.x + cellRect.width / 2)) <= 0.5, `title ${k} centred over its cell`);
    if (k > 0) assert.ok(box.x - (layout.columnTitles[k - 1].x + layout.columnTitles[k - 1].width) >= 0.6 * size - 0.01, `air between titles ${k - 1} and ${k}`);
  });
  const cells = layout.cells[0];
  cells.forEach((c, k) => {
    assert.equal(c.width, 56);
    if (k > 0) assert.ok(c.x > cells[k - 1].x + 56);
  });
  // Cells wide enough for every word keep the plain pitch.
  const wide = layoutOf(seedState([columns.map(() => heat)], ['seven.png'], columns), 168).cells[0];
  const pitch = wide[1].x - wide[0].x;
  for (let k = 2; k < wide.length; k++) assert.equal(wide[k].x - wide[k - 1].x, pitch);
});

test('filledCellsPerRow counts cells holding a heatmap', () => {
  const state = seedState([SEED.map((_, k) => (k < 3 ? heat : null)), SEED.map((_, k) => (k === 0 ? { error: 'boom' } : heat))]);
  assert.deepEqual(filledCellsPerRow(state), [3, 6]);
});

test('wrapTitle keeps a subscript with the word it follows', () => {
  const title: MethodTitle = [...ab('1.2', '0.2'), { text: ' on every layer' }];
  const lines = wrapTitle(title, font.width('on every', 12) + 1, 12, font);
  const parts = (line: MethodTitle) => line.map((p) => [p.text, !!p.sub]);
  assert.deepEqual(parts(lines[0]), parts(ab('1.2', '0.2')));
  assert.deepEqual(lines.slice(1).map(titleText), ['on every', 'layer']);
});

test('an arrow is kept with its operand at every wrap width: a line never ends with "→" nor holds it alone', () => {
  // A title as the figures write them: operands with spaces around the arrow.
  const title: MethodTitle = [{ text: 'label sandal → predicted ankle boot (88.6%)' }];
  const full = titleWidth(title, 12, font);
  let broken = 0;
  for (let width = 10; width <= full + 10; width += 3) {
    const lines = wrapTitle(title, width, 12, font).map(titleText);
    assert.equal(lines.join(' '), titleText(title), `width ${width}: all words kept, in order`);
    for (const line of lines) {
      assert.ok(!line.trimEnd().endsWith('→'), `width ${width}: "${line}" ends with a dangling arrow`);
      assert.notEqual(line.trim(), '→', `width ${width}: the arrow alone on a line`);
      if (line.includes('→')) assert.match(line, /→ \S/, `width ${width}: "${line}": the arrow leads its operand`);
    }
    if (lines.some((l) => l.startsWith('→'))) broken++;
  }
  assert.ok(broken > 0, 'some widths break before the arrow, which then leads the next line');
  // The whole title on one line when it fits.
  assert.deepEqual(wrapTitle(title, full + 1, 12, font).map(titleText), [titleText(title)]);
});

test('fitText never ends a cut text right after an arrow', () => {
  const text = '#582 · label 8 → 2 (88.6%)';
  for (let width = 20; width <= font.width(text, 12) + 5; width += 1) {
    const fitted = fitText(text, width, 12, font);
    assert.ok(!/→\s*…?$/.test(fitted), `width ${width}: "${fitted}"`);
    assert.ok(fitted === text || (fitted.endsWith('…') && text.startsWith(fitted.slice(0, -1))), `width ${width}: "${fitted}" is a cut of the text`);
  }
});

test('a models comparison whose column title has an arrow keeps "→ operand" together in the figure', () => {
  const columns: MethodTitle[] = [[{ text: 'mnist-cnn → pruned 50%' }], [{ text: 'mnist-cnn → quantised int8' }]];
  const state = seedState([[heat, heat]], ['seven.png'], columns);
  for (const cell of [40, 56, 80, 112]) {
    const layout = layoutOf(state, cell);
    // The column titles' lines: runs above the first row, grouped by baseline and column, left to right.
    const top = layout.cells[0][0].y;
    const lines = new Map<string, TextRun[]>();
    const centres = layout.cells[0].map((c) => c.x + c.width / 2);
    for (const run of layout.texts.filter((t) => t.y < top && !t.muted)) {
      const column = centres.reduce((best, c, k) => (Math.abs(run.x - c) < Math.abs(run.x - centres[best]) ? k : best), 0);
      const key = `${column}|${Math.round(run.y)}`;
      lines.set(key, [...(lines.get(key) ?? []), run]);
    }
    const text = [...lines.values()].map((runs) => runs.sort((a, b) => a.x - b.x).map((r) => r.text).join(''));
    assert.ok(text.some((l) => l.includes('→')), `cell ${cell}: the arrows are drawn (${JSON.stringify(text)})`);
    for (const line of text) {
      assert.ok(!line.trimEnd().endsWith('→'), `cell ${cell}: "${line}" ends with the arrow`);
      if (line.includes('→')) assert.match(line, /→ \S/, `cell ${cell}: "${line}": the arrow leads its operand`);
    }
  }
});
