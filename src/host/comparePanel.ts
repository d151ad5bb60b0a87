// The comparison figure: rows are images, columns are methods (one model) or models (one method), as in
// the seed figure. Each image is one job with all its methods (one shared forward pass and backward
// walks), its file read once; a models comparison runs one job per image and model. Rows appear as their
// jobs finish, spread over the workers. A methods comparison then evaluates its own maps in the
// Faithfulness section (pixel flipping, and on request the randomisation check: compareFaithfulness.ts),
// as background work that waits while other panels compute. A hidden figure cancels its run when its
// model, method or columns change, and computes the new one when it is shown again.
import { setMaxListeners } from 'events';
import * as vscode from 'vscode';
import type { ExplainPin } from './explainPanel';
import { isUserError } from '../engine/errors';
import { methodTitle, parseMethodSpec } from '../engine/methods/methodRegistry';
import { describeBaseline } from '../engine/evaluate/baselines';
import { defaultPatch } from '../engine/evaluate/units';
import type { ExplainResult, FlipBaseline, ImageSource } from '../protocol/engineJobs';
import type { ModelLoadProgress } from '../protocol/model';
import type { FaithfulnessView, RandomisationView } from '../protocol/faithfulnessView';
import type { ModelCard } from '../protocol/model';
import type { PreprocessMode } from '../protocol/preprocess';
import { titleText, type MethodTitle } from '../protocol/methodTitle';
import type { CompareCell, CompareRow, CompareViewState, FromWebview } from '../protocol/webviewMessages';
import { columnsVerdict, evaluatedImages, faithfulnessColumns, figureFlipJob, flipSteps, randomisationColumns, randomisationStepNames, roadByDefault, type RowMaps } from './compareFaithfulness';
import { contrastLabel, rowOptions } from './compareRowOptions';
import { pickDatasetSamples } from './compareSamples';
import { CancelledError, type RunOptions } from './engineService';
import { watchPause } from './backgroundPause';
import { heatmapView, inputImage, predictionLabel } from './explanationView';
import { HeatmapPanel } from './heatmapPanel';
import type { HostServices } from './hostServices';
import { resolveModelChoice, type ModelEntry } from './modelCatalog';
import { watchModelFiles } from './modelWatcher';
import { readSubject } from './originalImage';
import { formatDuration, logRun } from './runLog';
import { readSettings } from './settings';
import { rowName, subjectsTitle, type Subject, type SubjectRef } from './subjects';
import { webviewOptions } from './webviewHtml';

export const COMPARE_VIEW_TYPE = 'explainImage.compare';

export type CompareSpec =
  | { kind: 'methods'; model: ModelEntry; methods: string[] }
  | { kind: 'models'; models: ModelEntry[]; method: string };

export interface CompareRestoreState {
  subjects: SubjectRef[];
  spec: { kind: 'methods'; model: string; methods: string[] } | { kind: 'models'; models: string[]; method: string };
}

/** The tab title: what is compared, on which images ("Compare methods · mnist-cnn · #582, #583 of mnist-test-1k.npz"). */
export function compareTitle(spec: CompareSpec, subjects: Subject[]): string {
  const what = spec.kind === 'methods' ? `Compare methods · ${spec.model.id}` : `Compare models · ${titleText(titleOf(spec.method))}`;
  return `${what} · ${subjectsTitle(subjects)}`;
}

export class ComparePanel extends HeatmapPanel {
  private state!: CompareViewState;
  private running: AbortController | undefined;
  private done: Promise<void> = Promise.resolve();
  /** Per row, what the Faithfulness section evaluates: the model input, the maps, the image as read. */
  private rowMaps: Array<RowMaps | undefined> = [];
  private sources: Array<ImageSource | undefined> = [];
  private preprocess: PreprocessMode = 'auto';
  /** The section's evaluations under way (pixel flipping, randomisation check): Cancel stops them. */
  private flipping: AbortController | undefined;
  private randomising: AbortController | undefined;
  /** The section's baseline, ROAD asked for (above 64×64), and per row the class its maps are contrasted with. */
  private baseline: FlipBaseline = 'black';
  private roadAsked = false;
  private contrasts: Array<number | undefined> = [];
  /** Per row, the predicted class and the probabilities (the row's options list the classes by them). */
  private predictions: Array<{ predicted: number; probabilities: Float32Array } | undefined> = [];
  /** The model's card as the engine read it (the section says the baseline in its terms). */
  private card: ModelCard | undefined;
  /** A hidden figure's new run waits until it is shown. */
  private deferred = false;
  static latest: ComparePanel | undefined;

  static show(services: HostServices, subjects: Subject[], spec: CompareSpec, panel?: vscode.WebviewPanel): ComparePanel {
    const title = compareTitle(spec, subjects);
    const webviewPanel = panel ?? vscode.window.createWebviewPanel(COMPARE_VIEW_TYPE, title, vscode.ViewColumn.Active, webviewOptions(services.extensionUri));
    webviewPanel.title = title;
    return new ComparePanel(services, webviewPanel, subjects, spec);
  }

  private constructor(
    services: HostServices,
    panel: vscode.WebviewPanel,
    private readonly subjects: Subject[],
    private spec: CompareSpec,
  ) {
    super(services, panel, 'compare', { what: 'comparison', dialogTitle: 'Export comparison as PNG', who: 'the comparison' });
    void vscode.commands.executeCommand('setContext', 'explainImage.compareOpen', true);
    this.state = this.freshState();
    this.disposables.push(
      // A comparison of methods follows the selected model, one of models the selected method.
      services.selection.onDidChange((what) => {
        if (what === 'model' && this.spec.kind === 'methods') this.respec({ ...this.spec, model: services.selection.model });
        if (what === 'method' && this.spec.kind === 'models') this.respec({ ...this.spec, method: services.selection.method });
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        const settings = readSettings();
        if (e.affectsConfiguration('explainImage.compare.methods') && this.spec.kind === 'methods') this.respec({ ...this.spec, methods: settings.compareMethods });
        else if (e.affectsConfiguration('explainImage.compare.models') && this.spec.kind === 'models') {
          const models = settings.compareModels.map((id) => resolveModelChoice(id, services.extensionUri.fsPath)).filter((m): m is ModelEntry => !!m);
          if (models.length) this.respec({ ...this.spec, models });
        } else if (e.affectsConfiguration('explainImage.preprocess') || e.affectsConfiguration('explainImage.workers')) this.rerun();
        // Another K: the section evaluates the same maps again (once the heatmaps are in).
        else if (e.affectsConfiguration('explainImage.faithfulness.steps') && this.spec.kind === 'methods' && !this.state.running && this.state.faithfulness) this.alsoWaitFor(this.evaluateFaithfulness());
      }),
    );
    this.watchModels();
    // A figure restored in a background tab computes when it is first shown.
    if (this.visible) this.done = this.run();
    else this.deferred = true;
  }

  /** The figure follows its models' files re-exported on disk (model, cards, labels.txt, weights). */
  private modelWatch: vscode.Disposable | undefined;
  private watchModels(): void {
    this.modelWatch?.dispose();
    const paths = this.spec.kind === 'methods' ? [this.spec.model.path] : this.spec.models.map((m) => m.path);
    this.modelWatch = watchModelFiles(paths, () => this.rerun());
    this.disposables.push(this.modelWatch);
  }

  private freshState(): CompareViewState {
    const spec = this.spec;
    const columns =
      spec.kind === 'methods'
        ? spec.methods.map((m) => ({ title: titleOf(m), subtitle: undefined }))
        : spec.models.map((m) => ({ title: [{ text: m.id }], subtitle: m.card.dataset }));
    const labels = (spec.kind === 'methods' ? spec.model : spec.models[0])?.card.labels ?? [];
    return {
      kind: spec.kind,
      title: spec.kind === 'methods' ? spec.model.card.name ?? spec.model.id : titleText(titleOf(spec.method)),
      columns,
      rows: this.subjects.map((s) => ({ name: rowName(s, labels), cells: columns.map(() => null) })),
      progress: { done: 0, total: this.subjects.length * columns.length },
      display: this.display,
      backend: '',
      running: false,
      restore: undefined,
    };
  }

  /** Another model, method or column list: the figure starts again. */
  private respec(spec: CompareSpec): void {
    this.spec = spec;
    this.panel.title = compareTitle(spec, this.subjects);
    this.watchModels();
    this.rerun();
  }

  /** The figure starts again: now when it is visible; a hidden one stops its run and starts when shown. */
  private rerun(): void {
    this.running?.abort();
    this.stopEvaluations();
    this.state = this.freshState();
    if (this.visible) {
      this.deferred = false;
      this.done = this.run();
      return;
    }
    this.deferred = true;
    this.state.restore = this.restoreState();
    this.post({ type: 'compare-state', state: this.state });
  }

  protected override onShown(): void {
    if (!this.deferred) return;
    this.deferred = false;
    this.done = this.run();
  }

  /** Export Comparison saves the comparison the user opened or focused last, not merely the newest one. */
  protected override engage(): void {
    super.engage();
    ComparePanel.latest = this;
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
    // Every job listens for the abort: a figure may have more than Node's default of 10 listeners.
    setMaxListeners(0, controller.signal);
    this.running = controller;
    const preprocess = readSettings().preprocess;
    this.preprocess = preprocess;
    this.rowMaps = [];
    this.sources = [];
    const started = Date.now();
    const spec = this.spec;
    this.state.restore = this.restoreState();
    this.state.running = true;
    this.state.progress.done = 0;
    this.state.error = undefined;
    this.state.display = this.display;
    this.post({ type: 'compare-state', state: this.state });
    // Each image: its file read once, then one job per model with every method of the figure. A spec
    // that does not parse fails its own column only, as it would alone.
    const models = spec.kind === 'methods' ? [spec.model] : spec.models;
    const methods = (spec.kind === 'methods' ? spec.methods : [spec.method]).map((method, k) => ({ method, problem: specProblem(method), k }));
    const valid = methods.filter((m) => !m.problem);
    await Promise.all(
      this.subjects.map(async (subject, row) => {
        const columnsOf = (m: number) => (spec.kind === 'methods' ? valid.map((v) => v.k) : [m]);
        for (const m of methods) if (m.problem && spec.kind === 'methods') this.fillError(row, [m.k], m.problem);
        if (valid.length === 0) {
          if (spec.kind === 'models') this.fillError(row, models.map((_, m) => m), methods[0].problem!);
          return;
        }
        const source = await readSubject(subject);
        this.sources[row] = source;
        await Promise.all(
          models.map((model, m) =>
            this.services.engine
              .explain(
                { type: 'explain', model: { path: model.path }, images: [source], methods: valid.map((v) => v.method), preprocess, ...(this.contrasts[row] === undefined ? {} : { contrasts: [this.contrasts[row]!] }) },
                { signal: controller.signal, priority: this.priority('request'), onModelLoad: (p) => this.showLoading(controller, model, p) },
              )
              .then(
                (result) => this.fillRow(row, columnsOf(m), result),
                (e) => this.fillError(row, columnsOf(m), e),
              ),
          ),
        );
      }),
    );
    if (controller.signal.aborted) return;
    this.state.running = false;
    this.state.loading = undefined;
    this.state.backend = await this.services.engine.describe();
    const failed = this.state.rows.reduce((n, r) => n + r.cells.filter((c) => c?.error).length, 0);
    logRun(this.services.log, 'compare', [
      this.subjects.map((s) => (s.ref.kind === 'file' ? vscode.workspace.asRelativePath(s.ref.path) : s.name)).join(', '),
      spec.kind === 'methods' ? spec.model.id : spec.models.map((m) => m.id).join(', '),
      spec.kind === 'methods' ? spec.methods.join(', ') : spec.method,
      'predicted classes',
      `${this.state.progress.done} heatmaps${failed ? `, ${failed} failed` : ''}`,
      `${formatDuration(Date.now() - started)} wall`,
    ]);
    this.postStatus();
    if (spec.kind === 'methods') await this.evaluateFaithfulness();
  }

  /** A job of the run waits for its model: say which, and how far its load is. */
  private showLoading(controller: AbortController, model: ModelEntry, progress: ModelLoadProgress): void {
    if (controller.signal.aborted) return;
    this.state.loading = { model: model.card.name ?? model.id, bytesRead: progress.bytesRead, bytesTotal: progress.bytesTotal, nodesBuilt: progress.nodesBuilt };
    this.postStatus();
  }

  /** One job's maps into its row, explanation k into `columns[k]` (the methods' columns, or the model's). */
  private fillRow(row: number, columns: number[], result: ExplainResult): void {
    this.state.loading = undefined;
    const r = this.state.rows[row];
    const image = result.images[0];
    if (image?.error) return this.fillError(row, columns, image.error);
    // A dataset sample's true label is named with the model's class names once they are known.
    r.name = rowName(this.subjects[row], result.card.labels);
    r.input ??= inputImage(image);
    const first = result.explanations[0];
    const predicted = predictionLabel(first, result.card.labels);
    const label = first?.contrast === undefined ? predicted : contrastLabel(predicted, first.contrast, result.card.labels);
    if (!r.label || this.spec.kind === 'methods') r.label = label;
    if (first) this.predictions[row] = { predicted: first.predicted, probabilities: first.probabilities };
    this.card = result.card;
    const maps: RowMaps['maps'] = this.rowMaps[row]?.maps ?? [];
    result.explanations.forEach((e, k) => {
      const cell: CompareCell = { heatmap: heatmapView(e), label: this.spec.kind === 'models' ? label : undefined };
      r.cells[columns[k]] = cell;
      maps[columns[k]] = { relevance: cell.heatmap!.relevance, target: e.target, ...(e.contrast === undefined ? {} : { contrast: e.contrast }) };
    });
    this.rowMaps[row] = { pixels: image.pixels, pixelCount: image.shape[0] * image.shape[1], shape: [image.shape[0], image.shape[1]], maps };
    this.state.progress.done += result.explanations.length;
    if (!this.state.backend) this.state.backend = result.backend.name;
    this.postRow(row);
  }

  /** These cells of the row failed: a message (or the error of their job). */
  private fillError(row: number, columns: number[], e: unknown): void {
    if (e instanceof CancelledError) return;
    const message = typeof e === 'string' ? e : isUserError(e) ? e.message : String((e as Error)?.message ?? e);
    const r = this.state.rows[row];
    for (const column of columns) {
      logRun(this.services.log, 'compare', [r?.name, titleText(this.state.columns[column]?.title ?? []), message]);
      r.cells[column] = { error: message };
    }
    this.state.progress.done += columns.length;
    this.postRow(row);
  }

  private postRow(row: number): void {
    const r: CompareRow = this.state.rows[row];
    this.post({ type: 'compare-row', row, name: r.name, input: r.input, label: r.label, cells: r.cells, progress: { ...this.state.progress } });
  }

  private postStatus(): void {
    const { running, progress, backend, error, loading } = this.state;
    this.post({ type: 'compare-status', running, progress: { ...progress }, backend, error, loading });
  }

  protected onReady(): void {
    this.state.display = this.display;
    this.post({ type: 'compare-state', state: this.state });
  }

  protected onPanelMessage(msg: FromWebview): void {
    switch (msg.type) {
      case 'cancel':
        this.running?.abort();
        this.state.running = false;
        this.state.loading = undefined;
        this.postStatus();
        break;
      case 'retry':
        this.rerun();
        break;
      case 'cancel-evaluation':
        this.stopEvaluations();
        break;
      case 'run-faithfulness':
        if (!this.state.running && this.spec.kind === 'methods' && this.state.faithfulness?.status !== 'running') this.alsoWaitFor(this.evaluateFaithfulness());
        break;
      case 'run-randomisation':
        if (!this.state.running && this.spec.kind === 'methods' && this.state.randomisation?.status !== 'running') this.alsoWaitFor(this.checkRandomisation());
        break;
      case 'open-cell':
        void this.openCell(msg.row, msg.column);
        break;
      case 'set-faithfulness-baseline':
        this.baseline = msg.baseline;
        if (!this.state.running && this.spec.kind === 'methods' && this.state.faithfulness) this.alsoWaitFor(this.evaluateFaithfulness());
        break;
      case 'run-road':
        this.roadAsked = true;
        if (!this.state.running && this.spec.kind === 'methods') this.alsoWaitFor(this.evaluateFaithfulness());
        break;
      case 'add-samples':
        void this.addSamples();
        break;
      case 'row-options':
        void this.pickRowOption(msg.row);
        break;
      default:
        break;
    }
  }

  /** An export (and whenDone) waits for this too. */
  private alsoWaitFor(work: Promise<void>): void {
    this.done = Promise.all([this.done, work]).then(() => undefined);
  }

  private stopEvaluations(): void {
    this.flipping?.abort();
    this.randomising?.abort();
  }

  /**
   * Pixel flipping of every map the figure shows (METHODS.md: K steps, MoRF and LeRF, AOPC and ABPC), as
   * pixel-flip jobs over the workers: no second explain. Progress counts the maps flipped.
   */
  private async evaluateFaithfulness(): Promise<void> {
    if (this.spec.kind !== 'methods' || !this.card) return;
    const card = this.card;
    const steps = flipSteps(this.rowMaps, readSettings().faithfulnessSteps);
    const { job, cells } = figureFlipJob({ path: this.spec.model.path }, this.rowMaps, steps, { baseline: this.baseline });
    const road = this.roadAsked || roadByDefault(this.rowMaps);
    const measures = road ? 2 : 1;
    const view: FaithfulnessView = {
      status: 'running',
      steps,
      images: evaluatedImages(this.rowMaps),
      progress: { done: 0, total: job.items.length * measures },
      columns: [],
      baseline: this.baseline,
      baselineText: describeBaseline(this.baseline, card),
      patch: defaultPatch(card.inputShape[0], card.inputShape[1]),
      road,
      contrastRows: this.contrasts.filter((c, row) => c !== undefined && this.rowMaps[row]).length,
    };
    const names = this.state.columns.map((c) => titleText(c.title));
    await this.runEvaluation('flipping', view, {
      send: (faithfulness) => {
        this.state.faithfulness = faithfulness;
        this.post({ type: 'compare-faithfulness', faithfulness });
      },
      nothing: job.items.length ? undefined : 'no heatmap to evaluate',
      work: async (options) => {
        // Both measures at once over the workers; progress counts maps done in either.
        const done = [0, 0];
        const part = (m: number) => ({ signal: options.signal, onProgress: (n: number) => ((done[m] = n), options.onProgress?.(done[0] + done[1], job.items.length * measures)) });
        const [flipped, roadCurves] = await Promise.all([this.services.engine.flip(job, part(0)), road ? this.services.engine.flip({ ...job, measure: 'road' }, part(1)) : undefined]);
        const rows = this.state.rows.length;
        return {
          columns: faithfulnessColumns(this.state.columns.length, cells, flipped, roadCurves),
          verdict: columnsVerdict('ABPC', names, rows, cells, flipped),
          ...(roadCurves ? { roadVerdict: columnsVerdict('ROAD ABPC', names, rows, cells, roadCurves) } : {}),
        };
      },
      what: `pixel flipping${road ? ' and ROAD' : ''}, K = ${steps}, ${this.baseline} baseline, ${plural(view.images, 'image')} × ${this.state.columns.length} methods`,
    });
  }

  /** "Add dataset samples": the chosen samples join the figure's rows, and everything runs again. */
  private async addSamples(): Promise<void> {
    if (this.spec.kind !== 'methods') return;
    try {
      const added = await pickDatasetSamples(this.subjects, this.card?.labels ?? this.spec.model.card.labels ?? []);
      if (!added?.length) return;
      this.subjects.push(...added);
      this.panel.title = compareTitle(this.spec, this.subjects);
      logRun(this.services.log, 'compare', [`added ${plural(added.length, 'dataset sample')}`, added.map((s) => s.name).join(', ')]);
      this.rerun();
    } catch (e) {
      void vscode.window.showErrorMessage(`Explain Image: ${errorText(e)}`);
    }
  }

  /** A row's input cell clicked: explain its class alone, or why it and not another class. */
  private async pickRowOption(row: number): Promise<void> {
    const prediction = this.predictions[row];
    if (!prediction || this.spec.kind !== 'methods' || row >= this.subjects.length) return;
    const labels = this.card?.labels ?? this.spec.model.card.labels ?? [];
    const options = rowOptions(prediction.predicted, prediction.probabilities, labels, this.contrasts[row]);
    const chosen = await vscode.window.showQuickPick(options, { title: `Explain Image: what row ${this.state.rows[row]?.name ?? row + 1} explains` });
    if (!chosen || chosen.contrast === this.contrasts[row]) return;
    this.contrasts[row] = chosen.contrast;
    logRun(this.services.log, 'compare', [this.state.rows[row]?.name, chosen.label]);
    this.rerun();
  }

  /** The model randomisation check of the figure's methods on its images (re-explains, so on request only). */
  private async checkRandomisation(): Promise<void> {
    const spec = this.spec;
    if (spec.kind !== 'methods') return;
    const rows = this.rowMaps.flatMap((r, row) => (r && this.sources[row] ? [row] : []));
    const columns = this.state.columns.map((_, k) => k).filter((k) => rows.some((row) => this.rowMaps[row]!.maps[k]));
    const view: RandomisationView = { status: 'running', seed: 0, images: rows.length, stepNames: [], progress: { done: 0, total: 0 }, columns: [] };
    const request = { model: { path: spec.model.path }, images: rows.map((row) => this.sources[row]!), methods: columns.map((k) => spec.methods[k]), preprocess: this.preprocess, seed: view.seed };
    await this.runEvaluation('randomising', view, {
      send: (randomisation) => {
        this.state.randomisation = randomisation;
        this.post({ type: 'compare-randomisation', randomisation });
      },
      nothing: rows.length && columns.length ? undefined : 'no heatmap to check',
      work: async (options) => {
        const evaluation = await this.services.engine.randomise(request, options);
        return { stepNames: randomisationStepNames(evaluation), columns: randomisationColumns(this.state.columns.length, columns, evaluation) };
      },
      what: `randomisation check, seed ${view.seed}, ${plural(view.images, 'image')} × ${columns.length} methods`,
    });
  }

  /**
   * One evaluation of the section, start to end: its own AbortController (Cancel, a new figure or a new
   * run of the same kind stops it), the view sent as it starts, as it progresses and as it ends (done with
   * `work`'s numbers, cancelled or failed), a log line. A superseded run sends nothing more.
   */
  private async runEvaluation<V extends FaithfulnessView | RandomisationView>(
    slot: 'flipping' | 'randomising',
    view: V,
    how: { send: (view: V) => void; nothing?: string; work: (options: RunOptions) => Promise<Partial<V>>; what: string },
  ): Promise<void> {
    this[slot]?.abort();
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    this[slot] = controller;
    const send = () => {
      if (this[slot] === controller) how.send({ ...view, progress: { ...view.progress } });
    };
    if (how.nothing) {
      Object.assign(view, { status: 'failed', error: how.nothing });
      return send();
    }
    send();
    const started = Date.now();
    const onProgress = (done: number, total: number) => {
      view.progress = { done, total };
      if (view.status === 'running') send();
    };
    // Background work: it says so while it waits for other panels' work.
    const stopWatching = watchPause(this.services.engine, (paused) => {
      if (view.status !== 'running' || view.paused === paused) return;
      view.paused = paused;
      send();
    });
    try {
      Object.assign(view, await how.work({ signal: controller.signal, onProgress, priority: this.priority('background') }), { status: 'done', ms: Date.now() - started });
    } catch (e) {
      Object.assign(view, e instanceof CancelledError ? { status: 'cancelled' } : { status: 'failed', error: errorText(e) });
    } finally {
      stopWatching();
      view.paused = undefined;
    }
    if (this[slot] !== controller) return;
    send();
    logRun(this.services.log, 'faithfulness', [how.what, view.status === 'done' ? `${formatDuration(view.ms!)} wall` : view.error ?? view.status]);
  }

  async exportPng(target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    if (this.state.running) {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Explain Image: the export waits for the comparison to finish…' },
        () => this.done,
      );
    }
    await this.done;
    return this.exportShown(target);
  }

  /** A cell clicked: its image in the explain panel, with the cell's method (or model) selected. */
  /**
   * A heatmap cell clicked: a new explain panel on that image with that cell's model, method and class
   * (and contrast), pinned to them; the open explain panel and the workspace's model and method stay.
   */
  private async openCell(row: number, column: number): Promise<void> {
    const subject = this.subjects[row];
    if (!subject || column >= this.state.columns.length) return;
    const model = this.spec.kind === 'methods' ? this.spec.model : this.spec.models[column];
    const method = this.spec.kind === 'methods' ? this.spec.methods[column] : this.spec.method;
    const heatmap = this.state.rows[row]?.cells[column]?.heatmap;
    const pin: ExplainPin = { model: model.bundled ? model.id : model.path, method };
    logRun(this.services.log, 'explain', [`from the comparison: ${this.state.rows[row].name}`, model.id, method, heatmap ? `class ${heatmap.target}` : 'predicted class']);
    await vscode.commands.executeCommand('explainImage.explainPinned', [subject], pin, heatmap?.target ?? null, heatmap?.contrast ?? null);
  }

  override dispose(): void {
    if (ComparePanel.latest === this) {
      ComparePanel.latest = undefined;
      void vscode.commands.executeCommand('setContext', 'explainImage.compareOpen', false);
    }
    this.running?.abort();
    this.stopEvaluations();
    super.dispose();
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function errorText(e: unknown): string {
  return isUserError(e) ? e.message : String((e as Error)?.message ?? e);
}

/** Why a method spec cannot run, or undefined when it parses. */
function specProblem(spec: string): string | undefined {
  try {
    parseMethodSpec(spec);
    return undefined;
  } catch (e) {
    return isUserError(e) ? e.message : String(e);
  }
}

/** A column's title; a spec that does not parse shows as written (its cells say why). */
function titleOf(spec: string): MethodTitle {
  try {
    return methodTitle(parseMethodSpec(spec));
  } catch {
    return [{ text: spec }];
  }
}
