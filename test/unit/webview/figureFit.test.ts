// The comparison fits its panel (issue 26): a 224×224 model's seed figure drew 448 px cells, 3952 px wide,
// in a 1252 px panel. Cell sizes from webview/figureFit.ts, laid out by the one figure layout and measured
// with the figure's font (opentype.js, as the PNG renderer measures).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadFigureFont } from '../../../src/engine/figure/font';
import { layoutComparisonFigure } from '../../../src/engine/figure/layout';
import { figureText } from '../../../webview/figureCanvas';
import { cellSizeAt, exportCellSize, fitCellSize, MIN_CELL } from '../../../webview/figureFit';
import { compareState } from './fixtures';

const font = loadFigureFont();
const state = { ...compareState(), title: 'ResNet-18 (random weights, 224×224 RGB)' };
const text = (cell: number) => figureText(state, cell);
const widthAt = (cell: number) => layoutComparisonFigure(text(cell), font).width;

describe('comparison figure size', () => {
  it('a 224×224 model\'s seed figure fits 1,200 px with readable cells; the PNG is at full resolution', () => {
    const cell = fitCellSize(text, 224, 1200, font);
    const layout = layoutComparisonFigure(text(cell), font);
    assert.ok(layout.width <= 1200, `${layout.width} px wide`);
    assert.ok(widthAt(cell + 1) > 1200, 'the largest cell that fits');
    assert.ok(cell >= 100, `cells of ${cell} px`);
    assert.ok(layout.fontSizes.title >= 10 && layout.fontSizes.label >= 11, `text of ${JSON.stringify(layout.fontSizes)} px`);
    // Before: the smallest whole multiple (2×, 448 px cells) whatever the width.
    assert.ok(widthAt(448) > 3 * 1200, `2× cells made a ${widthAt(448)} px figure`);
    const exported = exportCellSize(cell, 224);
    assert.equal(exported, 224, 'one PNG pixel per map pixel');
    assert.ok(widthAt(exported) > 1200);
  });

  it('a 28×28 model keeps crisp whole multiples, and the PNG is what is shown', () => {
    const cell = fitCellSize(text, 28, 1200, font);
    assert.equal(cell % 28, 0);
    assert.ok(cell >= 112 && widthAt(cell) <= 1200, `${cell} px cells, ${widthAt(cell)} px`);
    assert.equal(exportCellSize(cell, 28), cell);
    // A narrow panel: the smallest crisp multiple that fits (the columns are as wide as their titles need)…
    assert.equal(fitCellSize(text, 28, 700, font), 56);
    // …and narrower than the titles allow: the smallest cells, and the figure scrolls.
    assert.ok(widthAt(MIN_CELL) > 600);
    assert.equal(fitCellSize(text, 28, 600, font), MIN_CELL);
    // A large map in a middling panel: any cell size that fits, not only multiples of the map.
    const middling = fitCellSize(text, 224, 1000, font);
    assert.ok(middling % 224 !== 0 && widthAt(middling) <= 1000 && widthAt(middling + 1) > 1000, `${middling} px cells`);
  });

  it('zooms in map pixels per screen pixel; the export never goes below the map\'s own size', () => {
    const fit = () => 131;
    assert.equal(cellSizeAt('fit', fit, 224), 131);
    assert.equal(cellSizeAt(1, fit, 224), 224);
    assert.equal(cellSizeAt(0.5, fit, 224), 112);
    assert.equal(cellSizeAt(2, fit, 224), 448);
    assert.equal(cellSizeAt(0.5, fit, 28), MIN_CELL);
    assert.equal(exportCellSize(112, 224), 224);
    assert.equal(exportCellSize(448, 224), 448);
    assert.equal(exportCellSize(140, 28), 140);
  });
});
