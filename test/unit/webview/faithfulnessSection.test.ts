// The comparison's Faithfulness section as geometry and state (webview/faithfulnessSection.ts), measured
// with the figure font (opentype.js, the PNG's measure): a table with one row per method, its title on the
// row and mean ± standard error in each score column, sorted by the chosen column; the verdict sentence;
// the chart is curveChart.ts's layout of the columns' mean MoRF or LeRF curves with their bands (ROAD's
// when chosen); nothing is written while it runs or after Cancel; the randomisation chart names its layers
// on the axis; the bar offers Cancel only while something runs, "Evaluate again" after a Cancel, the
// randomisation check once done, "Add ROAD" when ROAD did not run, "Add dataset samples" under 5 images.
// And the score formats (webview/scoreFormat.ts), shared with the dataset browser.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { layoutCurveChart } from '../../../src/engine/figure/curveChart';
import { loadFigureFont } from '../../../src/engine/figure/font';
import { layoutComparisonFigure } from '../../../src/engine/figure/layout';
import type { FaithfulnessColumn, FaithfulnessView, MeasureSummary, RandomisationView } from '../../../src/protocol/faithfulnessView';
import type { MethodTitle } from '../../../src/protocol/methodTitle';
import { evaluationBar, faithfulnessCaption, layoutFaithfulnessSection, tableRows } from '../../../webview/faithfulnessSection';
import { formatRho, formatScore } from '../../../webview/scoreFormat';

const font = loadFigureFont();
const columns: Array<{ title: MethodTitle }> = [
  { title: [{ text: 'Sensitivity Analysis' }] },
  { title: [{ text: 'Guided Backprop' }] },
  { title: [{ text: 'LRP-α' }, { text: '2', sub: true }, { text: 'β' }, { text: '1', sub: true }] },
];
const figure = layoutComparisonFigure({ title: 'mnist-cnn', columns, rows: [{ name: 'seven.png', label: '7 (99.1%)' }, { name: 'two.png', label: '2 (97.0%)' }], cellSize: 112 }, font);

const curve = (start: number, drop: number, points = 21) => Array.from({ length: points }, (_, k) => start - drop * Math.min(1, k / 4));
const summary = (aopcMorf: number, aopcLerf: number, se: number, drop: number, points = 21): MeasureSummary => ({
  aopcMorf,
  aopcLerf,
  abpc: aopcMorf - aopcLerf,
  images: 6,
  standardErrors: { aopcMorf: se, aopcLerf: se / 2, abpc: se * 1.5 },
  meanCurves: { morf: curve(14, drop, points), lerf: curve(14, drop / 10, points) },
  curveErrors: { morf: curve(0.5, 0.2, points), lerf: curve(0.4, 0.1, points) },
});
const columnValues: Array<FaithfulnessColumn | null> = [
  { ...summary(11.9412, 2.6521, 0.4, 10), road: summary(9, 1, 0.3, 8, 20) },
  null,
  { ...summary(12.7554, -1.1357, 0.6, 14), road: summary(10, 6, 0.2, 9, 20) },
];
const done: FaithfulnessView = {
  status: 'done',
  steps: 20,
  images: 6,
  progress: { done: 6, total: 6 },
  ms: 135,
  columns: columnValues,
  baseline: 'black',
  baselineText: 'pixels set to black (0 in the image), i.e. 0 in the model input',
  patch: 1,
  road: true,
  contrastRows: 0,
  verdict: { sentence: 'Most faithful on these 6 images: LRP-α2β1 (ABPC 13.9 ± 0.9); Sensitivity Analysis is worse (p < 0.05).', images: 6, enough: true, leader: 2, tied: [], worse: [0] },
  roadVerdict: { sentence: 'No method is clearly most faithful on these 6 images: Sensitivity Analysis (ROAD ABPC 8.0 ± 0.5) has the highest mean, but LRP-α2β1 is not distinguishable from it.', images: 6, enough: true, leader: 0, tied: [2], worse: [] },
};

describe('faithfulness section layout', () => {
  it('a table with the method names per row, mean ± standard error per score, best ABPC first, and the verdict', () => {
    const section = layoutFaithfulnessSection({ columns, faithfulness: done }, figure, font);
    assert.equal(section.top, figure.height, 'the section starts under the figure');
    assert.equal(section.verdict, done.verdict!.sentence);
    assert.ok(section.texts.some((t) => t.text.startsWith('Verdict: Most faithful')), 'the verdict is written');
    assert.deepEqual(
      section.table.map((r) => [r.column, r.scores, r.standing]),
      [
        [2, ['12.755 ± 0.600', '−1.136 ± 0.300', '13.891 ± 0.900'], 'most faithful'],
        [0, ['11.941 ± 0.400', '2.652 ± 0.200', '9.289 ± 0.600'], 'worse'],
        [1, ['–', '–', '–'], ''],
      ],
    );
    const size = figure.fontSizes.label;
    // Each row: the title at the left, its numbers on the same baseline, right-aligned under their headings.
    const headings = ['AOPC MoRF ± s.e.', 'AOPC LeRF ± s.e.', 'ABPC ± s.e. ▼'].map((h) => section.texts.find((t) => t.text === h)!);
    assert.ok(headings.every(Boolean), section.texts.map((t) => t.text).join(' | '));
    for (const row of section.table.slice(0, 2)) {
      const title = section.texts.find((t) => t.text === row.title[0].text && t.y > headings[0].y)!;
      row.scores.forEach((text, s) => {
        const run = section.texts.find((t) => t.text === text && t.y === title.y);
        assert.ok(run, `"${text}" on the row of ${row.title[0].text}`);
        assert.ok(Math.abs(run.x + font.width(text, size) - (headings[s].x + font.width(headings[s].text, size))) < 0.01, `"${text}" right-aligned under its heading`);
        assert.ok(run.x > title.x);
      });
    }
    // The headings are where a click sorts.
    assert.deepEqual(section.headers.map((h) => h.key), ['method', 'aopcMorf', 'aopcLerf', 'abpc']);
    for (const h of section.headers) assert.ok(h.rect.width > 0 && h.rect.y >= section.top);
    assert.ok(section.texts.some((t) => t.text.includes('K = 20 steps')) && section.texts.some((t) => t.text.includes('6 images')));
    for (const t of section.texts) assert.ok(t.x >= 0 && t.x + font.width(t.text, t.size) <= section.width + 0.5, `"${t.text}" leaves the canvas`);
  });

  it('sorts by any column, either way; NaN (no maps) last', () => {
    const order = (key: 'method' | 'aopcMorf' | 'aopcLerf' | 'abpc', descending: boolean) => tableRows(columns, done.columns, 'pixel-flipping', done.verdict, { key, descending }).map((r) => r.column);
    assert.deepEqual(order('abpc', true), [2, 0, 1]);
    assert.deepEqual(order('abpc', false), [0, 2, 1]);
    assert.deepEqual(order('aopcLerf', false), [2, 0, 1]);
    assert.deepEqual(order('method', false), [1, 2, 0]);
    const section = layoutFaithfulnessSection({ columns, faithfulness: done, choices: { order: 'morf', measure: 'pixel-flipping', sort: { key: 'aopcLerf', descending: false } } }, figure, font);
    assert.ok(section.texts.some((t) => t.text === 'AOPC LeRF ± s.e. ▲'));
  });

  it("lays the chart out with curveChart.ts from the columns' mean curves and bands: MoRF, LeRF, ROAD", () => {
    for (const order of ['morf', 'lerf'] as const) {
      for (const measure of ['pixel-flipping', 'road'] as const) {
        const section = layoutFaithfulnessSection({ columns, faithfulness: done, choices: { order, measure, sort: { key: 'abpc', descending: true } } }, figure, font);
        assert.equal(section.measure, measure);
        assert.equal(section.charts.length, 1);
        const [chart] = section.charts;
        assert.deepEqual([chart.kind, chart.order], ['curves', order]);
        const of = (k: number) => (measure === 'road' ? done.columns[k]!.road! : done.columns[k]!);
        const expected = layoutCurveChart(
          {
            series: [0, 2].map((k) => ({ title: columns[k].title, values: of(k).meanCurves[order], band: of(k).curveErrors[order] })),
            width: chart.layout.width,
            height: chart.layout.height,
            xMax: measure === 'road' ? 19 / 20 : 1,
            xLabel: `fraction of pixels removed (${order === 'morf' ? 'MoRF' : 'LeRF'}${measure === 'road' ? ', ROAD' : ''})`,
            yLabel: 'target logit',
            fontSize: figure.fontSizes.label,
          },
          font,
        );
        assert.deepEqual(chart.layout, expected);
        assert.equal(chart.layout.bands.length, 2);
        assert.ok(chart.y + chart.layout.height <= section.top + section.height);
        if (measure === 'road') assert.equal(section.verdict, done.roadVerdict!.sentence);
      }
    }
    const noRoad = layoutFaithfulnessSection({ columns, faithfulness: { ...done, road: false }, choices: { order: 'morf', measure: 'road', sort: { key: 'abpc', descending: true } } }, figure, font);
    assert.equal(noRoad.measure, 'pixel-flipping', 'ROAD only once it ran');
  });

  it('says the baseline in the user’s terms, the unit and contrastive rows in the caption', () => {
    assert.match(faithfulnessCaption(done), /pixels set to black \(0 in the image\), i\.e\. 0 in the model input/);
    assert.match(faithfulnessCaption({ ...done, patch: 8 }), /8×8 patches removed at step k/);
    assert.match(faithfulnessCaption({ ...done, contrastRows: 2 }), /f_c − f_c′ on 2 contrastive rows/);
    assert.match(faithfulnessCaption(done, 'road'), /imputed from their neighbours/);
  });

  it('writes no numbers and draws no chart while running or after Cancel, and says so', () => {
    for (const [status, says] of [['running', 'Flipping pixels and imputing (ROAD): 2 of 6 maps…'], ['cancelled', 'Cancelled: not evaluated.']] as const) {
      const view: FaithfulnessView = { ...done, status, progress: { done: 2, total: 6 }, columns: [] };
      const section = layoutFaithfulnessSection({ columns, faithfulness: view }, figure, font);
      assert.deepEqual(section.table, []);
      assert.equal(section.verdict, '');
      assert.equal(section.charts.length, 0);
      assert.ok(section.texts.some((t) => t.text === says), `${status}: ${section.texts.map((t) => t.text).join(' | ')}`);
      assert.ok(!section.texts.some((t) => t.text.startsWith('ABPC')));
    }
  });

  it('adds the randomisation chart: the layers named on the axis, ρ on a fixed −1 … 1 axis', () => {
    const stepNames = ['trained', '+logits', '+dense1', '+block4.conv2', '+block4.conv1', '+block3.conv2', '+block3.conv1', '+block2.conv2', '+block2.conv1', '+block1.conv2', '+stem.conv'];
    const randomisation: RandomisationView = {
      status: 'done',
      seed: 0,
      images: 2,
      stepNames,
      progress: { done: 6, total: 6 },
      columns: [stepNames.map((_, i) => 1 - i / 12), null, stepNames.map(() => 0.99)],
    };
    const section = layoutFaithfulnessSection({ columns, faithfulness: done, randomisation }, figure, font);
    assert.deepEqual(section.charts.map((c) => c.kind), ['curves', 'randomisation']);
    const chart = section.charts[1].layout;
    assert.deepEqual(chart.yDomain, [-1, 1]);
    assert.equal(chart.lines.length, 2, 'one line per column with ρ');
    // Eleven steps do not fit side by side: every layer's name is written, upright, none replaced by a number.
    for (const name of stepNames) assert.ok(chart.texts.some((t) => t.text === name && t.rotated), `no tick "${name}"`);
    assert.ok(!chart.texts.some((t) => t.text === '10'));
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
      text: 'Faithfulness: Flipping pixels and imputing (ROAD): 3 of 14 maps…',
      progress: { done: 3, total: 14 },
      cancel: true,
      rerun: false,
      randomise: false,
      road: false,
      addSamples: false,
    });
    const randomising = evaluationBar({ ...base, faithfulness: done, randomisation: { status: 'running', seed: 0, images: 2, stepNames: [], progress: { done: 1, total: 12 }, columns: [] } });
    assert.equal(randomising.cancel, true);
    assert.deepEqual(randomising.progress, { done: 1, total: 12 });
    assert.equal(randomising.randomise, false);
  });
  it('says it is background work waiting for another panel', () => {
    const paused = evaluationBar({ ...base, faithfulness: { ...done, status: 'running', progress: { done: 3, total: 14 }, columns: [], paused: 'paused while the explain panel computes' } });
    assert.equal(paused.text, 'Faithfulness: Flipping pixels and imputing (ROAD): 3 of 14 maps… (paused while the explain panel computes)');
    assert.equal(paused.cancel, true);
    const check = evaluationBar({ ...base, faithfulness: done, randomisation: { status: 'running', seed: 0, images: 2, stepNames: [], progress: { done: 1, total: 12 }, columns: [], paused: 'paused while the comparison computes' } });
    assert.match(check.text, /\(paused while the comparison computes\)$/);
  });
  it('offers the randomisation check once done, and again after it was cancelled', () => {
    const bar = evaluationBar({ ...base, faithfulness: done });
    assert.deepEqual([bar.cancel, bar.rerun, bar.randomise, bar.road, bar.addSamples], [false, false, true, false, false]);
    assert.equal(evaluationBar({ ...base, faithfulness: { ...done, road: false } }).road, true, '"Add ROAD" when it did not run');
    const few = { ...done, images: 3, verdict: { ...done.verdict!, images: 3, enough: false } };
    assert.equal(evaluationBar({ ...base, faithfulness: few }).addSamples, true, '"Add dataset samples" under 5 images');
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
