// The Explain Image panel: original image, model input, predictions and the heatmap of the current
// method and target class. The host owns the state; the webview renders it and reports user actions.
// A run reads each image file once (the worker decodes those bytes, the webview shows them) and explains
// only what changed: a class click or a file saved on disk re-explains that one image. Its heatmap is the
// engine's first job while the panel is the one the user looks at; a hidden panel cancels its run at once
// when the model, method, image or class changes, and runs the new one when it is shown again.
import * as path from 'path';
import * as vscode from 'vscode';
import { isUserError } from '../engine/errors';
import type { ExplainResult } from '../protocol/engineJobs';
import type { DisplaySettings } from '../protocol/display';
import type { ModelLoadProgress } from '../protocol/model';
import type { ExplainViewState, FromWebview, ImageResult, ModelGraphView, ModelLoadView, OriginalImage, PanelImage, RunProgress, ShownRun } from '../protocol/webviewMessages';
import { ConceptsController, type ConceptSubject } from './conceptsController';
import { CancelledError } from './engineService';
import { imageResult } from './explanationView';
import { HeatmapPanel } from './heatmapPanel';
import type { HostServices } from './hostServices';
import { imageHint, imageStats, referenceFor } from './mismatchHint';
import { originalOf, readSubject, sameOriginal } from './originalImage';
import { resolveModelChoice, type ModelEntry } from './modelCatalog';
import { methodSummary, progressUnit } from './panelState';
import { formatDuration, logRun } from './runLog';
import { readSettings } from './settings';
import type { Subject, SubjectRef } from './subjects';
import { watchModelFiles } from './modelWatcher';
import { tellCardFindingsOnce } from './ownModelHelp';
import { webviewOptions } from './webviewHtml';

export const EXPLAIN_VIEW_TYPE = 'explainImage.panel';

/** What the serializer keeps to restore a panel after a window reload. */
export interface ExplainRestoreState {
  subjects: SubjectRef[];
  selected: number;
  target: number | null;
  display?: DisplaySettings;
  pin?: ExplainPin;
}

/**
 * A panel opened from a comparison cell explains with that cell's model and method, whatever the
 * workspace's are, until a model or method is picked in it (then it follows the workspace again).
 */
export interface ExplainPin {
  /** A bundled model's id or a model file's path (as Select Model stores it). */
  model: string;
  method: string;
}

/** Which images a run explains: all (another model, method or setting) or one (its class clicked, its file saved). */
type RunScope = 'all' | number;

export class ExplainPanel extends HeatmapPanel {
  static current: ExplainPanel | undefined;
  /** The panel Explain Image reuses: the last one opened that follows the workspace (a pinned one is not). */
  private static following: ExplainPanel | undefined;

  private subjects: Subject[] = [];
  /** Per subject: what the last run found, and the original the webview has been sent. */
  private results: Array<ImageResult | undefined> = [];
  private originals: Array<OriginalImage | null | undefined> = [];
  private selected = 0;
  private target: number | null = null;
  /** The class the selected image's map is contrasted with ("why target and not this?"), or none. */
  private contrast: number | null = null;
  private busy = false;
  private error: string | undefined;
  private backend = '';
  /** The run whose predictions and heatmaps `results` hold (model as its card was read, method, time). */
  private shown: ShownRun | undefined;
  private progress: RunProgress | undefined;
  /** The run under way waits for its model: how far the load is. */
  private loading: ModelLoadView | undefined;
  private cancelled = false;
  /** What a hidden panel has put off until it is shown again. */
  private deferred: RunScope | undefined;
  /** The run under way, if any. */
  private running: { controller: AbortController; scope: RunScope } | undefined;
  private watchers: vscode.Disposable[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  private pendingScope: RunScope | undefined;
  /** The model's graph with the method's rules, as last sent; its request under way. */
  private graph: ModelGraphView | null = null;
  private graphRequest = 0;
  /** Resolves when the last refresh has finished (tests, export after explain). */
  private idle: Promise<void> = Promise.resolve();
  /** The Concepts section ("Concepts here" on a graph node). */
  private readonly concepts: ConceptsController;
  /** This panel's own model and method (opened from a comparison cell), else the workspace's. */
  private pin: ExplainPin | undefined;
  /** A pick asked from this panel is under way: the change it makes unpins the panel. */
  private picking = false;

  /** Opens (or reuses) the panel on these subjects. */
  static show(services: HostServices, subjects: Subject[]): ExplainPanel {
    const reused = ExplainPanel.following;
    if (reused) {
      reused.panel.reveal(undefined, true);
      reused.engage();
      reused.setSubjects(subjects);
      ExplainPanel.current = reused;
      return reused;
    }
    const panel = vscode.window.createWebviewPanel(EXPLAIN_VIEW_TYPE, 'Explain Image', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(services.extensionUri));
    const explainPanel = new ExplainPanel(services, panel);
    ExplainPanel.following = explainPanel;
    explainPanel.setSubjects(subjects);
    return explainPanel;
  }

  /**
   * A new panel (never the open one) explaining `subjects` with its own model and method, `target` and
   * `contrast` chosen: a comparison cell opened, the workspace's selection left as it is.
   */
  static showPinned(services: HostServices, subjects: Subject[], pin: ExplainPin, target: number | null = null, contrast: number | null = null): ExplainPanel {
    const panel = vscode.window.createWebviewPanel(EXPLAIN_VIEW_TYPE, 'Explain Image', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, webviewOptions(services.extensionUri));
    const explainPanel = new ExplainPanel(services, panel);
    explainPanel.pin = pin;
    explainPanel.target = target;
    explainPanel.contrast = contrast;
    explainPanel.setSubjects(subjects, false);
    return explainPanel;
  }

  /** Restores a panel VS Code kept across a reload. */
  static revive(services: HostServices, panel: vscode.WebviewPanel, subjects: Subject[], restore?: ExplainRestoreState): ExplainPanel {
    const explainPanel = new ExplainPanel(services, panel);
    if (restore?.display) explainPanel.display = restore.display;
    explainPanel.selected = Math.min(restore?.selected ?? 0, Math.max(0, subjects.length - 1));
    explainPanel.target = restore?.target ?? null;
    // The webview kept it: only a well-formed pin is taken.
    const pin = restore?.pin;
    if (pin && typeof pin.model === 'string' && typeof pin.method === 'string') explainPanel.pin = { model: pin.model, method: pin.method };
    else ExplainPanel.following = explainPanel;
    explainPanel.setSubjects(subjects, false);
    return explainPanel;
  }

  private constructor(services: HostServices, panel: vscode.WebviewPanel) {
    super(services, panel, 'explain', { what: 'heatmap', dialogTitle: 'Export heatmap as PNG', who: 'the panel' });
    ExplainPanel.current = this;
    this.concepts = new ConceptsController(services, (m) => this.post(m), () => this.conceptSubject());
    this.disposables.push(this.concepts);
    // The export command belongs in the palette whenever a panel exists, not only while it has focus.
    void vscode.commands.executeCommand('setContext', 'explainImage.panelOpen', true);
    panel.iconPath = vscode.Uri.joinPath(services.extensionUri, 'media', 'icon.png');
    this.disposables.push(
      services.selection.onDidChange(() => {
        // A pinned panel keeps its model and method, unless the change is the pick it asked for.
        if (this.pin && !this.picking) return;
        this.pin = undefined;
        this.refreshWhenShown();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('explainImage.preprocess') || e.affectsConfiguration('explainImage.workers')) this.refreshWhenShown();
      }),
    );
  }

  setSubjects(subjects: Subject[], resetView = true): void {
    this.subjects = subjects;
    this.results = subjects.map(() => undefined);
    this.originals = subjects.map(() => undefined);
    this.shown = undefined;
    if (resetView) {
      this.selected = 0;
      this.target = null;
    }
    this.panel.title = subjects.length === 1 ? `Explain: ${subjects[0].name}` : `Explain: ${subjects.length} images`;
    this.watchFiles();
    this.refreshWhenShown();
  }

  /**
   * `refresh` now when the panel is visible. A hidden one cancels the run under way at once (superseded),
   * shows the new model in its header, and runs when it is shown again (onShown).
   */
  private refreshWhenShown(scope: RunScope = 'all'): void {
    if (this.visible) {
      void this.refresh(scope);
      return;
    }
    this.deferred = this.deferred === undefined || this.deferred === scope ? scope : 'all';
    this.running?.controller.abort();
    this.running = undefined;
    this.busy = false;
    this.progress = undefined;
    this.loading = undefined;
    this.forgetOtherModel(this.model.id);
    this.postState();
  }

  protected override onShown(): void {
    const scope = this.deferred;
    this.deferred = undefined;
    if (scope !== undefined) void this.refresh(scope);
  }

  /** Results and the graph of a model other than `modelId` name other classes and nodes: never shown
   *  under its header. Nor is a class chosen under it explained (its index means another class, or none). */
  private forgetOtherModel(modelId: string): void {
    if (this.shown && this.shown.model.id !== modelId) {
      this.clearResults();
      this.target = null;
    }
    if (this.graph && this.graph.modelId !== modelId) {
      this.graph = null;
      this.graphRequest++;
      this.post({ type: 'model-graph', graph: null });
    }
  }

  /**
   * Re-explains with the current model, method and target (cancelling a run in progress): every image, or
   * only image `scope` while the others hold results of the current model and method.
   */
  refresh(scope: RunScope = 'all'): Promise<void> {
    if (this.deferred !== undefined) scope = this.deferred === scope ? scope : 'all';
    this.deferred = undefined;
    if (scope !== 'all' && (this.running?.scope === 'all' || !this.othersAreCurrent())) scope = 'all';
    this.running?.controller.abort();
    const controller = new AbortController();
    const running = { controller, scope };
    this.running = running;
    this.idle = this.explain(controller, scope)
      .catch((e) => this.showError(e))
      .finally(() => {
        if (this.running === running) this.running = undefined;
      });
    return this.idle;
  }

  whenIdle(): Promise<void> {
    return this.idle;
  }

  /** The results held were computed with the model and method now selected. */
  private othersAreCurrent(): boolean {
    return this.shown !== undefined && this.shown.model.id === this.model.id && this.shown.method.spec === this.method;
  }

  private async explain(controller: AbortController, scope: RunScope): Promise<void> {
    const { engine, log } = this.services;
    const model = this.model;
    const method = this.method;
    const indices = scope === 'all' ? this.subjects.map((_, i) => i) : [scope];
    const subjects = indices.map((i) => this.subjects[i]);
    this.forgetOtherModel(model.id);
    this.busy = true;
    this.error = undefined;
    this.cancelled = false;
    this.progress = undefined;
    this.loading = undefined;
    this.postState();
    const started = Date.now();
    const sources = await Promise.all(subjects.map(readSubject));
    if (controller.signal.aborted) return;
    sources.forEach((source, k) => this.setOriginal(indices[k], originalOf(source)));
    const unit = progressUnit(method);
    let lastPost = 0;
    const onProgress = unit
      ? (done: number, total: number) => {
          if (controller.signal.aborted) return;
          this.progress = { done, total, unit };
          // At most ~10 updates a second reach the webview, and always the last one.
          if (done === total || Date.now() - lastPost > 100) {
            lastPost = Date.now();
            this.postState();
          }
        }
      : undefined;
    let result: ExplainResult;
    try {
      result = await engine.explain(
        {
          type: 'explain',
          model: { path: model.path },
          images: sources,
          methods: [method],
          targets: indices.map((i) => (i === this.selected && this.target !== null ? [this.target] : null)),
          ...(this.contrast === null ? {} : { contrasts: indices.map((i) => (i === this.selected ? this.contrast : null)) }),
          preprocess: readSettings().preprocess,
        },
        { signal: controller.signal, onProgress, priority: this.priority('request'), onModelLoad: (p) => this.showLoading(controller, model.card.name ?? model.id, p) },
      );
    } catch (e) {
      if (e instanceof CancelledError) return;
      throw e;
    }
    if (controller.signal.aborted) return;
    result.images.forEach((image, k) => {
      if (image.error) image.error = withRelativePath(image.error, subjects[k]);
    });
    if (this.target !== null && this.target >= result.card.labels.length) this.target = null;
    const reference = await referenceFor(result.card.dataset, this.services.extensionUri.fsPath);
    if (controller.signal.aborted) return;
    const modelName = result.card.name || model.id;
    indices.forEach((i, k) => {
      const found = imageResult(result.images[k], result.explanations.find((e) => e.image === k), result.card.labels);
      if (found.input) found.hint = imageHint(imageStats(found.input.pixels), reference, modelName);
      this.setResult(i, found);
    });
    // Nothing computed (every image unreadable): no time, rather than "0.0 ms".
    const ms = result.explanations.length ? result.explanations.reduce((t, e) => t + e.ms, 0) : undefined;
    this.shown = { model: { id: model.id, name: modelName, dataset: result.card.dataset, labels: result.card.labels }, method: methodSummary(method), ms };
    this.backend = await engine.describe();
    this.busy = false;
    this.progress = undefined;
    this.loading = undefined;
    for (const image of result.images) if (image.error) logRun(log, 'explain', [image.error]);
    const shownImage = this.results[this.selected];
    const target = shownImage?.heatmap?.target;
    logRun(log, 'explain', [
      describeFiles(subjects),
      model.id,
      method,
      target !== undefined ? `class ${result.card.labels[target] ?? target} (${target === shownImage?.predicted ? 'predicted' : 'chosen'})` : 'no heatmap',
      ms !== undefined ? `${formatMs(ms)} compute` : undefined,
      `${formatDuration(Date.now() - started)} wall`,
    ]);
    this.postState();
    if (scope === 'all') void this.updateGraph();
    if (scope === 'all' || scope === this.selected) this.concepts.follow();
    const firstError = result.images.find((i) => i.error)?.error;
    if (firstError) void vscode.window.showErrorMessage(`Explain Image: ${firstError}`);
  }

  /** The run waits for its model: say which, and how far its load is. */
  private showLoading(controller: AbortController, model: string, progress: ModelLoadProgress): void {
    if (controller.signal.aborted) return;
    this.loading = { model, bytesRead: progress.bytesRead, bytesTotal: progress.bytesTotal, nodesBuilt: progress.nodesBuilt };
    this.postState();
  }

  private showError(e: unknown): void {
    const message = isUserError(e) ? e.message : `Unexpected error: ${(e as Error)?.message ?? e}`;
    logRun(this.services.log, 'explain', [describeFiles(this.subjects), 'error', isUserError(e) ? e.message : String((e as Error)?.stack ?? e)]);
    this.busy = false;
    this.progress = undefined;
    this.loading = undefined;
    this.error = message;
    this.postState();
    void this.updateGraph();
    void vscode.window.showErrorMessage(`Explain Image: ${message}`, 'Show Log').then((a) => a && this.services.log.show());
  }

  /** A stable key per subject: what pairs the webview's originals and results with its images. */
  private key(index: number): string {
    const ref = this.subjects[index].ref;
    return `${index}:${ref.kind === 'file' ? ref.path : `${ref.path}#${ref.index}`}`;
  }

  private setOriginal(index: number, original: OriginalImage | null): void {
    if (this.originals[index] !== undefined && sameOriginal(this.originals[index], original)) return;
    this.originals[index] = original;
    this.post({ type: 'image-original', key: this.key(index), original });
  }

  private setResult(index: number, result: ImageResult | undefined): void {
    this.results[index] = result;
    this.post({ type: 'image-result', key: this.key(index), result: result ?? null });
  }

  private clearResults(): void {
    this.shown = undefined;
    this.results.forEach((result, i) => result && this.setResult(i, undefined));
  }

  private state(): ExplainViewState {
    const model = this.model;
    const images: PanelImage[] = this.subjects.map((s, i) => ({ key: this.key(i), name: s.name, ...(s.sample?.label !== undefined ? { trueLabel: s.sample.label } : {}) }));
    return {
      model: this.shown && this.shown.model.id === model.id ? this.shown.model : { id: model.id, name: model.card.name ?? model.id, dataset: model.card.dataset, labels: model.card.labels ?? [] },
      method: methodSummary(this.method),
      shown: this.shown,
      progress: this.progress,
      loading: this.loading,
      cancelled: this.cancelled || undefined,
      images,
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
    return { subjects: this.subjects.map((s) => s.ref), selected: this.selected, target: this.target, display: this.display, ...(this.pin ? { pin: this.pin } : {}) };
  }

  private postState(): void {
    this.post({ type: 'explain-state', state: this.state() });
  }

  /**
   * Lists the model's graph with the rules of the method now selected (model-info; the model is loaded in
   * the workers already). Follows model and method changes and a model re-exported on disk, as the
   * heatmaps do; a model that cannot be read has no graph.
   */
  private async updateGraph(): Promise<void> {
    const { engine } = this.services;
    const request = ++this.graphRequest;
    const model = this.model;
    const method = this.method;
    let graph: ModelGraphView | null;
    try {
      const info = await engine.modelInfo({ path: model.path }, { method, priority: this.priority('request') });
      graph = { modelId: model.id, method: methodSummary(method), nodes: info.nodes, notes: info.notes };
      // A workspace model nobody picked this session (the setting's): say what its card lacks, as a pick does.
      if (!model.bundled) tellCardFindingsOnce(model.id, model.path, { cardFile: info.cardFile, cardWarnings: info.cardWarnings, cardAssumed: info.cardAssumed });
    } catch {
      graph = null;
    }
    // Another model chosen meanwhile: its graph comes with its own run.
    if (request !== this.graphRequest || this.model.id !== model.id) return;
    this.graph = graph;
    this.post({ type: 'model-graph', graph });
  }

  /** The webview (re)loaded: its originals and results, then the state that shows them. */
  protected onReady(): void {
    if (this.graph) this.post({ type: 'model-graph', graph: this.graph });
    this.concepts.repost();
    this.subjects.forEach((_, i) => {
      const original = this.originals[i];
      if (original !== undefined) this.post({ type: 'image-original', key: this.key(i), original });
      const result = this.results[i];
      if (result) this.post({ type: 'image-result', key: this.key(i), result });
    });
    this.postState();
  }

  protected onPanelMessage(msg: FromWebview): void {
    switch (msg.type) {
      case 'select-image': {
        if (msg.index < 0 || msg.index >= this.subjects.length || msg.index === this.selected) break;
        this.selected = msg.index;
        this.target = null;
        this.contrast = null;
        // Its heatmap is of its predicted class unless a class was chosen for it earlier: then it is explained again.
        const shown = this.results[msg.index]?.heatmap;
        if (shown && shown.target !== this.results[msg.index]?.predicted) void this.refresh(msg.index);
        else {
          this.postState();
          this.concepts.follow();
        }
        break;
      }
      case 'show-concepts':
        this.concepts.show(msg.layer);
        break;
      case 'concepts-action':
        this.concepts.action(msg.action);
        break;
      case 'select-target':
        this.target = msg.target;
        this.contrast = null;
        void this.refresh(this.selected);
        break;
      case 'select-contrast':
        this.contrast = msg.contrast;
        void this.refresh(this.selected);
        break;
      case 'pick-method':
        void this.pick('explainImage.selectMethod');
        break;
      case 'pick-model':
        void this.pick('explainImage.selectModel');
        break;
      case 'retry':
        void this.refresh();
        break;
      case 'cancel': {
        if (!this.busy) break;
        this.running?.controller.abort();
        this.busy = false;
        this.progress = undefined;
        this.loading = undefined;
        this.cancelled = true;
        // The class list and "Back to predicted" follow the heatmap still shown, not the class asked for.
        const shown = this.results[this.selected];
        if (shown?.heatmap) this.target = shown.heatmap.target === shown.predicted ? null : shown.heatmap.target;
        logRun(this.services.log, 'explain', [describeFiles(this.subjects), this.model.id, this.method, 'cancelled']);
        this.postState();
        break;
      }
    }
  }

  /** The image the Concepts section explains: the selected one, for the class its heatmap shows. */
  private async conceptSubject(): Promise<ConceptSubject | undefined> {
    const subject = this.subjects[this.selected];
    if (!subject) return undefined;
    const shown = this.results[this.selected]?.heatmap;
    return {
      source: await readSubject(subject),
      name: subject.name,
      target: shown ? shown.target : this.target,
      model: this.model,
      method: this.method,
      ...(subject.ref.kind === 'dataset-sample' ? { datasetPath: subject.ref.path } : {}),
    };
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
    const shown = this.results[this.selected];
    if (!shown?.heatmap) throw new Error(`there is no heatmap to export${shown?.error ? ` (${shown.error})` : ''}`);
    return this.exportShown(target);
  }

  /** Re-explain (debounced) when an explained file (that image) or the model's files (all: the model file,
   *  its cards, labels.txt, weights and external data) change on disk. */
  private watchFiles(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
    const schedule = (scope: RunScope) => {
      this.pendingScope = this.pendingScope === undefined || this.pendingScope === scope ? scope : 'all';
      clearTimeout(this.refreshTimer);
      this.refreshTimer = setTimeout(() => {
        const pending = this.pendingScope ?? 'all';
        this.pendingScope = undefined;
        this.refreshWhenShown(pending);
      }, 300);
    };
    const watch = (folder: string, glob: string, scope: RunScope) => {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(folder), glob));
      w.onDidChange(() => schedule(scope));
      w.onDidCreate(() => schedule(scope));
      this.watchers.push(w);
    };
    this.subjects.forEach((s, i) => {
      if (s.ref.kind === 'file') watch(path.dirname(s.ref.path), path.basename(s.ref.path), i);
    });
    this.watchers.push(watchModelFiles([this.model.path], () => schedule('all')));
    // The model folder to watch follows the selection.
    this.watchers.push(this.services.selection.onDidChange(() => this.watchFiles()));
  }

  /** The model this panel explains with: its pin's (while that model exists), else the workspace's. */
  private get model(): ModelEntry {
    const pinned = this.pin && resolveModelChoice(this.pin.model, this.services.extensionUri.fsPath);
    return pinned || this.services.selection.model;
  }

  private get method(): string {
    return this.pin?.method ?? this.services.selection.method;
  }

  /** Select Model or Method from this panel: what is picked applies here too (a pinned panel unpins). */
  private async pick(command: string): Promise<void> {
    this.picking = true;
    try {
      await vscode.commands.executeCommand(command);
    } finally {
      this.picking = false;
    }
  }

  override dispose(): void {
    if (ExplainPanel.following === this) ExplainPanel.following = undefined;
    if (ExplainPanel.current === this) {
      ExplainPanel.current = undefined;
      void vscode.commands.executeCommand('setContext', 'explainImage.panelOpen', false);
    }
    this.running?.controller.abort();
    clearTimeout(this.refreshTimer);
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
    super.dispose();
  }
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

function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}
