// The comparison's Faithfulness section as geometry and state (webview/faithfulnessSection.ts), measured
// with the figure font (opentype.js, the PNG's measure): the numbers stand under their own columns of the
// figure, centred on the cells, in the shared score format; the chart is curveChart.ts's layout of the
// columns' mean MoRF curves; nothing is written while it runs or after Cancel; the randomisation chart has
// the steps as named ticks on a fixed [−1, 1] axis; the bar offers Cancel only while something runs,
// "Evaluate again" after a Cancel, the randomisation check once pixel flipping is done. And the score
// formats (webview/scoreFormat.ts), shared with the dataset browser.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { layoutCurveChart } from '../../../src/engine/figure/curveChart';
import { loadFigureFont } from '../../../src/engine/figure/font';
import { layoutComparisonFigure } from '../../../src/engine/figure/layout';
import type { FaithfulnessView, RandomisationView } from '../../../src/protocol/faithfulnessView';
import type { MethodTitle } from '../../../src/protocol/methodTitle';
import { evaluationBar, layoutFaithfulnessSection } from '../../../webview/faithfulnessSection';
import { formatRho, formatScore } from '../../../webview/scoreFormat';

const font = loadFigureFont();
const columns: Array<{ title: MethodTitle }> = [
  { title: [{ text: 'Sensitivity Analysis' }] },
  { title: [{ text: 'Guided Backprop' }] },
  { title: [{ text: 'LRP-α' }, { text: '2', sub: true }, { text: 'β' }, { text: '1', sub: true }] },
];
const figure = layoutComparisonFigure({ title: 'mnist-cnn', columns, rows: [{ name: 'seven.png', label: '7 (99.1%)' }, { name: 'two.png', label: '2 (97.0%)' }], cellSize: 112 }, font);

const curve = (start: number, drop: number) => Array.from({ length: 21 }, (_, k) => start - drop * Math.min(1, k / 4));
const done: FaithfulnessView = {
  status: 'done',
  steps: 20,
  images: 2,
  progress: { done: 6, total: 6 },
  ms: 135,
  columns: [
    { aopcMorf: 11.9412, aopcLerf: 2.6521, abpc: 9.2891, images: 2, meanMorf: curve(14, 10) },
    null,
    { aopcMorf: 12.7554, aopcLerf: -1.1357, abpc: 13.8911, images: 2, meanMorf: curve(14, 14) },
  ],
};

describe('faithfulness section layout', () => {
  it('writes each score under its own column, centred on the cell, and the score names in the input column', () => {
    const section = layoutFaithfulnessSection({ columns, faithfulness: done }, figure, font);
    assert.equal(section.top, figure.height, 'the section starts under the figure');
    assert.deepEqual(section.values, [
      ['11.941', '–', '12.755'],
      ['2.652', '–', '−1.136'],
      ['9.289', '–', '13.891'],
    ]);
    const size = figure.fontSizes.label;
    for (const [s, row] of section.values.entries()) {
      row.forEach((value, k) => {
        const run = section.texts.find((t) => t.text === value && t.y > section.top);
        assert.ok(run, `"${value}" is not written`);
        const cell = figure.cells[0][k];
        const centre = run.x + font.width(value, size) / 2;
        assert.ok(Math.abs(centre - (cell.x + cell.width / 2)) < 0.01, `score ${s} of column ${k} centred at ${centre}, cell centre ${cell.x + cell.width / 2}`);
      });
    }
    // The three rows in order, each below the last, and the labels right-aligned left of the first column.
    const labels = ['AOPC MoRF', 'AOPC LeRF', 'ABPC'].map((l) => section.texts.find((t) => t.text === l)!);
    assert.ok(labels.every(Boolean));
    assert.ok(labels[0].y < labels[1].y && labels[1].y < labels[2].y);
    for (const l of labels) assert.ok(l.x + font.width(l.text, size) <= figure.cells[0][0].x, `${l.text} reaches into the first column`);
    // What K is, and over how many images.
    assert.ok(section.texts.some((t) => t.text.includes('K = 20 steps')) && section.texts.some((t) => t.text.includes('2 images')));
    for (const t of section.texts) assert.ok(t.x >= 0 && t.x + font.width(t.text, t.size) <= section.width + 0.5, `"${t.text}" leaves the canvas`);
  });

  it("lays the chart out with curveChart.ts from the columns' mean MoRF curves, below the numbers", () => {
    const section = layoutFaithfulnessSection({ columns, faithfulness: done }, figure, font);
    assert.equal(section.charts.length, 1);
    const [chart] = section.charts;
    assert.equal(chart.kind, 'morf');
    const expected = layoutCurveChart(
      {
        series: [
          { title: columns[0].title, values: done.columns[0]!.meanMorf },
          { title: columns[2].title, values: done.columns[2]!.meanMorf },
        ],
        width: chart.layout.width,
        height: chart.layout.height,
        xLabel: 'fraction of pixels removed (MoRF)',
        yLabel: 'target logit',
        fontSize: figure.fontSizes.label,
      },
      font,
    );
    assert.deepEqual(chart.layout, expected);
    assert.ok(chart.y > Math.max(...section.texts.filter((t) => t.text === '13.891').map((t) => t.y)), 'the chart is below the numbers');
    assert.ok(chart.y + chart.layout.height <= section.top + section.height);
    assert.ok(chart.x + chart.layout.width <= section.width);
    // The legend says the method titles with real subscripts: "LRP-α" then a smaller "2".
    const sub = chart.layout.texts.find((t) => t.text === '2' && t.size < figure.fontSizes.label);
    assert.ok(sub, 'the legend has the subscript of LRP-α₂β₁');
  });

  it('writes no numbers and draws no chart while running or after Cancel, and says so', () => {
    for (const [status, says] of [['running', 'Flipping pixels: 2 of 6 maps…'], ['cancelled', 'Cancelled: not evaluated.']] as const) {
      const view: FaithfulnessView = { ...done, status, progress: { done: 2, total: 6 }, columns: [] };
      const section = layoutFaithfulnessSection({ columns, faithfulness: view }, figure, font);
      assert.deepEqual(section.values, [['', '', ''], ['', '', ''], ['', '', '']]);
      assert.equal(section.charts.length, 0);
      assert.ok(section.texts.some((t) => t.text === says), `${status}: ${section.texts.map((t) => t.text).join(' | ')}`);
      assert.ok(!section.texts.some((t) => t.text === 'ABPC'));
    }
  });

  it('adds the randomisation chart: the steps as named ticks, ρ on a fixed −1 … 1 axis', () => {
    const randomisation: RandomisationView = {
      status: 'done',
      seed: 0,
      images: 2,
      stepNames: ['trained', '+logits', '+dense1', '+conv2', '+conv1'],
      progress: { done: 6, total: 6 },
      columns: [[1, 0.59, 0.47, 0.35, 0.19], null, [1, 0.99, 0.99, 0.99, 0.99]],
    };
    const section = layoutFaithfulnessSection({ columns, faithfulness: done, randomisation }, figure, font);
    assert.deepEqual(section.charts.map((c) => c.kind), ['morf', 'randomisation']);
    const chart = section.charts[1].layout;
    assert.deepEqual(chart.yDomain, [-1, 1]);
    assert.equal(chart.lines.length, 2, 'one line per column with ρ');
    for (const name of randomisation.stepNames) assert.ok(chart.texts.some((t) => t.text === name), `no tick "${name}"`);
    // ρ = 1 at "trained" is the top of the plot.
    assert.ok(Math.abs(chart.lines[0].points[0].y - chart.plot.y) < 1e-9);
    assert.ok(section.charts[1].y > section.charts[0].y + section.charts[0].layout.height);
    const running = layoutFaithfulnessSection({ columns, faithfulness: done, randomisation: { ...randomisation, status: 'running', progress: { done: 2, total: 12 }, columns: [] } }, figure, font);
    assert.equal(running.charts.length, 1);
    assert.ok(running.texts.some((t) => t.text === 'Re-explaining with re-drawn weights: 2 of 12 jobs…'));
  });
});

describe('faithfulness bar', () => {
  const base = { kind: 'methods' as const, running: false };
  it('offers Cancel only while something runs', () => {
    assert.deepEqual(evaluationBar({ ...base, faithfulness: { ...done, status: 'running', progress: { done: 3, total: 14 }, columns: [] } }), {
      hidden: false,
      text: 'Faithfulness: Flipping pixels: 3 of 14 maps…',
      progress: { done: 3, total: 14 },
      cancel: true,
      rerun: false,
      randomise: false,
    });
    const randomising = evaluationBar({ ...base, faithfulness: done, randomisation: { status: 'running', seed: 0, images: 2, stepNames: [], progress: { done: 1, total: 12 }, columns: [] } });
    assert.equal(randomising.cancel, true);
    assert.deepEqual(randomising.progress, { done: 1, total: 12 });
    assert.equal(randomising.randomise, false);
  });
  it('says it is background work waiting for another panel', () => {
    const paused = evaluationBar({ ...base, faithfulness: { ...done, status: 'running', progress: { done: 3, total: 14 }, columns: [], paused: 'paused while the explain panel computes' } });
    assert.equal(paused.text, 'Faithfulness: Flipping pixels: 3 of 14 maps… (paused while the explain panel computes)');
    assert.equal(paused.cancel, true);
    const check = evaluationBar({ ...base, faithfulness: done, randomisation: { status: 'running', seed: 0, images: 2, stepNames: [], progress: { done: 1, total: 12 }, columns: [], paused: 'paused while the comparison computes' } });
    assert.match(check.text, /\(paused while the comparison computes\)$/);
  });
  it('offers the randomisation check once done, and again after it was cancelled', () => {
    const bar = evaluationBar({ ...base, faithfulness: done });
    assert.deepEqual([bar.cancel, bar.rerun, bar.randomise], [false, false, true]);
    assert.equal(bar.text, 'Faithfulness: 6 maps evaluated in 135 ms.');
    const after = evaluationBar({ ...base, faithfulness: done, randomisation: { status: 'cancelled', seed: 0, images: 2, stepNames: [], progress: { done: 1, total: 12 }, columns: [] } });
    assert.deepEqual([after.cancel, after.randomise], [false, true]);
    assert.match(after.text, /Cancelled: not checked/);
  });
  it('offers "Evaluate again" after Cancel, nothing while the heatmaps run, and no section for models', () => {
    const cancelled = { ...done, status: 'cancelled' as const, columns: [] };
    assert.deepEqual([evaluationBar({ ...base, faithfulness: cancelled }).rerun, evaluationBar({ ...base, faithfulness: cancelled }).randomise], [true, false]);
    assert.equal(evaluationBar({ ...base, running: true, faithfulness: cancelled }).rerun, false);
    assert.equal(evaluationBar({ kind: 'models', running: false, faithfulness: done }).hidden, true);
    assert.equal(evaluationBar({ ...base }).hidden, true, 'nothing before the heatmaps are in');
  });
});

describe('score formats', () => {
  it('three decimals, a true minus, no negative zero, en dash for undefined', () => {
    assert.equal(formatScore(12.7244), '12.724');
    assert.equal(formatScore(-2.7305), '−2.731');
    assert.equal(formatScore(-0.0004), '0.000');
    assert.equal(formatScore(0), '0.000');
    assert.equal(formatScore(123456), '1.23e+5');
    assert.equal(formatScore(-123456), '−1.23e+5');
    assert.equal(formatScore(NaN), '–');
    assert.equal(formatRho(0.9931), '0.99');
    assert.equal(formatRho(-0.4392), '−0.44');
    assert.equal(formatRho(-0.001), '0.00');
    assert.equal(formatRho(NaN), '–');
  });
});
