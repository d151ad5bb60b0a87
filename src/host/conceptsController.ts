// The explain panel's Concepts section, host side: "Concepts here" on a Dense/Conv node shows the node's
// most relevant channels for the image and class shown (CRP), each with its share of relevance and its
// conditional heatmap, and, when a data set is at hand, its reference samples: the data set is searched
// once per model, method, node and file (RelMax on the workers, with progress and Cancel) and remembered.
// The data set is the shown sample's own file, else a dataset file open in an editor, else one the user
// chooses. The section follows the panel: a new image, class, model or method recomputes it.
import * as path from 'path';
import * as vscode from 'vscode';
import { DEFAULT_REFERENCES } from '../engine/concepts/referenceSearch';
import { conceptMethodFor, shareOf } from '../engine/concepts/conceptMethod';
import { openDataset } from '../engine/data/datasetFile';
import { isUserError } from '../engine/errors';
import { methodTitle, parseMethodSpec } from '../engine/methods/methodRegistry';
import type { ConceptResult, ConceptsView, ReferenceSearch, ReferenceStatus } from '../protocol/concepts';
import type { ImageSource } from '../protocol/engineJobs';
import type { ConceptsAction, ToWebview } from '../protocol/webviewMessages';
import { CancelledError } from './engineService';
import type { HostServices } from './hostServices';
import { DATASET_CSV_VIEW_TYPE, DATASET_VIEW_TYPE } from './datasetEditor';
import { formatDuration, logRun } from './runLog';
import type { ModelEntry } from './modelCatalog';
import { readSettings } from './settings';

/** Channels the section shows. */
export const SHOWN_CHANNELS = 6;
/** Reference searches remembered (each is channels × DEFAULT_REFERENCES entries). */
const REMEMBERED_SEARCHES = 8;
/** Progress reaches the webview at most this often. */
const PROGRESS_MS = 150;

/** What the panel is showing, as the section needs it. */
export interface ConceptSubject {
  source: ImageSource;
  name: string;
  /** The class the panel explains; null: the predicted one. */
  target: number | null;
  /** The data set file the image is a sample of, if it is one. */
  datasetPath?: string;
  /** The model and method the panel explains with: a pinned panel's own, else the workspace's. */
  model: ModelEntry;
  method: string;
}

const searches = new Map<string, ReferenceSearch>();

export class ConceptsController implements vscode.Disposable {
  private layer: string | undefined;
  private view: ConceptsView | null = null;
  private run: AbortController | undefined;
  private search: AbortController | undefined;
  /** A data set the user chose with "Choose data set…". */
  private chosenDataset: string | undefined;

  constructor(
    private readonly services: HostServices,
    private readonly post: (message: ToWebview) => void,
    private readonly subject: () => Promise<ConceptSubject | undefined>,
  ) {}

  /** "Concepts here" on a node. */
  show(layer: string): void {
    this.layer = layer;
    void this.compute();
  }

  /** The panel shows another image, class, model or method: the open section follows. */
  follow(): void {
    if (this.layer) void this.compute();
  }

  /** The webview (re)loaded. */
  repost(): void {
    this.post({ type: 'concepts', view: this.view });
  }

  action(action: ConceptsAction): void {
    switch (action) {
      case 'close':
        this.layer = undefined;
        this.run?.abort();
        this.search?.abort();
        this.setView(null);
        break;
      case 'cancel':
        this.search?.abort();
        break;
      case 'choose-dataset':
        void this.chooseDataset();
        break;
    }
  }

  private async chooseDataset(): Promise<void> {
    const picked = await vscode.window.showOpenDialog({
      title: 'Reference samples from which data set?',
      canSelectMany: false,
      openLabel: 'Use for reference samples',
      filters: { 'Data sets': ['npz', 'npy', 'csv', 'gz', 'bin', 'idx3-ubyte', '*'] },
    });
    if (!picked?.[0]) return;
    this.chosenDataset = picked[0].fsPath;
    if (this.layer) void this.compute();
  }

  private async compute(): Promise<void> {
    const layer = this.layer;
    if (!layer) return;
    this.run?.abort();
    this.search?.abort();
    const controller = new AbortController();
    this.run = controller;
    const { engine, log } = this.services;
    const subject = await this.subject();
    if (!subject || controller.signal.aborted) return;
    const model = subject.model;
    const { method, note } = conceptMethodFor(subject.method);
    const title = methodTitle(parseMethodSpec(method));
    const computing: ConceptsView = {
      ...(this.view ?? emptyView(layer)),
      method,
      methodTitle: title,
      ...(note ? { note } : { note: undefined }),
      image: subject.name,
      state: 'computing',
      error: undefined,
    };
    this.setView(computing);
    let result: ConceptResult;
    const started = Date.now();
    try {
      result = await engine.concepts(
        {
          type: 'concepts',
          model: { path: model.path },
          images: [subject.source],
          method,
          layer,
          targets: [subject.target],
          preprocess: readSettings().preprocess,
          conditional: { top: SHOWN_CHANNELS },
        },
        { signal: controller.signal },
      );
    } catch (e) {
      if (e instanceof CancelledError || controller.signal.aborted) return;
      const message = isUserError(e) ? e.message : `Unexpected error: ${(e as Error)?.message ?? e}`;
      log.appendLine(`[concepts] ${layer} failed: ${isUserError(e) ? e.message : ((e as Error)?.stack ?? e)}`);
      this.setView({ ...computing, state: 'failed', error: message });
      return;
    }
    if (controller.signal.aborted) return;
    const item = result.items[0];
    const image = result.images[0];
    if (!item) {
      this.setView({ ...computing, state: 'failed', error: image?.error ?? 'the image could not be read' });
      return;
    }
    const [h, w, c] = result.card.inputShape;
    const absolute = Array.from(item.channelRelevance).reduce((s, r) => s + Math.abs(r), 0);
    const view: ConceptsView = {
      ...computing,
      layer: result.layer,
      target: item.target,
      targetLabel: result.card.labels[item.target] ?? String(item.target),
      predicted: item.predicted,
      logit: item.logit,
      total: Array.from(item.channelRelevance).reduce((s, r) => s + r, 0),
      channels: item.conditional.map((m) => ({ channel: m.channel, relevance: item.channelRelevance[m.channel], share: shareOf(item.channelRelevance[m.channel], absolute), map: m.relevance, references: [] })),
      shape: [h, w],
      input: image.pixels.length ? { width: w, height: h, channels: c, pixels: image.pixels } : undefined,
      state: 'ready',
      references: { state: 'none' },
    };
    this.setView(view);
    logRun(log, 'concepts', [subject.name, model.id, method, `node ${layer}`, `class ${view.targetLabel}`, `top channels ${view.channels.map((ch) => ch.channel).join(', ')}`, `${formatDuration(Date.now() - started)} wall`]);
    const datasetPath = subject.datasetPath ?? this.chosenDataset ?? openDatasetFile();
    if (datasetPath) await this.references(datasetPath, { modelPath: model.path, method, layer }, controller);
  }

  /** The reference samples of the channels shown: the search (or the one remembered), then their crops. */
  private async references(datasetPath: string, what: { modelPath: string; method: string; layer: string }, run: AbortController): Promise<void> {
    const search = new AbortController();
    this.search = search;
    const stop = () => search.abort();
    run.signal.addEventListener('abort', stop, { once: true });
    const name = path.basename(datasetPath);
    const setStatus = (references: ReferenceStatus) => this.view && this.setView({ ...this.view, references });
    let dataset;
    try {
      dataset = await openDataset(datasetPath);
    } catch (e) {
      setStatus({ state: 'failed', dataset: name, message: isUserError(e) ? e.message : String((e as Error)?.message ?? e) });
      return;
    }
    try {
      const key = [what.modelPath, what.method, what.layer, datasetPath].join('\n');
      let found = searches.get(key);
      if (!found) {
        let last = 0;
        setStatus({ state: 'searching', dataset: name, done: 0, total: dataset.count });
        found = await this.services.engine.referenceSamples(
          dataset,
          { model: { path: what.modelPath }, method: what.method, layer: what.layer, size: DEFAULT_REFERENCES },
          {
            signal: search.signal,
            onProgress: (done, total) => {
              if (done < total && Date.now() - last < PROGRESS_MS) return;
              last = Date.now();
              setStatus({ state: 'searching', dataset: name, done, total });
            },
          },
        );
        searches.set(key, found);
        while (searches.size > REMEMBERED_SEARCHES) searches.delete(searches.keys().next().value!);
        logRun(this.services.log, 'concepts', [`reference samples of ${what.layer}`, `${found.searched} samples of ${name}`, `${formatDuration(found.ms)} wall`]);
      }
      const view = this.view;
      if (!view || search.signal.aborted) return;
      const channels = view.channels.map((ch) => ({ channel: ch.channel, references: found!.channels[ch.channel] ?? [] }));
      const tiles = await this.services.engine.referenceViews(dataset, { model: { path: what.modelPath }, method: what.method, layer: what.layer }, channels, { signal: search.signal });
      if (search.signal.aborted || this.view !== view) return;
      this.setView({
        ...view,
        channels: view.channels.map((ch, k) => ({ ...ch, references: tiles[k] })),
        references: { state: 'done', dataset: name, searched: found.searched, ms: found.ms },
      });
    } catch (e) {
      if (e instanceof CancelledError || search.signal.aborted) {
        if (!run.signal.aborted) setStatus({ state: 'cancelled', dataset: name });
        return;
      }
      this.services.log.appendLine(`[concepts] reference samples failed: ${(e as Error)?.stack ?? e}`);
      setStatus({ state: 'failed', dataset: name, message: isUserError(e) ? e.message : `Unexpected error: ${(e as Error)?.message ?? e}` });
    } finally {
      run.signal.removeEventListener('abort', stop);
      await dataset.close();
    }
  }

  private setView(view: ConceptsView | null): void {
    this.view = view;
    this.post({ type: 'concepts', view });
  }

  dispose(): void {
    this.run?.abort();
    this.search?.abort();
  }
}

function emptyView(layer: string): ConceptsView {
  return {
    layer: { name: layer, kind: '', shape: [], channels: 0, positions: 0, height: 1, width: 1 },
    method: '',
    methodTitle: [],
    image: '',
    target: 0,
    targetLabel: '',
    predicted: 0,
    logit: 0,
    total: 0,
    channels: [],
    shape: [0, 0],
    state: 'computing',
    references: { state: 'none' },
  };
}

/** A data set file open in a dataset editor tab (the active one first), if any. */
function openDatasetFile(): string | undefined {
  const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs);
  const isDataset = (tab: vscode.Tab) => tab.input instanceof vscode.TabInputCustom && (tab.input.viewType === DATASET_VIEW_TYPE || tab.input.viewType === DATASET_CSV_VIEW_TYPE);
  const found = tabs.filter(isDataset).sort((a, b) => Number(b.isActive) - Number(a.isActive))[0];
  return found ? (found.input as vscode.TabInputCustom).uri.fsPath : undefined;
}
