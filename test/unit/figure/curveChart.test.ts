// The pixel-flipping chart: its geometry (where each point of each curve goes, nice ticks, legend, labels
// kept apart) from the pure layout, and the stroked polylines of its PNG rasterizer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { layoutCurveChart, SERIES_COLORS, type CurveChartSpec } from '../../../src/engine/figure/curveChart';
import { renderCurveChart } from '../../../src/engine/figure/curveChartImage';
import { strokePolyline } from '../../../src/engine/figure/draw';
import { loadFigureFont } from '../../../src/engine/figure/font';
import { createRgbaImage } from '../../../src/engine/image/rgbaImage';

const font = loadFigureFont();
const spec = (over: Partial<CurveChartSpec> = {}): CurveChartSpec => ({
  series: [
    { title: [{ text: 'Sensitivity Analysis' }], values: [8, 3, 1, 0.5, 0] },
    { title: [{ text: 'LRP-α' }, { text: '2', sub: true }, { text: 'β' }, { text: '1', sub: true }], values: [8, -1.5, -2, -2, 0] },
  ],
  width: 640,
  height: 360,
  xLabel: 'fraction of pixels removed',
  yLabel: 'target logit',
  ...over,
});

describe('curve chart layout', () => {
  it('puts value k of K+1 at x = k/K of the plot and the values on a nice y axis', () => {
    const layout = layoutCurveChart(spec(), font);
    const { plot, yDomain } = layout;
    assert.deepEqual(yDomain, [-2, 8]);
    assert.equal(layout.lines.length, 2);
    assert.deepEqual(layout.lines.map((l) => l.color), SERIES_COLORS.slice(0, 2));
    layout.lines[1].points.forEach((p, k) => {
      assert.ok(Math.abs(p.x - (plot.x + (k / 4) * plot.width)) < 1e-9);
      const v = spec().series[1].values[k];
      assert.ok(Math.abs(p.y - (plot.y + ((8 - v) / 10) * plot.height)) < 1e-9);
    });
    const text = layout.texts.map((t) => t.text);
    for (const tick of ['−2', '0', '2', '4', '6', '8', '0.2', '0.4', '1.0']) assert.ok(text.includes(tick), `tick ${tick} in ${text}`);
    assert.ok(!text.includes('-2') && !text.includes('−0'));
    // Legend: the titles with their subscripts as runs of their own, right of the plot.
    assert.ok(text.includes('Sensitivity Analysis') && text.includes('LRP-α') && text.includes('β'));
    const sub = layout.texts.find((t) => t.text === '2' && t.size < 12)!;
    assert.ok(sub.x > plot.x + plot.width, 'subscript in the legend');
    assert.equal(layout.legendSwatches.length, 2);
    assert.ok(layout.texts.find((t) => t.text === 'target logit')!.rotated);
    // Every piece of text inside the chart.
    for (const t of layout.texts) {
      const w = font.width(t.text, t.size);
      if (!t.rotated) assert.ok(t.x >= 0 && t.x + w <= 640 && t.y <= 360 && t.y - t.size >= 0, `${t.text} at ${t.x},${t.y}`);
    }
  });

  it('named x ticks at every point, upright under their points when they would overlap; a fixed y range', () => {
    const named = layoutCurveChart(spec({ xTicks: ['trained', 'logits', 'dense1', 'conv2', 'conv1'], yDomain: [-1, 1], series: [{ title: [{ text: 'a' }], values: [1, 0.5, 0, -0.5, 0.2] }] }), font);
    assert.deepEqual(named.yDomain, [-1, 1]);
    const labels = named.texts.map((t) => t.text);
    for (const l of ['trained', 'logits', 'conv1', '−1.0', '1.0']) assert.ok(labels.includes(l), l);
    assert.ok(!named.texts.some((t) => t.text === 'trained' && t.rotated), 'names that fit stay level');
    // Eleven long layer names on a narrow chart (the "top layers re-drawn 0…10"): every one is written,
    // upright, centred on its point, below the axis and inside the chart; none becomes a bare step number.
    const names = ['trained', ...Array.from({ length: 10 }, (_, i) => `+layer${i}.conv${i % 3}`)];
    const crowded = layoutCurveChart(spec({ width: 420, height: 360, xTicks: names, series: [{ title: [{ text: 'a' }], values: names.map((_, k) => 1 - k / 10) }] }), font);
    const ticks = crowded.texts.filter((t) => t.rotated && t.text !== 'target logit');
    assert.deepEqual(ticks.map((t) => t.text), names);
    ticks.forEach((t, k) => {
      const x = Math.round(crowded.plot.x + (k / 10) * crowded.plot.width);
      const centre = t.x - (t.size * (font.ascent - font.descent)) / 2;
      assert.ok(Math.abs(centre - x) < 1e-9, `${t.text} centred on its tick`);
      assert.ok(t.y - font.width(t.text, t.size) > crowded.plot.y + crowded.plot.height, `${t.text} below the axis`);
      assert.ok(t.y <= 360, `${t.text} inside the chart`);
    });
    assert.ok(!crowded.texts.some((t) => /^\d+$/.test(t.text) && !t.rotated && t.y > crowded.plot.y + crowded.plot.height));
    // Names longer than a third of the chart's height are cut with an ellipsis.
    const long = layoutCurveChart(spec({ width: 300, height: 300, xTicks: names.map((n) => n + '.a_very_long_suffix_of_the_module_path'), series: [{ title: [{ text: 'a' }], values: names.map(() => 1) }] }), font);
    const cut = long.texts.filter((t) => t.rotated && t.text !== 'target logit');
    assert.ok(cut.every((t) => t.text.endsWith('…') && font.width(t.text, t.size) <= 100));
  });

  it('bands: values ± the band as one closed outline per series, in its colour; ROAD curves end at xMax', () => {
    const layout = layoutCurveChart(
      spec({ xMax: 0.75, series: [{ title: [{ text: 'a' }], values: [4, 2, 1, 0], band: [0, 0.5, 1, NaN] }, { title: [{ text: 'b' }], values: [4, 3, 2, 1] }] }),
      font,
    );
    assert.equal(layout.bands.length, 1);
    assert.equal(layout.bands[0].color, SERIES_COLORS[0]);
    const { plot, yDomain } = layout;
    const py = (v: number) => plot.y + ((yDomain[1] - v) / (yDomain[1] - yDomain[0])) * plot.height;
    const px = (k: number) => plot.x + ((0.75 * k) / 3) * plot.width;
    const expected = [
      [px(0), py(4)], [px(1), py(2.5)], [px(2), py(2)], [px(3), py(0)],
      [px(3), py(0)], [px(2), py(0)], [px(1), py(1.5)], [px(0), py(4)],
    ];
    layout.bands[0].points.forEach((p, i) => assert.ok(Math.abs(p.x - expected[i][0]) < 1e-9 && Math.abs(p.y - expected[i][1]) < 1e-9, `point ${i}`));
    assert.ok(Math.abs(layout.lines[1].points[3].x - (plot.x + 0.75 * plot.width)) < 1e-9, 'the last value at xMax');
    // The y axis makes room for the band.
    assert.ok(yDomain[0] <= 0 && yDomain[1] >= 4);
    const img = renderCurveChart(spec({ series: [{ title: [{ text: 'a' }], values: [8, 3, 1, 0.5, 0], band: [0, 2, 2, 2, 0] }] }));
    // Inside the band, between the line and its edge, the background is tinted by the series colour.
    const l = layoutCurveChart(spec({ series: [{ title: [{ text: 'a' }], values: [8, 3, 1, 0.5, 0], band: [0, 2, 2, 2, 0] }] }), font);
    const x = Math.round(l.plot.x + 0.5 * l.plot.width);
    const y = Math.round(l.plot.y + ((l.yDomain[1] - 2.2) / (l.yDomain[1] - l.yDomain[0])) * l.plot.height);
    const at = 4 * (y * img.width + x);
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(SERIES_COLORS[0].slice(i, i + 2), 16));
    [r, g, b].forEach((c, i) => assert.ok(Math.abs(img.data[at + i] - Math.round(255 * (1 - 0.18) + c * 0.18)) <= 2, `channel ${i}: ${img.data[at + i]}`));
  });

  it('refuses a chart too small to plot and a curve of one point', () => {
    assert.throws(() => layoutCurveChart(spec({ width: 120 }), font), /leaves no room to plot/);
    assert.throws(() => layoutCurveChart(spec({ series: [{ title: [{ text: 'a' }], values: [1] }] }), font), /series 0 has 1 values/);
  });

  it('the PNG draws each series in its colour', () => {
    const img = renderCurveChart(spec());
    const count = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      let n = 0;
      for (let i = 0; i < img.data.length; i += 4) if (img.data[i] === r && img.data[i + 1] === g && img.data[i + 2] === b) n++;
      return n;
    };
    assert.ok(count(SERIES_COLORS[0]) > 300 && count(SERIES_COLORS[1]) > 300);
  });
});

describe('stroked polylines', () => {
  const ink = (img: ReturnType<typeof createRgbaImage>) => {
    let total = 0;
    for (let i = 0; i < img.data.length; i += 4) total += (255 - img.data[i]) / 255;
    return total;
  };
  it('cover the segment rectangles and round caps, once where they overlap', () => {
    const img = createRgbaImage(60, 20);
    strokePolyline(img, [[10, 10], [50, 10]], 2, [0, 0, 0]);
    // 40 × 2 px of line plus two half discs of radius 1 (a 12-gon: area 3).
    assert.ok(Math.abs(ink(img) - (80 + 3)) < 1.5, `${ink(img)}`);
    const bent = createRgbaImage(60, 60);
    strokePolyline(bent, [[10, 10], [40, 10], [40, 40]], 2, [0, 0, 0]);
    // Two 30 × 2 legs meeting at a corner: the joint is covered once (no double darkening, no hole).
    assert.ok(Math.abs(ink(bent) - (60 + 60 + 3)) < 2.5, `${ink(bent)}`);
    assert.equal(bent.data[4 * (10 * 60 + 40)], 0, 'the corner pixel is fully covered');
  });
});
