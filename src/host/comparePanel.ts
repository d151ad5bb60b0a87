// The comparison figure: rows are images, columns are methods (one model) or models (one method), as in
// the seed figure. Cells are separate jobs spread over the workers and appear as they finish.
import { setMaxListeners } from 'events';
import * as vscode from 'vscode';
import { isUserError } from '../engine/errors';
import { methodTitle, parseMethodSpec } from '../engine/methods/methodRegistry';
import { CancelledError } from '../engine/pool/workerPool';
import type { ExplainResult } from '../protocol/engineJobs';
import type { CompareCell, CompareViewState, FromWebview, ToWebview } from '../protocol/webviewMessages';
import { ExportRequests, savePng } from './exportPng';
import type { HostServices } from './hostServices';
import { resolveModelChoice, type ModelEntry } from './modelCatalog';
import { formatDuration, logRun } from './runLog';
import { DISPLAY_SETTINGS, readSettings } from './settings';
import { rowName, subjectsTitle, type Subject, type SubjectRef } from './subjects';
import { followSettings } from './panelState';
import { validateWebviewMessage } from './validateWebviewMessage';
import { WebviewLoadWatchdog } from './webviewLoadWatchdog';
import { webviewHtml, webviewOptions } from './webviewHtml';

export const COMPARE_VIEW_TYPE = 'explainImage.compare';

export type CompareSpec =
  | { kind: 'methods'; model: ModelEntry; methods: string[] }
  | { kind: 'models'; models: ModelEntry[]; method: string };

export interface CompareRestoreState {
  subjects: SubjectRef[];
  spec: { kind: 'methods'; model: string; methods: string[] } | { kind: 'models'; models: string[]; method: string };
}

const EXPORT_TITLE = 'Export comparison as PNG';

/** The tab title: what is compared, on which images ("Compare methods · mnist-cnn · #582, #583 of mnist-test-1k.npz"). */
export function compareTitle(spec: CompareSpec, subjects: Subject[]): string {
  const what = spec.kind === 'methods' ? `Compare methods · ${spec.model.id}` : `Compare models · ${plainTitle(spec.method)}`;
  return `${what} · ${subjectsTitle(subjects)}`;
}

export class ComparePanel implements vscode.Disposable {
  private state!: CompareViewState;
  private running: AbortController | undefined;
  private webviewReady = false;
  private readonly loadWatchdog: WebviewLoadWatchdog;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly exportRequests = new ExportRequests();
  private done: Promise<void> = Promise.resolve();
  static latest: ComparePanel | undefined;

  static show(services: HostServices, subjects: Subject[], spec: CompareSpec, panel?: vscode.WebviewPanel): ComparePanel {
    const title = compareTitle(spec, subjects);
    const webviewPanel = panel ?? vscode.window.createWebviewPanel(COMPARE_VIEW_TYPE, title, vscode.ViewColumn.Active, webviewOptions(services.extensionUri));
    webviewPanel.title = title;
    return new ComparePanel(services, webviewPanel, subjects, spec);
  }

  private constructor(
    private readonly services: HostServices,
    readonly panel: vscode.WebviewPanel,
    private readonly subjects: Subject[],
    private spec: CompareSpec,
  ) {
    ComparePanel.latest = this;
    void vscode.commands.executeCommand('setContext', 'explainImage.compareOpen', true);
    panel.webview.options = webviewOptions(services.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, services.extensionUri, 'compare', panel.title);
    this.loadWatchdog = new WebviewLoadWatchdog(
      panel,
      () => (panel.webview.html = webviewHtml(panel.webview, services.extensionUri, 'compare', panel.title)),
      (line) => services.log.appendLine(`[compare] ${line}`),
    );
    this.state = this.freshState(readSettings().display);
    this.disposables.push(
      this.loadWatchdog,
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((raw) => this.onMessage(raw)),
      // A comparison of methods follows the selected model, one of models the selected method.
      services.selection.onDidChange((what) => {
        if (what === 'model' && this.spec.kind === 'methods') this.respec({ ...this.spec, model: services.selection.model });
        if (what === 'method' && this.spec.kind === 'models') this.respec({ ...this.spec, method: services.selection.method });
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        const settings = readSettings();
        if (DISPLAY_SETTINGS.some((key) => e.affectsConfiguration(key))) {
          this.state.display = followSettings(this.state.display, settings.display, (key) => e.affectsConfiguration(key));
          this.post();
        }
        if (e.affectsConfiguration('explainImage.compare.methods') && this.spec.kind === 'methods') this.respec({ ...this.spec, methods: settings.compareMethods });
        else if (e.affectsConfiguration('explainImage.compare.models') && this.spec.kind === 'models') {
          const models = settings.compareModels.map((id) => resolveModelChoice(id, services.extensionUri.fsPath)).filter((m): m is ModelEntry => !!m);
          if (models.length) this.respec({ ...this.spec, models });
        } else if (e.affectsConfiguration('explainImage.preprocess') || e.affectsConfiguration('explainImage.workers')) this.rerun();
      }),
    );
    this.done = this.run();
  }

  private freshState(display: CompareViewState['display']): CompareViewState {
    const spec = this.spec;
    const columns =
      spec.kind === 'methods'
        ? spec.methods.map((m) => ({ title: titleOf(m), subtitle: undefined }))
        : spec.models.map((m) => ({ title: [{ text: m.id }], subtitle: m.card.dataset }));
    const labels = (spec.kind === 'methods' ? spec.model : spec.models[0])?.card.labels ?? [];
    return {
      kind: spec.kind,
      title: spec.kind === 'methods' ? spec.model.card.name ?? spec.model.id : plainTitle(spec.method),
      columns,
      rows: this.subjects.map((s) => ({ name: rowName(s, labels), cells: columns.map(() => null) })),
      progress: { done: 0, total: this.subjects.length * columns.length },
      display,
      backend: '',
      running: false,
      restore: undefined,
    };
  }

  /** Another model, method or column list: the figure starts again. */
  private respec(spec: CompareSpec): void {
    this.spec = spec;
    this.panel.title = compareTitle(spec, this.subjects);
    this.rerun();
  }

  private rerun(): void {
    this.running?.abort();
    this.state = this.freshState(this.state.display);
    this.done = this.run();
  }

  whenDone(): Promise<void> {
    return this.done;
  }

  restoreState(): CompareRestoreState {
    const spec = this.spec;
    return {
      subjects: this.subjects.map((s) => s.ref),
      spec: spec.kind === 'methods' ? { kind: 'methods', model: spec.model.id, methods: spec.methods } : { kind: 'models', models: spec.models.map((m) => m.id), method: spec.method },
    };
  }

  private async run(): Promise<void> {
    this.running?.abort();
    const controller = new AbortController();
    // Every cell's job listens for the abort: a figure has more than Node's default of 10 listeners.
    setMaxListeners(0, controller.signal);
    this.running = controller;
    const pool = this.services.engine.get();
    const preprocess = readSettings().preprocess;
    const started = Date.now();
    this.state.restore = this.restoreState();
    this.state.running = true;
    this.state.progress.done = 0;
    this.state.error = undefined;
    this.post();
    const cells: Promise<void>[] = [];
    this.subjects.forEach((subject, row) => {
      this.state.columns.forEach((_, column) => {
        const model = this.spec.kind === 'methods' ? this.spec.model : this.spec.models[column];
        const method = this.spec.kind === 'methods' ? this.spec.methods[column] : this.spec.method;
        const job = pool.run({ type: 'explain', model: { path: model.path }, images: [subject.source], methods: [method], preprocess }, controller.signal);
        cells.push(job.then((result) => this.fill(row, column, result), (e) => this.fillError(row, column, e)));
      });
    });
    await Promise.all(cells);
    if (controller.signal.aborted) return;
    this.state.running = false;
    this.state.backend = await this.services.engine.describe();
    const failed = this.state.rows.reduce((n, r) => n + r.cells.filter((c) => c?.error).length, 0);
    logRun(this.services.log, 'compare', [
      this.subjects.map((s) => (s.ref.kind === 'file' ? vscode.workspace.asRelativePath(s.ref.path) : s.name)).join(', '),
      this.spec.kind === 'methods' ? this.spec.model.id : this.spec.models.map((m) => m.id).join(', '),
      this.spec.kind === 'methods' ? this.spec.methods.join(', ') : this.spec.method,
      'predicted classes',
      `${this.state.progress.done} heatmaps${failed ? `, ${failed} failed` : ''}`,
      `${formatDuration(Date.now() - started)} wall`,
    ]);
    this.post();
  }

  private fill(row: number, column: number, result: ExplainResult): void {
    const r = this.state.rows[row];
    const image = result.images[0];
    if (image?.error) return this.fillError(row, column, new Error(image.error));
    const e = result.explanations[0];
    const label = `${result.card.labels[e.predicted] ?? e.predicted} (${(e.probabilities[e.predicted] * 100).toFixed(1)}%)`;
    // A dataset sample's true label is named with the model's class names once they are known.
    r.name = rowName(this.subjects[row], result.card.labels);
    if (!r.input) r.input = { width: image.shape[1], height: image.shape[0], channels: image.shape[2], pixels: Array.from(image.pixels) };
    if (!r.label || this.spec.kind === 'methods') r.label = label;
    const cell: CompareCell = {
      heatmap: { relevance: Array.from(e.relevance), shape: e.shape, target: e.target, logit: e.logit, relevanceSum: e.relevanceSum, ms: e.ms },
      label: this.spec.kind === 'models' ? label : undefined,
    };
    this.setCell(row, column, cell);
    if (!this.state.backend) this.state.backend = result.backend.name;
  }

  private fillError(row: number, column: number, e: unknown): void {
    if (e instanceof CancelledError) return;
    const message = isUserError(e) ? e.message : String((e as Error)?.message ?? e);
    logRun(this.services.log, 'compare', [this.state.rows[row]?.name, titleText(this.state.columns[column]?.title), message]);
    this.setCell(row, column, { error: message });
  }

  private setCell(row: number, column: number, cell: CompareCell): void {
    this.state.rows[row].cells[column] = cell;
    this.state.progress.done++;
    if (!this.webviewReady) return;
    // The first cell of a row also carries the row's input and label: send the whole state then.
    if (this.state.rows[row].cells.filter(Boolean).length === 1) this.post();
    else this.send({ type: 'compare-cell', row, column, cell, progress: { ...this.state.progress }, rowLabel: this.state.rows[row].label });
  }

  private post(): void {
    if (this.webviewReady) this.send({ type: 'compare-state', state: this.state });
  }

  private send(msg: ToWebview): void {
    void this.panel.webview.postMessage(msg);
  }

  private onMessage(raw: unknown): void {
    const msg: FromWebview | null = validateWebviewMessage(raw);
    if (!msg) return;
    switch (msg.type) {
      case 'ready':
        this.webviewReady = true;
        this.loadWatchdog.ready();
        this.post();
        break;
      case 'cancel':
        this.running?.abort();
        this.state.running = false;
        this.post();
        break;
      case 'retry':
        this.state.rows.forEach((r) => (r.cells = r.cells.map(() => null)));
        this.done = this.run();
        break;
      case 'set-display':
        this.state.display = { ...this.state.display, ...msg.display };
        this.post();
        break;
      case 'open-cell':
        void this.openCell(msg.row, msg.column);
        break;
      case 'export': {
        if (!this.exportRequests.answer(msg.requestId, msg.dataUrl, msg.suggestedName)) void this.saveExport(msg.dataUrl, msg.suggestedName);
        break;
      }
      default:
        break;
    }
  }

  async exportPng(target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    if (this.state.running) {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Explain Image: the export waits for the comparison to finish…' },
        () => this.done,
      );
    }
    await this.done;
    const { dataUrl, name } = await this.exportRequests.request((requestId) => this.send({ type: 'request-export', requestId }), 'the comparison');
    return this.saveExport(dataUrl, name, target);
  }

  /** Writes the figure's PNG and confirms it, as the heatmap export does. */
  private async saveExport(dataUrl: string, name: string, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    try {
      const uri = await savePng(dataUrl, name, target, EXPORT_TITLE);
      if (uri) {
        logRun(this.services.log, 'export', [`comparison → ${uri.fsPath}`]);
        if (!target) void vscode.window.showInformationMessage(`Comparison saved to ${vscode.workspace.asRelativePath(uri)}`);
      }
      return uri;
    } catch (e) {
      void vscode.window.showErrorMessage(`Explain Image: ${(e as Error).message}`);
      return undefined;
    }
  }

  /** A cell clicked: its image in the explain panel, with the cell's method (or model) selected. */
  private async openCell(row: number, column: number): Promise<void> {
    const subject = this.subjects[row];
    if (!subject || column >= this.state.columns.length) return;
    const { selection } = this.services;
    if (this.spec.kind === 'methods') {
      const method = this.spec.methods[column];
      if (selection.method !== method) await selection.setMethod(method);
      if (selection.model.path !== this.spec.model.path) await selection.setModel(this.spec.model.bundled ? this.spec.model.id : this.spec.model.path);
    } else {
      const model = this.spec.models[column];
      if (selection.model.path !== model.path) await selection.setModel(model.bundled ? model.id : model.path);
      if (selection.method !== this.spec.method) await selection.setMethod(this.spec.method);
    }
    logRun(this.services.log, this.spec.kind === 'methods' ? 'method' : 'model', [`from the comparison: ${this.state.rows[row].name}`, this.spec.kind === 'methods' ? selection.method : selection.model.id]);
    await vscode.commands.executeCommand('explainImage.explainSubjects', [subject]);
  }

  dispose(): void {
    if (ComparePanel.latest === this) {
      ComparePanel.latest = undefined;
      void vscode.commands.executeCommand('setContext', 'explainImage.compareOpen', false);
    }
    this.running?.abort();
    for (const d of this.disposables) d.dispose();
    this.disposables.length = 0;
    this.panel.dispose();
  }
}

function titleOf(spec: string) {
  try {
    return methodTitle(parseMethodSpec(spec));
  } catch {
    return [{ text: spec }];
  }
}

function titleText(title: Array<{ text: string }> | undefined): string {
  return (title ?? []).map((p) => p.text).join('');
}

function plainTitle(spec: string): string {
  return titleOf(spec)
    .map((p) => p.text)
    .join('');
}
