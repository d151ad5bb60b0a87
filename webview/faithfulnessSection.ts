// The comparison's "Faithfulness" section under the figure, as pure geometry (no DOM: unit-tested with
// any TextMeasure): a heading and a caption that say what was measured (K, the unit, the baseline in the
// user's terms, over how many images), the verdict in one sentence, a table with one row per method (its
// title, AOPC MoRF, AOPC LeRF and ABPC, each mean ± standard error, and where the verdict puts it), sorted
// by the column the user picked, the mean MoRF or LeRF curves with their standard-error bands (one chart,
// laid out by the engine's curveChart.ts, the chart of `evaluate --out` too), and, once asked for, the
// randomisation check as a second chart whose x axis names the layers. Drawn on the figure's own canvas
// below the figure (faithfulnessCanvas.ts), so Export saves the section with the figure, the same pixels.
// Also the state of the DOM bar above the figure (progress, Cancel, the buttons).
import { layoutCurveChart, type CurveChartLayout } from '../src/engine/figure/curveChart';
import type { FigureLayout, Rect } from '../src/engine/figure/layout';
import { fitText, placeTitle, titleWidth, wrapTitle, type TextMeasure, type TextRun } from '../src/engine/figure/titleText';
import type { FaithfulnessColumn, FaithfulnessView, MeasureSummary, RandomisationView, VerdictView } from '../src/protocol/faithfulnessView';
import type { MethodTitle } from '../src/protocol/methodTitle';
import { formatScore, SCORE_NAMES, type ScoreKey } from './scoreFormat';

/** What the user chose to see: which curves, which measure, and the table's order. */
export interface SectionChoices {
  order: 'morf' | 'lerf';
  measure: 'pixel-flipping' | 'road';
  sort: { key: 'method' | ScoreKey; descending: boolean };
}

export const DEFAULT_CHOICES: SectionChoices = { order: 'morf', measure: 'pixel-flipping', sort: { key: 'abpc', descending: true } };

/** What the section is drawn from: the figure's columns, the two evaluations and the user's choices. */
export interface SectionInput {
  columns: Array<{ title: MethodTitle }>;
  faithfulness: FaithfulnessView;
  randomisation?: RandomisationView;
  choices?: SectionChoices;
}

/** One row of the score table as written: its figure column and its cells (title first). */
export interface TableRow {
  column: number;
  title: MethodTitle;
  /** AOPC MoRF, AOPC LeRF, ABPC: "12.345 ± 0.456". */
  scores: string[];
  /** Where the verdict puts the method: "most faithful", "not distinguishable", "worse", or "". */
  standing: string;
}

export interface SectionLayout {
  /** The section starts under the figure, at y = top, and is `height` tall; the canvas is `width` wide. */
  top: number;
  width: number;
  height: number;
  /** The rule between figure and section, and the table's rules. */
  rules: Rect[];
  texts: TextRun[];
  /** The measure shown (ROAD only once it ran). */
  measure: SectionChoices['measure'];
  /** The table as written, in its sorted order (empty until done). */
  table: TableRow[];
  /** The table's headers: a click on one sorts by it. */
  headers: Array<{ key: SectionChoices['sort']['key']; rect: Rect }>;
  /** The verdict sentence shown ('' until done). */
  verdict: string;
  /** The mean curves (MoRF or LeRF), then (when done) the randomisation check; each placed at (x, y). */
  charts: Array<{ kind: 'curves' | 'randomisation'; order?: SectionChoices['order']; x: number; y: number; layout: CurveChartLayout }>;
}

/** Wide enough for a legend of long method titles beside a plot with the randomisation steps named. */
const MIN_CHART_WIDTH = 600;
const MAX_CHART_WIDTH = 760;

/** The measure's numbers of a column: pixel flipping's, or ROAD's. */
export function measureOf(column: FaithfulnessColumn | null | undefined, measure: SectionChoices['measure']): MeasureSummary | undefined {
  return (measure === 'road' ? column?.road : column) ?? undefined;
}

export function layoutFaithfulnessSection(input: SectionInput, figure: FigureLayout, measure: TextMeasure): SectionLayout {
  const choices = input.choices ?? DEFAULT_CHOICES;
  const cell = figure.cells[0]?.[0]?.width ?? figure.inputCells[0]?.width ?? 112;
  const margin = Math.max(10, Math.round(cell / 8));
  const gap = Math.max(4, Math.round(cell / 14));
  const size = figure.fontSizes.label;
  const headingSize = Math.round(figure.fontSizes.title * 1.1);
  const line = (s: number) => Math.ceil(s * 1.35);
  const ascent = (s: number) => Math.ceil(s * measure.ascent);
  const chartWidth = Math.round(Math.min(MAX_CHART_WIDTH, Math.max(MIN_CHART_WIDTH, figure.width - 2 * margin)));
  const width = Math.max(figure.width, margin + chartWidth + margin);
  const textWidth = width - 2 * margin;
  const texts: TextRun[] = [];
  const top = figure.height;
  let y = top + gap;
  const rules: Rect[] = [{ x: margin, y, width: width - 2 * margin, height: 1 }];
  y += gap + 1;

  const { faithfulness: f, randomisation: r } = input;
  const shown: SectionChoices['measure'] = choices.measure === 'road' && f.road ? 'road' : 'pixel-flipping';
  // A paragraph, wrapped at spaces to the section's width.
  const write = (text: string, s: number, muted = false) => {
    for (const wrapped of wrapTitle([{ text }], textWidth, s, measure)) {
      const lineText = wrapped.map((part) => part.text).join('');
      texts.push({ text: fitText(lineText, textWidth, s, measure), x: margin, y: y + ascent(s), size: s, muted });
      y += line(s);
    }
  };
  write(shown === 'road' ? 'Faithfulness: ROAD (remove and debias)' : 'Faithfulness: pixel flipping', headingSize);
  write(faithfulnessCaption(f, shown), size, true);
  y += gap;

  const verdictView = shown === 'road' ? f.roadVerdict : f.verdict;
  const verdict = f.status === 'done' && verdictView ? verdictView.sentence : '';
  let table: TableRow[] = [];
  const headers: SectionLayout['headers'] = [];
  if (f.status === 'done') {
    if (verdict) {
      write(`Verdict: ${verdict}`, size);
      write('Paired Wilcoxon signed-rank tests over the images, Holm-corrected for the number of pairs; click a column heading to sort.', size, true);
      y += gap;
    }
    table = tableRows(input.columns, f.columns, shown, verdictView, choices.sort);
    y = layoutTable(table, { x: margin, y, size, gap, line: line(size), ascent: ascent(size), sort: choices.sort }, measure, texts, rules, headers) + gap;
  } else {
    write(faithfulnessStatus(f), size, true);
  }

  const charts: SectionLayout['charts'] = [];
  const chartHeight = Math.round(Math.min(320, Math.max(220, chartWidth * 0.45)));
  const order = choices.order;
  const series = input.columns.flatMap((c, k) => {
    const m = f.status === 'done' ? measureOf(f.columns[k], shown) : undefined;
    return m && m.meanCurves[order].length >= 2 ? [{ title: c.title, values: m.meanCurves[order], band: m.curveErrors[order] }] : [];
  });
  if (series.length) {
    const which = order === 'morf' ? 'most relevant' : 'least relevant';
    write(`Mean ${order === 'morf' ? 'MoRF' : 'LeRF'} curves ± standard error: the target logit as the ${which} ${f.patch === 1 ? 'pixels' : 'patches'} are removed first (mean of ${plural(f.images, 'image')})`, size);
    charts.push({
      kind: 'curves',
      order,
      x: margin,
      y,
      layout: layoutCurveChart(
        {
          series,
          width: chartWidth,
          height: chartHeight,
          xMax: shown === 'road' ? (f.steps - 1) / f.steps : 1,
          xLabel: `fraction of ${f.patch === 1 ? 'pixels' : 'patches'} removed (${order === 'morf' ? 'MoRF' : 'LeRF'}${shown === 'road' ? ', ROAD' : ''})`,
          yLabel: f.contrastRows ? 'target score (f_c − f_c′ on contrastive rows)' : 'target logit',
          fontSize: size,
        },
        measure,
      ),
    });
    y += chartHeight + gap;
  }

  if (r) {
    y += gap;
    write('Model randomisation check', headingSize);
    write(randomisationCaption(r), size, true);
    const rSeries = input.columns.flatMap((c, k) => (r.status === 'done' && r.columns[k] ? [{ title: c.title, values: r.columns[k]! }] : []));
    if (rSeries.length && r.stepNames.length >= 2) {
      // Upright layer names need room below the axis: a taller chart.
      const rHeight = Math.round(chartHeight * 1.35);
      charts.push({
        kind: 'randomisation',
        x: margin,
        y,
        layout: layoutCurveChart(
          { series: rSeries, width: chartWidth, height: rHeight, xLabel: 'Dense/Conv layers re-drawn from the logits down, one more per step', yLabel: 'Spearman ρ of |R|', xTicks: r.stepNames, yDomain: [-1, 1], fontSize: size },
          measure,
        ),
      });
      y += rHeight + gap;
    } else if (r.status !== 'done') {
      write(randomisationStatus(r), size, true);
    }
  }
  return { top, width, height: y + margin - top, rules, texts, measure: shown, table, headers, verdict, charts };
}

/** The table's rows for the shown measure, sorted as chosen (ties and NaN by column order). */
export function tableRows(
  columns: Array<{ title: MethodTitle }>,
  values: Array<FaithfulnessColumn | null>,
  shown: SectionChoices['measure'],
  verdict: VerdictView | undefined,
  sort: SectionChoices['sort'],
): TableRow[] {
  const standing = (k: number) => {
    if (!verdict?.enough) return '';
    if (verdict.leader === k) return verdict.worse.length ? 'most faithful' : 'highest mean';
    return verdict.tied.includes(k) ? 'not distinguishable' : verdict.worse.includes(k) ? 'worse' : '';
  };
  const rows = columns.map((c, k) => {
    const m = measureOf(values[k], shown);
    return {
      row: { column: k, title: c.title, scores: SCORE_NAMES.map(({ key }) => (m ? `${formatScore(m[key])} ± ${formatScore(m.standardErrors[key])}` : '–')), standing: standing(k) },
      key: (key: ScoreKey) => (m ? m[key] : NaN),
      name: c.title.map((p) => p.text).join(''),
    };
  });
  const sign = sort.descending ? -1 : 1;
  rows.sort((a, b) => {
    if (sort.key === 'method') return sign * a.name.localeCompare(b.name) || a.row.column - b.row.column;
    const [x, y] = [a.key(sort.key), b.key(sort.key)];
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) === Number.isNaN(y) ? a.row.column - b.row.column : Number.isNaN(x) ? 1 : -1;
    return sign * (x - y) || a.row.column - b.row.column;
  });
  return rows.map((r) => r.row);
}

/** Lays the table out at (x, y): headers (with the sort arrow), a rule, a row per method. Returns the y below it. */
function layoutTable(
  rows: TableRow[],
  at: { x: number; y: number; size: number; gap: number; line: number; ascent: number; sort: SectionChoices['sort'] },
  measure: TextMeasure,
  texts: TextRun[],
  rules: Rect[],
  headers: SectionLayout['headers'],
): number {
  const { size, gap } = at;
  const arrow = at.sort.descending ? ' ▼' : ' ▲';
  const heads: Array<{ key: SectionChoices['sort']['key']; text: string }> = [
    { key: 'method' as const, text: 'Method' },
    ...SCORE_NAMES.map(({ key, label }) => ({ key, text: `${label} ± s.e.` })),
  ].map((h) => ({ ...h, text: h.key === at.sort.key ? h.text + arrow : h.text }));
  const nameWidth = Math.max(measure.width(heads[0].text, size), ...rows.map((r) => titleWidth(r.title, size, measure)));
  const scoreWidths = SCORE_NAMES.map((_, s) => Math.max(measure.width(heads[s + 1].text, size), ...rows.map((r) => measure.width(r.scores[s], size))));
  const xs = [at.x];
  [nameWidth, ...scoreWidths].forEach((w, i) => xs.push(xs[i] + w + 2 * gap));
  let y = at.y;
  heads.forEach((h, i) => {
    const w = measure.width(h.text, size);
    // Numbers right-aligned under right-aligned headings; the method column left-aligned.
    const x = i === 0 ? xs[0] : xs[i + 1] - 2 * gap - w;
    texts.push({ text: h.text, x, y: y + at.ascent, size, muted: h.key !== at.sort.key });
    headers.push({ key: h.key, rect: { x: i === 0 ? xs[0] : xs[i], y, width: i === 0 ? nameWidth : xs[i + 1] - 2 * gap - xs[i], height: at.line } });
  });
  texts.push({ text: 'Verdict', x: xs[4], y: y + at.ascent, size, muted: true });
  y += at.line;
  rules.push({ x: at.x, y, width: xs[4] + measure.width('not distinguishable', size) - at.x, height: 1 });
  y += 2;
  for (const row of rows) {
    texts.push(...placeTitle(row.title, xs[0], y + at.ascent, size, measure));
    row.scores.forEach((text, s) => texts.push({ text, x: xs[s + 2] - 2 * gap - measure.width(text, size), y: y + at.ascent, size }));
    if (row.standing) texts.push({ text: row.standing, x: xs[4], y: y + at.ascent, size, muted: row.standing !== 'most faithful' && row.standing !== 'highest mean' });
    y += at.line;
  }
  return y;
}

/** What the numbers are: K, the unit, the baseline in the user's terms, over how many images. */
export function faithfulnessCaption(f: FaithfulnessView, shown: SectionChoices['measure'] = 'pixel-flipping'): string {
  const unit = f.patch === 1 ? 'pixels' : `${f.patch}×${f.patch} patches`;
  const what = f.contrastRows ? `on each image's predicted class (f_c − f_c′ on ${plural(f.contrastRows, 'contrastive row')})` : "on the logit of each image's predicted class";
  const removal =
    shown === 'road'
      ? `removed ${unit} imputed from their neighbours (noisy linear imputation, Rong et al. 2022), steps 0 … K−1`
      : `⌊k·U/K⌋ ${unit} removed at step k: ${f.baselineText}`;
  return `K = ${f.steps} steps (${removal}), over ${plural(f.images, 'image')}, ${what}; MoRF removes the most relevant first, LeRF the least. Mean ± standard error per method; higher AOPC MoRF and ABPC: more faithful.`;
}

export function faithfulnessStatus(f: FaithfulnessView): string {
  switch (f.status) {
    case 'running':
      return `${f.road ? 'Flipping pixels and imputing (ROAD)' : 'Flipping pixels'}: ${f.progress.done} of ${plural(f.progress.total, 'map')}…`;
    case 'cancelled':
      return 'Cancelled: not evaluated.';
    case 'failed':
      return `Could not evaluate: ${f.error ?? 'unknown error'}`;
    case 'done':
      return `${plural(f.progress.total, 'map')} evaluated${f.ms === undefined ? '' : ` in ${seconds(f.ms)}`}.`;
  }
}

export function randomisationCaption(r: RandomisationView): string {
  return `Spearman ρ of |R| with the trained model's map as the top Dense/Conv layers are re-drawn at random, one more per step (seed ${r.seed}), mean of ${plural(r.images, 'image')}. A method that explains the model falls; one that stays near 1 shows the image, not the model.`;
}

export function randomisationStatus(r: RandomisationView): string {
  switch (r.status) {
    case 'running':
      return r.progress.total ? `Re-explaining with re-drawn weights: ${r.progress.done} of ${r.progress.total} jobs…` : 'Re-explaining with re-drawn weights…';
    case 'cancelled':
      return 'Cancelled: not checked.';
    case 'failed':
      return `Could not check: ${r.error ?? 'unknown error'}`;
    case 'done':
      return `Checked${r.ms === undefined ? '' : ` in ${seconds(r.ms)}`}.`;
  }
}

/** The DOM bar above the figure: what it says and which controls it offers. */
export interface EvaluationBar {
  hidden: boolean;
  text: string;
  /** Progress of what runs, if anything runs. */
  progress?: { done: number; total: number };
  cancel: boolean;
  /** "Evaluate again" after a cancelled or failed pixel flipping. */
  rerun: boolean;
  /** "Randomisation check": once pixel flipping is done and the check is not running. */
  randomise: boolean;
  /** "Add ROAD": done without ROAD (inputs above 64×64 run it only when asked). */
  road: boolean;
  /** "Add dataset samples…": done, but too few images for a verdict. */
  addSamples: boolean;
}

export function evaluationBar(state: { kind: 'methods' | 'models'; running: boolean; faithfulness?: FaithfulnessView; randomisation?: RandomisationView }): EvaluationBar {
  const f = state.faithfulness;
  const r = state.randomisation;
  const none = { rerun: false, randomise: false, road: false, addSamples: false };
  if (state.kind !== 'methods' || !f) return { hidden: true, text: '', cancel: false, ...none };
  const paused = (v: { paused?: string }) => (v.paused ? ` (${v.paused})` : '');
  if (r?.status === 'running') return { hidden: false, text: `Randomisation check: ${randomisationStatus(r)}${paused(r)}`, progress: r.progress, cancel: true, ...none };
  if (f.status === 'running') return { hidden: false, text: `Faithfulness: ${faithfulnessStatus(f)}${paused(f)}`, progress: f.progress, cancel: true, ...none };
  const parts = [`Faithfulness: ${faithfulnessStatus(f)}`];
  if (r && r.status !== 'done') parts.push(`Randomisation check: ${randomisationStatus(r)}`);
  const idle = !state.running;
  const done = idle && f.status === 'done';
  return {
    hidden: false,
    text: parts.join(' '),
    cancel: false,
    rerun: idle && (f.status === 'cancelled' || f.status === 'failed'),
    randomise: done,
    road: done && !f.road,
    addSamples: done && !!f.verdict && !f.verdict.enough,
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
