// The dataset browser once the file is open: header, filter bar, prediction bar and the virtual grid,
// kept in step with the host's messages (thumbnails, prediction chunks, run status).
import {
  MAX_COMPARE_SAMPLES,
  type DatasetInfo,
  type EvaluateStatus,
  type PredictionChunk,
  type PredictionModel,
  type PredictionStatus,
} from '../../src/protocol/datasetMessages';
import { PendingReplies } from '../../src/protocol/replies';
import { el } from '../dom';
import { FilterBar } from './filterBar';
import type { FromDatasetView, ToDatasetView } from '../../src/protocol/datasetMessages';
import type { HostBridge } from '../hostBridge';
import { PredictionBar } from './predictionBar';
import { EvaluateBar, evaluationSamples } from './evaluateBar';
import { StrategiesBar } from './strategiesBar';
import type { StrategiesStatus } from '../../src/protocol/concepts';
import { dependsOnPredictions, filterAndSort, NO_FILTER, sanitizeFilter, type FilterSpec } from './sampleFilter';
import { SampleSelection } from './sampleSelection';
import { SampleTable, summarize } from './sampleTable';
import { ThumbnailCache } from './thumbnailCache';
import { VirtualGrid } from './virtualGrid';

/** What the dataset browser keeps across a reload of its webview. */
export interface PersistedDatasetState {
  filter: FilterSpec;
}

export type DatasetHostBridge = HostBridge<ToDatasetView, FromDatasetView, PersistedDatasetState>;

/** Samples per thumbnail request, and how many requests may be on their way at once. */
const THUMBNAIL_PAGE = 200;
const MAX_REQUESTS_IN_FLIGHT = 4;
const THUMBNAIL_CACHE_SAMPLES = 6000;
/**
 * While predictions stream in, a filtered or sorted view is recomputed at most this often, and never
 * spending more than a fifth of the time on it (sorting a million samples takes ~0.4 s).
 */
const REFILTER_INTERVAL_MS = 400;

export class DatasetView {
  readonly element: HTMLElement;
  private readonly table: SampleTable;
  private readonly cache = new ThumbnailCache(THUMBNAIL_CACHE_SAMPLES);
  private readonly selection = new SampleSelection();
  private readonly grid: VirtualGrid;
  private readonly filterBar: FilterBar;
  private readonly predictionBar: PredictionBar;
  private readonly evaluateBar: EvaluateBar;
  private readonly strategiesBar: StrategiesBar;
  private readonly thumbnailNote: HTMLElement;
  private readonly readNotes: HTMLElement;
  private notes: string[];
  private readonly unreadable = new Map<number, string>();
  private spec: FilterSpec;
  private model: PredictionModel | null = null;
  private runId = 0;
  /** Thumbnail requests on their way: each settles with its samples' pixels, or fails with the host's reason. */
  readonly thumbnailReplies = new PendingReplies<Uint8Array>();
  private refilterTimer: ReturnType<typeof setTimeout> | undefined;
  private lastFilterMs = 0;

  constructor(
    private readonly info: DatasetInfo,
    private readonly host: DatasetHostBridge,
  ) {
    const labels = info.labels ?? null;
    this.table = new SampleTable(info.count, labels && labels.length === info.count ? labels : null);
    this.notes = info.notes ?? [];
    const hasLabels = this.table.labels !== null;
    this.spec = sanitizeFilter(host.savedState()?.filter, hasLabels) ?? NO_FILTER;

    this.filterBar = new FilterBar({
      hasLabels,
      count: info.count,
      spec: this.spec,
      onChange: (spec) => this.setFilter(spec),
      onJump: (sample) => this.jumpTo(sample),
      onCompare: () => this.compareSelection(),
    });
    this.predictionBar = new PredictionBar({
      count: info.count,
      hasLabels,
      onCancel: () => host.post({ type: 'cancel-predictions' }),
      onPredict: () => host.post({ type: 'predict' }),
      onPickModel: () => host.post({ type: 'pick-model' }),
    });
    this.grid = new VirtualGrid(
      {
        table: this.table,
        cache: this.cache,
        selection: this.selection,
        imageWidth: info.thumbWidth,
        imageHeight: info.thumbHeight,
        channels: info.channels,
        unreadable: (sample) => this.unreadable.get(sample),
        classNames: () => this.classNames(),
        fileClassNames: () => this.info.labelNames,
        activate: (sample) => host.post({ type: 'explain', index: sample }),
        selectionChanged: () => this.filterBar.setSelectionSize(this.selection.size),
        wantThumbnails: (samples) => this.requestThumbnails(samples),
      },
      `Samples of ${info.name}`,
    );
    this.evaluateBar = new EvaluateBar({
      choose: () => evaluationSamples(this.selection.inViewOrder(this.grid.viewOrder), this.grid.viewOrder),
      onEvaluate: (indices) => host.post({ type: 'evaluate', indices }),
      onCancel: () => host.post({ type: 'cancel-evaluate' }),
    });
    this.strategiesBar = new StrategiesBar({
      onFind: (target) => host.post({ type: 'find-strategies', target }),
      onCancel: () => host.post({ type: 'cancel-strategies' }),
      onExplain: (index) => host.post({ type: 'explain', index }),
      onExportJson: () => host.post({ type: 'export-strategies', format: 'json' }),
      onExportPng: (png) => host.post({ type: 'export-strategies', format: 'png', png }),
      thumbWidth: info.thumbWidth,
      thumbHeight: info.thumbHeight,
      channels: info.channels,
    });
    this.readNotes = el('div', { id: 'read-notes', class: 'read-notes', attrs: { role: 'status', hidden: true } });
    this.thumbnailNote = el('div', { id: 'thumbnail-note', class: 'error', attrs: { role: 'alert', hidden: true } });
    const facts = [
      info.formatLabel,
      `${info.count.toLocaleString('en-US')} images ${info.height}×${info.width} ${info.channels === 3 ? 'RGB' : 'grey'}`,
      info.labelSource ? `labels from ${info.labelSource}` : 'no labels',
      `values ${info.valueRange}`,
    ];
    this.element = el('div', { class: 'dataset-view' }, [
      el('header', { class: 'dataset-header' }, [el('h1', { text: info.name }), el('span', { class: 'muted', text: facts.join(' · ') })]),
      this.filterBar.element,
      this.predictionBar.block,
      this.evaluateBar.element,
      this.strategiesBar.element,
      this.readNotes,
      this.thumbnailNote,
      this.grid.element,
    ]);
    this.filterBar.setClassNames(this.classNames());
    this.strategiesBar.setClasses(this.classNames());
    this.applyFilter(false);
    this.updateSummary();
    this.showNotes();
  }

  /** Everything said once: how the file was read, how the model sees it, which files could not be read. */
  private showNotes(): void {
    const lines = [...this.notes];
    if (this.model?.inputNote) lines.push(this.model.inputNote);
    if (this.model?.classMatchNote) lines.push(this.model.classMatchNote);
    const children: HTMLElement[] = lines.map((line) => el('p', { text: line }));
    if (this.unreadable.size) {
      const n = this.unreadable.size;
      const list = [...this.unreadable].sort((a, b) => a[0] - b[0]).map(([index, message]) => el('li', { text: `#${index}: ${message}` }));
      children.push(
        el('details', { id: 'unreadable-list' }, [
          el('summary', { text: `${n} ${n === 1 ? 'file' : 'files'} could not be read (shown as black, marked ⚠)` }),
          el('ul', {}, list),
        ]),
      );
    }
    this.readNotes.replaceChildren(...children);
    this.readNotes.hidden = children.length === 0;
  }

  onEvaluateStatus(status: EvaluateStatus): void {
    this.evaluateBar.setStatus(status);
  }

  onStrategiesStatus(status: StrategiesStatus): void {
    this.strategiesBar.setStatus(status);
  }

  onReadNotes(notes: string[], unreadable: Array<{ index: number; message: string }>): void {
    this.notes = notes;
    for (const { index, message } of unreadable) this.unreadable.set(index, message);
    this.showNotes();
    this.grid.invalidate();
  }

  /** Class names of the model, else the file's, else 0…9 (or up to the largest label). */
  private classNames(): string[] {
    if (this.model && this.model.labels.length) return this.model.labels;
    if (this.info.labelNames?.length) return this.info.labelNames;
    let max = 9;
    if (this.table.labels) for (const l of this.table.labels) max = Math.max(max, l);
    return Array.from({ length: max + 1 }, (_, k) => String(k));
  }

  private setFilter(spec: FilterSpec): void {
    this.spec = spec;
    this.host.saveState({ filter: spec });
    this.applyFilter(false);
  }

  private applyFilter(keepScroll: boolean): void {
    clearTimeout(this.refilterTimer);
    this.refilterTimer = undefined;
    const started = performance.now();
    const order = filterAndSort(this.table, this.spec);
    this.lastFilterMs = performance.now() - started;
    this.selection.keepOnly(order);
    this.grid.setOrder(order, keepScroll);
    this.filterBar.setCount(order.length);
    this.filterBar.setSelectionSize(this.selection.size);
  }

  /** While predictions arrive, a prediction-dependent view refreshes every so often, not per chunk. */
  private scheduleRefilter(): void {
    if (!dependsOnPredictions(this.spec) || this.refilterTimer) return;
    this.refilterTimer = setTimeout(() => this.applyFilter(true), Math.max(REFILTER_INTERVAL_MS, 4 * this.lastFilterMs));
  }

  private jumpTo(sample: number): void {
    if (this.grid.reveal(sample)) {
      this.filterBar.setJumpNote('');
    } else {
      this.filterBar.setJumpNote(`#${sample} is hidden by the filters`);
    }
  }

  private compareSelection(): void {
    const indices = this.selection.inViewOrder(this.grid.viewOrder);
    if (indices.length >= 1 && indices.length <= MAX_COMPARE_SAMPLES) this.host.post({ type: 'compare', indices });
  }

  // ---- thumbnails ----

  private requestThumbnails(samples: number[]): void {
    const budget = MAX_REQUESTS_IN_FLIGHT - this.thumbnailReplies.size;
    if (budget <= 0) return; // asked again when a reply arrives and the grid repaints
    for (const indices of this.cache.plan(samples.slice(0, budget * THUMBNAIL_PAGE), THUMBNAIL_PAGE)) {
      this.thumbnailReplies
        .request((messageId) => this.host.post({ type: 'request-thumbnails', messageId, indices }))
        .then(
          (pixels) => this.onThumbnails(indices, pixels),
          (e: Error) => this.onThumbnailsFailed(indices, e.message),
        );
    }
  }

  private onThumbnails(indices: number[], pixels: Uint8Array): void {
    const size = this.info.thumbWidth * this.info.thumbHeight * this.info.channels;
    if (pixels.length !== indices.length * size) {
      this.cache.failed(indices);
      return;
    }
    indices.forEach((sample, k) => this.cache.set(sample, pixels.slice(k * size, (k + 1) * size)));
    this.thumbnailNote.hidden = true;
    this.grid.refresh();
  }

  private onThumbnailsFailed(indices: number[], message: string): void {
    this.cache.failed(indices);
    this.thumbnailNote.textContent = `Could not read samples: ${message}`;
    this.thumbnailNote.hidden = false;
  }

  // ---- predictions ----

  onPredictionsReset(runId: number, model: PredictionModel | null): void {
    this.runId = runId;
    this.model = model;
    this.table.mapLabels(model?.labelMap);
    this.table.resetPredictions();
    this.showNotes();
    this.predictionBar.setModel(model);
    this.filterBar.setClassNames(this.classNames());
    this.strategiesBar.setClasses(this.classNames());
    this.afterPredictions(true);
  }

  onPredictionsChunk(runId: number, chunk: PredictionChunk): void {
    if (runId !== this.runId) return;
    const { predicted, confidence, loss } = chunk;
    if (predicted.length !== chunk.n) return;
    this.table.setPredictions(chunk.start, predicted, confidence, loss);
    this.afterPredictions(false);
  }

  onPredictionsStatus(runId: number, status: PredictionStatus): void {
    if (runId !== this.runId) return;
    this.predictionBar.setStatus(status);
    // The last chunk may still sit in the refilter timer: show the final view now.
    if (status.state !== 'running' && this.refilterTimer) this.applyFilter(true);
  }

  private afterPredictions(now: boolean): void {
    this.grid.invalidate();
    this.updateSummary();
    if (now) this.applyFilter(true);
    else this.scheduleRefilter();
  }

  private updateSummary(): void {
    this.predictionBar.setSummary(summarize(this.table));
  }
}
