// The comparison's "Faithfulness" section under the figure, as pure geometry (no DOM: unit-tested with
// any TextMeasure): a heading that says what was measured (K, over how many images), the three scores of
// every method under its own column of the figure, the mean MoRF curves as one line chart laid out by the
// engine's curveChart.ts (the chart of `evaluate --out` too), and, once asked for, the randomisation check
// as a second chart. Drawn on the figure's own canvas below the figure (faithfulnessCanvas.ts), so Export
// saves the section with the figure, the same pixels. Also the state of the DOM bar above the figure
// (progress, Cancel, the buttons).
import { layoutCurveChart, type CurveChartLayout } from '../src/engine/figure/curveChart';
import type { FigureLayout, Rect } from '../src/engine/figure/layout';
import { fitText, wrapTitle, type TextMeasure, type TextRun } from '../src/engine/figure/titleText';
import type { FaithfulnessView, RandomisationView } from '../src/protocol/faithfulnessView';
import type { MethodTitle } from '../src/protocol/methodTitle';
import { formatScore, SCORE_NAMES } from './scoreFormat';

/** What the section is drawn from: the figure's columns and the two evaluations. */
export interface SectionInput {
  columns: Array<{ title: MethodTitle }>;
  faithfulness: FaithfulnessView;
  randomisation?: RandomisationView;
}

export interface SectionLayout {
  /** The section starts under the figure, at y = top, and is `height` tall; the canvas is `width` wide. */
  top: number;
  width: number;
  height: number;
  /** The rule between figure and section. */
  rules: Rect[];
  texts: TextRun[];
  /** Per score (SCORE_NAMES order), per figure column, the value written under it ('' when none). */
  values: string[][];
  /** The mean MoRF curves, then (when done) the randomisation check; each placed at (x, y). */
  charts: Array<{ kind: 'morf' | 'randomisation'; x: number; y: number; layout: CurveChartLayout }>;
}

/** Wide enough for a legend of long method titles beside a plot with the randomisation steps named. */
const MIN_CHART_WIDTH = 600;
const MAX_CHART_WIDTH = 760;

export function layoutFaithfulnessSection(input: SectionInput, figure: FigureLayout, measure: TextMeasure): SectionLayout {
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
  // A paragraph, wrapped at spaces to the section's width.
  const write = (text: string, s: number, muted = false) => {
    for (const wrapped of wrapTitle([{ text }], textWidth, s, measure)) {
      const lineText = wrapped.map((part) => part.text).join('');
      texts.push({ text: fitText(lineText, textWidth, s, measure), x: margin, y: y + ascent(s), size: s, muted });
      y += line(s);
    }
  };
  write('Faithfulness: pixel flipping', headingSize);
  write(faithfulnessCaption(f), size, true);
  y += gap;

  // The three scores, a line each: the name in the input column, each method's value under its column.
  const values = SCORE_NAMES.map(({ key }) => input.columns.map((_, k) => (f.status === 'done' ? (f.columns[k] ? formatScore(f.columns[k]![key]) : '–') : '')));
  const labelRight = (figure.cells[0]?.[0]?.x ?? figure.inputCells[0]?.x + cell) - gap;
  if (f.status === 'done') {
    SCORE_NAMES.forEach(({ label }, s) => {
      const baseline = y + ascent(size);
      texts.push({ text: label, x: Math.max(margin, labelRight - measure.width(label, size)), y: baseline, size, muted: true });
      values[s].forEach((value, k) => {
        const rect = figure.cells[0]?.[k];
        if (rect && value) texts.push({ text: value, x: rect.x + rect.width / 2 - measure.width(value, size) / 2, y: baseline, size });
      });
      y += line(size);
    });
    y += gap;
  } else {
    write(faithfulnessStatus(f), size, true);
  }

  const charts: SectionLayout['charts'] = [];
  const chartHeight = Math.round(Math.min(320, Math.max(220, chartWidth * 0.45)));
  const morfSeries = input.columns.flatMap((c, k) => (f.status === 'done' && f.columns[k]?.meanMorf.length ? [{ title: c.title, values: f.columns[k]!.meanMorf }] : []));
  if (morfSeries.length) {
    write(`Mean MoRF curves: the target logit as the most relevant pixels are removed first (mean of ${plural(f.images, 'image')})`, size);
    charts.push({
      kind: 'morf',
      x: margin,
      y,
      layout: layoutCurveChart({ series: morfSeries, width: chartWidth, height: chartHeight, xLabel: 'fraction of pixels removed (MoRF)', yLabel: 'target logit', fontSize: size }, measure),
    });
    y += chartHeight + gap;
  }

  if (r) {
    y += gap;
    write('Model randomisation check', headingSize);
    write(randomisationCaption(r), size, true);
    const series = input.columns.flatMap((c, k) => (r.status === 'done' && r.columns[k] ? [{ title: c.title, values: r.columns[k]! }] : []));
    if (series.length && r.stepNames.length >= 2) {
      charts.push({
        kind: 'randomisation',
        x: margin,
        y,
        layout: layoutCurveChart(
          { series, width: chartWidth, height: chartHeight, xLabel: 'top layers re-drawn, cumulatively', yLabel: 'Spearman ρ of |R|', xTicks: r.stepNames, yDomain: [-1, 1], fontSize: size },
          measure,
        ),
      });
      y += chartHeight + gap;
    } else if (r.status !== 'done') {
      write(randomisationStatus(r), size, true);
    }
  }
  return { top, width, height: y + margin - top, rules, texts, values, charts };
}

/** What the numbers are: K and over how many images, and the baseline. */
export function faithfulnessCaption(f: FaithfulnessView): string {
  return `K = ${f.steps} steps (⌊k·H·W/K⌋ pixels removed at step k, set to 0), over ${plural(f.images, 'image')}, on the logit of each image's predicted class; MoRF removes the most relevant pixels first, LeRF the least. Means per method; higher AOPC MoRF and ABPC: more faithful.`;
}

export function faithfulnessStatus(f: FaithfulnessView): string {
  switch (f.status) {
    case 'running':
      return `Flipping pixels: ${f.progress.done} of ${plural(f.progress.total, 'map')}…`;
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
}

export function evaluationBar(state: { kind: 'methods' | 'models'; running: boolean; faithfulness?: FaithfulnessView; randomisation?: RandomisationView }): EvaluationBar {
  const f = state.faithfulness;
  const r = state.randomisation;
  if (state.kind !== 'methods' || !f) return { hidden: true, text: '', cancel: false, rerun: false, randomise: false };
  const paused = (v: { paused?: string }) => (v.paused ? ` (${v.paused})` : '');
  if (r?.status === 'running') return { hidden: false, text: `Randomisation check: ${randomisationStatus(r)}${paused(r)}`, progress: r.progress, cancel: true, rerun: false, randomise: false };
  if (f.status === 'running') return { hidden: false, text: `Faithfulness: ${faithfulnessStatus(f)}${paused(f)}`, progress: f.progress, cancel: true, rerun: false, randomise: false };
  const parts = [`Faithfulness: ${faithfulnessStatus(f)}`];
  if (r && r.status !== 'done') parts.push(`Randomisation check: ${randomisationStatus(r)}`);
  const idle = !state.running;
  return { hidden: false, text: parts.join(' '), cancel: false, rerun: idle && (f.status === 'cancelled' || f.status === 'failed'), randomise: idle && f.status === 'done' };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
