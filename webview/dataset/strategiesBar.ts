// "Find strategies" in the dataset browser (SpRAy): a class, the button, progress with Cancel, then the
// clusters of the class's heatmaps: each with its size, mean heatmap and prototype samples (click one to
// explain it), the 2-D embedding as a scatter plot coloured by cluster (click a point to explain its
// sample), the eigenvalue spectrum whose largest gap chose the count; Export PNG (the figure drawn here)
// and Export JSON (the host saves what `spray --json` prints).
import type { StrategiesStatus, StrategiesView } from '../../src/protocol/concepts';
import { el } from '../dom';
import { canvasPng } from '../exportImage';
import { heatmapRgba, imageDataOf, integerScale } from '../heatmap/rasterize';
import { drawRgba } from '../drawRgba';
import { CLUSTER_COLORS, pointAt, scatterLayout, SCATTER_SIZE, spectrumLayout, SPECTRUM_SIZE } from './strategyPlots';
import { thumbnailRgba, thumbZoom } from './thumbnailPixels';

/** Mean heatmaps are drawn about this many CSS pixels on a side. */
const MEAN_SIZE = 112;

export interface StrategiesBarOptions {
  onFind(target: number): void;
  onCancel(): void;
  onExplain(sample: number): void;
  onExportJson(): void;
  onExportPng(png: Uint8Array): void;
  /** Thumbnail geometry of the file. */
  thumbWidth: number;
  thumbHeight: number;
  channels: 1 | 3;
}

export class StrategiesBar {
  readonly element: HTMLElement;
  private readonly select: HTMLSelectElement;
  private readonly find: HTMLElementTagNameMap['vscode-button'];
  private readonly cancel: HTMLElementTagNameMap['vscode-button'];
  private readonly exportPng: HTMLElementTagNameMap['vscode-button'];
  private readonly exportJson: HTMLElementTagNameMap['vscode-button'];
  private readonly progress: HTMLElementTagNameMap['vscode-progress-bar'];
  private readonly status: HTMLElement;
  private readonly result: HTMLElement;
  private classNames: string[] = [];
  private view: StrategiesView | undefined;

  constructor(private readonly options: StrategiesBarOptions) {
    this.select = el('select', { id: 'strategies-class', attrs: { 'aria-label': 'Class to find strategies for' } });
    this.find = el('vscode-button', { id: 'find-strategies', attrs: { secondary: true, title: "Cluster the class's heatmaps over this file (SpRAy): the different strategies the model uses for it" } }, ['Find strategies']);
    this.find.addEventListener('click', () => options.onFind(Number(this.select.value)));
    this.cancel = el('vscode-button', { id: 'cancel-strategies', attrs: { secondary: true } }, ['Cancel']);
    this.cancel.addEventListener('click', () => options.onCancel());
    this.exportPng = el('vscode-button', { id: 'export-strategies-png', attrs: { secondary: true, icon: 'file-media' } }, ['Export PNG']);
    this.exportPng.addEventListener('click', () => void this.savePng());
    this.exportJson = el('vscode-button', { id: 'export-strategies-json', attrs: { secondary: true, icon: 'json' } }, ['Export JSON']);
    this.exportJson.addEventListener('click', () => options.onExportJson());
    this.progress = el('vscode-progress-bar', { id: 'strategies-progress', attrs: { 'aria-label': 'Find strategies progress' } });
    this.status = el('span', { id: 'strategies-status', attrs: { role: 'status', 'data-state': 'idle' } });
    this.result = el('div', { id: 'strategies-result', class: 'strategies-result' });
    this.element = el('div', { class: 'strategies-block' }, [
      el('div', { class: 'strategies-bar' }, [
        el('label', { class: 'muted', text: 'Class', attrs: { for: 'strategies-class' } }),
        this.select,
        this.find,
        this.cancel,
        el('span', { class: 'spacer' }),
        this.exportPng,
        this.exportJson,
      ]),
      el('div', { class: 'strategies-progress' }, [this.status, this.progress]),
      this.result,
    ]);
    this.setStatus({ state: 'idle' });
  }

  /** The model's class names (the select keeps its choice when they stay the same). */
  setClasses(names: string[]): void {
    if (names.length === this.classNames.length && names.every((n, k) => n === this.classNames[k])) return;
    const chosen = this.select.value;
    this.classNames = names;
    this.select.replaceChildren(...names.map((name, k) => el('option', { text: name === String(k) ? name : `${k} · ${name}`, attrs: { value: k } })));
    if (chosen && Number(chosen) < names.length) this.select.value = chosen;
  }

  setStatus(status: StrategiesStatus): void {
    this.status.dataset.state = status.state;
    const running = status.state === 'running';
    this.progress.hidden = !running;
    this.cancel.hidden = !running;
    this.find.disabled = running;
    this.exportPng.hidden = this.exportJson.hidden = status.state !== 'done';
    this.status.classList.toggle('error', status.state === 'failed');
    switch (status.state) {
      case 'idle':
        this.status.textContent = '';
        break;
      case 'running': {
        const name = this.classNames[status.target] ?? String(status.target);
        if (status.stage === 'heatmaps') {
          this.progress.removeAttribute('indeterminate');
          this.progress.setAttribute('max', String(status.total));
          this.progress.setAttribute('value', String(status.done));
          this.status.textContent = `Class ${name}: heatmaps ${status.done.toLocaleString('en-US')} of ${status.total.toLocaleString('en-US')}`;
        } else {
          this.progress.setAttribute('indeterminate', '');
          this.status.textContent = `Class ${name}: clustering the heatmaps…`;
        }
        break;
      }
      case 'done':
        this.view = status.view;
        this.status.textContent = summaryText(status.view);
        this.result.replaceChildren(...this.renderResult(status.view));
        break;
      case 'cancelled':
        this.status.textContent = 'Find strategies cancelled.';
        break;
      case 'failed':
        this.status.textContent = `Find strategies failed: ${status.message}`;
        break;
    }
  }

  private renderResult(v: StrategiesView): HTMLElement[] {
    const scatter = el('canvas', { id: 'strategies-scatter', attrs: { role: 'img', 'aria-label': `The ${v.samples.length} samples in 2-D (${v.embeddingMethod}), coloured by strategy; click a point to explain it` } });
    drawScatter(scatter, v);
    const layout = scatterLayout(v.embedding);
    const at = (event: MouseEvent) => {
      const box = scatter.getBoundingClientRect();
      return pointAt(layout, ((event.clientX - box.left) / box.width) * SCATTER_SIZE.width, ((event.clientY - box.top) / box.height) * SCATTER_SIZE.height);
    };
    scatter.addEventListener('click', (event) => {
      const i = at(event);
      if (i >= 0) this.options.onExplain(v.samples[i]);
    });
    scatter.addEventListener('mousemove', (event) => {
      const i = at(event);
      scatter.title = i >= 0 ? `#${v.samples[i]} · strategy ${v.labels[i] + 1} · click to explain` : '';
      scatter.classList.toggle('pointing', i >= 0);
    });
    const spectrum = el('canvas', { id: 'strategies-spectrum', attrs: { role: 'img', 'aria-label': `Eigenvalues of the normalised Laplacian: ${v.eigenvalues.map((x) => x.toFixed(3)).join(', ')}; the largest gap after λ${v.clusterCount}` } });
    drawSpectrum(spectrum, v);
    return [
      el('div', { class: 'strategies-plots' }, [
        el('figure', {}, [scatter, el('figcaption', { class: 'muted', text: `${v.embeddingMethod === 'umap' ? 'UMAP' : 'Spectral coordinates'} of the pooled heatmaps; click a point to explain it` })]),
        el('figure', {}, [spectrum, el('figcaption', { class: 'muted', text: `Eigenvalues λ₁…λ${subscript(v.eigenvalues.length)}: the largest gap, after λ${subscript(v.clusterCount)}, gives ${v.clusterCount} strateg${v.clusterCount === 1 ? 'y' : 'ies'}` })]),
      ]),
      el('div', { class: 'strategy-clusters' }, v.clusters.map((c) => this.clusterCard(v, c.id))),
    ];
  }

  private clusterCard(v: StrategiesView, id: number): HTMLElement {
    const cluster = v.clusters[id];
    const [h, w] = v.heatmapShape;
    const mean = el('canvas', { class: 'pixelated strategy-mean', attrs: { role: 'img', 'aria-label': `Mean heatmap of strategy ${id + 1}` } });
    drawRgba(mean, heatmapRgba(cluster.meanHeatmap, [h, w], { colormap: 'bwr', normalization: { kind: 'max' } }, integerScale(w, h, MEAN_SIZE)));
    const { thumbWidth: tw, thumbHeight: th, channels } = this.options;
    const size = tw * th * channels;
    const zoom = thumbZoom(tw, th, 40);
    const prototypes = cluster.prototypes.map((sample, k) => {
      const canvas = el('canvas', { class: 'pixelated' });
      canvas.width = tw * zoom;
      canvas.height = th * zoom;
      const image = new ImageData(tw * zoom, th * zoom);
      thumbnailRgba(image.data, v.prototypePixels[id].subarray(k * size, (k + 1) * size), tw, th, channels, zoom);
      canvas.getContext('2d')?.putImageData(image, 0, 0);
      const button = el('button', { class: 'strategy-prototype', data: { sample: String(sample) }, attrs: { title: `#${sample}: click to explain`, 'aria-label': `Prototype #${sample} of strategy ${id + 1}, explain it` } }, [canvas]);
      button.addEventListener('click', () => this.options.onExplain(sample));
      return button;
    });
    const swatch = el('span', { class: 'strategy-swatch', attrs: { 'aria-hidden': 'true' } });
    swatch.style.background = CLUSTER_COLORS[id % CLUSTER_COLORS.length];
    return el('div', { class: 'strategy-cluster', data: { cluster: String(id), size: String(cluster.size) } }, [
      el('div', { class: 'strategy-title' }, [swatch, `Strategy ${id + 1}`, el('span', { class: 'muted', text: ` · ${cluster.size} samples (${((100 * cluster.size) / v.samples.length).toFixed(1)}%)` })]),
      el('div', { class: 'strategy-body' }, [mean, el('div', { class: 'strategy-prototypes' }, prototypes)]),
    ]);
  }

  /** The figure as one canvas: title, scatter plot, spectrum, and each strategy's mean heatmap with its size. */
  private async savePng(): Promise<void> {
    const v = this.view;
    if (!v) return;
    const [h, w] = v.heatmapShape;
    const scale = integerScale(w, h, MEAN_SIZE);
    const cell = Math.max(w * scale, 120) + 16;
    const width = Math.max(SCATTER_SIZE.width + SPECTRUM_SIZE.width + 48, 16 + v.clusters.length * cell);
    const height = 40 + Math.max(SCATTER_SIZE.height, SPECTRUM_SIZE.height) + 40 + h * scale + 40;
    const figure = document.createElement('canvas');
    figure.width = width;
    figure.height = height;
    const g = figure.getContext('2d')!;
    g.fillStyle = '#ffffff';
    g.fillRect(0, 0, width, height);
    g.fillStyle = '#000000';
    g.font = '14px sans-serif';
    g.fillText(summaryText(v), 16, 24);
    const scatter = document.createElement('canvas');
    drawScatter(scatter, v);
    g.drawImage(scatter, 16, 40);
    const spectrum = document.createElement('canvas');
    drawSpectrum(spectrum, v, '#000000');
    g.drawImage(spectrum, 32 + SCATTER_SIZE.width, 40);
    const top = 40 + Math.max(SCATTER_SIZE.height, SPECTRUM_SIZE.height) + 16;
    v.clusters.forEach((c, k) => {
      const x = 16 + k * cell;
      g.fillStyle = CLUSTER_COLORS[k % CLUSTER_COLORS.length];
      g.fillRect(x, top, 12, 12);
      g.fillStyle = '#000000';
      g.font = '12px sans-serif';
      g.fillText(`Strategy ${k + 1}: ${c.size}`, x + 16, top + 11);
      const mean = heatmapRgba(c.meanHeatmap, [h, w], { colormap: 'bwr', normalization: { kind: 'max' } }, scale);
      g.putImageData(imageDataOf(mean), x, top + 20);
    });
    this.options.onExportPng(await canvasPng(figure));
  }
}

/** "Class 7 · 205 samples (by label) · 2 strategies" */
export function summaryText(v: Pick<StrategiesView, 'targetName' | 'samples' | 'selectedBy' | 'clusterCount' | 'model' | 'method'>): string {
  return `Class ${v.targetName} · ${v.samples.length.toLocaleString('en-US')} samples (by ${v.selectedBy}) · ${v.clusterCount} strateg${v.clusterCount === 1 ? 'y' : 'ies'} · ${v.model} · ${v.method}`;
}

function drawScatter(canvas: HTMLCanvasElement, v: StrategiesView): void {
  canvas.width = SCATTER_SIZE.width;
  canvas.height = SCATTER_SIZE.height;
  const g = canvas.getContext('2d');
  if (!g) return;
  const layout = scatterLayout(v.embedding);
  for (let i = 0; i < v.samples.length; i++) {
    g.fillStyle = CLUSTER_COLORS[v.labels[i] % CLUSTER_COLORS.length];
    g.beginPath();
    g.arc(layout[2 * i], layout[2 * i + 1], 3, 0, 2 * Math.PI);
    g.fill();
  }
}

function drawSpectrum(canvas: HTMLCanvasElement, v: StrategiesView, ink = getComputedStyle(document.body).color || '#888888'): void {
  canvas.width = SPECTRUM_SIZE.width;
  canvas.height = SPECTRUM_SIZE.height;
  const g = canvas.getContext('2d');
  if (!g) return;
  const { bars, barWidth, axisY, top } = spectrumLayout(v.eigenvalues);
  g.strokeStyle = g.fillStyle = ink;
  g.font = '10px sans-serif';
  g.beginPath();
  g.moveTo(SPECTRUM_SIZE.margin, axisY + 0.5);
  g.lineTo(SPECTRUM_SIZE.width - SPECTRUM_SIZE.margin, axisY + 0.5);
  g.stroke();
  g.fillText(top.toFixed(2), 2, SPECTRUM_SIZE.margin);
  g.fillText('0', 2, axisY);
  for (const bar of bars) {
    g.fillStyle = bar.k <= v.clusterCount ? CLUSTER_COLORS[0] : ink;
    g.fillRect(bar.x, bar.y, barWidth, Math.max(1, bar.height));
    g.fillStyle = ink;
    if (bar.k <= 9 || bar.k % 5 === 0) g.fillText(String(bar.k), bar.x, axisY + 12);
  }
  // The chosen gap: a dashed line between λ_k* and λ_k*+1.
  const after = bars[v.clusterCount];
  if (after) {
    g.setLineDash([3, 3]);
    g.strokeStyle = CLUSTER_COLORS[2];
    g.beginPath();
    g.moveTo(after.x - (after.x - bars[v.clusterCount - 1].x - barWidth) / 2, SPECTRUM_SIZE.margin);
    g.lineTo(after.x - (after.x - bars[v.clusterCount - 1].x - barWidth) / 2, axisY);
    g.stroke();
    g.setLineDash([]);
  }
}

function subscript(n: number): string {
  return String(n).replace(/\d/g, (d) => '₀₁₂₃₄₅₆₇₈₉'[Number(d)]);
}
