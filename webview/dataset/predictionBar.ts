// The line under the filters: which model predicts, how far the background run is (with Cancel), and the
// summary: accuracy on the file and how many samples the model gets wrong.
import type { PredictionModel, PredictionStatus } from '../../src/protocol/datasetMessages';
import { el } from '../dom';
import { modelLoadText } from '../modelLoadText';
import type { PredictionSummary } from './sampleTable';

export interface PredictionBarOptions {
  count: number;
  hasLabels: boolean;
  onCancel(): void;
  onPredict(): void;
  onPickModel(): void;
}

export class PredictionBar {
  readonly element: HTMLElement;
  private readonly model: HTMLElementTagNameMap['vscode-button'];
  private readonly progress: HTMLElementTagNameMap['vscode-progress-bar'];
  private readonly status: HTMLElement;
  private readonly cancel: HTMLElementTagNameMap['vscode-button'];
  private readonly predict: HTMLElementTagNameMap['vscode-button'];
  private readonly summary: HTMLElement;
  private readonly hint: HTMLElement;
  private readonly hintText: HTMLElement;
  /** The bar and, under it, the mismatch hint when there is one. */
  readonly block: HTMLElement;
  private modelName = '';
  private state: PredictionStatus = { state: 'idle' };

  constructor(private readonly options: PredictionBarOptions) {
    this.model = el('vscode-button', { id: 'pick-model', attrs: { secondary: true, icon: 'symbol-class', title: 'Change the model' } }, ['Model']);
    this.model.addEventListener('click', () => options.onPickModel());
    this.progress = el('vscode-progress-bar', { id: 'progress', attrs: { 'aria-label': 'Prediction progress' } });
    this.progress.hidden = true;
    this.status = el('span', { id: 'prediction-status', attrs: { 'data-state': 'idle', role: 'status' } });
    this.cancel = el('vscode-button', { id: 'cancel-predictions', attrs: { secondary: true } }, ['Cancel']);
    this.cancel.addEventListener('click', () => options.onCancel());
    this.predict = el('vscode-button', { id: 'predict', attrs: { secondary: true } }, ['Predict All']);
    this.predict.addEventListener('click', () => options.onPredict());
    this.summary = el('span', { id: 'summary' });
    this.element = el('div', { class: 'prediction-bar' }, [
      this.model,
      el('div', { class: 'progress-line' }, [this.status, this.progress]),
      this.cancel,
      this.predict,
      el('span', { class: 'spacer' }),
      this.summary,
    ]);
    this.hintText = el('span', { class: 'hint-text' });
    const hintButton = el('vscode-button', { attrs: { secondary: true, icon: 'symbol-class' } }, ['Select Model…']);
    hintButton.addEventListener('click', () => options.onPickModel());
    this.hint = el('div', { id: 'mismatch-hint', class: 'mismatch-hint', attrs: { role: 'note' } }, [
      el('span', { class: 'codicon codicon-info', attrs: { 'aria-hidden': 'true' } }),
      this.hintText,
      hintButton,
    ]);
    this.hint.hidden = true;
    this.block = el('div', { class: 'prediction-block' }, [this.element, this.hint]);
    this.setStatus({ state: 'idle' });
  }

  setModel(model: PredictionModel | null): void {
    this.modelName = model ? model.id : '';
    this.model.textContent = model ? model.id : 'Model';
  }

  setStatus(status: PredictionStatus): void {
    this.state = status;
    this.status.dataset.state = status.state;
    const n = (x: number) => x.toLocaleString('en-US');
    const running = status.state === 'running';
    this.progress.hidden = !running;
    this.cancel.hidden = !running;
    this.predict.hidden = !(status.state === 'cancelled' || status.state === 'failed');
    this.predict.textContent = status.state === 'failed' ? 'Retry' : 'Predict All';
    this.status.classList.toggle('error', status.state === 'failed');
    this.status.setAttribute('role', status.state === 'failed' ? 'alert' : 'status');
    const hint = status.state === 'done' ? status.hint : undefined;
    this.hint.hidden = !hint;
    this.hintText.textContent = hint ?? '';
    switch (status.state) {
      case 'idle':
        this.status.textContent = status.loading ? modelLoadText(status.loading) : (status.deferred ?? 'Loading the model…');
        break;
      case 'running':
        this.progress.max = Math.max(1, status.total);
        this.progress.value = status.done;
        this.status.textContent = `Predicting ${n(status.done)} / ${n(status.total)}…${status.paused ? ` ${status.paused}` : ''}`;
        break;
      case 'done':
        this.status.textContent = `Predicted ${n(this.options.count)} in ${formatSeconds(status.ms)}`;
        break;
      case 'cancelled':
        this.status.textContent = `Stopped after ${n(status.done)} / ${n(status.total)}`;
        break;
      case 'failed':
        this.status.textContent = status.message;
        break;
    }
  }

  setSummary(summary: PredictionSummary): void {
    const n = (x: number) => x.toLocaleString('en-US');
    if (summary.predicted === 0) {
      this.summary.textContent = this.options.hasLabels ? '' : 'No labels in this file';
      return;
    }
    if (!this.options.hasLabels) {
      this.summary.textContent = 'No labels in this file: accuracy unknown';
      return;
    }
    // Samples that could not be read come back without a prediction: delivered, but not counted.
    const partial = summary.predicted < this.options.count;
    const accuracy = summary.labelled ? (100 * summary.correct) / summary.labelled : 0;
    this.summary.textContent =
      `${partial ? `So far (${n(summary.labelled)}): ` : ''}accuracy ${accuracy.toFixed(2)}% · ` +
      `${n(summary.misclassified)} misclassified`;
    const skipped = summary.predicted - summary.labelled;
    this.summary.title =
      `${this.modelName}: ${n(summary.correct)} of ${n(summary.labelled)} labelled samples predicted correctly` +
      (skipped > 0 && !partial ? ` (${n(skipped)} unreadable, not counted)` : '');
  }

  get running(): boolean {
    return this.state.state === 'running';
  }
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
