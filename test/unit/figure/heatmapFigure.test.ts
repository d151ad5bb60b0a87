// The single-heatmap export's layout, measured with the figure font: the title above the map, the map at
// its drawn size, the colour bar under it as wide as the figure's inside, its end labels under its ends,
// the scale under them; nothing overlaps and everything stays inside the figure, at every map size.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadFigureFont } from '../../../src/engine/figure/font';
import { layoutHeatmapFigure } from '../../../src/engine/figure/heatmapFigure';
import type { Rect } from '../../../src/engine/figure/layout';
import { titleWidth } from '../../../src/engine/figure/titleText';
import type { MethodTitle } from '../../../src/protocol/methodTitle';

const font = loadFigureFont();
const LRP: MethodTitle = [{ text: 'LRP-α' }, { text: '2', sub: true }, { text: 'β' }, { text: '1', sub: true }];
const SCALE = 'Colour bar ends at ±0.0612 (99.5th percentile of |R|), over the model input at 60%';

const textBox = (run: { text: string; x: number; y: number; size: number }): Rect => ({
  x: run.x,
  y: run.y - font.ascent * run.size,
  width: font.width(run.text, run.size),
  height: (font.ascent + font.descent) * run.size,
});
const inside = (a: Rect, b: Rect) => a.x >= b.x - 0.5 && a.y >= b.y - 0.5 && a.x + a.width <= b.x + b.width + 0.5 && a.y + a.height <= b.y + b.height + 0.5;
const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

for (const [w, h] of [[280, 280], [28, 28], [224, 224], [448, 300]]) {
  test(`a ${w}×${h} map: title, map, bar, labels and scale in order, inside the figure, apart`, () => {
    const layout = layoutHeatmapFigure({ mapWidth: w, mapHeight: h, method: LRP, what: 'class 7', scale: SCALE, nonNegative: false }, font);
    const figure = { x: 0, y: 0, width: layout.width, height: layout.height };
    assert.deepEqual([layout.map.width, layout.map.height], [w, h], 'the map at its drawn size');
    assert.ok(inside(layout.map, figure) && inside(layout.bar, figure));
    assert.ok(layout.bar.y > layout.map.y + layout.map.height, 'the bar under the map');
    assert.ok(layout.bar.width >= w, 'the bar at least as wide as the map');
    const boxes = layout.texts.map(textBox);
    for (const box of boxes) {
      assert.ok(inside(box, figure), `text inside the figure: ${JSON.stringify(box)} in ${layout.width}×${layout.height}`);
      assert.ok(!overlaps(box, layout.map) && !overlaps(box, layout.bar), 'no text over the map or the bar');
    }
    const above = layout.texts.filter((t) => t.y < layout.map.y);
    assert.equal(above.map((t) => t.text).join(''), 'LRP-α2β1 · class 7', 'the method (with its subscripts as runs) and the class above the map');
    assert.ok(above.some((t) => t.text === '2' && t.size < above[0].size), 'a real subscript');
    const below = layout.texts.filter((t) => t.y > layout.bar.y);
    const labels = below.filter((t) => !t.muted).map((t) => t.text).join('|');
    assert.equal(labels, 'R|i| ≪ 0|0|R|i| ≫ 0');
    const scale = below.filter((t) => t.muted);
    assert.equal(scale.map((t) => t.text).join(' '), SCALE, 'the scale, whole, wrapped at spaces');
    // The labels sit under the bar's ends and middle.
    const first = below[0];
    assert.ok(Math.abs(first.x - layout.bar.x) < 0.5, 'R ≪ 0 at the left end');
    const last = below.filter((t) => !t.muted).slice(-3);
    const end = last[last.length - 1];
    assert.ok(Math.abs(end.x + font.width(end.text, end.size) - (layout.bar.x + layout.bar.width)) < 0.5, 'R ≫ 0 ends at the right end');
  });
}

test('a non-negative map (Sensitivity): its bar is the upper half of the colour map, labelled 0 to R ≫ 0', () => {
  const layout = layoutHeatmapFigure({ mapWidth: 280, mapHeight: 280, method: [{ text: 'Sensitivity Analysis' }], what: 'class 3', scale: 'Colour bar ends at ±1.2 (max |R|)', nonNegative: true }, font);
  assert.deepEqual([layout.barFrom, layout.barTo], [0.5, 1]);
  const labels = layout.texts.filter((t) => t.y > layout.bar.y && !t.muted).map((t) => t.text).join('|');
  assert.equal(labels, '0|R|i| ≫ 0');
  // A long title wraps instead of widening the figure past the map and its margins.
  const long = layoutHeatmapFigure({ mapWidth: 112, mapHeight: 112, method: [{ text: 'Simple Taylor Decomposition with a long parameter list' }], what: 'why 7 and not 1?', scale: 'x', nonNegative: false }, font);
  const titleLines = new Set(long.texts.filter((t) => t.y < long.map.y).map((t) => t.y));
  assert.ok(titleLines.size >= 2, 'the title takes two lines or more');
  for (const run of long.texts) assert.ok(run.x + font.width(run.text, run.size) <= long.width, `"${run.text}" inside`);
  assert.ok(titleWidth([{ text: 'Simple Taylor Decomposition with a long parameter list · why 7 and not 1?' }], 11, font) > long.width);
});
