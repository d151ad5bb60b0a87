// "Evaluate Methods": which samples it runs on (the selection when it has two or more, else the samples
// the filters show, at most MAX_EVALUATE_SAMPLES), its progress with Cancel, and the table of mean
// AOPC MoRF / AOPC LeRF / ABPC per method over them (METHODS.md, "Faithfulness: pixel flipping"). Each
// number cell keeps the full value in data-value, so tests compare it with the engine's to the last digit.
import { MAX_EVALUATE_SAMPLES, type EvaluateStatus } from '../../src/protocol/datasetMessages';
import { el } from '../dom';

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
        this.status.textContent = `Evaluating on ${this.what || `${status.samples} samples`}: ${status.done} of ${status.total} sample × method`;
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

function resultTable(status: Extract<EvaluateStatus, { state: 'done' }>): HTMLElement {
  const number = (v: number, key: string) => el('td', { class: 'number', data: { value: String(v), key }, text: Number.isFinite(v) ? v.toFixed(4) : '—' });
  const head = el('tr', {}, [
    el('th', { text: 'Method' }),
    el('th', { class: 'number', text: 'AOPC MoRF ↑', attrs: { title: 'mean drop of the target logit as the most relevant pixels go first: higher is more faithful' } }),
    el('th', { class: 'number', text: 'AOPC LeRF ↓', attrs: { title: 'the same with the least relevant pixels first: lower is better' } }),
    el('th', { class: 'number', text: 'ABPC ↑', attrs: { title: 'area between the LeRF and MoRF curves: higher is better' } }),
    el('th', { class: 'number', text: 'Samples' }),
  ]);
  const rows = status.rows.map((r) =>
    el('tr', { data: { method: r.method } }, [
      el('td', { text: r.title }),
      number(r.aopcMorf, 'aopcMorf'),
      number(r.aopcLerf, 'aopcLerf'),
      number(r.abpc, 'abpc'),
      el('td', { class: 'number', text: String(r.images) }),
    ]),
  );
  return el('table', { id: 'evaluate-table', class: 'evaluate-table' }, [el('thead', {}, [head]), el('tbody', {}, rows)]);
}
