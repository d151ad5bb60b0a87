// The dataset browser's "Find strategies", host side: which samples make up the class (the file's labels as
// the model's classes, else the model's predictions), SpRAy on the workers with progress and Cancel
// (EngineService.strategies), each cluster's prototypes as thumbnails for the view, and the exports (the
// JSON that `spray --json` prints; the PNG the view drew).
import * as vscode from 'vscode';
import type { Dataset } from '../../engine/data/datasetFile';
import { isUserError, UserError } from '../../engine/errors';
import { sprayJson } from '../../engine/spray/sprayJson';
import type { StrategiesStatus, StrategiesView } from '../../protocol/concepts';
import type { ToDatasetView } from '../../protocol/datasetMessages';
import { CancelledError } from '../engineService';
import { savePng } from '../exportPng';
import type { HostServices } from '../hostServices';
import { formatDuration, logRun } from '../runLog';
import { strategySamples, type StrategiesContext } from './strategySamples';
import { thumbnailPixels, thumbnailSize } from './thumbnails';

export class StrategiesRunner implements vscode.Disposable {
  private controller: AbortController | undefined;
  private status: StrategiesStatus = { state: 'idle' };

  constructor(
    private readonly services: HostServices,
    private readonly post: (message: ToDatasetView) => void,
    private readonly context: () => StrategiesContext | undefined,
    private readonly fileName: string,
  ) {}

  /** The webview (re)loaded: what it showed. */
  replay(): void {
    if (this.status.state !== 'idle') this.post({ type: 'strategies-status', status: this.status });
  }

  async start(target: number): Promise<void> {
    const context = this.context();
    if (!context) return;
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const current = () => this.controller === controller;
    const set = (status: StrategiesStatus) => {
      if (!current()) return;
      this.status = status;
      this.post({ type: 'strategies-status', status });
    };
    const { engine, selection, log } = this.services;
    const entry = selection.model;
    const method = selection.method;
    const targetName = context.model?.labels[target] ?? String(target);
    const started = Date.now();
    let lastPost = 0;
    try {
      const { samples, by } = strategySamples(target, context);
      if (samples.length < 2) throw new UserError(`class ${targetName} has ${samples.length} sample${samples.length === 1 ? '' : 's'} in this file (by ${by === 'label' ? 'label' : 'prediction'}); finding strategies needs at least 2`);
      set({ state: 'running', target, stage: 'heatmaps', done: 0, total: samples.length });
      const analysis = await engine.strategies(
        context.dataset,
        { model: { path: entry.path }, modelName: entry.id, method, target, targetName, samples, selectedBy: by },
        {
          signal: controller.signal,
          onProgress: (p) => {
            if (p.stage === 'heatmaps' && p.done < p.total && Date.now() - lastPost < 150) return;
            lastPost = Date.now();
            set({ state: 'running', target, ...p });
          },
        },
      );
      const view: StrategiesView = { ...analysis, prototypePixels: await this.prototypeThumbnails(context.dataset, analysis.clusters.map((c) => c.prototypes)) };
      set({ state: 'done', view });
      logRun(log, 'strategies', [
        this.fileName,
        entry.id,
        method,
        `class ${targetName} (${analysis.samples.length} samples by ${by})`,
        `${analysis.clusterCount} clusters of ${analysis.clusters.map((c) => c.size).join(', ')}`,
        `${formatDuration(Date.now() - started)} wall`,
      ]);
    } catch (e) {
      if (e instanceof CancelledError || controller.signal.aborted) return set({ state: 'cancelled' });
      log.appendLine(`[dataset] find strategies failed: ${(e as Error)?.stack ?? e}`);
      set({ state: 'failed', message: isUserError(e) ? e.message : (e as Error)?.message ?? String(e) });
    }
  }

  cancel(): void {
    this.controller?.abort();
  }

  private async prototypeThumbnails(dataset: Dataset, prototypes: number[][]): Promise<Uint8Array[]> {
    const from = { width: dataset.width, height: dataset.height, channels: dataset.channels };
    const to = thumbnailSize(dataset.height, dataset.width);
    return Promise.all(
      prototypes.map(async (list) => {
        const size = to.width * to.height * dataset.channels;
        const out = new Uint8Array(list.length * size);
        for (const [k, index] of list.entries()) out.set(thumbnailPixels(await dataset.read(index, 1), 1, from, to), k * size);
        return out;
      }),
    );
  }

  async exportJson(): Promise<void> {
    const context = this.context();
    if (this.status.state !== 'done' || !context) return;
    const { view } = this.status;
    const uri = await vscode.window.showSaveDialog({
      title: 'Save the strategies as JSON',
      defaultUri: defaultFile(`strategies-class-${view.targetName}.json`),
      filters: { JSON: ['json'] },
    });
    if (!uri) return;
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify(sprayJson(view, context.dataset.path)) + '\n'));
    void vscode.window.showInformationMessage(`Strategies saved to ${vscode.workspace.asRelativePath(uri)}`);
  }

  async exportPng(png: Uint8Array): Promise<void> {
    const name = this.status.state === 'done' ? `strategies-class-${this.status.view.targetName}.png` : 'strategies.png';
    const uri = await savePng(png, name, undefined, 'Save the strategies as PNG');
    if (uri) void vscode.window.showInformationMessage(`Strategies saved to ${vscode.workspace.asRelativePath(uri)}`);
  }

  dispose(): void {
    this.controller?.abort();
  }
}

function defaultFile(name: string): vscode.Uri | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder ? vscode.Uri.joinPath(folder, name.replace(/[^\w.=-]+/g, '_')) : undefined;
}
