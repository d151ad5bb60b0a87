// "Evaluate Methods": which samples it runs on (the selection when it has two or more, else the samples
// the filters show, at most MAX_EVALUATE_SAMPLES), its progress with Cancel, and the table of mean
// AOPC MoRF / AOPC LeRF / ABPC per method over them (METHODS.md, "Faithfulness: pixel flipping"), written
// as the comparison's Faithfulness section writes them. Each number cell keeps the full value in
// data-value, so tests compare it with the engine's to the last digit.
import { MAX_EVALUATE_SAMPLES, type EvaluateRow, type EvaluateStatus } from '../../src/protocol/datasetMessages';
import type { MethodTitle } from '../../src/protocol/methodTitle';
import { el } from '../dom';
import { titleNodes } from '../methodTitle';
import { formatScore, SCORE_NAMES, type ScoreKey } from '../scoreFormat';

export interface EvaluationChoice {
  indices: number[];
  /** "12 selected samples", "the 256 samples shown (first 256 of 1,000)". */
  what: string;
}

/** The samples "Evaluate Methods" runs on, in view order. */
export function evaluationSamples(selected: number[], viewOrder: ArrayLike<number>, max = MAX_EVALUATE_SAMPLES): EvaluationChoice {
  const plural = (n: number) => `${n.toLocaleString('en-US')} ${n === 1 ? 'sample' : 'samples'}`;
  if (selected.length >= 2) {
    const indices = selected.slice(0, max);
    return { indices, what: selected.length > max ? `the first ${plural(max)} of ${selected.length.toLocaleString('en-US')} selected` : `${plural(indices.length)} selected` };
  }
  const n = Math.min(max, viewOrder.length);
  const indices = Array.from({ length: n }, (_, k) => viewOrder[k]);
  return { indices, what: viewOrder.length > max ? `the first ${plural(max)} of ${viewOrder.length.toLocaleString('en-US')} shown` : `the ${plural(n)} shown` };
}

export interface EvaluateBarOptions {
  choose(): EvaluationChoice;
  onEvaluate(indices: number[]): void;
  onCancel(): void;
}

export class EvaluateBar {
  readonly element: HTMLElement;
  private readonly button: HTMLElementTagNameMap['vscode-button'];
  private readonly cancel: HTMLElementTagNameMap['vscode-button'];
  private readonly progress: HTMLElementTagNameMap['vscode-progress-bar'];
  private readonly status: HTMLElement;
  private readonly table: HTMLElement;
  private what = '';

  constructor(private readonly options: EvaluateBarOptions) {
    this.button = el('vscode-button', { id: 'evaluate-methods', attrs: { secondary: true, title: 'Pixel-flipping faithfulness of the seed methods on the selected samples (or, with none selected, the samples shown)' } }, [
      'Evaluate Methods',
    ]);
    this.button.addEventListener('click', () => this.start());
    this.cancel = el('vscode-button', { id: 'cancel-evaluate', attrs: { secondary: true } }, ['Cancel']);
    this.cancel.addEventListener('click', () => options.onCancel());
    this.cancel.hidden = true;
    this.progress = el('vscode-progress-bar', { id: 'evaluate-progress', attrs: { 'aria-label': 'Evaluation progress' } });
    this.progress.hidden = true;
    this.status = el('span', { id: 'evaluate-status', attrs: { role: 'status', 'data-state': 'idle' } });
    this.table = el('div', { id: 'evaluate-result' });
    this.element = el('div', { class: 'evaluate-block' }, [
      el('div', { class: 'evaluate-bar' }, [this.button, el('div', { class: 'progress-line' }, [this.status, this.progress]), this.cancel]),
      this.table,
    ]);
  }

  private start(): void {
    const choice = this.options.choose();
    if (choice.indices.length === 0) {
      this.status.textContent = 'No samples to evaluate: the filters hide them all.';
      return;
    }
    this.what = choice.what;
    this.options.onEvaluate(choice.indices);
  }

  setStatus(status: EvaluateStatus): void {
    this.status.dataset.state = status.state;
    const running = status.state === 'running';
    this.cancel.hidden = !running;
    this.progress.hidden = !running;
    this.button.disabled = running;
    switch (status.state) {
      case 'running':
        this.progress.removeAttribute('indeterminate');
        this.progress.setAttribute('max', String(status.total));
        this.progress.setAttribute('value', String(status.done));
        this.status.textContent = `Evaluating on ${this.what || `${status.samples} samples`}: ${status.done} of ${status.total} sample × method${status.paused ? ` (${status.paused})` : ''}`;
        break;
      case 'done': {
        const failed = status.failed.length ? ` · ${status.failed.length} could not be read (${status.failed.slice(0, 3).map((f) => `#${f.index}: ${f.message}`).join('; ')})` : '';
        this.status.textContent = `${status.rows.length} methods on ${this.what || `${status.samples} samples`}, ${status.model}, K = ${status.steps} steps, in ${(status.ms / 1000).toFixed(1)} s${failed}`;
        this.table.replaceChildren(resultTable(status));
        break;
      }
      case 'cancelled':
        this.status.textContent = 'Evaluation cancelled.';
        break;
      case 'failed':
        this.status.textContent = `Evaluation failed: ${status.message}`;
        break;
    }
  }
}

/** One number cell: the value as the comparison writes it, the full value kept for tests. */
export interface ScoreCell {
  key: ScoreKey;
  value: number;
  text: string;
}

export interface EvaluateTableRow {
  method: string;
  title: MethodTitle;
  scores: ScoreCell[];
  samples: number;
}

/**
 * The table's columns and cells, in the words and number format of the comparison's Faithfulness section
 * (scoreFormat.ts): the same score names and tooltips, three decimals, a true minus sign.
 */
export function evaluateTable(rows: readonly EvaluateRow[]): { columns: ReadonlyArray<{ label: string; help: string }>; rows: EvaluateTableRow[] } {
  return {
    columns: SCORE_NAMES.map(({ label, help }) => ({ label, help })),
    rows: rows.map((r) => ({
      method: r.method,
      title: r.title,
      scores: SCORE_NAMES.map(({ key }) => ({ key, value: r[key], text: formatScore(r[key]) })),
      samples: r.images,
    })),
  };
}

function resultTable(status: Extract<EvaluateStatus, { state: 'done' }>): HTMLElement {
  const table = evaluateTable(status.rows);
  const head = el('tr', {}, [
    el('th', { text: 'Method' }),
    ...table.columns.map((c) => el('th', { class: 'number', text: c.label, attrs: { title: c.help } })),
    el('th', { class: 'number', text: 'Samples', attrs: { title: 'Samples the means are over (those that could be read)' } }),
  ]);
  const rows = table.rows.map((r) =>
    el('tr', { data: { method: r.method } }, [
      el('td', { attrs: { title: r.method } }, titleNodes(r.title)),
      ...r.scores.map((c) => el('td', { class: 'number', data: { value: String(c.value), key: c.key }, text: c.text })),
      el('td', { class: 'number', text: String(r.samples) }),
    ]),
  );
  return el('table', { id: 'evaluate-table', class: 'evaluate-table' }, [el('thead', {}, [head]), el('tbody', {}, rows)]);
}
