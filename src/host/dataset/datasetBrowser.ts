// The host side of one dataset editor: answers the webview's thumbnail requests from the open file,
// predicts every sample in the background with the selected model (again when the model changes: at once
// when the browser is visible, else when it is shown again), and turns clicks into "Explain" and "Compare
// Methods" on dataset samples (pixels read here, no temp files). Predictions and "Evaluate Methods" are
// background work: they wait while other panels compute, and say so.
import * as path from 'path';
import * as vscode from 'vscode';
import type { Dataset } from '../../engine/data/datasetFile';
import { isUserError } from '../../engine/errors';
import type { EvaluateStatus, FromDatasetView, PredictionModel, PredictionStatus, ToDatasetView } from '../../protocol/datasetMessages';
import type { ModelLoadProgress } from '../../protocol/model';
import { splitMethodList } from '../../engine/methods/methodRegistry';
import { readSettings } from '../settings';
import { evaluateSamples } from './evaluateSamples';
import { watchPause } from '../backgroundPause';
import { CancelledError } from '../engineService';
import type { HostServices } from '../hostServices';
import { sampleSubject, type Subject } from '../subjects';
import { WebviewPanel } from '../webviewPanel';
import { FOLDER_VIEW_TYPE } from './viewTypes';
import { datasetHint, imageStats, referenceFor } from '../mismatchHint';
import { formatDuration, logRun } from '../runLog';
import { accuracyOf, type SampleStats } from './predictionStats';
import { predictChunkFor, predictDataset } from './predictDataset';
import { validateDatasetMessage } from './validateDatasetMessage';
import { mapLabels, matchClasses, modelClassOf } from './classMatch';
import { modelInput } from './modelInput';
import { thumbnailPixels, thumbnailSize } from './thumbnails';
import { datasetInfo, encodePredictionChunk } from './wireFormat';
import { StrategiesRunner } from './strategiesRunner';

/** The predictions of the current run, kept so a reloaded webview can be sent them again. */
interface PredictionRun {
  id: number;
  controller: AbortController;
  model: PredictionModel | null;
  backend?: string;
  status: PredictionStatus;
  chunks: Array<{ start: number; stats: SampleStats }>;
}

export class DatasetBrowser extends WebviewPanel<FromDatasetView, ToDatasetView> {
  private dataset: Dataset | undefined;
  private run: PredictionRun | undefined;
  private nextRunId = 1;
  /** The "Evaluate Methods" run in progress. */
  private evaluation: AbortController | undefined;
  /** notes + unreadable samples last told to the view. */
  private readNotesSent = 0;
  /** The model changed while the browser was hidden: predict when it is shown. */
  private deferred = false;
  /** "Find strategies" (SpRAy) for a class. */
  private readonly strategies: StrategiesRunner;

  constructor(
    services: HostServices,
    private readonly uri: vscode.Uri,
    /** Settles when the file is open; rejects with the reader's UserError for a bad file. */
    private readonly opened: Promise<Dataset>,
    panel: vscode.WebviewPanel,
  ) {
    super(services, panel, { view: 'dataset', title: path.basename(uri.fsPath), logTag: 'dataset', validate: (raw) => validateDatasetMessage(raw, this.dataset?.count ?? 0) });
    this.disposables.push(
      services.selection.onDidChange((what) => {
        if (what === 'model' && this.dataset) this.predictWhenShown();
      }),
    );
    this.strategies = new StrategiesRunner(services, (m) => this.post(m), () => this.dataset && { dataset: this.dataset, model: this.run?.model ?? null, predicted: this.allPredicted() }, path.basename(uri.fsPath));
    this.disposables.push(this.strategies);
  }

  /** Every sample's prediction, once the run has them all. */
  private allPredicted(): Int32Array | null {
    const run = this.run;
    if (!this.dataset || run?.status.state !== 'done') return null;
    const predicted = new Int32Array(this.dataset.count);
    for (const { start, stats } of run.chunks) predicted.set(stats.predicted, start);
    return predicted;
  }

  /** Opened by "Browse Folder as Dataset" (a panel, not a custom editor on a file). */
  private get isFolder(): boolean {
    return this.panel.viewType === FOLDER_VIEW_TYPE;
  }

  private get name(): string {
    return path.basename(this.uri.fsPath);
  }

  protected onReady(): void {
    void this.whenReady();
  }

  protected onMessage(msg: FromDatasetView): void {
    void this.handle(msg);
  }

  private async handle(msg: FromDatasetView): Promise<void> {
    try {
      switch (msg.type) {
        case 'request-thumbnails':
          return await this.sendThumbnails(msg.messageId, msg.indices);
        case 'explain':
          return await this.explain(msg.index);
        case 'compare':
          return await this.compare(msg.indices);
        case 'evaluate':
          return await this.evaluate(msg.indices);
        case 'cancel-evaluate':
          return this.evaluation?.abort();
        case 'cancel-predictions':
          return this.run?.controller.abort();
        case 'find-strategies':
          return await this.strategies.start(msg.target);
        case 'cancel-strategies':
          return this.strategies.cancel();
        case 'export-strategies':
          return await (msg.format === 'json' ? this.strategies.exportJson() : this.strategies.exportPng(msg.png));
        case 'predict':
          return this.startPredictions();
        case 'pick-model':
          return void (await vscode.commands.executeCommand('explainImage.selectModel'));
        case 'reopen-as-text':
          if (this.isFolder) return;
          return void (await vscode.commands.executeCommand('vscode.openWith', this.uri, 'default'));
      }
    } catch (e) {
      if (!this.isDisposed) this.reportError(msg.type, e); // a read cut short by closing the editor is no error
    }
  }

  /** The webview (re)loaded: send the file, then whatever predictions exist, then start them if none. */
  private async whenReady(): Promise<void> {
    let dataset: Dataset;
    try {
      dataset = await this.opened;
    } catch (e) {
      const message = isUserError(e) ? e.message : `Unexpected error: ${(e as Error)?.message ?? e}`;
      this.services.log.appendLine(`[dataset] cannot open ${this.uri.fsPath}: ${isUserError(e) ? e.message : ((e as Error)?.stack ?? e)}`);
      this.post({ type: 'open-failed', name: this.name, message, ...(this.isFolder ? { folder: true } : {}) });
      return;
    }
    if (this.isDisposed) return;
    this.dataset = dataset;
    this.post({ type: 'dataset', info: datasetInfo(dataset, this.name) });
    this.readNotesSent = dataset.notes.length;
    if (dataset.unreadable.size) this.postReadNotes();
    if (this.run) this.replayRun(this.run);
    else this.predictWhenShown();
    this.strategies.replay();
  }

  /** Predicts now when the browser is visible; a hidden one stops its run and predicts when shown. */
  private predictWhenShown(): void {
    if (this.visible) return this.startPredictions();
    this.run?.controller.abort();
    this.run = undefined;
    this.deferred = true;
    const model = this.services.selection.model;
    this.post({ type: 'predictions-reset', runId: this.nextRunId, model: null });
    this.post({ type: 'predictions-status', runId: this.nextRunId, status: { state: 'idle', deferred: `Predicts with ${model.card.name ?? model.id} when shown` } });
  }

  protected override onShown(): void {
    if (!this.deferred) return;
    this.deferred = false;
    this.startPredictions();
  }

  private replayRun(run: PredictionRun): void {
    this.post({ type: 'predictions-reset', runId: run.id, model: run.model, backend: run.backend });
    for (const { start, stats } of run.chunks) this.post({ type: 'predictions-chunk', runId: run.id, chunk: encodePredictionChunk(start, stats) });
    this.post({ type: 'predictions-status', runId: run.id, status: run.status });
  }

  /** Cancels any run in progress and predicts the whole file with the selected model. */
  private startPredictions(): void {
    const dataset = this.dataset;
    if (!dataset || this.isDisposed) return;
    this.deferred = false;
    this.run?.controller.abort();
    const run: PredictionRun = { id: this.nextRunId++, controller: new AbortController(), model: null, status: { state: 'idle' }, chunks: [] };
    this.run = run;
    void this.predict(dataset, run);
  }

  private async predict(dataset: Dataset, run: PredictionRun): Promise<void> {
    const { engine, selection, log } = this.services;
    const current = () => this.run === run && !this.isDisposed;
    const setStatus = (status: PredictionStatus) => {
      run.status = status;
      if (current()) this.post({ type: 'predictions-status', runId: run.id, status });
    };
    this.post({ type: 'predictions-reset', runId: run.id, model: null });
    const started = Date.now();
    const stopWatching = watchPause(engine, (paused) => {
      if (run.status.state === 'running' && run.status.paused !== paused) setStatus({ ...run.status, paused });
    });
    try {
      const entry = selection.model;
      const signal = run.controller.signal;
      const name = entry.card.name ?? entry.id;
      const onModelLoad = (p: ModelLoadProgress) => {
        if (run.status.state === 'idle') setStatus({ state: 'idle', loading: { model: name, bytesRead: p.bytesRead, bytesTotal: p.bytesTotal, nodesBuilt: p.nodesBuilt } });
      };
      const info = await engine.modelInfo({ path: entry.path }, { signal, priority: this.priority('work'), onModelLoad });
      const input = modelInput(dataset, entry.bundled ? entry.id : path.basename(entry.path), info.card.inputShape);
      const classes = matchClasses(dataset.labelNames, info.card.labels);
      const labels = dataset.labels && classes.map ? mapLabels(dataset.labels, classes.map) : dataset.labels;
      run.model = {
        id: entry.id,
        name: info.card.name || entry.id,
        labels: info.card.labels,
        ...(input.note ? { inputNote: input.note } : {}),
        ...(dataset.labels ? { classMatch: classes.by, classMatchNote: classes.note } : {}),
        ...(dataset.labels && classes.map ? { labelMap: new Uint8Array(classes.map) } : {}),
      };
      run.backend = await engine.describe();
      if (!current()) return;
      this.post({ type: 'predictions-reset', runId: run.id, model: run.model, backend: run.backend });
      setStatus({ state: 'running', done: 0, total: dataset.count });
      const result = await predictDataset(engine, dataset, { path: entry.path }, {
        signal,
        priority: this.priority('background'),
        labels,
        chunkSize: predictChunkFor(info.card.inputShape),
        ...(input.sampleShape ? { sampleShape: input.sampleShape } : {}),
        onChunk: (start, stats, done, total) => {
          run.chunks.push({ start, stats });
          if (current()) this.post({ type: 'predictions-chunk', runId: run.id, chunk: encodePredictionChunk(start, stats) });
          setStatus({ state: 'running', done, total, paused: run.status.state === 'running' ? run.status.paused : undefined });
        },
      });
      const ms = Date.now() - started;
      this.postReadNotes();
      const accuracy = labels ? accuracyOf(result.predicted, labels) : undefined;
      const hint = await this.mismatchHint(dataset, run.model, info.card.dataset, accuracy && accuracy.counted ? accuracy.correct / accuracy.counted : undefined);
      if (!current()) return;
      setStatus({ state: 'done', ms, ...(hint ? { hint } : {}) });
      logRun(log, 'dataset', [
        vscode.workspace.asRelativePath(this.uri),
        entry.id,
        `predicted ${dataset.count} samples`,
        accuracy ? `accuracy ${((100 * accuracy.correct) / Math.max(1, accuracy.counted)).toFixed(2)}%, ${accuracy.misclassified} misclassified` : 'no labels',
        `${formatDuration(ms)} wall`,
        hint ? `hint: ${hint}` : undefined,
      ]);
    } catch (e) {
      if (e instanceof CancelledError || run.controller.signal.aborted) {
        const done = run.chunks.reduce((t, c) => t + c.stats.predicted.length, 0);
        setStatus({ state: 'cancelled', done, total: dataset.count });
        return;
      }
      const message = isUserError(e) ? e.message : `Unexpected error: ${(e as Error)?.message ?? e}`;
      log.appendLine(`[dataset] predictions failed: ${(e as Error)?.stack ?? e}`);
      setStatus({ state: 'failed', message });
    } finally {
      stopWatching();
    }
  }

  /** The quiet "this model may not fit" note for a finished run, if the rule in mismatchHint.ts says so. */
  private async mismatchHint(dataset: Dataset, model: PredictionModel | null, trainedOn: string | undefined, accuracy: number | undefined): Promise<string | undefined> {
    if (!model) return undefined;
    const reference = await referenceFor(trainedOn, this.services.extensionUri.fsPath);
    const samples = [];
    if (accuracy === undefined && reference) {
      // Up to 1,000 samples spread evenly over the file, first and last included.
      const n = Math.min(1000, dataset.count);
      for (let k = 0; k < n; k++) {
        const index = n === 1 ? 0 : Math.round((k * (dataset.count - 1)) / (n - 1));
        samples.push(imageStats(await dataset.read(index, 1)));
      }
    }
    return datasetHint({ modelName: model.name || model.id, classes: model.labels.length, accuracy, samples }, reference);
  }

  /** Pixels of the asked samples, in the asked order; runs of consecutive indices are one read each. */
  private async sendThumbnails(inReplyTo: number, indices: number[]): Promise<void> {
    const dataset = this.dataset;
    if (!dataset) return;
    const from = { width: dataset.width, height: dataset.height, channels: dataset.channels };
    const to = thumbnailSize(dataset.height, dataset.width);
    const size = to.width * to.height * dataset.channels;
    const out = new Uint8Array(indices.length * size);
    const reads: Promise<void>[] = [];
    for (let k = 0; k < indices.length; ) {
      let n = 1;
      while (k + n < indices.length && indices[k + n] === indices[k] + n) n++;
      const at = k;
      reads.push(dataset.read(indices[k], n).then((pixels) => out.set(thumbnailPixels(pixels, n, from, to), at * size)));
      k += n;
    }
    try {
      await Promise.all(reads);
    } catch (e) {
      // Shown in the editor (not as a notification per request); the log keeps the details.
      const message = (e as Error)?.message ?? String(e);
      if (!this.isDisposed) this.log(`reading thumbnails failed: ${(e as Error)?.stack ?? message}`);
      this.post({ type: 'thumbnails-failed', inReplyTo, indices, message });
      return;
    }
    this.post({ type: 'thumbnails', inReplyTo, indices, pixels: out });
    this.postReadNotes();
  }

  /** Image folders learn of unreadable files and other sizes as they decode: tell the view when that grew. */
  private postReadNotes(): void {
    const dataset = this.dataset;
    if (!dataset || this.isDisposed) return;
    const seen = dataset.notes.length + dataset.unreadable.size;
    if (seen === this.readNotesSent) return;
    this.readNotesSent = seen;
    const unreadable = [...dataset.unreadable].map(([index, message]) => ({ index, message }));
    this.post({ type: 'read-notes', notes: [...dataset.notes], unreadable });
  }

  private async subject(index: number): Promise<Subject> {
    const dataset = this.dataset!;
    const pixels = await dataset.read(index, 1);
    return sampleSubject(dataset.path, index, pixels, dataset, modelClassOf(dataset.labels?.[index], this.run?.model?.labelMap));
  }

  private async explain(index: number): Promise<void> {
    await vscode.commands.executeCommand('explainImage.explainSubjects', [await this.subject(index)]);
  }

  private async compare(indices: number[]): Promise<void> {
    const subjects = await Promise.all(indices.map((i) => this.subject(i)));
    await vscode.commands.executeCommand('explainImage.compareMethods', subjects);
  }

  /** "Evaluate Methods": the seed methods' faithfulness over the samples, as `evaluate --dataset` computes it. */
  private async evaluate(indices: number[]): Promise<void> {
    const dataset = this.dataset;
    if (!dataset) return;
    this.evaluation?.abort();
    const controller = new AbortController();
    this.evaluation = controller;
    const current = () => this.evaluation === controller && !this.isDisposed;
    const post = (status: EvaluateStatus) => {
      if (current()) this.post({ type: 'evaluate-status', status });
    };
    const entry = this.services.selection.model;
    const methods = splitMethodList('seed');
    const started = Date.now();
    let running: Extract<EvaluateStatus, { state: 'running' }> = { state: 'running', done: 0, total: indices.length * methods.length, samples: indices.length };
    post(running);
    const stopWatching = watchPause(this.services.engine, (paused) => {
      if (running.paused === paused) return;
      running = { ...running, paused };
      post(running);
    });
    try {
      const result = await evaluateSamples(this.services.engine, dataset, indices, {
        model: { path: entry.path },
        methods,
        preprocess: readSettings().preprocess,
        signal: controller.signal,
        priority: this.priority('background'),
        onProgress: (done, total) => post((running = { ...running, done, total })),
      });
      stopWatching();
      const ms = Date.now() - started;
      post({ state: 'done', samples: indices.length, steps: result.steps, rows: result.rows, ms, model: entry.bundled ? entry.id : path.basename(entry.path), failed: result.failed });
      logRun(this.services.log, 'dataset', [
        vscode.workspace.asRelativePath(this.uri),
        entry.id,
        `evaluated ${methods.length} methods on ${indices.length} samples (K = ${result.steps})`,
        ...result.rows.map((r) => `${r.method}: AOPC MoRF ${r.aopcMorf.toFixed(4)}, LeRF ${r.aopcLerf.toFixed(4)}, ABPC ${r.abpc.toFixed(4)}`),
        `${formatDuration(ms)} wall`,
      ]);
    } catch (e) {
      if (e instanceof CancelledError || controller.signal.aborted) return post({ state: 'cancelled' });
      this.services.log.appendLine(`[dataset] evaluate failed: ${(e as Error)?.stack ?? e}`);
      post({ state: 'failed', message: isUserError(e) ? e.message : `Unexpected error: ${(e as Error)?.message ?? e}` });
    } finally {
      stopWatching();
      if (this.evaluation === controller) this.evaluation = undefined;
    }
  }

  private reportError(what: string, e: unknown): void {
    const message = isUserError(e) ? e.message : `Unexpected error: ${(e as Error)?.message ?? e}`;
    this.services.log.appendLine(`[dataset] ${what} failed: ${isUserError(e) ? e.message : ((e as Error)?.stack ?? e)}`);
    void vscode.window.showErrorMessage(`Explain Image: ${message}`);
  }

  override dispose(): void {
    this.run?.controller.abort();
    this.evaluation?.abort();
    super.dispose();
  }
}
