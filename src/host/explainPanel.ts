// The Explain Image panel: original image, model input, predictions and the heatmap of the current
// method and target class. The host owns the state; the webview renders it and reports user actions.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { isUserError } from '../engine/errors';
import { encodePng } from '../engine/heatmap/png';
import { decodeImage } from '../engine/image/decode';
import { explainInParallel } from '../engine/pool/parallelJobs';
import { CancelledError } from '../engine/pool/workerPool';
import type { ExplainResult } from '../protocol/engineJobs';
import type { ExplainedImage, ExplainViewState, FromWebview, RunProgress, ShownRun, ToWebview } from '../protocol/webviewMessages';
import type { DisplaySettings } from '../protocol/display';
import type { HostServices } from './hostServices';
import { ExportRequests, savePng } from './exportPng';
import { imageHint, imageStats, referenceFor } from './mismatchHint';
import { followSettings, methodSummary, progressUnit } from './panelState';
import { formatDuration, logRun } from './runLog';
import { DISPLAY_SETTINGS, readSettings } from './settings';
import type { Subject, SubjectRef } from './subjects';
import { validateWebviewMessage } from './validateWebviewMessage';
import { WebviewLoadWatchdog } from './webviewLoadWatchdog';
import { webviewHtml, webviewOptions } from './webviewHtml';

export const EXPLAIN_VIEW_TYPE = 'explainImage.panel';

const ORIGINAL_PREVIEW_LIMIT = 8 * 1024 * 1024;

/** What the serializer keeps to restore a panel after a window reload. */
export interface ExplainRestoreState {
  subjects: SubjectRef[];
  selected: number;
  target: number | null;
  display?: DisplaySettings;
}

export class ExplainPanel implements vscode.Disposable {
  static current: ExplainPanel | undefined;

  private subjects: Subject[] = [];
  private images: ExplainedImage[] = [];
  private selected = 0;
  private target: number | null = null;
  private display: DisplaySettings;
  private busy = false;
  private error: string | undefined;
  private backend = '';
  /** The run whose predictions and heatmaps `images` hold (model as its card was read, method, time). */
  private shown: ShownRun | undefined;
  private progress: RunProgress | undefined;
  private cancelled = false;
  private running: AbortController | undefined;
  private watchers: vscode.Disposable[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  private readonly exportRequests = new ExportRequests();
  private webviewReady = false;
  private readonly loadWatchdog: WebviewLoadWatchdog;
  /** Resolves when the last refresh has finished (tests, export after explain). */
  private idle: Promise<void> = Promise.resolve();

  /** Opens (or reuses) the panel on these subjects. */
  static show(services: HostServices, subjects: Subject[]): ExplainPanel {
    if (ExplainPanel.current) {
      ExplainPanel.current.panel.reveal(undefined, true);
      ExplainPanel.current.setSubjects(subjects);
      return ExplainPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(EXPLAIN_VIEW_TYPE, 'Explain Image', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(services.extensionUri));
    const explainPanel = new ExplainPanel(services, panel);
    explainPanel.setSubjects(subjects);
    return explainPanel;
  }

  /** Restores a panel VS Code kept across a reload. */
  static revive(services: HostServices, panel: vscode.WebviewPanel, subjects: Subject[], restore?: ExplainRestoreState): ExplainPanel {
    const explainPanel = new ExplainPanel(services, panel);
    if (restore?.display) explainPanel.display = restore.display;
    explainPanel.selected = Math.min(restore?.selected ?? 0, Math.max(0, subjects.length - 1));
    explainPanel.target = restore?.target ?? null;
    explainPanel.setSubjects(subjects, false);
    return explainPanel;
  }

  private constructor(
    private readonly services: HostServices,
    readonly panel: vscode.WebviewPanel,
  ) {
    ExplainPanel.current = this;
    // The export command belongs in the palette whenever a panel exists, not only while it has focus.
    void vscode.commands.executeCommand('setContext', 'explainImage.panelOpen', true);
    this.display = readSettings().display;
    panel.iconPath = vscode.Uri.joinPath(services.extensionUri, 'media', 'icon.png');
    panel.webview.options = webviewOptions(services.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, services.extensionUri, 'explain', 'Explain Image');
    this.loadWatchdog = new WebviewLoadWatchdog(
      panel,
      () => (panel.webview.html = webviewHtml(panel.webview, services.extensionUri, 'explain', 'Explain Image')),
      (line) => services.log.appendLine(`[explain] ${line}`),
    );
    this.disposables.push(
      this.loadWatchdog,
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((raw) => this.onMessage(raw)),
      services.selection.onDidChange(() => this.refresh()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('explainImage.preprocess') || e.affectsConfiguration('explainImage.workers')) this.refresh();
        // A display setting changed in settings.json: the panel takes its new value (other display choices stay).
        if (DISPLAY_SETTINGS.some((key) => e.affectsConfiguration(key))) {
          this.display = followSettings(this.display, readSettings().display, (key) => e.affectsConfiguration(key));
          this.post();
        }
      }),
    );
  }

  setSubjects(subjects: Subject[], resetView = true): void {
    this.subjects = subjects;
    this.images = subjects.map(bareImage);
    this.shown = undefined;
    if (resetView) {
      this.selected = 0;
      this.target = null;
    }
    this.panel.title = subjects.length === 1 ? `Explain: ${subjects[0].name}` : `Explain: ${subjects.length} images`;
    this.watchFiles();
    this.refresh();
  }

  /** Re-explains everything with the current model, method and target (cancelling a run in progress). */
  refresh(): Promise<void> {
    this.running?.abort();
    const controller = new AbortController();
    this.running = controller;
    this.idle = this.explain(controller).catch((e) => this.showError(e));
    return this.idle;
  }

  whenIdle(): Promise<void> {
    return this.idle;
  }

  private async explain(controller: AbortController): Promise<void> {
    const { engine, selection, log } = this.services;
    const model = selection.model;
    const method = selection.method;
    // Results of another model name other classes: never shown under the new model's header.
    if (this.shown && this.shown.model.id !== model.id) {
      this.images = this.subjects.map(bareImage);
      this.shown = undefined;
    }
    this.busy = true;
    this.error = undefined;
    this.cancelled = false;
    this.progress = undefined;
    this.post();
    const started = Date.now();
    const unit = progressUnit(method);
    let lastPost = 0;
    const onProgress = unit
      ? (done: number, total: number) => {
          if (controller.signal.aborted) return;
          this.progress = { done, total, unit };
          // At most ~10 updates a second reach the webview, and always the last one.
          if (done === total || Date.now() - lastPost > 100) {
            lastPost = Date.now();
            this.post();
          }
        }
      : undefined;
    let result: ExplainResult;
    try {
      result = await explainInParallel(
        engine.get(),
        {
          type: 'explain',
          model: { path: model.path },
          images: this.subjects.map((s) => s.source),
          methods: [method],
          targets: this.subjects.map((_, i) => (i === this.selected && this.target !== null ? [this.target] : null)),
          preprocess: readSettings().preprocess,
        },
        controller.signal,
        onProgress,
      );
    } catch (e) {
      if (e instanceof CancelledError) return;
      throw e;
    }
    if (controller.signal.aborted) return;
    result.images.forEach((image, i) => {
      if (image.error && this.subjects[i]) image.error = withRelativePath(image.error, this.subjects[i]);
    });
    if (this.target !== null && this.target >= result.card.labels.length) this.target = null;
    const reference = await referenceFor(result.card.dataset, this.services.extensionUri.fsPath);
    if (controller.signal.aborted) return;
    const modelName = result.card.name || model.id;
    this.images = this.subjects.map((s, i) => {
      const image = toExplainedImage(s, result, i, originalDataUrl(s));
      if (image.input) image.hint = imageHint(imageStats(image.input.pixels), reference, modelName);
      return image;
    });
    // Nothing computed (every image unreadable): no time, rather than "0.0 ms".
    const ms = result.explanations.length ? result.explanations.reduce((t, e) => t + e.ms, 0) : undefined;
    this.shown = { model: { id: model.id, name: modelName, dataset: result.card.dataset, labels: result.card.labels }, method: methodSummary(method), ms };
    this.backend = await engine.describe();
    this.busy = false;
    this.progress = undefined;
    for (const img of result.images) if (img.error) logRun(log, 'explain', [img.error]);
    const shownImage = this.images[this.selected];
    const target = shownImage?.heatmap?.target;
    logRun(log, 'explain', [
      describeFiles(this.subjects),
      model.id,
      method,
      target !== undefined ? `class ${result.card.labels[target] ?? target} (${target === shownImage?.predicted ? 'predicted' : 'chosen'})` : 'no heatmap',
      ms !== undefined ? `${formatMs(ms)} compute` : undefined,
      `${formatDuration(Date.now() - started)} wall`,
    ]);
    this.post();
    const firstError = result.images.find((i) => i.error)?.error;
    if (firstError) void vscode.window.showErrorMessage(`Explain Image: ${firstError}`);
  }

  private showError(e: unknown): void {
    const message = isUserError(e) ? e.message : `Unexpected error: ${(e as Error)?.message ?? e}`;
    logRun(this.services.log, 'explain', [describeFiles(this.subjects), 'error', isUserError(e) ? e.message : String((e as Error)?.stack ?? e)]);
    this.busy = false;
    this.progress = undefined;
    this.error = message;
    this.post();
    void vscode.window.showErrorMessage(`Explain Image: ${message}`, 'Show Log').then((a) => a && this.services.log.show());
  }

  private state(): ExplainViewState {
    const { selection } = this.services;
    const model = selection.model;
    return {
      model: this.shown && this.shown.model.id === model.id ? this.shown.model : { id: model.id, name: model.card.name ?? model.id, dataset: model.card.dataset, labels: model.card.labels ?? [] },
      method: methodSummary(selection.method),
      shown: this.shown,
      progress: this.progress,
      cancelled: this.cancelled || undefined,
      images: this.images,
      selected: this.selected,
      target: this.target,
      display: this.display,
      backend: this.backend,
      busy: this.busy,
      error: this.error,
      restore: this.restoreState(),
    };
  }

  restoreState(): ExplainRestoreState {
    return { subjects: this.subjects.map((s) => s.ref), selected: this.selected, target: this.target, display: this.display };
  }

  private post(): void {
    if (!this.webviewReady) return;
    this.send({ type: 'explain-state', state: this.state() });
  }

  private send(msg: ToWebview): void {
    void this.panel.webview.postMessage(msg);
  }

  private onMessage(raw: unknown): void {
    const msg: FromWebview | null = validateWebviewMessage(raw);
    if (!msg) {
      this.services.log.appendLine(`[explain] ignored an invalid message from the webview: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    switch (msg.type) {
      case 'ready':
        this.webviewReady = true;
        this.loadWatchdog.ready();
        this.post();
        break;
      case 'select-image':
        if (msg.index >= 0 && msg.index < this.subjects.length && msg.index !== this.selected) {
          this.selected = msg.index;
          const hadTarget = this.target !== null;
          this.target = null;
          if (hadTarget) this.refresh();
          else this.post();
        }
        break;
      case 'select-target':
        this.target = msg.target;
        this.refresh();
        break;
      case 'set-display':
        this.display = { ...this.display, ...msg.display };
        this.post();
        break;
      case 'pick-method':
        void vscode.commands.executeCommand('explainImage.selectMethod');
        break;
      case 'pick-model':
        void vscode.commands.executeCommand('explainImage.selectModel');
        break;
      case 'retry':
        this.refresh();
        break;
      case 'cancel': {
        if (!this.busy) break;
        this.running?.abort();
        this.busy = false;
        this.progress = undefined;
        this.cancelled = true;
        // The class list and "Back to predicted" follow the heatmap still shown, not the class asked for.
        const shown = this.images[this.selected];
        if (shown?.heatmap) this.target = shown.heatmap.target === shown.predicted ? null : shown.heatmap.target;
        logRun(this.services.log, 'explain', [describeFiles(this.subjects), this.services.selection.model.id, this.services.selection.method, 'cancelled']);
        this.post();
        break;
      }
      case 'export':
        if (!this.exportRequests.answer(msg.requestId, msg.dataUrl, msg.suggestedName)) void this.saveExport(msg.dataUrl, msg.suggestedName);
        break;
    }
  }

  /** Export asked from the command palette or a test: the webview renders, the host writes. */
  async exportPng(target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    if (this.busy) {
      // Say what the export waits for, rather than saving the previous heatmap or seeming to hang.
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Explain Image: the export waits for the heatmap being computed…' },
        () => this.idle,
      );
    }
    await this.idle;
    const shown = this.images[this.selected];
    if (!shown?.heatmap) throw new Error(`there is no heatmap to export${shown?.error ? ` (${shown.error})` : ''}`);
    const { dataUrl, name } = await this.exportRequests.request((requestId) => this.send({ type: 'request-export', requestId }), 'the panel');
    return this.saveExport(dataUrl, name, target);
  }

  private async saveExport(dataUrl: string, name: string, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    try {
      const uri = await savePng(dataUrl, name, target);
      if (uri) {
        logRun(this.services.log, 'export', [`heatmap → ${uri.fsPath}`]);
        if (!target) void vscode.window.showInformationMessage(`Heatmap saved to ${vscode.workspace.asRelativePath(uri)}`);
      }
      return uri;
    } catch (e) {
      this.showError(e);
      return undefined;
    }
  }

  /** Re-explain (debounced) when an explained file or the model's files change on disk. */
  private watchFiles(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
    const schedule = () => {
      clearTimeout(this.refreshTimer);
      this.refreshTimer = setTimeout(() => this.refresh(), 300);
    };
    const watch = (folder: string, glob: string) => {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(folder), glob));
      w.onDidChange(schedule);
      w.onDidCreate(schedule);
      this.watchers.push(w);
    };
    for (const s of this.subjects) {
      if (s.ref.kind === 'file') watch(path.dirname(s.ref.path), path.basename(s.ref.path));
    }
    const modelDir = path.dirname(this.services.selection.model.path);
    watch(modelDir, '*');
    this.watchers.push(
      this.services.selection.onDidChange(() => {
        // The model folder to watch follows the selection.
        this.watchFiles();
      }),
    );
  }

  dispose(): void {
    if (ExplainPanel.current === this) {
      ExplainPanel.current = undefined;
      void vscode.commands.executeCommand('setContext', 'explainImage.panelOpen', false);
    }
    this.running?.abort();
    clearTimeout(this.refreshTimer);
    for (const d of [...this.watchers, ...this.disposables]) d.dispose();
    this.watchers = [];
    this.disposables.length = 0;
    this.panel.dispose();
  }
}

/** An image before (or without) results: its name, its original and, for a sample, its true label. */
function bareImage(subject: Subject): ExplainedImage {
  const image: ExplainedImage = { name: subject.name, originalSrc: originalDataUrl(subject) };
  if (subject.sample?.label !== undefined) image.trueLabel = subject.sample.label;
  return image;
}

function toExplainedImage(subject: Subject, result: ExplainResult, index: number, originalSrc?: string): ExplainedImage {
  const prepared = result.images[index];
  const image: ExplainedImage = { ...bareImage(subject), originalSrc };
  if (!prepared || prepared.error) return { ...image, error: prepared?.error ?? 'not explained' };
  const e = result.explanations.find((x) => x.image === index);
  const [h, w, c] = prepared.shape;
  image.input = { width: w, height: h, channels: c, pixels: Array.from(prepared.pixels) };
  image.steps = prepared.steps;
  if (prepared.frames) image.frames = prepared.frames;
  if (!e) return image;
  image.predicted = e.predicted;
  image.scores = Array.from(e.probabilities, (p, k) => ({ index: k, label: result.card.labels[k] ?? String(k), probability: p })).sort(
    (a, b) => b.probability - a.probability,
  );
  image.heatmap = {
    relevance: Array.from(e.relevance),
    shape: e.shape,
    target: e.target,
    logit: e.logit,
    relevanceSum: e.relevanceSum,
    ms: e.ms,
  };
  return image;
}

/** "mnist-7-0000.png" or "3 images: a.png, b.png, c.png" for the log. */
function describeFiles(subjects: Subject[]): string {
  const names = subjects.map((s) => (s.ref.kind === 'file' ? vscode.workspace.asRelativePath(s.ref.path) : s.name));
  return names.length === 1 ? names[0] : `${names.length} images: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}`;
}

/**
 * The engine names an unreadable file by its absolute path ("/tmp/…/broken.png: not an image …"); the
 * panel and the notification read better with the path relative to the workspace.
 */
function withRelativePath(message: string, subject: Subject): string {
  if (subject.ref.kind !== 'file') return message;
  return message.split(subject.ref.path).join(vscode.workspace.asRelativePath(subject.ref.path));
}

/**
 * The original file as a data URL for display, when it is a reasonably small image file. An animated GIF
 * would play in the panel: it is shown as its first frame, the one explained, decoded here as the engine does.
 */
function originalDataUrl(subject: Subject): string | undefined {
  if (subject.ref.kind !== 'file') return undefined;
  const mime: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.bmp': 'image/bmp', '.webp': 'image/webp' };
  const type = mime[path.extname(subject.ref.path).toLowerCase()];
  try {
    if (!type || fs.statSync(subject.ref.path).size > ORIGINAL_PREVIEW_LIMIT) return undefined;
    const bytes = fs.readFileSync(subject.ref.path);
    const gif = type === 'image/gif' ? decodeImage(bytes, subject.ref.path) : undefined;
    if (gif?.frames && gif.frames > 1) return `data:image/png;base64,${Buffer.from(encodePng(gif)).toString('base64')}`;
    return `data:${type};base64,${bytes.toString('base64')}`;
  } catch {
    return undefined;
  }
}

function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}
