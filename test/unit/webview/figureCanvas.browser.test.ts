// One layout for the comparison figure: the panel's canvas (webview/figureCanvas.ts, measured by the
// canvas in Chromium with the figure font loaded as a web font) and the PNG of `compare --out` (the
// engine, measured by opentype.js) lay out the same figure to the same geometry, and draw the same pixels
// in every cell and in the colour bar. Skipped when /usr/bin/chromium is missing.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { PNG } from 'pngjs';
import type { Browser } from 'playwright-core';
import { renderComparisonFigure } from '../../../src/engine/figure/comparisonFigure';
import { defaultFontPath, loadFigureFont } from '../../../src/engine/figure/font';
import { layoutComparisonFigure, type FigureLayout, type Rect } from '../../../src/engine/figure/layout';
import { renderHeatmap } from '../../../src/engine/heatmap/render';
import type { CompareViewState } from '../../../src/protocol/webviewMessages';
import { figureText } from '../../../webview/figureCanvas';
import { bundle, launchChromium, noChromium, PAGE_TYPED_HELPERS, serve, tagTyped } from './browser';
import { compareCellHeatmap, compareState, SEED_COLUMNS } from './fixtures';

const repo = path.resolve(__dirname, '../../..');
const out = path.join(repo, 'artifacts/figure-geometry');
const CELL = 112;

let browser: Browser | undefined;
let server: Awaited<ReturnType<typeof serve>> | undefined;

before(async () => {
  if (noChromium) return;
  await bundle({ figureProbe: path.join(__dirname, 'figureProbe.ts') }, out);
  fs.copyFileSync(defaultFontPath(), path.join(out, 'figure-font.ttf'));
  fs.writeFileSync(
    path.join(out, 'figure.html'),
    `<!DOCTYPE html><html><head><meta charset="UTF-8"><style>@font-face { font-family: FigureFont; src: url(figure-font.ttf); }</style>
<script>${PAGE_TYPED_HELPERS}</script></head><body><script src="figureProbe.js"></script></body></html>`,
  );
  server = await serve(out);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** The seed figure as the panel has it when all its cells are in: two rows, seven methods, row names. */
function filledState(): CompareViewState {
  const state = compareState();
  state.rows.forEach((row, r) => (row.cells = SEED_COLUMNS.map((_, c) => ({ heatmap: compareCellHeatmap(r, c) }))));
  return { ...state, running: false };
}

async function canvasFigure(state: CompareViewState): Promise<{ layout: FigureLayout; width: number; height: number; rgba: number[] }> {
  const page = await browser!.newPage();
  try {
    await page.goto(`${server!.origin}/figure.html`);
    await page.evaluate(() => document.fonts.load('12px FigureFont'));
    return (await page.evaluate(([s, cell]) => (window as any).figureProbe.draw((window as any).__untag(s), cell), [tagTyped(state), CELL] as const)) as never;
  } finally {
    await page.close();
  }
}

const near = (a: number, b: number, slack: number) => Math.abs(a - b) <= slack;
function assertRectNear(a: Rect, b: Rect, slack: number, what: string): void {
  assert.ok(near(a.x, b.x, slack) && near(a.y, b.y, slack) && near(a.width, b.width, slack) && near(a.height, b.height, slack), `${what}: canvas ${JSON.stringify(a)}, PNG ${JSON.stringify(b)}`);
}

test('the canvas and the PNG lay out the same figure alike and draw the same cells', { skip: noChromium }, async () => {
  const state = filledState();
  const canvas = await canvasFigure(state);
  const png = layoutComparisonFigure(figureText(state, CELL), loadFigureFont());

  // Geometry: the two text measures (canvas metrics, opentype.js) agree to within a pixel everywhere.
  assert.ok(near(canvas.layout.width, png.width, 1) && near(canvas.layout.height, png.height, 1), `canvas ${canvas.layout.width}×${canvas.layout.height}, PNG ${png.width}×${png.height}`);
  png.inputCells.forEach((rect, r) => assertRectNear(canvas.layout.inputCells[r], rect, 1, `input cell ${r}`));
  png.cells.forEach((row, r) => row.forEach((rect, k) => assertRectNear(canvas.layout.cells[r][k], rect, 1, `cell ${r}, ${k}`)));
  png.columnTitles.forEach((rect, k) => assertRectNear(canvas.layout.columnTitles[k], rect, 1, `title of column ${k}`));
  assertRectNear(canvas.layout.colorBar, png.colorBar, 1, 'colour bar');
  assert.deepEqual(canvas.layout.texts.map((t) => t.text), png.texts.map((t) => t.text), 'the same texts, in the same order');
  canvas.layout.texts.forEach((t, i) => {
    const p = png.texts[i];
    assert.ok(near(t.x, p.x, 1) && near(t.y, p.y, 1) && t.size === p.size, `"${t.text}": canvas (${t.x}, ${t.y}) ${t.size} px, PNG (${p.x}, ${p.y}) ${p.size} px`);
  });

  // Pixels: the engine's render of the same figure (as `compare --out` makes it: inputs, heatmaps of the
  // same maps and display, colour bar) has exactly the canvas's pixels in every cell and in the bar.
  assert.ok(near(canvas.width, png.width, 1) && near(canvas.height, png.height, 1));
  const rendered = renderComparisonFigure({
    ...figureText(state, CELL),
    rows: state.rows.map((row, r) => ({
      ...figureText(state, CELL).rows[r],
      input: row.input!,
      cells: row.cells.map((cell) => renderHeatmap(cell!.heatmap!.relevance, cell!.heatmap!.shape, { colormap: state.display.colormap, normalization: state.display.normalization })),
    })),
  });
  const pixel = (rgba: ArrayLike<number>, width: number, x: number, y: number) => [0, 1, 2].map((c) => rgba[4 * (y * width + x) + c]);
  const sameInside = (rect: Rect, what: string) => {
    for (let y = rect.y; y < rect.y + rect.height; y++) {
      for (let x = rect.x; x < rect.x + rect.width; x++) {
        const a = pixel(canvas.rgba, canvas.width, x, y);
        const b = pixel(rendered.data, rendered.width, x, y);
        if (a.some((v, c) => v !== b[c])) assert.fail(`${what} at (${x}, ${y}): canvas ${a}, PNG ${b}`);
      }
    }
  };
  // Both, for a look: artifacts/figure-geometry/{canvas,engine}.png.
  const save = (name: string, width: number, height: number, rgba: ArrayLike<number>) => {
    const image = new PNG({ width, height });
    image.data.set(rgba);
    fs.writeFileSync(path.join(out, name), PNG.sync.write(image));
  };
  save('canvas.png', canvas.width, canvas.height, canvas.rgba);
  save('engine.png', rendered.width, rendered.height, rendered.data);
  png.inputCells.forEach((rect, r) => sameInside(rect, `input ${r}`));
  png.cells.forEach((row, r) => row.forEach((rect, k) => sameInside(rect, `cell ${r}, ${k}`)));
  sameInside(png.colorBar, 'colour bar');
});
